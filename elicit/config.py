"""Settings read from the environment inside the app factory.

Nothing here is read at import time: `load_settings()` is called by
`create_app()` so tests can pass their own values without patching
`os.environ` before importing the package.
"""

from __future__ import annotations

import os
import secrets
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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
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
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }


def environment_settings() -> dict[str, Any]:
    """Settings given in the environment; absent variables are left out."""
    settings: dict[str, Any] = {}
    if os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        settings["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
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
    }


def normalise_database_url(url: str) -> str:
    """Map the common `postgres://` spellings onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
