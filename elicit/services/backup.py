"""Back up and restore the database.

SQLite uses the online backup API, which copies a consistent snapshot while
the application keeps serving. PostgreSQL uses `pg_dump`/`pg_restore` in the
custom format (they must be on PATH; see docs/operations/deploy.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # noqa: S404 - fixed argument lists, no shell
from pathlib import Path

from sqlalchemy.engine import make_url

from elicit.errors import DomainError


class BackupError(DomainError):
    """A backup or restore could not be made."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database to `target`; return it."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name.")
    dialect = make_url(database_url).get_backend_name()
    if dialect == "sqlite":
        source = sqlite3.connect(_sqlite_path(database_url))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    if dialect == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
              _libpq_url(database_url)])
        return target
    raise BackupError(f"Backups of {dialect} databases are not supported.")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup in `source`."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    dialect = make_url(database_url).get_backend_name()
    if dialect == "sqlite":
        src = sqlite3.connect(source)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not an intact SQLite database.")
            dest = sqlite3.connect(_sqlite_path(database_url))
            try:
                with dest:
                    src.backup(dest)
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite database: {exc}") from exc
        finally:
            src.close()
        return
    if dialect == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(database_url)}", str(source)])
        return
    raise BackupError(f"Restores of {dialect} databases are not supported.")


def _libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install "
                          "postgresql-client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
