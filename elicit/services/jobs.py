"""Background jobs with progress: one small interface over RQ, a thread pool, or inline.

    job = jobs.enqueue("results", parameters={...}, study_id=7, user_id=3)

creates a `Job` row (its own transaction, with an audit event) and hands the
id to the backend named by `JOBS_BACKEND`:

- ``rq``: a Redis Queue (the default when `REDIS_URL` is set); `flask worker`
  runs the jobs. Queues are named ``<JOBS_QUEUE_PREFIX>-default`` and
  ``<JOBS_QUEUE_PREFIX>-mail`` (``elicit-default``, ``elicit-mail``).
- ``thread``: a small thread pool in the web process (the default otherwise).
- ``sync``: at once, in a fresh application context (the tests).

A task is a function registered with `@task("kind")`; it receives the job's
parameters and a `progress(fraction, message)` callback (also reachable from
deep inside the work through `elicit.services.progress.report`) and returns a
JSON-ready dict, stored as the job's result (its ``url`` key, if any, is
where the finished job's page leads). `run_job` executes one job.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from elicit.errors import NotFound
from elicit.extensions import db, sqlite_write_intent
from elicit.models import Job, JobStatus, User
from elicit.models.base import utcnow
from elicit.services import access, audit, job_runner, progress

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Task = Callable[[dict[str, Any], Progress], dict[str, Any] | None]

BACKENDS = ("rq", "thread", "sync")
QUEUE_OF_KIND = {"mail": "mail"}  # every other kind runs on the default queue
QUEUE_SUFFIXES = ("default", "mail")
TASK_MODULES = ("elicit.services.job_tasks",)
NOT_DEDUPED = ("url",)  # parameters that say where to go afterwards, not what to compute
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# Kinds whose running job may have read its input already: only a queued one is "the same".
RESTART_WHILE_RUNNING = ("mail",)
LOST = ("The process running this job stopped (a restart?) before it finished. "
        "Reload to start it again.")

_tasks: dict[str, Task] = {}
_current_job: ContextVar[str | None] = ContextVar("elicit_current_job", default=None)


def current_job_id() -> str | None:
    """The id of the job being run here, for tasks that name files after it."""
    return _current_job.get()


def task(kind: str) -> Callable[[Task], Task]:
    """Register the decorated function as the task that runs jobs of `kind`."""
    def register(function: Task) -> Task:
        _tasks[kind] = function
        return function

    return register


def registered_task(kind: str) -> Task:
    """The task of `kind`; KeyError when none is registered."""
    if kind not in _tasks:
        import importlib

        for module in TASK_MODULES:
            importlib.import_module(module)
    return _tasks[kind]


def backend_name(config: dict[str, Any] | None = None) -> str:
    """The configured backend: JOBS_BACKEND, else ``rq`` with REDIS_URL, else ``thread``."""
    config = config if config is not None else current_app.config
    chosen = (config.get("JOBS_BACKEND") or "").strip().lower()
    if chosen and chosen not in BACKENDS:
        raise RuntimeError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}, got {chosen!r}")
    return chosen or ("rq" if redis_url(config) else "thread")


def redis_url(config: dict[str, Any] | None = None) -> str | None:
    """The Redis the queues live on: JOBS_REDIS_URL, else REDIS_URL."""
    config = config if config is not None else current_app.config
    return config.get("JOBS_REDIS_URL") or config.get("REDIS_URL")


def queue_name(kind: str, config: dict[str, Any] | None = None) -> str:
    """The RQ queue of a kind of job, e.g. ``elicit-mail`` for ``mail``."""
    config = config if config is not None else current_app.config
    return f"{config.get('JOBS_QUEUE_PREFIX', 'elicit')}-{QUEUE_OF_KIND.get(kind, 'default')}"


def queue_names(config: dict[str, Any] | None = None) -> list[str]:
    """Every queue a worker should listen on, mail first (people wait for it)."""
    config = config if config is not None else current_app.config
    prefix = config.get("JOBS_QUEUE_PREFIX", "elicit")
    return [f"{prefix}-mail", f"{prefix}-default"]


def _plain(parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters as JSON will give them back (tuples become lists)."""
    return json.loads(json.dumps(parameters, sort_keys=True, default=str))


def _dedupe_view(parameters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in parameters.items() if k not in NOT_DEDUPED}


def find_active(kind: str, parameters: dict[str, Any], *, study_id: int | None = None,
                user_id: int | None = None) -> Job | None:
    """A queued or running job of the same kind and parameters, if one is not stale."""
    wanted = _dedupe_view(_plain(parameters))
    cutoff = utcnow() - timedelta(seconds=current_app.config.get("JOBS_STALE_AFTER", 3600))
    statuses = (JobStatus.QUEUED,) if kind in RESTART_WHILE_RUNNING else ACTIVE
    query = (select(Job).where(Job.kind == kind, Job.status.in_(statuses),
                               Job.created_at >= cutoff)
             .order_by(Job.created_at.desc()))
    query = query.where(Job.study_id == study_id) if study_id is not None else \
        query.where(Job.study_id.is_(None), Job.user_id == user_id)
    # listed first: settling a lost job commits
    return next((job for job in db.session.scalars(query).all()
                 if _dedupe_view(job.parameters) == wanted and not _lost(job)), None)


def _lost(job: Job) -> bool:
    """Whether `job` was active in a process that has stopped; if so, record it as failed."""
    if job.status not in ACTIVE or not job_runner.is_gone(job.runner):
        return False
    log.warning("job %s (%s) was lost with its process %s", job.id, job.kind, job.runner)
    _finish(job.id, JobStatus.FAILED, result={"lost": True}, error=LOST)
    return True


def settle(job: Job) -> Job:
    """The job as it stands: a job lost with its process is failed (see `job_runner`)."""
    _lost(job)
    return job


def retry_at_once(job: Job) -> bool:
    """Whether a failed job was lost with its process (a reload starts it again at once)."""
    return bool((job.result or {}).get("lost"))


def latest(kind: str, parameters: dict[str, Any], *, study_id: int | None) -> Job | None:
    """The newest job of this kind and parameters, whatever its status."""
    wanted = _dedupe_view(_plain(parameters))
    query = (select(Job).where(Job.kind == kind, Job.study_id == study_id)
             .order_by(Job.created_at.desc()).limit(20))
    return next((job for job in db.session.scalars(query)
                 if _dedupe_view(job.parameters) == wanted), None)


def latest_of_kind(kind: str, study_id: int) -> Job | None:
    """The study's newest job of `kind` (the outbox page shows its mail job)."""
    return db.session.scalar(select(Job).where(Job.kind == kind, Job.study_id == study_id)
                             .order_by(Job.created_at.desc()).limit(1))


def enqueue(kind: str, *, parameters: dict[str, Any], study_id: int | None = None,
            user_id: int | None = None) -> Job:
    """Queue a job of `kind` (or return the same one already queued or running)."""
    registered_task(kind)  # unknown kinds fail here, in the caller, not in a worker
    existing = find_active(kind, parameters, study_id=study_id, user_id=user_id)
    if existing is not None:
        return existing
    job_id = str(uuid.uuid4())
    runner = job_runner.this_process() if backend_name() == "thread" else None
    db.session.add(Job(id=job_id, kind=kind, status=JobStatus.QUEUED, progress=0.0,
                       message="", parameters=_plain(parameters), study_id=study_id,
                       user_id=user_id, runner=runner))
    audit.record("job.enqueue", actor_type="user" if user_id else "system", actor_id=user_id,
                 study_id=study_id, details={"job": job_id, "kind": kind})
    db.session.commit()
    from elicit.services import job_backends

    try:
        job_backends.submit(current_app._get_current_object(), job_id, kind)  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - e.g. Redis down: the job must not wait forever
        log.exception("job %s (%s) could not be queued", job_id, kind)
        db.session.rollback()
        return _finish(job_id, JobStatus.FAILED,
                       error=f"Could not queue the job: {type(exc).__name__}: {exc}")
    return db.session.get(Job, job_id)


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
        writer = ProgressWriter(job_id, float(current_app.config.get("JOBS_PROGRESS_INTERVAL",
                                                                      0.5)))
        running = _current_job.set(job_id)
        try:
            with progress.reporting(writer):
                result = registered_task(kind)(parameters, writer)
        except Exception as exc:  # noqa: BLE001 - any failure of the task is the job's error
            log.exception("job %s (%s) failed", job_id, kind)
            db.session.rollback()
            return _finish(job_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        finally:
            _current_job.reset(running)
        db.session.rollback()
        return _finish(job_id, JobStatus.FINISHED, result=_plain(result or {}))
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


def _finish(job_id: str, status: JobStatus, *, result: dict[str, Any] | None = None,
            error: str = "") -> Job:
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


def job_for(user: User, job_id: str) -> Job:
    """The job if `user` started it or is a member of its study; NotFound otherwise."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("job")
    if job.user_id is not None and job.user_id == user.id:
        return settle(job)
    if job.study_id is not None and access.role_on(user, job.study_id) is not None:
        return settle(job)
    raise NotFound("job")


def status_of(job: Job) -> dict[str, Any]:
    """The JSON the progress page polls."""
    return {"id": job.id, "kind": job.kind, "status": job.status,
            "progress": round(float(job.progress), 4), "message": job.message,
            "error": job.error if job.status == JobStatus.FAILED else "",
            "result_url": (job.result or {}).get("url")
            if job.status == JobStatus.FINISHED else None,
            "done": job.status in (JobStatus.FINISHED, JobStatus.FAILED)}
