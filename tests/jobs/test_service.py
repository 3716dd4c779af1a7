"""The job interface: enqueue, run, progress, failure, dedupe — sync and thread backends."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from elicit.extensions import db
from elicit.models import AuditEvent, Job
from elicit.services import jobs
from elicit.services.jobs import backends
from elicit.settings_table import default_settings


def _row(app, job_id):
    """The job's row as another process would read it (own connection, no session)."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT status, progress, message FROM jobs WHERE id = :i"),
                                 {"i": job_id}).one()
    engine.dispose()
    return row


def test_sync_job_runs_to_completion_with_result_and_audit(app):
    with app.app_context():
        job = jobs.enqueue("test-echo", parameters={"value": 7}, study_id=None, user_id=None)
        assert (job.status, job.progress, job.result) == ("finished", 1.0, {"echo": 7})
        assert job.started_at is not None and job.finished_at is not None
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"job.enqueue", "job.finish"} <= actions


def test_failure_is_recorded_with_its_error(app):
    with app.app_context():
        job = jobs.enqueue("test-fail", parameters={"value": "x"})
        assert job.status == "failed"
        assert job.error == "RuntimeError: boom x"
        assert job.progress == pytest.approx(0.3)  # how far it got
        assert jobs.status_of(job)["error"] == "RuntimeError: boom x"
        assert "job.fail" in set(db.session.scalars(select(AuditEvent.action)))


def test_unknown_kind_is_refused_at_enqueue(app):
    with app.app_context(), pytest.raises(KeyError):
        jobs.enqueue("no-such-kind", parameters={})


def test_same_kind_and_parameters_while_queued_returns_the_same_job(app, monkeypatch):
    monkeypatch.setattr(backends, "submit", lambda *a: None)  # nobody runs them
    with app.app_context():
        first = jobs.enqueue("test-echo", parameters={"value": 1, "url": "/a"}, study_id=None)
        again = jobs.enqueue("test-echo", parameters={"url": "/b", "value": 1}, study_id=None)
        other = jobs.enqueue("test-echo", parameters={"value": 2}, study_id=None)
        assert again.id == first.id  # where to go afterwards is not what to compute
        assert other.id != first.id
        assert db.session.query(Job).count() == 2
        jobs.run_job(first.id)
        fresh = jobs.enqueue("test-echo", parameters={"value": 1}, study_id=None)
        assert fresh.id != first.id  # a finished job is not reused


def test_run_job_leaves_a_job_that_is_not_queued_alone(app):
    with app.app_context():
        job = jobs.enqueue("test-echo", parameters={"value": 3})
        finished_at = job.finished_at
        assert jobs.run_job(job.id).finished_at == finished_at
        assert jobs.run_job("00000000-0000-0000-0000-000000000000") is None


def test_thread_fallback_shows_progress_rising_to_one(app, threads, steps):
    app.config["JOBS_PROGRESS_INTERVAL"] = 0
    with app.app_context():
        job_id = jobs.enqueue("test-steps", parameters={"fractions": [0.25, 0.5, 0.75]}).id
    seen = []
    for _ in range(3):
        assert steps.reached.acquire(timeout=30)
        status, fraction, message = _row(app, job_id)
        seen.append(fraction)
        assert status == "running" and message == f"step {fraction}"
        steps.go.release()
    threads()
    status, fraction, _message = _row(app, job_id)
    assert seen == [0.25, 0.5, 0.75] and (status, fraction) == ("finished", 1.0)
    with app.app_context():
        assert db.session.get(Job, job_id).result == {"url": "/done", "steps": 3}


def test_progress_is_throttled_and_never_goes_back(app, monkeypatch):
    writes = []
    with app.app_context():
        job = jobs.enqueue("test-echo", parameters={"value": 0})
        writer = jobs.ProgressWriter(job.id, interval=3600)
        monkeypatch.setattr(db.engine, "begin", _counting(db.engine.begin, writes))
        writer(0.1, "a")
        writer(0.2, "a")  # the same stage within the interval: not written
        writer(0.05, "a")  # never backwards
        assert writer.fraction == pytest.approx(0.2) and len(writes) == 1
        writer(0.3, "b")  # a new stage is always written
        writer(1.0, "b")  # and so is the end
        assert len(writes) == 3


def _counting(begin, writes):
    def wrapped(*args, **kwargs):
        writes.append(1)
        return begin(*args, **kwargs)
    return wrapped


def test_backend_follows_the_settings(app):
    def config_with(**settings):  # a whole configuration, as app.config is
        return {**default_settings(app.instance_path), **settings}

    assert jobs.backend_name(config_with(JOBS_BACKEND="", REDIS_URL="redis://x")) == "rq"
    assert jobs.backend_name(config_with(JOBS_BACKEND="", JOBS_REDIS_URL="redis://x")) == "rq"
    assert jobs.backend_name(config_with(JOBS_BACKEND="", REDIS_URL=None)) == "thread"
    assert jobs.backend_name(config_with(JOBS_BACKEND="sync", REDIS_URL="redis://x")) == "sync"
    with pytest.raises(RuntimeError, match="JOBS_BACKEND"):
        jobs.backend_name(config_with(JOBS_BACKEND="celery"))
    config = config_with(JOBS_QUEUE_PREFIX="elicit")
    assert jobs.queue_name("mail", config) == "elicit-mail"
    assert jobs.queue_name("results", config) == "elicit-default"
    assert jobs.queue_names(config) == ["elicit-mail", "elicit-default"]
