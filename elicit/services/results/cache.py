"""Computed results, cached per (round, data version, method, parameters).

A key carries the round's `data_version`, which every submission bumps, so a
new submission makes the old entries unreachable instead of having to delete
them. Three backends, one shared by every process that can see it:

- Redis when `REDIS_URL` (or `RESULTS_CACHE_REDIS_URL`) is set: every worker of
  every instance (pickled, with a time to live);
- otherwise files under `RESULTS_CACHE_DIR` (`<instance>/results-cache`): every
  gunicorn worker of this instance, so a reload that lands on the other worker
  is served from the cache; each entry is written to a temporary file and
  renamed into place, so a reader never sees half an entry;
- an in-process LRU when `RESULTS_CACHE_DIR` is empty (the tests' choice).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import Flask, current_app

T = TypeVar("T")
logger = logging.getLogger(__name__)
EXTENSION_KEY = "elicit.results_cache"
REDIS_TTL_SECONDS = 7 * 24 * 3600


class CacheBackend(Protocol):
    """What a cache backend offers: get (None when absent), set, clear."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...

    def clear(self) -> None: ...


class MemoryBackend:
    """A thread-safe least-recently-used cache inside one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class RedisBackend:
    """Entries shared by every process through Redis, pickled.

    Only the application writes these keys, so unpickling them is as safe as
    the Redis server is private (bind it to localhost or a private network).
    While Redis is unreachable the cache acts as empty: results are computed
    on every request instead of failing it.
    """

    def __init__(self, url: str, prefix: str = "elicit:results:") -> None:
        import redis

        # Short timeouts: a stalled Redis must slow a page down, not hang it.
        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.prefix = prefix

    def get(self, key: str) -> Any | None:
        import redis

        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError as exc:
            logger.warning("results cache: Redis unreachable (%s); computing afresh", exc)
            return None
        return None if raw is None else pickle.loads(raw)  # noqa: S301 - our own entries

    def set(self, key: str, value: Any) -> None:
        import redis

        try:
            self.client.set(self.prefix + key, pickle.dumps(value), ex=REDIS_TTL_SECONDS)
        except redis.RedisError as exc:
            logger.warning("results cache: Redis unreachable (%s); result not stored", exc)

    def clear(self) -> None:
        for key in self.client.scan_iter(self.prefix + "*"):
            self.client.delete(key)


class FileBackend:
    """Entries shared by the processes of one machine through files in a folder, pickled.

    One file per key (the key is a hex digest, so a safe name). `set` writes a
    temporary file in the same folder and renames it over the entry (atomic on
    POSIX), so concurrent workers never read a partial entry; the last writer
    wins, and both computed the same value. Reading touches the file, and when
    the folder holds more than `size` entries the least recently used go.
    Like Redis entries, only the application writes these files: keep the
    folder private to the application's user.
    """

    def __init__(self, folder: str | Path, size: int) -> None:
        self.folder = Path(folder)
        self.size = size
        # A key names one value for good (it carries the data version), so what this
        # process has read or written can be kept in memory too: a page that asks for
        # the same results several times unpickles them once.
        self._seen = MemoryBackend(size)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        found = self._seen.get(key)
        if found is not None:
            return found
        value = self._read(key)
        if value is not None:
            self._seen.set(key, value)
        return value

    def _read(self, key: str) -> Any | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)  # noqa: S301 - our own entries
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            logger.warning("results cache: unreadable entry %s (%s); computing afresh", path, exc)
            return None
        try:
            os.utime(path)  # recently used
        except OSError:
            pass  # removed by another worker's pruning meanwhile: still a valid read
        return value

    def set(self, key: str, value: Any) -> None:
        self._seen.set(key, value)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile(dir=self.folder, suffix=".part", delete=False)
            with handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, self._path(key))
        except OSError as exc:
            logger.warning("results cache: cannot write to %s (%s); result not stored",
                           self.folder, exc)
            return
        self._prune()

    def _prune(self) -> None:
        entries = []
        for path in self.folder.glob("*.pickle"):
            try:
                entries.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                continue
        for _, path in sorted(entries)[:max(0, len(entries) - self.size)]:
            path.unlink(missing_ok=True)

    def clear(self) -> None:
        self._seen.clear()
        for path in self.folder.glob("*.pickle"):
            path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("*.pickle"))


def make_backend(config: Mapping[str, Any]) -> CacheBackend:
    """The backend the configuration asks for: Redis, else files, else process memory."""
    url = config["RESULTS_CACHE_REDIS_URL"] or config["REDIS_URL"]
    # one namespace per database: two deployments sharing a cache never mix results
    namespace = make_key(str(config["SQLALCHEMY_DATABASE_URI"]))[:16]
    if url:
        return RedisBackend(url, prefix=f"elicit:results:{namespace}:")
    if config["RESULTS_CACHE_DIR"]:
        return FileBackend(Path(config["RESULTS_CACHE_DIR"]) / namespace,
                           int(config["RESULTS_CACHE_SIZE"]))
    return MemoryBackend(int(config["RESULTS_CACHE_SIZE"]))


def round_version(round_: Any) -> list[Any]:
    """What identifies a round's data in a key: its id, data version and creation time.

    The creation time keeps a recreated or restored database (ids and versions
    counted again from 1) from meeting the entries of the old one.
    """
    created = round_.created_at
    return [round_.id, round_.data_version, created.isoformat() if created else None]


def backend(app: Flask | None = None) -> CacheBackend:
    """This app's backend, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = app.extensions[EXTENSION_KEY] = make_backend(app.config)
    return found


def make_key(*parts: Any) -> str:
    """A short, stable key from JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def cached(key: str, compute: Callable[[], T]) -> T:
    """Return the cached value under `key`, computing and storing it once."""
    store = backend()
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value)
    return value
