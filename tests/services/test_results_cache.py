"""The results cache: LRU in process, Redis when configured."""

from __future__ import annotations

import uuid

import pytest

from elicit.services.results.cache import MemoryBackend, RedisBackend, make_backend, make_key
from elicit.settings_table import default_settings

DEFAULTS = default_settings("instance")


def test_memory_backend_evicts_the_least_recently_used():
    cache = MemoryBackend(size=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.set("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    cache.clear()
    assert len(cache) == 0


def test_keys_are_stable_and_distinct():
    assert make_key(1, "mean", [("Impact", 2.0)]) == make_key(1, "mean", [("Impact", 2.0)])
    assert make_key(1, "mean", 3) != make_key(1, "mean", 4)


def test_backend_choice_follows_the_configuration():
    memory = make_backend({**DEFAULTS, "RESULTS_CACHE_SIZE": 3})
    assert isinstance(memory, MemoryBackend) and memory.size == 3
    redis_backend = make_backend({**DEFAULTS, "REDIS_URL": "redis://127.0.0.1:6379/0",
                                  "SQLALCHEMY_DATABASE_URI": "sqlite:///a"})
    other = make_backend({**DEFAULTS, "REDIS_URL": "redis://127.0.0.1:6379/0",
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///b"})
    assert isinstance(redis_backend, RedisBackend) and redis_backend.prefix != other.prefix


def test_redis_backend_round_trip():
    backend = RedisBackend("redis://127.0.0.1:6379/0", prefix=f"elicit:test:{uuid.uuid4()}:")
    try:
        backend.client.ping()
    except Exception:  # noqa: BLE001 - no server, nothing to test
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    backend.set("k", {"x": [1, 2]})
    assert backend.get("k") == {"x": [1, 2]} and backend.get("missing") is None
    backend.clear()
    assert backend.get("k") is None
