"""A finished study: closed for good after its last round, read-only, its results kept.

`finish` moves a study whose rounds are all closed to the finished state
(`StudyStatus.CLOSED`, shown as "finished"); `reopen` undoes it. While it is
finished every write to the study is refused with `READ_ONLY`:

- pages: every non-GET request to a study route is refused by the access
  decorator (`elicit.auth.decorators.study_role`), except the few actions
  that stay open (`STILL_ALLOWED_WHEN_FINISHED`: reopen, delete, clone,
  team); the API's writes call `refuse_if_finished` (409);
- everything else (the CLI, a service called from anywhere): a flush that
  would add, change or delete the study's questions, panel, links or rounds
  raises the same refusal (`_guard`), so no write path can slip past.

Results, downloads, the audit log and the exports stay available.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from elicit.errors import Conflict
from elicit.extensions import db
from elicit.models import (
    Criterion,
    Expert,
    Invitation,
    Option,
    OutboxMessage,
    Round,
    RoundStatus,
    SeedQuestion,
    Study,
    StudyStatus,
)
from elicit.services import audit

READ_ONLY = ("This study is finished and read-only: its results and downloads stay "
             "available. An owner or organizer can reopen it from the study page to change "
             "anything.")
# Study columns a finished study may still change: finishing, reopening, deleting.
_LIFECYCLE_COLUMNS = {"status", "deleted_at"}


def is_finished(study: Study) -> bool:
    """Whether the study is finished (read-only)."""
    return study.status == StudyStatus.CLOSED


def refuse_if_finished(study: Study) -> None:
    """Refuse a write to a finished study with the read-only message (409)."""
    if is_finished(study):
        raise Conflict(READ_ONLY)


def can_finish(study: Study) -> bool:
    """Whether the study may be finished now: a round was run and none is open."""
    return (not is_finished(study) and any(r.status == RoundStatus.CLOSED for r in study.rounds)
            and not any(r.status == RoundStatus.OPEN for r in study.rounds))


def finish(study: Study, *, actor_id: int | None) -> Study:
    """Finish the study after its last round: read-only from now on, results kept."""
    if is_finished(study):
        raise Conflict("The study is already finished.")
    open_round = next((r for r in study.rounds if r.status == RoundStatus.OPEN), None)
    if open_round is not None:
        raise Conflict(f"Round {open_round.number} is still open: close it before finishing "
                       "the study.")
    if not any(r.status == RoundStatus.CLOSED for r in study.rounds):
        raise Conflict("Run and close at least one round before finishing the study (a draft "
                       "study can be deleted instead).")
    study.status = StudyStatus.CLOSED
    audit.record("study.finish", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=study,
                 details={"rounds": max(r.number for r in study.rounds)})
    db.session.commit()
    return study


def reopen(study: Study, *, actor_id: int | None) -> Study:
    """Make a finished study writable again (e.g. to run one more round)."""
    if not is_finished(study):
        raise Conflict("The study is not finished.")
    study.status = StudyStatus.ACTIVE
    audit.record("study.reopen", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=study)
    db.session.commit()
    return study


def _study_of(obj: Any) -> int | None:
    """The study id a row belongs to (its relationship when the id is not set yet)."""
    if isinstance(obj, Invitation):
        expert = obj.expert if obj.expert is not None else db.session.get(Expert, obj.expert_id)
        return expert.study_id if expert is not None else None
    if obj.study_id is not None:
        return obj.study_id
    study = getattr(obj, "study", None)
    return study.id if study is not None else None


# What a write to a finished study looks like in a flush. Rows changed on the way of things
# that stay allowed are not listed as "changed": a closed round's data version, a link's
# timestamps, an e-mail being delivered.
_ADDED_OR_DELETED = (Option, Criterion, SeedQuestion, Expert, Round, Invitation, OutboxMessage)
_CHANGED = (Option, Criterion, SeedQuestion, Expert)


@event.listens_for(Session, "before_flush")
def _guard(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse a flush that would change the content of a finished study."""
    purged = {obj.id for obj in session.deleted if isinstance(obj, Study)}
    touched: set[int] = set()
    with session.no_autoflush:
        for obj in session.dirty:
            if isinstance(obj, Study) and obj.status == StudyStatus.CLOSED and {
                    a.key for a in db.inspect(obj).attrs
                    if a.history.has_changes()} - _LIFECYCLE_COLUMNS:
                touched.add(obj.id)
            elif isinstance(obj, _CHANGED) and session.is_modified(obj):
                touched.add(_study_of(obj))
        for obj in (*session.new, *session.deleted):
            if isinstance(obj, _ADDED_OR_DELETED):
                touched.add(_study_of(obj))
        touched -= purged | {None}
        if touched and session.scalar(select(Study.id).where(
                Study.id.in_(touched), Study.status == StudyStatus.CLOSED).limit(1)):
            raise Conflict(READ_ONLY)
