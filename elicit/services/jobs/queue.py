"""Background jobs with progress: one small interface over RQ, a thread pool, or inline.

    job = jobs.enqueue("results", parameters={...}, study_id=7, user_id=3)

creates a `Job` row (its own transaction, with an audit event) and hands the
id to the backend named by `JOBS_BACKEND` (see `backends`):

- ``rq``: a Redis Queue (the default when `REDIS_URL` is set); `flask worker`
  runs the jobs. Queues are named ``<JOBS_QUEUE_PREFIX>-default`` and
  ``<JOBS_QUEUE_PREFIX>-mail`` (``elicit-default``, ``elicit-mail``).
- ``thread``: a small thread pool in the web process (the default otherwise).
- ``sync``: at once, in a fresh application context (the tests).

A task is a function registered with `registry.task("kind")`; it receives the
job's parameters and a `progress(fraction, message)` callback (also reachable
from deep inside the work through `elicit.services.common.progress.report`)
and returns a JSON-ready dict, stored as the job's result (its ``url`` key, if
any, is where the finished job's page leads). `runner.run_job` executes one job.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from elicit.errors import NotFound
from elicit.extensions import db
from elicit.models import Job, JobStatus, User
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.accounts import access
from elicit.services.common import sql
from elicit.services.jobs import backends, process
from elicit.services.jobs.registry import registered_task
from elicit.services.jobs.runner import as_json, finish
from elicit.services.jobs.settings import backend_name

log = logging.getLogger(__name__)

NOT_DEDUPED = ("url",)  # parameters that say where to go afterwards, not what to compute
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# Kinds whose running job may have read its input already: only a queued one is "the same".
RESTART_WHILE_RUNNING = ("mail",)
LOST = ("The process running this job stopped (a restart?) before it finished. "
        "Reload to start it again.")


def _dedupe_view(parameters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in parameters.items() if k not in NOT_DEDUPED}


def find_active(kind: str, parameters: dict[str, Any], *, study_id: int | None = None,
                user_id: int | None = None) -> Job | None:
    """A queued or running job of the same kind and parameters, if one is not stale."""
    wanted = _dedupe_view(as_json(parameters))
    cutoff = utcnow() - timedelta(seconds=current_app.config["JOBS_STALE_AFTER"])
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
    if job.status not in ACTIVE or not process.is_gone(job.runner):
        return False
    log.warning("job %s (%s) was lost with its process %s", job.id, job.kind, job.runner)
    db.session.commit()  # end the read snapshot: `finish` writes in its own transaction
    finish(job.id, JobStatus.FAILED, result={"lost": True}, error=LOST)
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
    wanted = _dedupe_view(as_json(parameters))
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
    runner = process.this_process() if backend_name() == "thread" else None
    with sql.write_transaction():  # often asked for by a GET (a results page): own transaction
        db.session.add(Job(id=job_id, kind=kind, status=JobStatus.QUEUED, progress=0.0,
                           message="", parameters=as_json(parameters), study_id=study_id,
                           user_id=user_id, runner=runner))
        audit.record("job.enqueue", actor_type="user" if user_id else "system",
                     actor_id=user_id, study_id=study_id, details={"job": job_id, "kind": kind})
    try:
        backends.submit(current_app._get_current_object(), job_id, kind)  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - e.g. Redis down: the job must not wait forever
        log.exception("job %s (%s) could not be queued", job_id, kind)
        db.session.rollback()
        return finish(job_id, JobStatus.FAILED,
                       error=f"Could not queue the job: {type(exc).__name__}: {exc}")
    return db.session.get(Job, job_id)


def job_for(user: User, job_id: str) -> Job:
    """The job if `user` may see it now; NotFound otherwise.

    A study's job: only while the study is live and `user` is on its team
    today (having started it is not enough once removed). A job without a
    study: its starter only.
    """
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("job")
    if job.study_id is not None:
        access.study_for(user, job.study_id)  # NotFound: deleted study or not a member
        return settle(job)
    if job.user_id is not None and job.user_id == user.id:
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
