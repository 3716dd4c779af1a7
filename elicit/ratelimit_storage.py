"""Rate-limit counters in a SQLite file: shared by every worker of an instance, no Redis needed.

With `memory://` each gunicorn worker kept its own counters, so `make run`'s
two workers allowed twice the documented sign-in and link-guessing limits
(four workers: three to four times). Without Redis the counters now live in
``instance/ratelimits.sqlite`` (`sqlitefile:///path`), which every worker on
the machine opens: a limit holds per instance. Several instances behind a
load balancer still need Redis (`REDIS_URL`) to share one count.

The storage implements the fixed-window strategy Flask-Limiter uses by
default: one row per key with its count and the moment its window ends;
each increment is one `BEGIN IMMEDIATE` transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from limits.storage import Storage

SCHEME = "sqlitefile"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL,"
           " expires REAL NOT NULL)",
           "CREATE INDEX IF NOT EXISTS counters_expires ON counters (expires)")


def uri_for(instance_path: str) -> str:
    """The storage URI of the counters file under `instance_path`."""
    return f"{SCHEME}://{Path(instance_path, 'ratelimits.sqlite').resolve()}"


class SQLiteFileStorage(Storage):
    """A `limits` storage backed by one SQLite file (registered for ``sqlitefile://``)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(urlparse(uri).path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connection() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
        return _Transaction(conn)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._connection() as conn:
            conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))  # indexed
            conn.execute("INSERT INTO counters (key, count, expires) VALUES (?, ?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET count = count + excluded.count",
                         (key, amount, now + expiry))
            return conn.execute("SELECT count FROM counters WHERE key = ?", (key,)).fetchone()[0]

    def get(self, key: str) -> int:
        with self._connection() as conn:
            row = conn.execute("SELECT count FROM counters WHERE key = ? AND expires > ?",
                               (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        with self._connection() as conn:
            row = conn.execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            with self._connection() as conn:
                conn.execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        with self._connection() as conn:
            return conn.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM counters WHERE key = ?", (key,))


class _Transaction:
    """``with``: BEGIN IMMEDIATE … COMMIT (ROLLBACK on error) on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")
