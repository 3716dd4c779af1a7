"""Round lifecycle: launch the next round, close the open one (by hand or at its deadline)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import Round, RoundStatus, Study, StudyStatus
from elicit.models.base import utcnow
from elicit.services import audit, jobs
from elicit.services.mail import outbox
from elicit.services.panel import experts
from elicit.services.results import themes
from elicit.services.rounds import overview, reminders
from elicit.services.studies import finished


def open_round(study: Study) -> Round | None:
    """The study's open round, if any."""
    return db.session.scalar(
        select(Round).where(Round.study_id == study.id, Round.status == RoundStatus.OPEN)
    )


def round_by_number(study: Study, number: int) -> Round | None:
    """The study's round `number`, if it exists."""
    return db.session.scalar(
        select(Round).where(Round.study_id == study.id, Round.number == number))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def launch_next_round(study: Study, *, actor_id: int | None = None,
                      closes_at: datetime | None = None, retire_consensus: bool = False,
                      send_invitations: bool = False,
                      remind_days: list[int] | None = None) -> Round:
    """Open round N+1 (round 1 first), inviting every panel member; one transaction.

    Round N+1 asks the same questions. With `retire_consensus`, options that
    met the study's consensus rule in round N are retired after round N.
    With `send_invitations`, invitation e-mails are queued in the outbox.
    `remind_days` plans reminders that many days before the deadline.
    """
    finished.refuse_if_finished(study)
    if open_round(study) is not None:
        raise Conflict("A round is already open; close it before launching the next.")
    if not study.options or not study.criteria:
        raise Conflict("Add at least one option and one criterion before launching a round.")
    if not study.experts:
        raise Conflict("Add experts to the panel before launching a round.")
    if closes_at is not None and _aware(closes_at) <= utcnow():
        raise ValidationFailed({"closes_at": "The deadline must lie in the future."})
    reminders.check_days(remind_days or [], closes_at)
    number = (study.rounds[-1].number + 1) if study.rounds else 1
    retired = []
    if retire_consensus and number > 1:
        retired = overview.retire_consensus_options(study, number - 1, actor_id=actor_id)
    if not any(o.retired_after_round is None or o.retired_after_round >= number
               for o in study.options):
        db.session.rollback()
        if retired:  # the rule retired the last options: the fix is the checkbox
            raise ValidationFailed({"retire_consensus": (
                f"Every option still asked reached consensus in round {number - 1}, so "
                "stopping those leaves nothing left to ask. To ask them again, untick “Stop "
                "asking options that reached consensus last round” (--keep-all on the "
                "command line); or finish the study.")})
        raise Conflict("Every option has been retired: there is nothing left to ask. "
                       "Reinstate an option on the Questions page to run another round.")
    round_ = Round(study=study, number=number, status=RoundStatus.OPEN, opened_at=utcnow(),
                   closes_at=_aware(closes_at) if closes_at else None)
    db.session.add(round_)
    db.session.flush()
    reminders.plan(round_, remind_days or [])
    invitations = experts.invite_panel(round_)
    study.status = StudyStatus.ACTIVE
    audit.record("round.launch", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=round_,
                 details={"number": number, "invited": len(invitations),
                          "closes_at": round_.closes_at.isoformat() if closes_at else None,
                          "reminders_days_before": sorted(remind_days or [], reverse=True),
                          "retired_options": [o.title for o in retired]})
    if send_invitations:
        outbox.queue(round_, "invitation", actor_id=actor_id, commit=False)
    db.session.commit()
    return round_


def close_round(study: Study, *, actor_id: int | None = None, reason: str = "manual") -> Round:
    """Close the open round: links expire and answers are frozen."""
    round_ = open_round(study)
    if round_ is None or not close_if_open(round_, actor_id=actor_id, reason=reason):
        raise Conflict("No round is open.")
    return round_


def close_if_open(round_: Round, *, actor_id: int | None = None, reason: str = "manual",
                  now: datetime | None = None) -> bool:
    """Close `round_` if it is still open; whether this call closed it (then it commits).

    The conditional UPDATE is the claim: of several processes closing the
    same round at once (the scheduler in each gunicorn worker, an organizer's
    button), exactly one sees a row changed and records the closing.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(Round).where(Round.id == round_.id, Round.status == RoundStatus.OPEN)
        .values(status=RoundStatus.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not claimed:
        db.session.rollback()
        return False
    audit.record("round.close", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=round_.study_id, obj=round_, details={"number": round_.number,
                                                                "reason": reason})
    db.session.commit()
    db.session.refresh(round_)
    themes.request_themes(round_, user_id=actor_id)  # a background job: the close never waits
    return True


def set_deadline(round_: Round, closes_at: datetime | None, *, actor_id: int,
                 remind_days: list[int] | None = None) -> Round:
    """Change (or clear) the open round's deadline; `remind_days` replaces the planned reminders.

    Reminders already sent stay sent; the others move with the deadline.
    """
    if round_.status != RoundStatus.OPEN:
        raise Conflict("Only an open round has a deadline to change.")
    if closes_at is not None and _aware(closes_at) <= utcnow():
        raise ValidationFailed({"closes_at": "The deadline must lie in the future."})
    if remind_days is not None:
        reminders.check_days(remind_days, closes_at)
    before = round_.closes_at.isoformat() if round_.closes_at else None
    round_.closes_at = _aware(closes_at) if closes_at else None
    if remind_days is not None:
        reminders.plan(round_, remind_days)
    reminders.follow_deadline(round_)
    audit.record("round.deadline", actor_type="user", actor_id=actor_id,
                 study_id=round_.study_id, obj=round_,
                 details={"number": round_.number, "before": before,
                          "after": closes_at.isoformat() if closes_at else None,
                          "reminders_days_before": [r.days_before for r in round_.reminders]})
    db.session.commit()
    return round_


def close_due_rounds(now: datetime | None = None) -> list[Round]:
    """Close every open round whose deadline has passed, each exactly once.

    Run by the scheduler's tick and by `flask round close-due`; a round that
    another process closed in the meantime is left out of the list.
    """
    now = now or utcnow()
    due = list(db.session.scalars(select(Round).join(Study).where(
        Round.status == RoundStatus.OPEN, Round.closes_at.is_not(None), Round.closes_at <= now,
        Study.deleted_at.is_(None)).order_by(Round.id)))
    db.session.rollback()  # end the read: each closing is its own transaction
    closed = []
    for round_ in due:
        # The claim takes SQLite's write lock at BEGIN; the look above took none, so a tick
        # that finds nothing due never holds up a writer.
        with jobs.writing():
            if close_if_open(round_, reason="deadline", now=now):
                closed.append(round_)
    return closed
