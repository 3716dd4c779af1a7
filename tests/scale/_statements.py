"""Record the SQL statements an engine sends, for counting and for EXPLAIN."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Recorder:
    """Statements seen between start and end, in order, with their parameters."""

    statements: list[tuple[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def queries(self) -> list[tuple[str, Any]]:
        """SELECT/INSERT/UPDATE/DELETE statements only (no pragmas or savepoints)."""
        verbs = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
        return [(sql, params) for sql, params in self.statements
                if sql.lstrip().upper().startswith(verbs)]


@contextmanager
def recorded(engine: Engine) -> Iterator[Recorder]:
    """Collect every statement `engine` executes inside the block."""
    recorder = Recorder()

    def listen(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        # executemany: EXPLAIN needs one parameter set; insertmanyvalues sends a dict
        many = executemany and isinstance(parameters, list | tuple) and parameters
        recorder.statements.append((statement, parameters[0] if many else parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield recorder
    finally:
        event.remove(engine, "before_cursor_execute", listen)
