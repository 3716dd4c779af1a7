"""Reminders planned before a round's deadline: plan them, move them, send each one once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Round, RoundReminder, RoundStatus, Study
from elicit.models.base import utcnow
from elicit.services import audit, jobs
from elicit.services.mail import outbox

# What the launch and deadline forms offer (days before the deadline).
CHOICES = (14, 7, 3, 2, 1)


@dataclass(frozen=True)
class Sent:
    """A reminder this process sent: its round, its offset and how many e-mails it queued."""

    study_id: int
    round_number: int
    days_before: int
    queued: int


def check_days(days: list[int], closes_at: datetime | None) -> None:
    """Refuse reminders without a deadline, or offsets outside 1…DAYS_MAX days."""
    if not days:
        return
    if closes_at is None:
        raise ValidationFailed({"remind_days": "Reminders are sent before the deadline: give a "
                                               "closing time, or untick the reminders."})
    bad = [d for d in days if not 1 <= d <= RoundReminder.DAYS_MAX]
    if bad:
        raise ValidationFailed({"remind_days": f"Reminders go out 1 to "
                                               f"{RoundReminder.DAYS_MAX} days before the "
                                               f"deadline, not {bad[0]}."})


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plan(round_: Round, days: list[int]) -> None:
    """Make the round's planned reminders exactly `days` (those already sent are kept)."""
    wanted = set(days)
    for reminder in list(round_.reminders):
        if reminder.days_before not in wanted and reminder.done_at is None:
            round_.reminders.remove(reminder)
    have = {r.days_before for r in round_.reminders}
    for offset in sorted(wanted - have, reverse=True):
        round_.reminders.append(RoundReminder(days_before=offset))
    follow_deadline(round_)


def follow_deadline(round_: Round) -> None:
    """Set each unsent reminder's due time from the round's (new) deadline."""
    closes_at = _aware(round_.closes_at)
    for reminder in round_.reminders:
        if reminder.done_at is None:
            reminder.due_at = (closes_at - timedelta(days=reminder.days_before)
                               if closes_at else None)


def send_due(now: datetime | None = None) -> list[Sent]:
    """Send every reminder that has fallen due in an open round, each exactly once.

    A reminder is due from `due_at` until the deadline. When several of a
    round's reminders are due together (the server was down), only the
    latest one goes out and the earlier ones are recorded as skipped: nobody
    gets two reminders at once. A reminder whose time had already passed
    when the round opened (a 3-day reminder in a 2-day round) is skipped too.
    Each reminder is claimed by a conditional UPDATE of its `done_at`, in the
    same transaction as the e-mails it queues and its audit event.
    """
    now = now or utcnow()
    due = db.session.execute(
        select(RoundReminder.id, RoundReminder.round_id, RoundReminder.days_before,
               RoundReminder.due_at, Round.opened_at)
        .join(Round, Round.id == RoundReminder.round_id).join(Study, Study.id == Round.study_id)
        .where(RoundReminder.done_at.is_(None), RoundReminder.due_at <= now,
               Round.status == RoundStatus.OPEN, Round.closes_at > now,
               Study.deleted_at.is_(None))
        .order_by(RoundReminder.round_id, RoundReminder.days_before)).all()
    db.session.rollback()  # end the read: each claim is its own transaction
    sent: list[Sent] = []
    latest_of_round: dict[int, int] = {}
    for reminder_id, round_id, *_ in due:
        latest_of_round.setdefault(round_id, reminder_id)  # smallest offset comes first
    for reminder_id, round_id, days_before, due_at, opened_at in due:
        # A reminder whose time had passed when the round opened would only repeat the
        # invitation: skipped.
        before_opening = opened_at is not None and _aware(due_at) <= _aware(opened_at)
        latest = latest_of_round[round_id] == reminder_id
        outcome = "sent" if latest and not before_opening else "skipped"
        with jobs.writing():  # the claim takes SQLite's write lock at BEGIN
            done = _send_one(reminder_id, round_id, days_before, now, outcome)
        if done is not None:
            sent.append(done)
    return sent


def _send_one(reminder_id: int, round_id: int, days_before: int, now: datetime,
              outcome: str) -> Sent | None:
    """Claim one reminder and queue its e-mails in one transaction; None if someone else did."""
    if not _claim(reminder_id, now, outcome):
        db.session.rollback()
        return None  # another process has it
    round_ = db.session.get(Round, round_id)
    queued = 0
    if outcome == "sent":
        queued = outbox.queue(round_, "reminder", actor_id=None, commit=False)
        db.session.execute(update(RoundReminder).where(RoundReminder.id == reminder_id)
                           .values(queued=queued))
    audit.record(f"round.reminder_{outcome}", actor_type="system",
                 study_id=round_.study_id, obj=round_,
                 details={"number": round_.number, "days_before": days_before,
                          "queued": queued})
    db.session.commit()
    return Sent(round_.study_id, round_.number, days_before, queued) if outcome == "sent" \
        else None


def _claim(reminder_id: int, now: datetime, outcome: str) -> bool:
    """Take the reminder for this process unless another one did (no commit yet)."""
    return db.session.execute(
        update(RoundReminder)
        .where(RoundReminder.id == reminder_id, RoundReminder.done_at.is_(None))
        .values(done_at=now, outcome=outcome)
        .execution_options(synchronize_session=False)).rowcount == 1
