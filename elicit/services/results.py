"""Results: judgments out of the database as a tidy frame, into `analysis`.

One path serves the page, the API, the downloads and the CLI: parse the
choices into `ResultParams`, then `round_results(study, params)` returns a
cached `RoundResults` with every table of the dashboard (`result_charts` draws the charts).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import func, select

import analysis
from elicit.errors import ValidationFailed
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
    Study,
)
from elicit.services import progress, results_cache, summary
from elicit.services.progress import N_
from elicit.services.result_params import (  # noqa: F401  (re-exported: one results API)
    METHOD_LABELS,
    ResultParams,
    available_methods,
    find_round,
    parse_params,
    study_groups,
)

TIDY_COLUMNS = [
    "round", "expert", "group", "option", "criterion", "kind", "weight", "value",
    "lowest", "best", "highest", "confidence", "abstained", "rationale", "submitted_at",
]
SEED = 0  # the bootstrap seed: the same data always gives the same page


def pseudonyms(study_id: int) -> dict[int, str]:
    """Stable pseudonyms E001, E002, … by order of joining the panel."""
    ids = db.session.scalars(
        select(Expert.id).where(Expert.study_id == study_id).order_by(Expert.id)
    )
    return {expert_id: f"E{n:03d}" for n, expert_id in enumerate(ids, start=1)}


def judgments_query(round_ids: Iterable[int]):
    """The SELECT behind the tidy frame: one row per expert × option × criterion."""
    return (
        select(
            Round.number, Response.expert_id, Expert.group, Option.title, Criterion.name,
            Criterion.kind, Criterion.weight, Judgment.value, Judgment.lowest, Judgment.best,
            Judgment.highest, Judgment.confidence, Judgment.abstained, OptionComment.rationale,
            Response.submitted_at,
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


@dataclass(frozen=True)
class RoundResults:
    """Everything the dashboard shows for one round and one set of choices."""

    params: ResultParams
    ranking: analysis.RankingResult
    table: pd.DataFrame  # ranking table + consensus, previous_rank, change
    consensus: pd.DataFrame
    consensus_rule: dict[str, Any]
    rule_text: str
    kendall_w: float | None
    risk: analysis.RiskMatrix | None
    stability: pd.DataFrame | None
    previous_round: int | None
    n_experts: int
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the ranking with intervals, consensus and change."""
        body = self.ranking.to_dict()
        extra = self.table.set_index("option")
        for item in body["options"]:
            row = extra.loc[item["option"]]
            item.update(likelihood=_num(row["likelihood"]), impact=_num(row["impact"]),
                        n_experts=int(row["n_experts"]), consensus=row["consensus"],
                        previous_rank=_int(row["previous_rank"]), change=_int(row["change"]))
        body.update(groups=list(self.params.groups), criterion_weights=dict(self.params.weights),
                    previous_round=self.previous_round, n_experts=self.n_experts,
                    kendall_w=self.kendall_w, summary=self.summary)
        return body


def _num(v: Any) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def submitted_count(round_: Round) -> int:
    """Submitted responses in the round."""
    return db.session.scalar(select(func.count()).select_from(Response).where(
        Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)) or 0


def filter_groups(frame: pd.DataFrame, params: ResultParams) -> pd.DataFrame:
    """Keep the chosen expert groups (all of them by default)."""
    if not params.groups or frame.empty:
        return frame
    return frame[frame["group"].replace("", "all").isin(params.groups)]


def _expert_weights(round_: Round, method: str) -> pd.Series | None:
    if method != "cooke":
        return None
    from elicit.services import calibration

    weights = calibration.performance_weights(round_)
    if weights is None or not (weights > 0).any():
        raise ValidationFailed({"method": "Cooke weights need submitted answers to the "
                                          "calibration questions with known true values."})
    return weights


def rank_frame(frame: pd.DataFrame | analysis.ValidatedJudgments, round_: Round,
               params: ResultParams, *, resamples: int | None = None) -> analysis.RankingResult:
    """Run `analysis.rank_options` on a tidy (or already validated) frame with the choices."""
    if isinstance(frame, pd.DataFrame):
        frame = frame.assign(group=frame["group"].replace("", "all"))
    try:
        return analysis.rank_options(
            frame, method=params.method, round=round_.number,
            criterion_weights=params.criterion_weights(round_.study),
            expert_weights=_expert_weights(round_, params.method),
            resamples=current_app.config["RESULTS_RESAMPLES"] if resamples is None else resamples,
            seed=SEED)
    except ValueError as exc:
        raise ValidationFailed({"method": str(exc)}) from exc


def _previous_ranks(study: Study, round_: Round, params: ResultParams) -> dict[str, int] | None:
    earlier = [r for r in study.rounds if r.number < round_.number]
    if not earlier:
        return None
    before = earlier[-1]
    key = results_cache.make_key("ranks", study.id, before.id, before.data_version,
                                 params.cache_parts())

    def compute() -> dict[str, int]:
        frame = filter_groups(judgments_frame(before), params)
        if frame.empty:
            return {}
        try:
            ranking = rank_frame(frame, before, params, resamples=0)
        except ValidationFailed:
            return {}
        return dict(zip(ranking.table["option"], ranking.table["rank"].astype(int),
                        strict=True))

    return results_cache.cached(key, compute) or None


def round_results(study: Study, params: ResultParams) -> RoundResults | None:
    """The dashboard's results, computed once per (round, data version, choices)."""
    round_ = find_round(study, params.round)
    if round_ is None:
        return None
    found = results_cache.cached(results_key(study, round_, params),
                                 lambda: _compute(study, round_, params) or False)
    return found or None


def results_key(study: Study, round_: Round, params: ResultParams) -> str:
    """The cache key of `round_results` for these choices (the round's data version included)."""
    return results_cache.make_key("round", study.id, round_.id, round_.data_version,
                                  params.cache_parts(), current_app.config["RESULTS_RESAMPLES"])


def results_ready(study: Study, params: ResultParams) -> bool:
    """Whether `round_results` would answer from the cache (no computing)."""
    round_ = find_round(study, params.round)
    return round_ is None or results_cache.backend().get(
        results_key(study, round_, params)) is not None


def judgment_count(round_: Round) -> int:
    """Submitted judgment rows of the round: the size that makes results slow."""
    return db.session.scalar(
        select(func.count()).select_from(Judgment)
        .join(Response, Response.id == Judgment.response_id)
        .where(Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)) or 0


def _compute(study: Study, round_: Round, params: ResultParams) -> RoundResults | None:
    progress.report(0.02, N_("Loading the judgments"))
    frame = filter_groups(judgments_frame(round_), params)
    if frame.empty:
        return None
    live = frame.assign(group=frame["group"].replace("", "all"))
    try:  # checked once here, not again by each analysis below
        valid = analysis.ValidatedJudgments.from_frame(live)
    except ValueError as exc:
        raise ValidationFailed({"method": str(exc)}) from exc
    progress.report(0.1, N_("Ranking the options (bootstrap)"))
    ranking = rank_frame(valid, round_, params)
    progress.report(0.55, N_("Measuring consensus"))
    consensus = analysis.consensus_table(valid, round=round_.number)
    rule = summary.consensus_rule(study)
    frames = {round_.number: live}
    before = _earlier(study, round_)
    if before is not None:
        earlier = filter_groups(judgments_frame(before), params)
        frames[before.number] = earlier.assign(group=earlier["group"].replace("", "all"))
    status = summary.option_status(study, round_, frames, consensus)
    previous = _previous_ranks(study, round_, params)
    table = ranking.table.copy()
    table["consensus"] = table["option"].map(status).fillna("unknown")
    table["previous_rank"] = table["option"].map(previous or {}).astype("float")
    table["change"] = table["previous_rank"] - table["rank"]
    progress.report(0.7, N_("Building the risk matrix (bootstrap)"))
    risk = _risk(valid, round_, params)
    progress.report(0.95, N_("Comparing with the previous round"))
    stability = _stability(study, round_, params)
    w = _kendall_w(valid, round_, rule)
    text = summary.summarize(table, ranking, w, previous_round=bool(previous))
    return RoundResults(params=params, ranking=ranking, table=table, consensus=consensus,
                        consensus_rule=rule, rule_text=summary.rule_text(study), kendall_w=w,
                        risk=risk, stability=stability,
                        previous_round=(round_.number - 1) if previous else None,
                        n_experts=int(frame["expert"].nunique()), summary=text)


def _earlier(study: Study, round_: Round) -> Round | None:
    earlier = [r for r in study.rounds if r.number < round_.number]
    return earlier[-1] if earlier else None


def _risk(valid: analysis.ValidatedJudgments, round_: Round,
          params: ResultParams) -> analysis.RiskMatrix | None:
    kinds = set(valid.frame["kind"])
    if not {"probability", "scale"} <= kinds:
        return None
    try:
        return analysis.risk_matrix(
            valid, method=params.method, round=round_.number,
            criterion_weights=params.criterion_weights(round_.study),
            expert_weights=_expert_weights(round_, params.method),
            resamples=current_app.config["RESULTS_RESAMPLES"], seed=SEED)
    except ValueError:
        return None  # e.g. several probability criteria: the ranking explains why


def _stability(study: Study, round_: Round, params: ResultParams) -> pd.DataFrame | None:
    earlier = [r for r in study.rounds if r.number < round_.number]
    if not earlier:
        return None
    frame = filter_groups(judgments_frame(round_, rounds=[earlier[-1], round_]), params)
    if frame["round"].nunique() < 2:
        return None
    return analysis.stability(frame.assign(group=frame["group"].replace("", "all")))


def _kendall_w(valid: analysis.ValidatedJudgments, round_: Round,
               rule: dict[str, Any]) -> float | None:
    criterion = rule.get("criterion")
    if criterion not in set(valid.frame["criterion"]):
        return None
    grid = analysis.judgment_grid(valid, criterion, round=round_.number)
    if grid.shape[1] < 2 or grid.dropna().shape[0] < 2:
        return None
    w = analysis.kendalls_w(grid.to_numpy(dtype=float)).w
    return float(w) if np.isfinite(w) else None
