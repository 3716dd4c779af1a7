"""The scheduler's tick under a frozen clock: deadlines close rounds, planned reminders go out once.

`now` is passed to the tick (the injected clock); nothing here sleeps.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elicit import scheduler as ticker
from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, OutboxMessage, Round, RoundReminder, Study
from elicit.models.base import utcnow
from elicit.services.common import clock
from elicit.services.rounds import lifecycle, scheduler
from tests.factories import make_study, make_user, submit_round

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _launch(deadline_in=timedelta(days=5), remind=(3, 1), **study):
    """A study whose round 1 closes `deadline_in` from now, with reminders; (study, T0)."""
    owner = make_user(f"owner-{study.get('title', 'test').lower()}@example.org")
    made = make_study(owner, launch=False, **study)
    start = utcnow()
    lifecycle.launch_next_round(made, closes_at=start + deadline_in, remind_days=list(remind),
                                send_invitations=True)
    return made, start


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _reminders_queued() -> int:
    return _count(OutboxMessage, OutboxMessage.kind == "reminder")


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_round_closes_at_its_deadline_exactly_once(app):
    with app.app_context():
        study, start = _launch(remind=())
        sid = study.id
        assert scheduler.tick(start + 5 * DAY - HOUR).closed == []
        assert db.session.scalar(select(Round.status).where(Round.study_id == sid)) == "open"
        closing_time = start + 5 * DAY + timedelta(minutes=1)
        report = scheduler.tick(closing_time)
        assert [(c.study_id, c.round_number) for c in report.closed] == [(sid, 1)]
        assert scheduler.tick(closing_time + HOUR).closed == []  # already closed: no second
        round_ = db.session.scalar(select(Round).where(Round.study_id == sid))
        assert round_.status == "closed"
        assert round_.closed_at.replace(tzinfo=None) == closing_time.replace(tzinfo=None)
        [event] = _events("round.close")
        assert (event.actor_type, event.details) == ("system", {"number": 1,
                                                                "reason": "deadline"})


def test_reminders_go_out_at_3_and_1_days_to_those_who_have_not_submitted(app):
    with app.app_context():
        study, start = _launch(n_experts=3)
        submit_round(study, 0, [(0.5, 1)] * 3)
        db.session.execute(OutboxMessage.__table__.delete())  # the invitations are not the point
        db.session.commit()
        assert scheduler.tick(start + DAY).reminded == []
        [three] = scheduler.tick(start + 2 * DAY + timedelta(minutes=1)).reminded
        assert (three.days_before, three.queued) == (3, 2)
        recipients = set(db.session.scalars(select(OutboxMessage.to_address)))
        assert recipients == {"expert2@example.org", "expert3@example.org"}
        assert scheduler.tick(start + 3 * DAY).reminded == []  # the same reminder never twice
        [one] = scheduler.tick(start + 4 * DAY + timedelta(minutes=1)).reminded
        assert one.days_before == 1
        report = scheduler.tick(start + 5 * DAY + timedelta(minutes=1))
        assert (len(report.closed), report.reminded) == (1, [])
        reminders = db.session.scalars(select(RoundReminder).order_by(RoundReminder.id)).all()
        assert [(r.days_before, r.outcome) for r in reminders] == [(3, "sent"), (1, "sent")]
        assert [e.details["days_before"] for e in _events("round.reminder_sent")] == [3, 1]
        # Delivered by the mail job (the sync backend in tests): the .eml files exist.
        sent = set(db.session.scalars(select(OutboxMessage.status).where(
            OutboxMessage.kind == "reminder")))
        assert sent == {"sent"}


def test_reminders_due_together_send_only_the_latest(app):
    with app.app_context():
        study, start = _launch(n_experts=2)
        # Nothing ticked for days: 1.5 days before the deadline only the 3-day one is due.
        [sent] = scheduler.tick(start + 3 * DAY + 12 * HOUR).reminded
        assert sent.days_before == 3
        [sent] = scheduler.tick(start + 5 * DAY - HOUR).reminded
        assert sent.days_before == 1
        study2, start2 = _launch(n_experts=2, title="Other", remind=(7, 3, 1),
                                 deadline_in=timedelta(days=10))
        [sent] = scheduler.tick(start2 + 7 * DAY + 12 * HOUR).reminded  # 7 and 3 both due
        assert (sent.study_id, sent.days_before) == (study2.id, 3)
        outcomes = dict(db.session.execute(
            select(RoundReminder.days_before, RoundReminder.outcome)
            .join(Round).where(Round.study_id == study2.id)).all())
        assert outcomes == {7: "skipped", 3: "sent", 1: None}
        assert _events("round.reminder_skipped")[0].details["days_before"] == 7


def test_a_reminder_whose_time_passed_before_the_round_opened_is_skipped(app):
    with app.app_context():
        study, start = _launch(deadline_in=timedelta(days=2), remind=(3, 1))
        report = scheduler.tick(start + timedelta(minutes=5))
        assert report.reminded == []  # not a second e-mail right after the invitation
        assert _reminders_queued() == 0
        [sent] = scheduler.tick(start + DAY + timedelta(minutes=5)).reminded
        assert sent.days_before == 1


def test_moving_the_deadline_moves_the_unsent_reminders(app):
    with app.app_context():
        user = make_user("o2@example.org")
        study = make_study(user, launch=False)
        start = utcnow()
        round_ = lifecycle.launch_next_round(study, closes_at=start + 5 * DAY,
                                             remind_days=[3, 1])
        scheduler.tick(start + 2 * DAY + HOUR)  # the 3-day reminder goes out
        lifecycle.set_deadline(round_, start + 10 * DAY, actor_id=user.id, remind_days=[1])
        rows = {r.days_before: r for r in round_.reminders}
        assert rows[3].outcome == "sent"  # kept: it was sent
        assert rows[1].due_at.replace(tzinfo=None) == (start + 9 * DAY).replace(tzinfo=None)
        assert scheduler.tick(start + 5 * DAY).closed == []  # the old deadline means nothing
        lifecycle.set_deadline(round_, None, actor_id=user.id, remind_days=[])
        assert [r.days_before for r in round_.reminders] == [3]


def test_reminders_need_a_deadline_and_a_sensible_offset(app):
    with app.app_context():
        study = make_study(make_user(), launch=False)
        with pytest.raises(ValidationFailed) as refused:
            lifecycle.launch_next_round(study, remind_days=[3])
        assert "remind_days" in refused.value.messages
        with pytest.raises(ValidationFailed) as refused:
            lifecycle.launch_next_round(study, closes_at=utcnow() + DAY, remind_days=[99])
        assert "99" in refused.value.messages["remind_days"]
        assert db.session.get(Study, study.id).rounds == []


def test_a_deleted_study_is_left_alone(app):
    with app.app_context():
        study, start = _launch()
        study.deleted_at = utcnow()
        db.session.commit()
        report = scheduler.tick(start + 6 * DAY)
        assert (report.closed, report.reminded) == ([], [])


def test_the_loop_ticks_with_the_clock_file(app, tmp_path):
    frozen = tmp_path / "clock"
    app.config["TEST_CLOCK_FILE"] = str(frozen)
    with app.app_context():
        study, start = _launch(remind=())
        sid = study.id
        assert clock.now() - utcnow() < timedelta(seconds=5)  # no file yet: the real clock
        clock.freeze(frozen, start + 6 * DAY)
        assert clock.now() == start + 6 * DAY
    report = ticker.tick_once(app)
    assert [c.study_id for c in report.closed] == [sid]
    assert ticker.tick_once(app).closed == []


def test_a_failed_tick_is_logged_and_the_loop_goes_on(app, monkeypatch, caplog):
    def broken(now):
        raise RuntimeError("database restarting")

    monkeypatch.setattr(scheduler, "tick", broken)
    assert ticker.tick_once(app) is None
    assert "scheduler tick failed" in caplog.text


def test_one_ticker_per_process_and_none_when_off(app):
    assert ticker.ensure_started(app) is None  # SCHEDULER_INTERVAL=0 in tests
    app.config["SCHEDULER_INTERVAL"] = 3600
    try:
        first = ticker.ensure_started(app)
        assert first is not None and first.is_alive()
        assert ticker.ensure_started(app) is first
    finally:
        ticker.stop(app)
    assert not first.is_alive()


def test_a_request_starts_the_ticker(app_factory):
    served = app_factory(SCHEDULER_INTERVAL=3600)
    try:
        assert ticker.EXTENSION_KEY not in served.extensions
        served.test_client().get("/healthz")
        assert served.extensions[ticker.EXTENSION_KEY].is_alive()
    finally:
        ticker.stop(served)
