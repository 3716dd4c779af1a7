"""The time the scheduler goes by: the real clock, or a frozen one for tests.

`now()` is the real UTC time unless the test-only setting TEST_CLOCK_FILE
names a file holding an ISO 8601 time, which is then taken as "now" (the
browser tests move a running server's clock forward by rewriting the file).
Services that decide what is due take `now` as an argument; only the
scheduler's loop asks this module.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context

from elicit.models.base import utcnow


def now() -> datetime:
    """The current time in UTC (the frozen time of TEST_CLOCK_FILE when it is set)."""
    path = current_app.config["TEST_CLOCK_FILE"] if has_app_context() else None
    if path:
        frozen = _read(Path(path))
        if frozen is not None:
            return frozen
    return utcnow()


def _read(path: Path) -> datetime | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def freeze(path: str | Path, moment: datetime) -> None:
    """Write `moment` as the frozen time (tests)."""
    Path(path).write_text(moment.astimezone(UTC).isoformat(), encoding="utf-8")
