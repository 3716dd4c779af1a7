"""Run one job: claim it, call its task with a progress callback, record how it ended.

`writing()` marks the transactions a task opens as writes (SQLite takes its
write lock at BEGIN); `ProgressWriter` is the throttled `progress(fraction,
message)` callback, writing on its own connection.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import current_app
from sqlalchemy import update

from elicit.extensions import db, sqlite_write_intent
from elicit.models import Job, JobStatus
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common import progress
from elicit.services.jobs.registry import registered_task

log = logging.getLogger(__name__)

_current_job: ContextVar[str | None] = ContextVar("elicit_current_job", default=None)


def current_job_id() -> str | None:
    """The id of the job being run here, for tasks that name files after it."""
    return _current_job.get()


def as_json(parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters as JSON will give them back (tuples become lists)."""
    return json.loads(json.dumps(parameters, sort_keys=True, default=str))


@contextmanager
def writing() -> Iterator[None]:
    """Let the transactions begun inside take SQLite's write lock at BEGIN.

    Tasks run with deferred (read) transactions, so their progress writes on
    another connection never wait; a task that writes wraps its work in this
    and reports progress only between its transactions.
    """
    token = sqlite_write_intent.set(True)
    try:
        yield
    finally:
        sqlite_write_intent.reset(token)


class ProgressWriter:
    """The `progress(fraction, message)` callback of a job: throttled, monotonic, own transaction.

    A new message (a new stage) is always written; repeated reports of the
    same stage at most every `interval` seconds. Each write is a short UPDATE
    on its own connection, so other processes see it at once while the
    task's session is still reading.
    """

    def __init__(self, job_id: str, interval: float) -> None:
        self.job_id = job_id
        self.interval = interval
        self.fraction = 0.0
        self._written_at = float("-inf")
        self._message: str | None = None

    def __call__(self, fraction: float, message: str = "") -> None:
        self.fraction = min(max(float(fraction), self.fraction), 1.0)
        now = time.monotonic()
        if (now - self._written_at < self.interval and self.fraction < 1.0
                and message == self._message):
            return
        self._written_at, self._message = now, message
        with writing(), db.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id)
                               .values(progress=self.fraction, message=str(message)[:500]))


def run_job(job_id: str) -> Job | None:
    """Run one queued job in the current app context; record running, finished or failed.

    A job that is no longer queued (run already, by another worker) is left
    alone. Exceptions of the task are recorded as the job's error, not raised.
    """
    db.session.rollback()
    reading = sqlite_write_intent.set(False)  # the task reads; only progress writes
    try:
        if not _claim(job_id):
            return db.session.get(Job, job_id)
        job = db.session.get(Job, job_id)
        kind, parameters = job.kind, dict(job.parameters)
        db.session.rollback()  # the task starts with no transaction open
        writer = ProgressWriter(job_id, float(current_app.config["JOBS_PROGRESS_INTERVAL"]))
        running = _current_job.set(job_id)
        try:
            with progress.reporting(writer):
                result = registered_task(kind)(parameters, writer)
        except Exception as exc:  # noqa: BLE001 - any failure of the task is the job's error
            log.exception("job %s (%s) failed", job_id, kind)
            db.session.rollback()
            return finish(job_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        finally:
            _current_job.reset(running)
        db.session.rollback()
        return finish(job_id, JobStatus.FINISHED, result=as_json(result or {}))
    finally:
        sqlite_write_intent.reset(reading)


def _claim(job_id: str) -> bool:
    """Mark the job running unless it is not queued any more; True when this run has it."""
    with writing():
        claimed = db.session.execute(
            update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=utcnow())).rowcount == 1
        db.session.commit()
    return claimed


def finish(job_id: str, status: JobStatus, *, result: dict[str, Any] | None = None,
           error: str = "") -> Job:
    """Record the job as finished or failed (with its result or error) and audit it."""
    with writing():
        job = db.session.get(Job, job_id)
        job.status, job.finished_at = status, utcnow()
        job.result, job.error = result, error[:5000]
        if status == JobStatus.FINISHED:
            job.progress = 1.0
        audit.record(f"job.{'finish' if status == JobStatus.FINISHED else 'fail'}",
                     actor_type="system", study_id=job.study_id,
                     details={"job": job_id, "kind": job.kind, "error": error[:500]})
        db.session.commit()
    return job
