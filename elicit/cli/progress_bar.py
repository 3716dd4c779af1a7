"""A tqdm progress bar on standard error for long CLI commands (never on stdout)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from elicit.services.common import progress


def wanted(choice: bool | None, *, quiet: bool = False) -> bool:
    """Show a bar? `--progress/--no-progress` decides; by default only on a terminal."""
    if quiet:
        return False
    return sys.stderr.isatty() if choice is None else choice


@contextmanager
def progress_bar(enabled: bool, description: str) -> Iterator[None]:
    """Draw the `progress.report` calls made inside the block as a bar on stderr."""
    if not enabled:
        yield
        return
    from tqdm import tqdm

    with tqdm(total=100, desc=description, unit="%", file=sys.stderr, leave=False,
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}") as bar:
        def update(fraction: float, message: str) -> None:
            bar.n = round(fraction * 100, 1)
            bar.set_postfix_str(message, refresh=False)
            bar.refresh()

        with progress.reporting(update):
            yield
            update(1.0, "done")
