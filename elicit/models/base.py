"""Column helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import mapped_column


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def created_at_column():
    """A non-null creation timestamp filled in by the application."""
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that `column` holds one of `values`."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
