"""Round lifecycle: launch the next round, close the open one (by hand or at its deadline)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import Round, RoundStatus, Study, StudyStatus
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.mail import outbox
from elicit.services.panel import experts
from elicit.services.results import themes
from elicit.services.rounds import overview


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
                      send_invitations: bool = False) -> Round:
    """Open round N+1 (round 1 first), inviting every panel member; one transaction.

    Round N+1 asks the same questions. With `retire_consensus`, options that
    met the study's consensus rule in round N are retired after round N.
    With `send_invitations`, invitation e-mails are queued in the outbox.
    """
    if open_round(study) is not None:
        raise Conflict("A round is already open; close it before launching the next.")
    if not study.options or not study.criteria:
        raise Conflict("Add at least one option and one criterion before launching a round.")
    if not study.experts:
        raise Conflict("Add experts to the panel before launching a round.")
    if closes_at is not None and _aware(closes_at) <= utcnow():
        raise ValidationFailed({"closes_at": "The deadline must lie in the future."})
    number = (study.rounds[-1].number + 1) if study.rounds else 1
    retired = []
    if retire_consensus and number > 1:
        retired = overview.retire_consensus_options(study, number - 1, actor_id=actor_id)
    if not any(o.retired_after_round is None or o.retired_after_round >= number
               for o in study.options):
        db.session.rollback()
        raise Conflict("Every option has reached consensus or been retired: there is nothing "
                       "left to ask. Reinstate an option to run another round.")
    round_ = Round(study=study, number=number, status=RoundStatus.OPEN, opened_at=utcnow(),
                   closes_at=_aware(closes_at) if closes_at else None)
    db.session.add(round_)
    db.session.flush()
    invitations = experts.invite_panel(round_)
    study.status = StudyStatus.ACTIVE
    audit.record("round.launch", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=round_,
                 details={"number": number, "invited": len(invitations),
                          "closes_at": round_.closes_at.isoformat() if closes_at else None,
                          "retired_options": [o.title for o in retired]})
    if send_invitations:
        outbox.queue(round_, "invitation", actor_id=actor_id, commit=False)
    db.session.commit()
    return round_


def close_round(study: Study, *, actor_id: int | None = None, reason: str = "manual") -> Round:
    """Close the open round: links expire and answers are frozen."""
    round_ = open_round(study)
    if round_ is None:
        raise Conflict("No round is open.")
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    audit.record("round.close", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=round_, details={"number": round_.number,
                                                         "reason": reason})
    db.session.commit()
    themes.request_themes(round_, user_id=actor_id)  # a background job: the close never waits
    return round_


def set_deadline(round_: Round, closes_at: datetime | None, *, actor_id: int) -> Round:
    """Change (or clear) the open round's deadline."""
    if round_.status != RoundStatus.OPEN:
        raise Conflict("Only an open round has a deadline to change.")
    if closes_at is not None and _aware(closes_at) <= utcnow():
        raise ValidationFailed({"closes_at": "The deadline must lie in the future."})
    before = round_.closes_at.isoformat() if round_.closes_at else None
    round_.closes_at = _aware(closes_at) if closes_at else None
    audit.record("round.deadline", actor_type="user", actor_id=actor_id,
                 study_id=round_.study_id, obj=round_,
                 details={"before": before, "after": closes_at.isoformat() if closes_at else None})
    db.session.commit()
    return round_


def close_due_rounds(now: datetime | None = None) -> list[Round]:
    """Close every open round whose deadline has passed (run by `flask round close-due`)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Round).where(
        Round.status == RoundStatus.OPEN, Round.closes_at.is_not(None), Round.closes_at <= now)))
    closed = []
    for round_ in due:
        if round_.study.deleted_at is None:
            closed.append(close_round(round_.study, reason="deadline"))
    return closed
