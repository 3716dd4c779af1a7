"""Which backend runs jobs and which RQ queues they go to, read from the app's settings."""

from __future__ import annotations

from typing import Any

from flask import current_app

BACKENDS = ("rq", "thread", "sync")
QUEUE_OF_KIND = {"mail": "mail"}  # every other kind runs on the default queue
QUEUE_SUFFIXES = ("default", "mail")


def _config(config: dict[str, Any] | None) -> Any:
    return config if config is not None else current_app.config


def backend_name(config: dict[str, Any] | None = None) -> str:
    """The configured backend: JOBS_BACKEND, else ``rq`` with REDIS_URL, else ``thread``."""
    config = _config(config)
    chosen = (config["JOBS_BACKEND"] or "").strip().lower()
    if chosen and chosen not in BACKENDS:
        raise RuntimeError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}, got {chosen!r}")
    return chosen or ("rq" if redis_url(config) else "thread")


def redis_url(config: dict[str, Any] | None = None) -> str | None:
    """The Redis the queues live on: JOBS_REDIS_URL, else REDIS_URL."""
    config = _config(config)
    return config["JOBS_REDIS_URL"] or config["REDIS_URL"]


def queue_name(kind: str, config: dict[str, Any] | None = None) -> str:
    """The RQ queue of a kind of job, e.g. ``elicit-mail`` for ``mail``."""
    config = _config(config)
    return f"{config['JOBS_QUEUE_PREFIX']}-{QUEUE_OF_KIND.get(kind, 'default')}"


def queue_names(config: dict[str, Any] | None = None) -> list[str]:
    """Every queue a worker should listen on, mail first (people wait for it)."""
    prefix = _config(config)["JOBS_QUEUE_PREFIX"]
    return [f"{prefix}-mail", f"{prefix}-default"]
