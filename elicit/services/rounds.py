"""Round lifecycle: launch the next round, close the open one."""

from __future__ import annotations

from sqlalchemy import select

from elicit.errors import Conflict
from elicit.extensions import db
from elicit.models import Round, RoundStatus, Study, StudyStatus
from elicit.models.base import utcnow
from elicit.services import audit, panel


def open_round(study: Study) -> Round | None:
    """The study's open round, if any."""
    return db.session.scalar(
        select(Round).where(Round.study_id == study.id, Round.status == RoundStatus.OPEN)
    )


def launch_next_round(study: Study, *, actor_id: int | None = None) -> Round:
    """Open round N+1 (round 1 first), inviting every panel member; one transaction."""
    if open_round(study) is not None:
        raise Conflict("A round is already open; close it before launching the next.")
    if not study.options or not study.criteria:
        raise Conflict("Add at least one option and one criterion before launching a round.")
    if not study.experts:
        raise Conflict("Add experts to the panel before launching a round.")
    number = (study.rounds[-1].number + 1) if study.rounds else 1
    round_ = Round(study=study, number=number, status=RoundStatus.OPEN, opened_at=utcnow())
    db.session.add(round_)
    db.session.flush()
    invitations = panel.invite_panel(round_)
    study.status = StudyStatus.ACTIVE
    audit.record("round.launch", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=round_,
                 details={"number": number, "invited": len(invitations)})
    db.session.commit()
    return round_


def close_round(study: Study, *, actor_id: int | None = None) -> Round:
    """Close the open round: links expire and answers are frozen."""
    round_ = open_round(study)
    if round_ is None:
        raise Conflict("No round is open.")
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    audit.record("round.close", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=round_, details={"number": round_.number})
    db.session.commit()
    return round_
