"""INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
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
