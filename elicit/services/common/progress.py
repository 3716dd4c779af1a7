"""Progress of long work, reported from deep inside it without threading a callback through.

Long computations call `report(fraction, message)` at their milestones; it
does nothing unless someone listens. A background job listens with a callback
that writes to its `Job` row, the CLI with a tqdm bar:

>>> seen = []
>>> with reporting(lambda f, m: seen.append((f, m))):
...     report(0.5, "half way")
...     with stage(0.5, 1.0):
...         report(0.5, "inner half")
>>> seen
[(0.5, 'half way'), (0.75, 'inner half')]
>>> report(1.0, "nobody listens")  # a no-op
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

Callback = Callable[[float, str], None]
T = TypeVar("T")

def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a progress message for translation; it is translated where it is shown."""
    return message


def listening() -> bool:
    """Whether anyone listens (so callers can skip work done only to report progress)."""
    return _listener.get() is not None


_listener: ContextVar[Callback | None] = ContextVar("elicit_progress_listener", default=None)
_span: ContextVar[tuple[float, float]] = ContextVar("elicit_progress_span", default=(0.0, 1.0))


def report(fraction: float, message: str = "") -> None:
    """Tell the listener (if any) that `fraction` (0–1) of the current stage is done."""
    listener = _listener.get()
    if listener is None:
        return
    start, end = _span.get()
    clamped = min(max(float(fraction), 0.0), 1.0)
    listener(start + (end - start) * clamped, message)


@contextmanager
def reporting(callback: Callback) -> Iterator[None]:
    """Send every `report` made inside the block to `callback(fraction, message)`."""
    listener, span = _listener.set(callback), _span.set((0.0, 1.0))
    try:
        yield
    finally:
        _span.reset(span)
        _listener.reset(listener)


@contextmanager
def stage(start: float, end: float) -> Iterator[None]:
    """Map the 0–1 reports made inside the block onto [start, end] of the enclosing stage."""
    if not 0.0 <= start <= end <= 1.0:
        raise ValueError(f"a stage needs 0 <= start <= end <= 1, got {start!r}, {end!r}")
    outer_start, outer_end = _span.get()
    width = outer_end - outer_start
    token = _span.set((outer_start + width * start, outer_start + width * end))
    try:
        yield
    finally:
        _span.reset(token)


def counted(items: Iterable[T], total: int, message: str = "", every: int = 1000) -> Iterator[T]:
    """Yield `items`, reporting `n / total` every `every` items."""
    for n, item in enumerate(items, start=1):
        if n % every == 0 and total > 0:
            report(n / total, message)
        yield item
