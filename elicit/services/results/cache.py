"""Computed results, cached per (round, data version, method, parameters).

A key carries the round's `data_version`, which every submission bumps, so a
new submission makes the old entries unreachable instead of having to delete
them. The default backend is an in-process LRU; with `REDIS_URL` set, entries
are shared between processes through Redis (pickled, with a time to live).
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
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


def make_backend(config: Mapping[str, Any]) -> CacheBackend:
    """The backend the configuration asks for: Redis when REDIS_URL is set."""
    url = config["RESULTS_CACHE_REDIS_URL"] or config["REDIS_URL"]
    if url:
        # one namespace per database: two deployments sharing a Redis never mix results
        database = str(config["SQLALCHEMY_DATABASE_URI"])
        return RedisBackend(url, prefix=f"elicit:results:{make_key(database)[:16]}:")
    return MemoryBackend(int(config["RESULTS_CACHE_SIZE"]))


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
