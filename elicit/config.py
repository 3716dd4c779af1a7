"""Settings derived at start-up, and the pytest overrides.

The settings themselves (name, type, default, environment variable, doc)
are in `elicit.settings_table`, which generates the defaults and parses the
environment; `create_app()` loads those, then its overrides, then derives
here what depends on several settings (rate-limit storage, engine options,
the instance secret key).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import elicit.ratelimit_storage as ratelimit_storage

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


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


def testing_settings() -> dict[str, Any]:
    """The `testing` configuration used by pytest (every key is in the settings table)."""
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
        "RESULTS_RESAMPLES": 200,
        "RESULTS_CACHE_DIR": "",  # each test app its own in-memory cache
        "MAIL_BACKEND": "outbox",
        "JOBS_BACKEND": "sync",  # jobs run at once: tests see their effect without waiting
        "SCHEDULER_INTERVAL": 0,  # tests tick the scheduler themselves, with a frozen clock
    }


def ratelimit_storage_uri(config: Mapping[str, Any], instance_path: str | None = None) -> str:
    """Where rate-limit counters live: RATELIMIT_STORAGE_URI, else REDIS_URL, else a file.

    Counters in Redis are shared by every process and instance, so a limit
    holds for the whole site. Without Redis they live in
    ``instance/ratelimits.sqlite``, shared by every worker of this instance
    (`elicit.ratelimit_storage`); memory only when no instance path is given.
    """
    fallback = ratelimit_storage.uri_for(instance_path) if instance_path else "memory://"
    return config["RATELIMIT_STORAGE_URI"] or config["REDIS_URL"] or fallback


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options: a sized pool on PostgreSQL, pre-ping everywhere.

    Explicit ``SQLALCHEMY_ENGINE_OPTIONS`` entries win over the DB_POOL_*
    settings, except `pool_pre_ping`, which is always on: a connection the
    server dropped (restart, failover, idle timeout) is replaced, not handed
    to a request.
    """
    options: dict[str, Any] = {}
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        for option, name in (("pool_size", "DB_POOL_SIZE"), ("max_overflow", "DB_MAX_OVERFLOW"),
                             ("pool_timeout", "DB_POOL_TIMEOUT"),
                             ("pool_recycle", "DB_POOL_RECYCLE")):
            value = int(config[name])
            if value < (-1 if option == "pool_recycle" else 0):
                raise RuntimeError(f"{name} must not be negative, got {value!r}")
            options[option] = value
    options.update(config["SQLALCHEMY_ENGINE_OPTIONS"] or {})
    options["pool_pre_ping"] = True
    return options
