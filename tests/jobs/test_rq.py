"""The RQ backend with the real Redis: jobs wait in named queues until `flask worker` runs them."""

from __future__ import annotations

from rq import Queue
from sqlalchemy import select

from elicit import worker
from elicit.extensions import db
from elicit.models import Job, OutboxMessage
from elicit.services import jobs
from elicit.services.jobs import backends
from tests.factories import PASSWORD, make_study, make_user


def _queue(app, suffix):
    return Queue(f"{app.config['JOBS_QUEUE_PREFIX']}-{suffix}",
                 connection=backends.redis_connection(app.config))


def test_results_job_runs_in_the_worker_and_the_page_then_answers_200(redis_app, client, auth,
                                                                      ids, runner):
    app = redis_app
    app.config.update(RESULTS_INLINE_MAX_ROWS=1, JOBS_PROGRESS_INTERVAL=0)
    auth.login("owner@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results"
    assert client.get(url).status_code == 202
    assert client.get(url).status_code == 202  # still queued: the same job, not a second
    assert _queue(app, "default").count == 1
    with app.app_context():
        [job] = db.session.scalars(select(Job))
        assert (job.status, job.progress) == ("queued", 0.0)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job = db.session.get(Job, job.id)
        assert (job.status, job.progress, job.error) == ("finished", 1.0, "")
    assert _queue(app, "default").count == 0
    page = client.get(url)
    assert page.status_code == 200 and "Option 2" in page.get_data(as_text=True)
    assert client.get(f"/jobs/{job.id}.json").json["result_url"] == url


def test_invitations_go_to_the_mail_queue(redis_app, client, auth, runner):
    app = redis_app
    with app.app_context():
        study_id = make_study(make_user(), launch=False).id
    auth.login("owner@example.org", PASSWORD)
    client.post(f"/studies/{study_id}/rounds/launch", data={"send_invitations": "y"})
    assert _queue(app, "mail").count == 1 and _queue(app, "default").count == 0
    with app.app_context():
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"pending"}
    queue = f"{app.config['JOBS_QUEUE_PREFIX']}-mail"
    assert runner.invoke(args=["worker", "--queue", queue, "--burst"]).exit_code == 0
    with app.app_context():
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}
        assert db.session.scalar(select(Job.status)) == "finished"


def test_a_failing_job_is_recorded_by_the_worker(redis_app, runner):
    app = redis_app
    with app.app_context():
        job_id = jobs.enqueue("test-fail", parameters={"value": "rq"}).id
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.error) == ("failed", "RuntimeError: boom rq")


def test_bare_rq_perform_builds_its_own_app_context(redis_app, monkeypatch):
    app = redis_app
    with app.app_context():
        job_id = jobs.enqueue("test-echo", parameters={"value": 9}).id
    monkeypatch.setattr(worker, "_worker_app", app)  # what `rq worker` would build
    worker.perform(job_id)  # no app context here, as in a bare `rq worker`
    with app.app_context():
        assert db.session.get(Job, job_id).result == {"echo": 9}


def test_rq_runs_the_job_under_the_new_dotted_path(redis_app):
    app = redis_app
    with app.app_context():
        job_id = jobs.enqueue("test-echo", parameters={"value": 3}).id
    [queued] = _queue(app, "default").jobs
    assert (queued.func_name, queued.args) == ("elicit.worker.perform", (job_id,))


def test_a_job_queued_under_the_old_path_still_runs(redis_app, runner, monkeypatch):
    """Jobs queued by the release before the move name elicit.services.job_backends.perform."""
    app = redis_app
    monkeypatch.setattr(backends, "submit", lambda *a: None)  # queue it by hand, the old way
    with app.app_context():
        job_id = jobs.enqueue("test-echo", parameters={"value": 4}).id
    _queue(app, "default").enqueue("elicit.services.job_backends.perform", job_id)
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Job, job_id).result == {"echo": 4}


def test_redis_down_fails_the_job_instead_of_leaving_it_queued(app):
    app.config.update(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        job = jobs.enqueue("test-echo", parameters={"value": 1})
        assert job.status == "failed" and job.error.startswith("Could not queue the job")
