"""Settings for running several instances: rate-limit storage, pool, proxies, cache.

These build apps from the environment (no database is touched), so they run
once, without the SQLite/PostgreSQL legs of the `app` fixture.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask import request

from elicit import create_app, ratelimit_storage
from elicit.config import engine_options, ratelimit_storage_uri
from elicit.extensions import db, limiter
from elicit.services.results import cache
from elicit.settings_table import default_settings

PG_URL = "postgresql+psycopg://elicit@127.0.0.1:5432/elicit"
REDIS = "redis://127.0.0.1:6379/0"
SCALE_VARIABLES = ("REDIS_URL", "RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "DATABASE_URL",
                   "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "DB_POOL_RECYCLE",
                   "TRUSTED_PROXIES")


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """A clean environment for the scale-out variables; returns a setter."""
    for name in SCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(16))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_


def _pool(app):
    with app.app_context():
        return db.engine.pool


@pytest.mark.parametrize(("config", "expected"), [
    ({}, "memory://"),
    ({"REDIS_URL": REDIS}, REDIS),
    ({"REDIS_URL": REDIS, "RATELIMIT_STORAGE_URI": "redis://other:6379/3"},
     "redis://other:6379/3"),
    ({"RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": None}, "memory://"),
])
def test_ratelimit_storage_prefers_its_own_setting_then_redis_then_memory(config, expected):
    assert ratelimit_storage_uri({**default_settings("instance"), **config}) == expected


def _app():
    # RATELIMIT_ENABLED explicitly: the shared `limiter` keeps an earlier test app's False.
    return create_app({"RATELIMIT_ENABLED": True})


def test_without_redis_the_workers_share_files_under_instance(environ):
    app = _app()
    # Rate limits: a SQLite file under instance/, shared by this instance's workers.
    assert app.config["RATELIMIT_STORAGE_URI"] == ratelimit_storage.uri_for(app.instance_path)
    assert type(limiter.storage).__name__ == "SQLiteFileStorage"
    # Computed results: files under instance/results-cache, shared the same way.
    backend = cache.make_backend(app.config)
    assert isinstance(backend, cache.FileBackend)
    assert backend.folder.parent == Path(app.instance_path) / "results-cache"


def test_redis_url_moves_limits_and_results_cache_to_redis(environ):
    environ(REDIS_URL=REDIS)
    app = _app()
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] > 0
    assert type(limiter.storage).__name__ == "RedisStorage"
    assert isinstance(cache.backend(app), cache.RedisBackend)


def test_an_explicit_limiter_storage_wins_over_redis_url(environ):
    environ(REDIS_URL=REDIS, RATELIMIT_STORAGE_URI="memory://")
    app = _app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(cache.backend(app), cache.RedisBackend)


def test_postgresql_pool_is_sized_from_the_environment(environ):
    environ(DATABASE_URL=PG_URL, DB_POOL_SIZE="7", DB_MAX_OVERFLOW="3", DB_POOL_TIMEOUT="11",
            DB_POOL_RECYCLE="600")
    app = create_app()
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_size": 7, "max_overflow": 3, "pool_timeout": 11, "pool_recycle": 600,
        "pool_pre_ping": True}
    pool = _pool(app)  # creating the engine does not connect
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (7, 3, 11, 600)
    assert pool._pre_ping is True


def test_postgresql_pool_defaults(environ):
    environ(DATABASE_URL=PG_URL)
    options = create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_size": 5, "max_overflow": 10, "pool_timeout": 30,
                       "pool_recycle": 1800, "pool_pre_ping": True}


def test_sqlite_keeps_its_settings_and_ignores_pool_variables(environ):
    environ(DB_POOL_SIZE="7")
    app = create_app()
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_explicit_engine_options_win_but_pre_ping_stays_on():
    options = engine_options({"SQLALCHEMY_DATABASE_URI": PG_URL, "DB_POOL_SIZE": 5,
                              "DB_MAX_OVERFLOW": 10, "DB_POOL_TIMEOUT": 30,
                              "DB_POOL_RECYCLE": -1,
                              "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 2,
                                                            "pool_pre_ping": False}})
    assert options["pool_size"] == 2 and options["pool_recycle"] == -1
    assert options["pool_pre_ping"] is True


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DB_POOL_SIZE", "many", "must be an integer"),
    ("DB_MAX_OVERFLOW", "-2", "must not be negative"),
])
def test_bad_pool_settings_are_refused_at_start(environ, name, value, message):
    environ(DATABASE_URL=PG_URL, **{name: value})
    with pytest.raises(RuntimeError, match=message):
        create_app()


def _client_address_app(environ, **variables):
    environ(**variables)
    app = create_app()
    app.add_url_rule("/_address", "address", lambda: f"{request.remote_addr} {request.scheme}")
    return app.test_client()


def test_trusted_proxies_give_the_client_address_behind_a_load_balancer(environ):
    client = _client_address_app(environ, TRUSTED_PROXIES="1")
    reply = client.get("/_address", headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7",
                                             "X-Forwarded-Proto": "https"},
                       environ_base={"REMOTE_ADDR": "10.0.0.2"})
    # One trusted hop: the proxy appended 198.51.100.7; the rest is the client's claim.
    assert reply.get_data(as_text=True) == "198.51.100.7 https"


def test_forwarded_headers_are_ignored_without_trusted_proxies(environ):
    client = _client_address_app(environ)
    reply = client.get("/_address", headers={"X-Forwarded-For": "203.0.113.9"},
                       environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert reply.get_data(as_text=True) == "10.0.0.2 http"


def test_results_cache_survives_an_unreachable_redis():
    backend = cache.RedisBackend("redis://127.0.0.1:1/0", prefix="elicit:test:")
    backend.set("k", {"x": 1})  # no exception: the result is simply not stored
    assert backend.get("k") is None


def test_rate_limits_fall_back_to_memory_while_redis_is_down(app_factory):
    """Counters move to process memory when Redis does not answer; sign-in keeps working."""
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    statuses = [client.post("/login", data={"email": "nobody@example.org", "password": "x"},
                            environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def test_job_settings_come_from_the_environment(environ):
    environ(JOBS_STALE_AFTER="600", JOBS_RETRY_FAILED_AFTER="5", JOBS_PROGRESS_INTERVAL="0.25",
            ROBUSTNESS_INLINE_MAX_ANSWERS="50")
    config = create_app().config
    assert (config["JOBS_STALE_AFTER"], config["JOBS_RETRY_FAILED_AFTER"]) == (600, 5)
    assert config["JOBS_PROGRESS_INTERVAL"] == 0.25
    assert config["ROBUSTNESS_INLINE_MAX_ANSWERS"] == 50


@pytest.mark.parametrize("value", ["soon", "nan", "-1", "inf"])
def test_a_bad_progress_interval_is_refused_at_start(environ, value):
    environ(JOBS_PROGRESS_INTERVAL=value)
    with pytest.raises(RuntimeError, match="JOBS_PROGRESS_INTERVAL must be"):
        create_app()
