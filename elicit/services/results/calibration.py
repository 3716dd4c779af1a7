"""Calibration questions: Cooke's classical model on a round's seed answers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import lazy_loader
from sqlalchemy import func, select

from analysis import cooke
from elicit.extensions import db
from elicit.models import Response, ResponseStatus, Round, SeedAnswer, SeedQuestion
from elicit.services.common import progress
from elicit.services.common.progress import N_
from elicit.services.panel.experts import pseudonyms
from elicit.services.results import cache

pd = lazy_loader.load("pandas")

SEED_COLUMNS = ["expert", "question", "q05", "q50", "q95", "realization", "scale"]


@dataclass(frozen=True)
class Calibration:
    """Each expert's calibration, information and weight (under pseudonyms)."""

    experts: pd.DataFrame  # expert, calibration, information_seed, information_all, weight
    alpha: float
    dm_calibration: float
    dm_information: float
    questions: int
    #: too few seed questions, one expert with most of the weight (plain words)
    warnings: tuple[str, ...] = ()


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
    questions = int(frame["question"].nunique())
    warnings = cooke.adequacy_warnings(questions, result.experts["weight"])
    return Calibration(experts=experts, alpha=float(result.alpha),
                       dm_calibration=float(result.dm.calibration),
                       dm_information=float(result.dm.information_seed),
                       questions=questions, warnings=tuple(warnings))


def seed_question_count(round_: Round) -> int:
    """Seed questions with a known answer that at least one expert answered in the round."""
    frame = seed_frame(round_)
    return 0 if frame.empty else int(frame["question"].nunique())


def performance_weights(round_: Round) -> pd.Series | None:
    """Cooke performance weights per pseudonym; None when no seed answers exist."""
    frame = seed_frame(round_)
    if frame.empty:
        return None
    return cooke.weights_from_seed_frame(frame)


@dataclass(frozen=True)
class Robustness:
    """Cooke's decision maker after leaving out one seed question, or one expert, at a time.

    Each table has one row per removal (``removed``: a question Q1… or a
    pseudonym) with the DM's ``alpha``, ``calibration``, ``information_seed``,
    ``information_all`` and ``combined`` score; `full` is the DM with nothing
    left out, to compare against.
    """

    questions: pd.DataFrame
    experts: pd.DataFrame
    full: dict[str, float]


def seed_answer_count(round_: Round) -> int:
    """Submitted, scorable seed answers of the round: the size that makes robustness slow."""
    return db.session.scalar(
        select(func.count()).select_from(SeedAnswer)
        .join(Response, Response.id == SeedAnswer.response_id)
        .join(SeedQuestion, SeedQuestion.id == SeedAnswer.question_id)
        .where(Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED,
               SeedAnswer.abstained.is_(False), SeedQuestion.realization.is_not(None))) or 0


def robustness_key(round_: Round, frame: pd.DataFrame) -> str:
    """The cache key of a round's robustness tables: the seed answers and realizations hashed.

    Hashing the frame itself (not the round's data version) means a realization
    entered or corrected later also gives new tables.
    """
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy()
                            .tobytes()).hexdigest()
    return cache.make_key("robustness", round_.study_id, round_.id, digest)


def robustness_ready(round_: Round) -> bool:
    """Whether `robustness` would answer from the cache."""
    frame = seed_frame(round_)
    return frame.empty or cache.backend().get(robustness_key(round_, frame)) is not None


def robustness(round_: Round) -> Robustness | None:
    """Leave-one-question-out and leave-one-expert-out tables (cached); None without seed data.

    Uses `analysis.cooke.leave_one_item_out` / `leave_one_expert_out` with
    global weights and alpha re-optimised for every removal (Cooke & Goossens
    2008, sec. 4). Progress is reported to a running job, if any.
    """
    frame = seed_frame(round_)
    if frame.empty:
        return None
    return cache.cached(robustness_key(round_, frame), lambda: _robustness(frame))


def _robustness(frame: pd.DataFrame) -> Robustness:
    study = cooke.study_from_seed_frame(frame)
    full = cooke.classical_model(study, weights="global")
    progress.report(0.05, N_("Leaving out one calibration question at a time"))
    questions = cooke.leave_one_item_out(study, weights="global").reset_index()
    progress.report(0.5, N_("Leaving out one expert at a time"))
    experts = cooke.leave_one_expert_out(study, weights="global").reset_index()
    progress.report(0.95, N_("Leaving out one expert at a time"))
    dm = full.dm
    return Robustness(questions=questions, experts=experts,
                      full={"alpha": float(full.alpha), "calibration": float(dm.calibration),
                            "information_seed": float(dm.information_seed),
                            "information_all": float(dm.information_all),
                            "combined": float(dm.combined)})
