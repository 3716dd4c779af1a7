"""Read models of a study for the organizer pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Expert, Response, ResponseStatus, Round, Study


@dataclass(frozen=True)
class RoundCounts:
    round: Round
    invited: int
    drafts: int
    submitted: int

    @property
    def response_rate(self) -> float:
        return self.submitted / self.invited if self.invited else 0.0


def expert_counts(study_ids: Iterable[int]) -> dict[int, int]:
    """Panel size per study, in one query (absent studies have none)."""
    ids = list(study_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Expert.study_id, func.count()).where(Expert.study_id.in_(ids))
        .group_by(Expert.study_id)).tuples().all())


def round_counts(study: Study) -> list[RoundCounts]:
    """Per round: experts invited, drafts in progress, submissions."""
    status_counts = dict(
        ((round_id, status), n) for round_id, status, n in db.session.execute(
            select(Response.round_id, Response.status, func.count())
            .join(Round, Round.id == Response.round_id)
            .where(Round.study_id == study.id)
            .group_by(Response.round_id, Response.status)
        )
    )
    invited = expert_counts([study.id]).get(study.id, 0)  # a count, not every expert row
    return [
        RoundCounts(round=r, invited=invited,
                    drafts=status_counts.get((r.id, ResponseStatus.DRAFT), 0),
                    submitted=status_counts.get((r.id, ResponseStatus.SUBMITTED), 0))
        for r in study.rounds
    ]
