"""Small SQL helpers: INSERT … ON CONFLICT DO NOTHING on both databases, a unit of work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from elicit.extensions import db


def insert_ignoring_duplicates(model: type, values: dict[str, Any],
                               conflict_columns: Sequence[str]) -> None:
    """Insert one row unless a row with the same unique key exists (no race window)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(model.__table__)
    elif dialect == "sqlite":
        stmt = sqlite.insert(model.__table__)
    else:
        raise RuntimeError(f"Unsupported database dialect {dialect!r}")
    stmt = stmt.values(**values).on_conflict_do_nothing(index_elements=list(conflict_columns))
    db.session.execute(stmt)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction around a composite write: commit on success, roll back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
