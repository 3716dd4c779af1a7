"""Small SQL helpers: INSERT … ON CONFLICT DO NOTHING on both databases, units of work."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from elicit.extensions import db, sqlite_write_intent


def insert_ignoring_duplicates(model: type, values: dict[str, Any],
                               conflict_columns: Sequence[str]) -> None:
    """Insert one row unless a row with the same unique key exists (no race window)."""
    dialect = db.session.get_bind().dialect.name
    stmt = _insert_ignoring(dialect, model, tuple(values), tuple(conflict_columns))
    db.session.execute(stmt, values)


@functools.lru_cache(maxsize=64)
def _insert_ignoring(dialect: str, model: type, columns: tuple[str, ...],
                     conflict_columns: tuple[str, ...]) -> Any:
    """The statement, built once per shape: a reused statement keeps its cache key."""
    if dialect == "postgresql":
        stmt = postgresql.insert(model.__table__)
    elif dialect == "sqlite":
        stmt = sqlite.insert(model.__table__)
    else:
        raise RuntimeError(f"Unsupported database dialect {dialect!r}")
    return stmt.values({name: bindparam(name) for name in columns}).on_conflict_do_nothing(
        index_elements=list(conflict_columns))


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction around a composite write: commit on success, roll back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def write_transaction() -> Iterator[None]:
    """Write from a reading request (GET) in a transaction of its own.

    A GET starts SQLite transactions deferred (a read snapshot). Upgrading that
    snapshot to a write fails at once with SQLITE_BUSY when another connection
    committed since it began — which busy_timeout cannot retry, so concurrent
    reads answered 503. Here the read transaction is ended first (the session
    must hold no pending change) and the write runs in a new transaction that
    takes SQLite's write lock at BEGIN (IMMEDIATE), so it waits its turn instead.
    Commits on success, rolls back on any error. PostgreSQL: the same two
    transactions, no lock mode needed.
    """
    db.session.commit()  # end the read snapshot; nothing is pending in a GET
    marker = sqlite_write_intent.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        sqlite_write_intent.reset(marker)
