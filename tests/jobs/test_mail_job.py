"""Invitations and reminders go out in a ``mail`` job: after the commit, retried, per recipient."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from elicit.extensions import db, sqlite_write_intent
from elicit.models import Job, OutboxMessage, Study
from elicit.services.mail import delivery
from tests.factories import PASSWORD, make_study, make_user


@pytest.fixture
def study_id(app):
    """An owner's study with three experts and no round yet."""
    app.config.update(MAIL_RETRY_BACKOFF=0, MAIL_JOB_MAX_WAIT=5)
    with app.app_context():
        return make_study(make_user(), launch=False).id


def _flaky(failures_per_address: int, calls: list):
    """A deliver() that fails the first N times for each address, then works."""
    real = delivery.deliver

    def deliver(message):
        calls.append(message.to_address)
        if calls.count(message.to_address) <= failures_per_address:
            raise delivery.DeliveryError("421 try again later")
        real(message)

    return deliver


def test_launch_sends_after_commit_and_retries_a_failing_send(app, client, auth, study_id,
                                                              monkeypatch):
    calls: list[str] = []
    flaky = _flaky(1, calls)
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    def committed_first(message):
        # another connection must already see the round: nothing is sent before the commit
        engine = create_engine(url, poolclass=NullPool)
        reading = sqlite_write_intent.set(False)  # a reader: the job holds the write lock
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM rounds")).scalar() == 1
        finally:
            sqlite_write_intent.reset(reading)
            engine.dispose()
        flaky(message)

    monkeypatch.setattr(delivery, "deliver", committed_first)
    auth.login("owner@example.org", PASSWORD)
    response = client.post(f"/studies/{study_id}/rounds/launch",
                           data={"send_invitations": "y", "closes_at": ""})
    assert response.status_code == 302
    with app.app_context():
        [job] = db.session.scalars(select(Job).where(Job.kind == "mail"))
        assert job.status == "finished" and job.progress == 1.0
        recipients = job.result["recipients"]
        assert [r["status"] for r in recipients] == ["sent"] * 3
        assert [r["attempts"] for r in recipients] == [2] * 3  # failed once, then sent
        assert job.result["sent"] == 3 and job.result["failed"] == 0
        assert job.result["url"] == f"/studies/{study_id}/panel/outbox"
    assert sorted(calls) == sorted(["expert1@example.org", "expert2@example.org",
                                    "expert3@example.org"] * 2)


def test_a_send_failing_every_pass_is_left_pending_with_its_error(app, client, auth, study_id,
                                                                  monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(delivery, "deliver", _flaky(99, calls))
    auth.login("owner@example.org", PASSWORD)
    client.post(f"/studies/{study_id}/rounds/launch", data={"send_invitations": "y"})
    with app.app_context():
        [job] = db.session.scalars(select(Job).where(Job.kind == "mail"))
        assert job.status == "finished"
        assert job.result["pending"] == 3 and job.result["sent"] == 0
        assert {r["attempts"] for r in job.result["recipients"]} == {3}  # MAIL_JOB_ATTEMPTS
        assert {r["error"] for r in job.result["recipients"]} == {"421 try again later"}
    page = client.get(f"/studies/{study_id}/panel/outbox").get_data(as_text=True)
    assert page.count("421 try again later") == 3  # per recipient on the outbox page
    assert '<progress id="mail-job-progress"' in page and f"/jobs/{job.id}" in page


def test_reminders_are_a_job_too(app, client, auth, study_id):
    with app.app_context():
        from elicit.services.rounds import lifecycle

        lifecycle.launch_next_round(db.session.get(Study, study_id))
    auth.login("owner@example.org", PASSWORD)
    assert client.post(f"/studies/{study_id}/panel/reminder").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)
                                 .where(Job.kind == "mail")) == 1
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}


def test_mail_setting_off_leaves_the_outbox_to_the_worker(app, client, auth, study_id):
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    auth.login("owner@example.org", PASSWORD)
    client.post(f"/studies/{study_id}/rounds/launch", data={"send_invitations": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"pending"}


def test_thread_backend_sends_outside_the_request(app, client, auth, study_id, threads):
    auth.login("owner@example.org", PASSWORD)
    client.post(f"/studies/{study_id}/rounds/launch", data={"send_invitations": "y"})
    threads()
    with app.app_context():
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}
        assert db.session.scalar(select(Job.status).where(Job.kind == "mail")) == "finished"
