"""Thread-backend jobs whose process stopped: seen as lost at once, and started again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import AuditEvent, Job
from elicit.services import jobs
from elicit.services.jobs import backends, process
from tests.factories import PASSWORD


@pytest.fixture(scope="module")
def dead_runner() -> str:
    """The identity of a process of this host that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:12345"


def test_this_process_is_not_gone():
    assert not process.is_gone(process.this_process())


def test_an_exited_process_is_gone(dead_runner):
    assert process.is_gone(dead_runner)


def test_this_pid_with_another_start_time_is_a_previous_process():
    host, pid, start = process.this_process().rsplit(":", 2)
    assert start.isdigit()  # /proc is there on the machines we run on
    assert process.is_gone(f"{host}:{pid}:{int(start) + 1}")


def test_a_live_pid_started_later_than_recorded_is_a_reused_pid():
    parent = os.getppid()
    host = socket.gethostname()
    assert not process.is_gone(f"{host}:{parent}:{process._start_time(parent)}")
    assert process.is_gone(f"{host}:{parent}:1")


@pytest.mark.parametrize("runner", [None, "", "other-host.example:1:1", "garbage",
                                    f"{socket.gethostname()}:notapid:1"])
def test_what_cannot_be_checked_is_not_gone(runner):
    assert not process.is_gone(runner)


def _lost_job(app, dead_runner, ids, *, kind="test-echo", status="running") -> str:
    with app.app_context():
        job = Job(id=str(uuid.uuid4()), kind=kind, status=status, progress=0.4, message="half way",
                  parameters={"value": 1}, study_id=ids["study"], user_id=ids["owner"],
                  runner=dead_runner)
        db.session.add(job)
        db.session.commit()
        return job.id


@pytest.mark.parametrize("status", ["queued", "running"])
def test_enqueue_starts_again_instead_of_joining_a_lost_job(app, ids, dead_runner, status,
                                                          monkeypatch):
    lost = _lost_job(app, dead_runner, ids, status=status)
    monkeypatch.setattr(backends, "submit", lambda *a: None)
    with app.app_context():
        fresh = jobs.enqueue("test-echo", parameters={"value": 1}, study_id=ids["study"],
                             user_id=ids["owner"])
        assert fresh.id != lost and fresh.status == "queued"
        old = db.session.get(Job, lost)
        assert (old.status, old.error, old.result) == ("failed", jobs.LOST, {"lost": True})
        assert old.finished_at is not None
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.study_id == ids["study"])).all()
        assert "job.fail" in actions


def test_a_job_of_a_live_process_is_joined(app, ids, monkeypatch):
    monkeypatch.setattr(backends, "submit", lambda *a: None)
    app.config["JOBS_BACKEND"] = "thread"
    with app.app_context():
        first = jobs.enqueue("test-echo", parameters={"value": 2}, study_id=ids["study"],
                             user_id=ids["owner"])
        assert first.runner == process.this_process()
        again = jobs.enqueue("test-echo", parameters={"value": 2}, study_id=ids["study"],
                             user_id=ids["owner"])
        assert again.id == first.id


def test_other_backends_name_no_runner(app, ids):
    with app.app_context():  # the tests' sync backend
        job = jobs.enqueue("test-echo", parameters={"value": 3}, study_id=ids["study"],
                           user_id=ids["owner"])
        assert job.runner is None and job.status == "finished"


def test_the_progress_page_of_a_lost_job_says_so(app, client, auth, ids, dead_runner):
    lost = _lost_job(app, dead_runner, ids)
    auth.login("owner@example.org", PASSWORD)
    body = client.get(f"/jobs/{lost}.json").json
    assert body["status"] == "failed" and body["done"] is True
    assert "stopped" in body["error"]
    page = client.get(f"/jobs/{lost}").get_data(as_text=True)
    assert "Reload to start it again" in page


def test_results_page_restarts_a_lost_job_at_once(app, client, auth, ids, dead_runner,
                                                  monkeypatch):
    app.config.update(RESULTS_INLINE_MAX_ROWS=1, JOBS_RETRY_FAILED_AFTER=3600)
    monkeypatch.setattr(backends, "submit", lambda *a: None)  # stays queued
    auth.login("owner@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results"
    assert client.get(url).status_code == 202
    with app.app_context():
        [job] = db.session.scalars(select(Job).where(Job.kind == "results")).all()
        job.runner = dead_runner  # its process stops
        db.session.commit()
        first = job.id
    assert client.get(f"/jobs/{first}.json").json["status"] == "failed"  # the poll sees it
    again = client.get(url)
    assert again.status_code == 202  # a new job, not the failure shown for an hour
    with app.app_context():
        found = db.session.scalars(select(Job).where(Job.kind == "results")
                                   .order_by(Job.created_at)).all()
        assert [j.status for j in found] == ["failed", "queued"]
