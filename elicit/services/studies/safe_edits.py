"""Which parts of a study already carry answers, and so may no longer change."""

from __future__ import annotations

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import Judgment, Response, Round, SeedAnswer, Study


def _study_responses(study: Study):
    return (select(Response.id).join(Round, Round.id == Response.round_id)
            .where(Round.study_id == study.id))


def has_responses(study: Study) -> bool:
    """True once any expert has started answering any round of the study."""
    return db.session.scalar(_study_responses(study).limit(1)) is not None


def answered_option_ids(study: Study) -> set[int]:
    """Options with at least one stored judgment (draft or submitted)."""
    return set(db.session.scalars(
        select(Judgment.option_id).where(Judgment.response_id.in_(_study_responses(study)))
        .distinct()))


def answered_criterion_ids(study: Study) -> set[int]:
    """Criteria with at least one stored judgment."""
    return set(db.session.scalars(
        select(Judgment.criterion_id).where(Judgment.response_id.in_(_study_responses(study)))
        .distinct()))


def answered_seed_ids(study: Study) -> set[int]:
    """Seed questions with at least one stored answer."""
    return set(db.session.scalars(
        select(SeedAnswer.question_id)
        .where(SeedAnswer.response_id.in_(_study_responses(study))).distinct()))
