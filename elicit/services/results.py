"""Results: judgments out of the database as a tidy frame, into `analysis`.

One path serves the page, the API, the downloads and the CLI: parse the
choices into `ResultParams`, then `round_results(study, params)` returns a
cached `RoundResults` with every table of the dashboard (`round_charts` draws).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
from elicit.services import results_cache, summary
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
    `submitted_at`; experts appear under pseudonyms.
    """
    chosen = list(rounds) if rounds is not None else [round_]
    rows = db.session.execute(judgments_query(r.id for r in chosen)).all()
    names = pseudonyms(round_.study_id)
    frame = pd.DataFrame([(r[0], names[r[1]], *r[2:]) for r in rows], columns=TIDY_COLUMNS)
    frame["rationale"] = frame["rationale"].fillna("")
    frame["abstained"] = frame["abstained"].astype(bool)
    return frame


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


def rank_frame(frame: pd.DataFrame, round_: Round, params: ResultParams,
               *, resamples: int | None = None) -> analysis.RankingResult:
    """Run `analysis.rank_options` on a tidy frame with the chosen parameters."""
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
    key = results_cache.make_key("round", study.id, round_.id, round_.data_version,
                                 params.cache_parts(),
                                 current_app.config["RESULTS_RESAMPLES"])
    found = results_cache.cached(key, lambda: _compute(study, round_, params) or False)
    return found or None


def round_charts(study: Study, params: ResultParams) -> dict[str, analysis.Chart]:
    """The dashboard's SVG charts (forest, risk matrix, acceptability), cached like results.

    Kept apart from `round_results` so the API, CLI and downloads never draw.
    """
    outcome = round_results(study, params)
    if outcome is None:
        return {}
    round_ = find_round(study, params.round)
    key = results_cache.make_key("charts", study.id, round_.id, round_.data_version,
                                 params.cache_parts(),
                                 current_app.config["RESULTS_RESAMPLES"])
    return results_cache.cached(key, lambda: _draw(outcome))


def _draw(outcome: RoundResults) -> dict[str, analysis.Chart]:
    with quiet_charts():
        charts = {"forest": analysis.forest_chart(outcome.ranking)}
        if outcome.ranking.resamples:
            charts["acceptability"] = analysis.acceptability_chart(outcome.ranking)
        if outcome.risk is not None:
            charts["risk"] = analysis.risk_matrix_chart(outcome.risk)
    return charts


def _compute(study: Study, round_: Round, params: ResultParams) -> RoundResults | None:
    frame = filter_groups(judgments_frame(round_), params)
    if frame.empty:
        return None
    ranking = rank_frame(frame, round_, params)
    live = frame.assign(group=frame["group"].replace("", "all"))
    consensus = analysis.consensus_table(live, round=round_.number)
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
    risk = _risk(live, round_, params)
    stability = _stability(study, round_, params)
    w = _kendall_w(live, round_, rule)
    text = summary.summarize(table, ranking, w, previous_round=bool(previous))
    return RoundResults(params=params, ranking=ranking, table=table, consensus=consensus,
                        consensus_rule=rule, rule_text=summary.rule_text(study), kendall_w=w,
                        risk=risk, stability=stability,
                        previous_round=(round_.number - 1) if previous else None,
                        n_experts=int(frame["expert"].nunique()), summary=text)


@contextmanager
def quiet_charts() -> Iterator[None]:
    """Silence matplotlib's missing-glyph warnings (a tab or emoji in an option title)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font",
                                category=UserWarning)
        yield


def _earlier(study: Study, round_: Round) -> Round | None:
    earlier = [r for r in study.rounds if r.number < round_.number]
    return earlier[-1] if earlier else None


def _risk(frame: pd.DataFrame, round_: Round, params: ResultParams) -> analysis.RiskMatrix | None:
    kinds = set(frame["kind"])
    if not {"probability", "scale"} <= kinds:
        return None
    try:
        return analysis.risk_matrix(
            frame, method=params.method, round=round_.number,
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


def _kendall_w(frame: pd.DataFrame, round_: Round, rule: dict[str, Any]) -> float | None:
    criterion = rule.get("criterion")
    if criterion not in set(frame["criterion"]):
        return None
    grid = analysis.judgment_grid(frame, criterion, round=round_.number)
    if grid.shape[1] < 2 or grid.dropna().shape[0] < 2:
        return None
    w = analysis.kendalls_w(grid.to_numpy(dtype=float)).w
    return float(w) if np.isfinite(w) else None


def rank_round(round_: Round, *, method: str = "mean") -> analysis.RankingResult | None:
    """Rank the round's options with the default choices; None without answers."""
    results = round_results(round_.study, ResultParams(round=round_.number, method=method))
    return results.ranking if results else None


def response_status(round_: Round) -> list[dict[str, Any]]:
    """Each invited expert's answer status in the round, under pseudonyms."""
    from elicit.models import Invitation

    names = pseudonyms(round_.study_id)
    rows = db.session.execute(
        select(Expert.id, Expert.group, Response.status, Response.submitted_at)
        .join(Invitation, (Invitation.expert_id == Expert.id)
              & (Invitation.round_id == round_.id))
        .outerjoin(Response, (Response.expert_id == Expert.id)
                   & (Response.round_id == round_.id))
        .order_by(Expert.id)
    ).all()
    return [{"expert": names[expert_id], "group": group or "", "status": status or "invited",
             "submitted_at": when.isoformat() if when and status == ResponseStatus.SUBMITTED
             else None}
            for expert_id, group, status, when in rows]
