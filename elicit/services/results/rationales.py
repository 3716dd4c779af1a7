"""One option in depth: the experts' anonymised rationales grouped by stance."""

from __future__ import annotations

from dataclasses import dataclass, replace

import lazy_loader

import analysis
from elicit.models import Option, Study
from elicit.services.results import cache, frames
from elicit.services.results import charts as result_charts
from elicit.services.results.params import ResultParams, find_round
from elicit.services.studies import consensus

pd = lazy_loader.load("pandas")

STANCES = ("beneficial", "neutral", "harmful", "abstained")


@dataclass(frozen=True)
class Rationale:
    expert: str  # pseudonym
    group: str
    value: float | None
    text: str
    dissent: bool


@dataclass(frozen=True)
class OptionDetail:
    option_id: int
    title: str
    description: str
    criterion: str  # the criterion the stance is read on
    median: float | None
    groups: dict[str, list[Rationale]]  # stance → rationales
    distributions: list[analysis.Chart]


def _stance(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "abstained"
    return "beneficial" if value > 0 else "harmful" if value < 0 else "neutral"


def option_detail(study: Study, params: ResultParams, option: Option) -> OptionDetail:
    """The option's rationales by stance and its distribution charts (cached)."""
    round_ = find_round(study, params.round)
    key = cache.make_key("option", study.id, option.id, params.cache_parts(),
                                 cache.round_version(round_) if round_ else None)
    return cache.cached(key, lambda: _detail(study, params, option))


def _detail(study: Study, params: ResultParams, option: Option) -> OptionDetail:
    """Rationales of one option grouped by the stance the expert's rating expresses.

    The stance is the sign of the expert's answer on the consensus criterion
    (a scale criterion whose 0 is neutral); an answer further than one step
    (or one IQR, if wider) from the panel median is marked as dissent.
    """
    round_ = find_round(study, params.round)
    frame = frames.judgments_frame(round_) if round_ else pd.DataFrame(
        columns=frames.TIDY_COLUMNS)
    frame = frames.filter_groups(frame, params)
    rows = frame[frame["option"] == option.title]
    criterion = consensus.effective_rule(study).get("criterion", "")
    on = rows[rows["criterion"] == criterion]
    values = pd.to_numeric(on["value"], errors="coerce")
    median = float(values.median()) if values.notna().any() else None
    spread = max(1.0, float(values.quantile(0.75) - values.quantile(0.25))) \
        if values.notna().any() else 1.0
    groups: dict[str, list[Rationale]] = {s: [] for s in STANCES}
    for row, value in zip(on.itertuples(), values, strict=True):
        v = None if pd.isna(value) else float(value)
        dissent = v is not None and median is not None and abs(v - median) > spread
        groups[_stance(v)].append(Rationale(expert=row.expert, group=row.group or "all",
                                            value=v, text=row.rationale, dissent=dissent))
    charts = []
    live = rows.assign(group=rows["group"].replace("", "all"))
    for name in dict.fromkeys(live["criterion"]):
        answered = live[(live["criterion"] == name) & ~live["abstained"]]
        if not answered.empty:
            with result_charts.quiet_charts():
                chart = analysis.distribution_chart(
                    live, name, title=f"{name}: the experts' judgments")
            if (answered["kind"] == "probability").all():  # its data table prints percentages
                chart = replace(chart, data=chart.data.rename(columns={"value": "probability"}))
            charts.append(chart)
    return OptionDetail(option_id=option.id, title=option.title,
                        description=option.description, criterion=criterion, median=median,
                        groups={k: v for k, v in groups.items() if v}, distributions=charts)
