"""Where a queued job runs: an RQ worker, a thread of the web process, or right away.

`submit` hands a job id to the backend of `settings.backend_name()`. RQ is
given the function by its dotted path (`PERFORM`, in the app layer:
`elicit.worker.perform`), so nothing here imports the app; `flask worker`
(elicit/cli/worker.py) runs the worker.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from elicit.services.jobs import runner, settings

EXECUTOR_KEY = "elicit.jobs.executor"
# What RQ workers call, by name: services never import the app layer.
PERFORM = "elicit.worker.perform"
_lock = threading.Lock()


def submit(app: Flask, job_id: str, kind: str) -> None:
    """Start the job on the configured backend (its row is committed already)."""
    name = settings.backend_name(app.config)
    if name == "rq":
        rq_queue(app, kind).enqueue(
            PERFORM, job_id, job_id=f"{app.config['JOBS_QUEUE_PREFIX']}-{job_id}",
            job_timeout=int(app.config["JOBS_TIMEOUT"]),
            result_ttl=3600, failure_ttl=7 * 24 * 3600, description=f"elicit {kind} {job_id}")
    elif name == "thread":
        _executor(app).submit(_run_in_context, app, job_id)
    else:
        _run_in_context(app, job_id)


def _run_in_context(app: Flask, job_id: str) -> None:
    # A fresh app context is a fresh database session, even inside a request (sync mode).
    with app.app_context():
        try:
            runner.run_job(job_id)
        except Exception:  # noqa: BLE001 - a thread must not die silently
            app.logger.exception("background job %s could not be run", job_id)


def _executor(app: Flask) -> ThreadPoolExecutor:
    with _lock:
        found = app.extensions.get(EXECUTOR_KEY)
        if found is None:
            found = app.extensions[EXECUTOR_KEY] = ThreadPoolExecutor(
                max_workers=int(app.config["JOBS_THREADS"]),
                thread_name_prefix="elicit-job")
        return found


def wait_for_threads(app: Flask) -> None:
    """Finish every job the thread backend has started (tests, shutdown)."""
    with _lock:
        found = app.extensions.pop(EXECUTOR_KEY, None)
    if found is not None:
        found.shutdown(wait=True)


def redis_connection(config: dict[str, Any]):
    """A Redis client for the job queues."""
    import redis

    url = settings.redis_url(config)
    if not url:
        raise RuntimeError("JOBS_BACKEND=rq needs REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
    return redis.Redis.from_url(url)


def rq_queue(app: Flask, kind: str):
    """The RQ queue that jobs of `kind` go to."""
    from rq import Queue

    return Queue(settings.queue_name(kind, app.config), connection=redis_connection(app.config))
