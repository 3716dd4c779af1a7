"""Calibration questions: Cooke's classical model on a round's seed answers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from analysis import cooke
from elicit.extensions import db
from elicit.models import Response, ResponseStatus, Round, SeedAnswer, SeedQuestion
from elicit.services.results import pseudonyms

SEED_COLUMNS = ["expert", "question", "q05", "q50", "q95", "realization", "scale"]


@dataclass(frozen=True)
class Calibration:
    """Each expert's calibration, information and weight (under pseudonyms)."""

    experts: pd.DataFrame  # expert, calibration, information_seed, information_all, weight
    alpha: float
    dm_calibration: float
    dm_information: float
    questions: int


def has_seed_questions(round_: Round) -> bool:
    """Whether the study has calibration questions with known answers."""
    return any(q.realization is not None for q in round_.study.seed_questions)


def seed_frame(round_: Round) -> pd.DataFrame:
    """Submitted seed answers of a round with their realizations, tidy.

    Questions are named Q1, Q2, … by position; abstentions and questions
    whose true value is not yet entered are left out.
    """
    rows = db.session.execute(
        select(Response.expert_id, SeedQuestion.position, SeedAnswer.q05, SeedAnswer.q50,
               SeedAnswer.q95, SeedQuestion.realization, SeedQuestion.scale)
        .join(Response, Response.id == SeedAnswer.response_id)
        .join(SeedQuestion, SeedQuestion.id == SeedAnswer.question_id)
        .where(Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED,
               SeedAnswer.abstained.is_(False), SeedQuestion.realization.is_not(None),
               SeedAnswer.q05.is_not(None), SeedAnswer.q50.is_not(None),
               SeedAnswer.q95.is_not(None))
        .order_by(Response.expert_id, SeedQuestion.position)
    ).all()
    names = pseudonyms(round_.study_id)
    return pd.DataFrame(
        [(names[r[0]], f"Q{r[1]}", *r[2:]) for r in rows], columns=SEED_COLUMNS
    )


def calibrate(round_: Round) -> Calibration | None:
    """Cooke's classical model (global weights, optimised alpha); None without seed data."""
    frame = seed_frame(round_)
    if frame.empty:
        return None
    result = cooke.classical_model(cooke.study_from_seed_frame(frame), weights="global")
    experts = result.experts.rename_axis("expert").reset_index()
    return Calibration(experts=experts, alpha=float(result.alpha),
                       dm_calibration=float(result.dm.calibration),
                       dm_information=float(result.dm.information_seed),
                       questions=int(frame["question"].nunique()))


def performance_weights(round_: Round) -> pd.Series | None:
    """Cooke performance weights per pseudonym; None when no seed answers exist."""
    frame = seed_frame(round_)
    if frame.empty:
        return None
    return cooke.weights_from_seed_frame(frame)
