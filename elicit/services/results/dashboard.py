"""Results: judgments out of the database as a tidy frame, into `analysis`.

One path serves the page, the API, the downloads and the CLI: parse the
choices into `ResultParams`, then `round_results(study, params)` returns a
cached `RoundResults` with every table of the dashboard (`result_charts` draws the charts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import lazy_loader
from flask import current_app

import analysis
from analysis import cooke
from elicit.errors import ValidationFailed
from elicit.models import Round, Study
from elicit.services.common import progress
from elicit.services.common.progress import N_
from elicit.services.results import cache, calibration, summary
from elicit.services.results.frames import filter_groups, judgments_frame
from elicit.services.results.params import ResultParams, find_round
from elicit.services.studies import consensus

np = lazy_loader.load("numpy")
pd = lazy_loader.load("pandas")

SEED = 0  # the bootstrap seed: the same data always gives the same page


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
    #: calibration too thin, one dominant expert, zero-width intervals (plain words)
    warnings: tuple[str, ...] = ()

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
                    kendall_w=self.kendall_w, summary=self.summary,
                    warnings=list(self.warnings))
        return body


def _num(v: Any) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _expert_weights(round_: Round, method: str) -> pd.Series | None:
    if method != "cooke":
        return None

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
    key = cache.make_key("ranks", study.id, cache.round_version(before),
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

    return cache.cached(key, compute) or None


def round_results(study: Study, params: ResultParams) -> RoundResults | None:
    """The dashboard's results, computed once per (round, data version, choices)."""
    round_ = find_round(study, params.round)
    if round_ is None:
        return None
    found = cache.cached(results_key(study, round_, params),
                                 lambda: _compute(study, round_, params) or False)
    return found or None


def results_key(study: Study, round_: Round, params: ResultParams) -> str:
    """The cache key of `round_results` for these choices (the round's data version included)."""
    return cache.make_key("round", study.id, cache.round_version(round_),
                                  params.cache_parts(), current_app.config["RESULTS_RESAMPLES"])


def results_ready(study: Study, params: ResultParams) -> bool:
    """Whether `round_results` would answer from the cache (no computing)."""
    round_ = find_round(study, params.round)
    return round_ is None or cache.backend().get(
        results_key(study, round_, params)) is not None


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
    consensus_numbers = analysis.consensus_table(valid, round=round_.number)
    rule = consensus.effective_rule(study)
    frames = {round_.number: live}
    before = _earlier(study, round_)
    if before is not None:
        earlier = filter_groups(judgments_frame(before), params)
        frames[before.number] = earlier.assign(group=earlier["group"].replace("", "all"))
    status = summary.option_status(study, round_, frames, consensus_numbers)
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
    warnings = _warnings(round_, params, ranking)
    text = summary.summarize(table, ranking, w, previous_round=bool(previous),
                             caveat=bool(warnings))
    return RoundResults(params=params, ranking=ranking, table=table, consensus=consensus_numbers,
                        consensus_rule=rule, rule_text=consensus.rule_text(study), kendall_w=w,
                        risk=risk, stability=stability,
                        previous_round=(round_.number - 1) if previous else None,
                        n_experts=int(frame["expert"].nunique()), summary=text,
                        warnings=tuple(warnings))


def _warnings(round_: Round, params: ResultParams,
              ranking: analysis.RankingResult) -> list[str]:
    """Why the ranking may not be robust: thin calibration, one dominant expert, zero widths."""
    table = ranking.table
    intervals = (table["option"], table["low"], table["high"]) if ranking.resamples else None
    if params.method != "cooke":
        return cooke.adequacy_warnings(intervals=intervals)
    return cooke.adequacy_warnings(calibration.seed_question_count(round_),
                                   _expert_weights(round_, params.method), intervals)


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
