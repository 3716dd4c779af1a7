"""Planning reminders on the launch and round pages; `flask round tick`; RQ delivers them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import OutboxMessage, Round, RoundReminder
from elicit.models.base import utcnow
from elicit.services.common import clock
from elicit.services.rounds import lifecycle, scheduler
from tests.factories import PASSWORD, make_study, make_user

DAY = timedelta(days=1)


@pytest.fixture
def draft(app, auth):
    with app.app_context():
        study_id = make_study(make_user(), launch=False).id
    auth.login("owner@example.org", PASSWORD)
    return study_id


def _when(delta: timedelta) -> str:
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def test_the_launch_page_plans_reminders(app, client, draft):
    page = client.get(f"/studies/{draft}/rounds/launch").get_data(as_text=True)
    assert "3 days before the deadline" in page and "1 day before the deadline" in page
    assert "cron" not in page
    response = client.post(f"/studies/{draft}/rounds/launch", data={
        "closes_at": _when(5 * DAY), "remind_days": ["3", "1"]})
    assert response.status_code == 302
    with app.app_context():
        planned = db.session.scalars(select(RoundReminder.days_before)).all()
        assert sorted(planned) == [1, 3]
    shown = client.get(f"/studies/{draft}/rounds/1").get_data(as_text=True)
    assert "3 days before the deadline:" in shown and "planned for" in shown


def test_reminders_without_a_deadline_are_refused_next_to_the_field(app, client, draft):
    response = client.post(f"/studies/{draft}/rounds/launch", data={"remind_days": ["3"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="remind_days-error"' in page and "give a closing time" in page
    assert '<input checked id="remind_days-2" name="remind_days" type="checkbox" value="3">' \
        in page  # what was ticked stays ticked
    with app.app_context():
        assert db.session.scalars(select(Round)).all() == []


@pytest.mark.parametrize("junk", ["abc", "5", "-1", "1e309", "3" * 5000, "\x00"])
def test_junk_reminder_offsets_never_answer_500(app, client, draft, junk):
    response = client.post(f"/studies/{draft}/rounds/launch", data={
        "closes_at": _when(5 * DAY), "remind_days": [junk]})
    assert response.status_code == 422
    assert 'id="remind_days-error"' in response.get_data(as_text=True)


def test_the_round_page_changes_deadline_and_reminders(app, client, draft):
    client.post(f"/studies/{draft}/rounds/launch", data={
        "closes_at": _when(5 * DAY), "remind_days": ["3"]})
    response = client.post(f"/studies/{draft}/rounds/deadline", data={
        "closes_at": _when(8 * DAY), "remind_days": ["7", "1"]})
    assert response.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(RoundReminder.days_before))) == [1, 7]
    page = client.get(f"/studies/{draft}/rounds/1").get_data(as_text=True)
    assert "7 days before the deadline:" in page
    assert '<input checked id="remind_days-1" name="remind_days" type="checkbox" value="7">' \
        in page
    assert '<input id="remind_days-2" name="remind_days" type="checkbox" value="3">' in page


def test_round_tick_command_closes_and_reminds(app, runner, tmp_path):
    frozen = tmp_path / "clock"
    app.config["TEST_CLOCK_FILE"] = str(frozen)
    with app.app_context():
        study = make_study(make_user(), launch=False)
        start = utcnow()
        lifecycle.launch_next_round(study, closes_at=start + 5 * DAY, remind_days=[1])
        sid = study.id
    assert "Nothing was due" in runner.invoke(args=["round", "tick"]).output
    clock.freeze(frozen, start + 4 * DAY + timedelta(minutes=1))
    output = runner.invoke(args=["round", "tick"]).output
    assert f"Sent the 1-day reminder of round 1 of study {sid} (3 e-mails queued)" in output
    clock.freeze(frozen, start + 5 * DAY + timedelta(minutes=1))
    assert f"Closed round 1 of study {sid}" in runner.invoke(args=["round", "tick"]).output


def test_round_launch_command_plans_reminders(app, runner):
    with app.app_context():
        make_study(make_user(), launch=False, slug="s1")
    deadline = (utcnow() + 5 * DAY).strftime("%Y-%m-%d %H:%M")
    result = runner.invoke(args=["round", "launch", "s1", "--closes-at", deadline,
                                 "--remind", "3", "--remind", "1"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["round", "launch", "s1", "--remind", "3"])
    assert refused.exit_code == 1
    with app.app_context():
        assert sorted(db.session.scalars(select(RoundReminder.days_before))) == [1, 3]


def test_with_rq_the_reminders_are_delivered_by_the_worker(app, runner, tmp_path):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"elicit-i17d-{tmp_path.name[-12:]}"
    app.config.update(JOBS_BACKEND="rq", REDIS_URL=url, JOBS_QUEUE_PREFIX=prefix)
    client = redis.Redis.from_url(url)
    try:
        with app.app_context():
            study = make_study(make_user(), launch=False)
            start = utcnow()
            lifecycle.launch_next_round(study, closes_at=start + 5 * DAY, remind_days=[1])
            [sent] = scheduler.tick(start + 4 * DAY + timedelta(minutes=1)).reminded
            assert sent.queued == 3
            assert set(db.session.scalars(select(OutboxMessage.status))) == {"pending"}
        result = runner.invoke(args=["worker", "--queue", f"{prefix}-mail", "--burst"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
    finally:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def test_a_lasting_flask_worker_ticks_the_scheduler_and_a_burst_one_does_not(app, runner,
                                                                           monkeypatch):
    from elicit import scheduler as ticker
    from elicit.cli import worker as worker_cli

    class Worker:
        def work(self, burst, with_scheduler):
            return True

    monkeypatch.setattr(worker_cli, "make_worker", lambda *args, **kwargs: Worker())
    app.config["SCHEDULER_INTERVAL"] = 3600
    try:
        assert runner.invoke(args=["worker", "--burst"]).exit_code == 0
        assert ticker.EXTENSION_KEY not in app.extensions
        assert runner.invoke(args=["worker"]).exit_code == 0
        assert app.extensions[ticker.EXTENSION_KEY].is_alive()
    finally:
        ticker.stop(app)
