"""Settings read from the environment inside the app factory.

Nothing here is read at import time: `load_settings()` is called by
`create_app()` so tests can pass their own values without patching
`os.environ` before importing the package.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise RuntimeError(f"{name} must be a number of seconds, got {raw!r}")
    return value


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key stored in the instance folder, creating it once."""
    path = Path(instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two gunicorn workers starting together must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def default_settings(instance_path: str) -> dict[str, Any]:
    """Defaults that need no environment at all (the `make run` case)."""
    database = Path(instance_path) / "elicit.sqlite"
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        # PostgreSQL connection pool, per process (see engine_options()).
        "DB_POOL_SIZE": 5,
        "DB_MAX_OVERFLOW": 10,
        "DB_POOL_TIMEOUT": 30,
        "DB_POOL_RECYCLE": 1800,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # None: Redis when REDIS_URL is set, else memory (see ratelimit_storage_uri()).
        "RATELIMIT_STORAGE_URI": None,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis unreachable: count in process memory instead of failing requests.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "REDIS_URL": None,
        # Reverse proxies in front of gunicorn whose X-Forwarded-For/-Proto to trust.
        "TRUSTED_PROXIES": 0,
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "elicit@localhost",
        "MAIL_BACKEND": "outbox",
        "BASE_URL": "http://127.0.0.1:8000",
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en", "fr"],
        "RESULTS_RESAMPLES": 2000,
        # Background jobs (elicit/services/jobs/): "" picks rq with REDIS_URL, else thread.
        "JOBS_BACKEND": "",
        "JOBS_QUEUE_PREFIX": "elicit",
        "JOBS_THREADS": 2,
        "JOBS_TIMEOUT": 1800,
        "JOBS_PROGRESS_INTERVAL": 0.5,
        "JOBS_STALE_AFTER": 3600,
        "JOBS_RETRY_FAILED_AFTER": 60,
        # Rounds with more judgment rows are analysed by a job (the page answers 202).
        "RESULTS_INLINE_MAX_ROWS": 20_000,
        "EXPORTS_INLINE_MAX_ROWS": 20_000,
        # Rounds with more seed answers get their Cooke robustness tables from a job.
        "ROBUSTNESS_INLINE_MAX_ANSWERS": 1_000,
        "EXPORTS_KEEP_DAYS": 7,
        "MAIL_JOB_ATTEMPTS": 3,
        "MAIL_JOB_MAX_WAIT": 300,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }


def environment_settings() -> dict[str, Any]:
    """Settings given in the environment; absent variables are left out."""
    settings: dict[str, Any] = {}
    if os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "REDIS_URL"):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    for name, default in (("DB_POOL_SIZE", 5), ("DB_MAX_OVERFLOW", 10), ("DB_POOL_TIMEOUT", 30),
                          ("DB_POOL_RECYCLE", 1800), ("TRUSTED_PROXIES", 0)):
        if os.environ.get(name):
            settings[name] = _env_int(name, default)
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER",
                 "MAIL_BACKEND"):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    if os.environ.get("MAIL_PORT"):
        settings["MAIL_PORT"] = _env_int("MAIL_PORT", 25)
    if os.environ.get("MAIL_OUTBOX_DIR"):
        settings["MAIL_OUTBOX_DIR"] = os.environ["MAIL_OUTBOX_DIR"]
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE",
                 "MAIL_SEND_AFTER_RESPONSE"):
        if os.environ.get(name):
            settings[name] = _env_bool(name, False)
    if os.environ.get("BASE_URL"):
        settings["BASE_URL"] = os.environ["BASE_URL"].rstrip("/")
    if os.environ.get("RESULTS_RESAMPLES"):
        settings["RESULTS_RESAMPLES"] = _env_int("RESULTS_RESAMPLES", 2000)
    for name in ("JOBS_BACKEND", "JOBS_QUEUE_PREFIX", "JOBS_REDIS_URL", "EXPORTS_DIR"):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    for name in ("JOBS_THREADS", "JOBS_TIMEOUT", "JOBS_STALE_AFTER", "JOBS_RETRY_FAILED_AFTER",
                 "RESULTS_INLINE_MAX_ROWS",
                 "EXPORTS_INLINE_MAX_ROWS", "ROBUSTNESS_INLINE_MAX_ANSWERS",
                 "MAIL_JOB_ATTEMPTS", "MAIL_RETRY_BACKOFF"):
        if os.environ.get(name):
            settings[name] = _env_int(name, 0)
    if os.environ.get("JOBS_PROGRESS_INTERVAL"):
        settings["JOBS_PROGRESS_INTERVAL"] = _env_float("JOBS_PROGRESS_INTERVAL", 0.5)
    return settings


def testing_settings() -> dict[str, Any]:
    """The `testing` configuration used by pytest."""
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
        "RESULTS_RESAMPLES": 200,
        "MAIL_BACKEND": "outbox",
        "JOBS_BACKEND": "sync",  # jobs run at once: tests see their effect without waiting
    }


def ratelimit_storage_uri(config: Mapping[str, Any]) -> str:
    """Where rate-limit counters live: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory.

    Counters in Redis are shared by every process and instance, so a limit
    holds for the whole site rather than per gunicorn worker.
    """
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options: a sized pool on PostgreSQL, pre-ping everywhere.

    Explicit ``SQLALCHEMY_ENGINE_OPTIONS`` entries win over the DB_POOL_*
    settings, except `pool_pre_ping`, which is always on: a connection the
    server dropped (restart, failover, idle timeout) is replaced, not handed
    to a request.
    """
    options: dict[str, Any] = {}
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        for option, name in (("pool_size", "DB_POOL_SIZE"), ("max_overflow", "DB_MAX_OVERFLOW"),
                             ("pool_timeout", "DB_POOL_TIMEOUT"),
                             ("pool_recycle", "DB_POOL_RECYCLE")):
            value = int(config[name])
            if value < (-1 if option == "pool_recycle" else 0):
                raise RuntimeError(f"{name} must not be negative, got {value!r}")
            options[option] = value
    options.update(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["pool_pre_ping"] = True
    return options


def normalise_database_url(url: str) -> str:
    """Map the common `postgres://` spellings onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
