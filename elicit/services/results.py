"""Results: judgments out of the database as a tidy frame, into `analysis`."""

from __future__ import annotations

import pandas as pd
from flask import current_app
from sqlalchemy import select

import analysis
from elicit.extensions import db
from elicit.models import (
    Criterion,
    Expert,
    Judgment,
    Option,
    OptionComment,
    Response,
    ResponseStatus,
    Round,
)

TIDY_COLUMNS = [
    "round", "expert", "group", "option", "criterion", "kind", "weight", "value",
    "lowest", "best", "highest", "confidence", "abstained", "rationale", "submitted_at",
]


def pseudonyms(study_id: int) -> dict[int, str]:
    """Stable pseudonyms E001, E002, … by order of joining the panel."""
    ids = db.session.scalars(
        select(Expert.id).where(Expert.study_id == study_id).order_by(Expert.id)
    )
    return {expert_id: f"E{n:03d}" for n, expert_id in enumerate(ids, start=1)}


def judgments_frame(round_: Round) -> pd.DataFrame:
    """Submitted judgments of a round, one row per expert × option × criterion.

    The columns are those `python -m analysis rank` reads, plus
    `submitted_at`; experts appear under pseudonyms.
    """
    rows = db.session.execute(
        select(
            Response.expert_id, Expert.group, Option.title, Criterion.name, Criterion.kind,
            Criterion.weight, Judgment.value, Judgment.lowest, Judgment.best, Judgment.highest,
            Judgment.confidence, Judgment.abstained, OptionComment.rationale,
            Response.submitted_at,
        )
        .join(Response, Response.id == Judgment.response_id)
        .join(Expert, Expert.id == Response.expert_id)
        .join(Option, Option.id == Judgment.option_id)
        .join(Criterion, Criterion.id == Judgment.criterion_id)
        .outerjoin(OptionComment, (OptionComment.response_id == Response.id)
                   & (OptionComment.option_id == Judgment.option_id))
        .where(Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)
        .order_by(Response.expert_id, Option.position, Criterion.position)
    ).all()
    names = pseudonyms(round_.study_id)
    frame = pd.DataFrame(
        [(round_.number, names[r[0]], *r[1:]) for r in rows], columns=TIDY_COLUMNS
    )
    frame["rationale"] = frame["rationale"].fillna("")
    frame["abstained"] = frame["abstained"].astype(bool)
    return frame


def rank_round(round_: Round, *, method: str = "mean") -> analysis.RankingResult | None:
    """Rank the round's options with `analysis.rank_options`; None without answers."""
    frame = judgments_frame(round_)
    if frame.empty:
        return None
    return analysis.rank_options(
        frame, method=method, resamples=current_app.config["RESULTS_RESAMPLES"], seed=0,
    )
