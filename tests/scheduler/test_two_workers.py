"""Two processes' schedulers tick at the same moment: each closing and reminder happens once.

Two apps on the same database stand for two gunicorn workers (or two
machines): separate engines, sessions and connections. They tick together,
released by a barrier, at each moment something falls due.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import AuditEvent, OutboxMessage, RoundReminder
from elicit.models.base import utcnow
from elicit.services.rounds import lifecycle, scheduler
from tests.factories import make_study, make_user

DAY = timedelta(days=1)
STUDIES = 3


def _tick_together(apps, now):
    """Run one tick in each app at once; the reports, in app order."""
    barrier = threading.Barrier(len(apps))
    reports: list = [None] * len(apps)
    errors: list[BaseException] = []

    def run(index, app):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                reports[index] = scheduler.tick(now)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return reports


def test_each_closing_and_reminder_happens_once_with_two_workers(app, app_factory, tmp_path):
    outbox = str(tmp_path / "outbox")
    workers = [app_factory(MAIL_OUTBOX_DIR=outbox), app_factory(MAIL_OUTBOX_DIR=outbox)]
    with app.app_context():
        owner = make_user()
        start = utcnow()
        for n in range(STUDIES):
            study = make_study(owner, launch=False, title=f"Study {n}", n_experts=4)
            lifecycle.launch_next_round(study, closes_at=start + 5 * DAY, remind_days=[3, 1])
    totals = {"closed": 0, "reminded": 0}
    for moment in (start + 2 * DAY + timedelta(minutes=1), start + 4 * DAY + timedelta(minutes=1),
                   start + 5 * DAY + timedelta(minutes=1)):
        for report in _tick_together(workers, moment):
            totals["closed"] += len(report.closed)
            totals["reminded"] += len(report.reminded)
        # Once more after the fact: nothing left to do.
        for report in _tick_together(workers, moment):
            assert (report.closed, report.reminded) == ([], [])
    assert totals == {"closed": STUDIES, "reminded": 2 * STUDIES}
    with app.app_context():
        closes = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "round.close"))
        sent = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "round.reminder_sent"))
        assert (closes, sent) == (STUDIES, 2 * STUDIES)
        # One e-mail per expert and reminder: 3 studies × 4 experts × 2 reminders.
        per_expert = db.session.execute(
            select(OutboxMessage.to_address, OutboxMessage.study_id, func.count())
            .where(OutboxMessage.kind == "reminder")
            .group_by(OutboxMessage.to_address, OutboxMessage.study_id)).all()
        assert len(per_expert) == STUDIES * 4 and {n for *_, n in per_expert} == {2}
        assert set(db.session.scalars(select(RoundReminder.outcome))) == {"sent"}
