"""Submitted judgments out of the database as the tidy frame `analysis` reads."""

from __future__ import annotations

from collections.abc import Iterable

import lazy_loader
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import (
    Criterion,
    Expert,
    Invitation,
    Judgment,
    Option,
    OptionComment,
    Response,
    ResponseStatus,
    Round,
)
from elicit.services.panel.experts import pseudonyms
from elicit.services.results.params import ResultParams

np = lazy_loader.load("numpy")
pd = lazy_loader.load("pandas")

TIDY_COLUMNS = [
    "round", "expert", "group", "option", "criterion", "kind", "weight", "value",
    "lowest", "best", "highest", "confidence", "abstained", "rationale", "submitted_at",
]
# The downloads add these after the tidy columns (added in 0.x, never renamed):
# self-rated expertise on the option, the panel's expertise, and the withdrawal mark.
EXPORT_COLUMNS = [*TIDY_COLUMNS, "expertise", "panel_expertise", "withdrawn"]


def judgments_query(round_ids: Iterable[int]):
    """The SELECT behind the tidy frame: one row per expert × option × criterion."""
    return (
        select(
            Round.number, Response.expert_id, Expert.group, Option.title, Criterion.name,
            Criterion.kind, Criterion.weight, Judgment.value, Judgment.lowest, Judgment.best,
            Judgment.highest, Judgment.confidence, Judgment.abstained, OptionComment.rationale,
            Response.submitted_at, OptionComment.expertise, Expert.expertise,
        )
        .join(Response, Response.id == Judgment.response_id)
        .join(Round, Round.id == Response.round_id)
        .join(Expert, Expert.id == Response.expert_id)
        .join(Option, Option.id == Judgment.option_id)
        .join(Criterion, Criterion.id == Judgment.criterion_id)
        .outerjoin(OptionComment, (OptionComment.response_id == Response.id)
                   & (OptionComment.option_id == Judgment.option_id))
        .where(Response.round_id.in_(list(round_ids)),
               Response.status == ResponseStatus.SUBMITTED)
        .order_by(Round.number, Response.expert_id, Option.position, Criterion.position)
    )


def judgments_frame(round_: Round, *, rounds: Iterable[Round] | None = None) -> pd.DataFrame:
    """Submitted judgments of a round (or of `rounds`), one row per expert × option × criterion.

    The columns are those `python -m analysis rank` reads, plus
    `submitted_at`; experts appear under pseudonyms. The rows are those of
    `judgments_query`, in its order.
    """
    chosen = list(rounds) if rounds is not None else [round_]
    # Judgments come as bare ids and numbers (no per-row joins, no ORM rows); the
    # few labels (options, criteria, experts, rounds) are looked up as arrays.
    submitted = (Response.round_id.in_([r.id for r in chosen]),
                 Response.status == ResponseStatus.SUBMITTED)
    connection = db.session.connection()
    responses = connection.execute(
        select(Response.id, Response.round_id, Response.expert_id, Response.submitted_at)
        .where(*submitted)).all()
    result = connection.execute(
        select(Judgment.response_id, Judgment.option_id, Judgment.criterion_id,
               *(getattr(Judgment, c) for c in _JUDGMENT_NUMBERS), Judgment.abstained)
        .join(Response, Response.id == Judgment.response_id).where(*submitted))
    try:
        # All numbers: the driver's tuples go straight into one float array
        # (None becomes NaN), skipping SQLAlchemy's per-row processing.
        raw = result.cursor.fetchall()
    finally:
        result.close()
    if not raw:
        frame = pd.DataFrame([], columns=TIDY_COLUMNS)
        frame["rationale"] = frame["rationale"].fillna("")
        frame["abstained"] = frame["abstained"].astype(bool)
        return frame
    table = np.array(raw, dtype=float)
    response_ids, option_ids, criterion_ids = table[:, :3].astype(np.int64).T

    study_id = round_.study_id
    options = connection.execute(select(Option.id, Option.position, Option.title)
                                 .where(Option.study_id == study_id)).all()
    criteria = connection.execute(
        select(Criterion.id, Criterion.position, Criterion.name, Criterion.kind,
               Criterion.weight).where(Criterion.study_id == study_id)).all()
    experts = connection.execute(select(Expert.id, Expert.group)
                                 .where(Expert.study_id == study_id)).all()
    names = pseudonyms(study_id)
    r_at = _lookup([r[0] for r in responses], response_ids)
    o_at = _lookup([o[0] for o in options], option_ids)
    c_at = _lookup([c[0] for c in criteria], criterion_ids)
    expert_of = np.array([r[2] for r in responses], dtype=np.int64)[r_at]
    e_at = _lookup([e[0] for e in experts], expert_of)
    number = {r.id: r.number for r in chosen}
    round_numbers = np.array([number[r[1]] for r in responses], dtype=np.int64)[r_at]
    # judgments_query's inner joins and order: round, expert, option, criterion position
    keep = (o_at >= 0) & (c_at >= 0) & (e_at >= 0)
    order = np.lexsort((np.array([c[1] for c in criteria])[c_at],
                        np.array([o[1] for o in options])[o_at], expert_of, round_numbers))
    order = order[keep[order]]

    frame = pd.DataFrame({
        "round": round_numbers[order],
        "expert": np.array([names[e[0]] for e in experts], dtype=object)[e_at[order]],
        "group": np.array([e[1] for e in experts], dtype=object)[e_at[order]],
        "option": np.array([o[2] for o in options], dtype=object)[o_at[order]],
        "criterion": np.array([c[2] for c in criteria], dtype=object)[c_at[order]],
        "kind": np.array([c[3] for c in criteria], dtype=object)[c_at[order]],
        "weight": np.array([c[4] for c in criteria], dtype=float)[c_at[order]],
        **{name: table[order, 3 + i] for i, name in enumerate(_JUDGMENT_NUMBERS)},
        "abstained": table[order, 3 + len(_JUDGMENT_NUMBERS)] != 0,
        "rationale": _rationales(submitted, response_ids[order], option_ids[order]),
        "submitted_at": pd.Series([r[3] for r in responses]).take(r_at[order])
        .reset_index(drop=True),
    }, columns=TIDY_COLUMNS)
    return frame


_JUDGMENT_NUMBERS = ("value", "lowest", "best", "highest", "confidence")


def _lookup(ids: list[int], values: np.ndarray) -> np.ndarray:
    """Positions of `values` in `ids` (-1 when absent), vectorised."""
    return pd.Index(np.asarray(ids, dtype=np.int64)).get_indexer(values)


def _rationales(submitted: tuple, response_ids: np.ndarray, option_ids: np.ndarray
                ) -> np.ndarray:
    """Each row's rationale (one per response and option; '' when none)."""
    comments = db.session.connection().execute(
        select(OptionComment.response_id, OptionComment.option_id, OptionComment.rationale)
        .join(Response, Response.id == OptionComment.response_id).where(*submitted)).all()
    texts = np.full(len(response_ids), "", dtype=object)
    if not comments:
        return texts
    span = int(max(option_ids.max(), max(c[1] for c in comments))) + 1
    keys = pd.Index([c[0] * span + c[1] for c in comments])
    at = keys.get_indexer(response_ids * span + option_ids)
    found = at >= 0
    texts[found] = np.array([c[2] or "" for c in comments], dtype=object)[at[found]]
    return texts


def withdrawn_experts(round_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(round number, expert id) of experts withdrawn from a round: their link was revoked."""
    return set(db.session.execute(
        select(Round.number, Invitation.expert_id)
        .join(Round, Round.id == Invitation.round_id)
        .where(Invitation.round_id.in_(list(round_ids)), Invitation.revoked_at.is_not(None))
    ).tuples())


def submitted_count(round_: Round) -> int:
    """Submitted responses in the round."""
    return db.session.scalar(select(func.count()).select_from(Response).where(
        Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)) or 0


def filter_groups(frame: pd.DataFrame, params: ResultParams) -> pd.DataFrame:
    """Keep the chosen expert groups (all of them by default)."""
    if not params.groups or frame.empty:
        return frame
    return frame[frame["group"].replace("", "all").isin(params.groups)]


def judgment_count(round_: Round) -> int:
    """Submitted judgment rows of the round: the size that makes results slow."""
    return db.session.scalar(
        select(func.count()).select_from(Judgment)
        .join(Response, Response.id == Judgment.response_id)
        .where(Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)) or 0

