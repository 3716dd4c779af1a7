"""A round at a glance: responses over time, dispersion per option, consensus reached."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import lazy_loader
from sqlalchemy import select

import analysis
from elicit.extensions import db
from elicit.models import Option, Response, ResponseStatus, Round, Study
from elicit.services.results.frames import judgments_frame
from elicit.services.studies import consensus, questions

pd = lazy_loader.load("pandas")


@dataclass(frozen=True)
class DayCount:
    day: date
    submitted: int
    cumulative: int


@dataclass(frozen=True)
class Dispersion:
    option: str
    criterion: str
    is_probability: bool
    n: int
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None


def responses_over_time(round_: Round) -> list[DayCount]:
    """Submissions per day (first submission of each expert) and the running total."""
    times = db.session.scalars(select(Response.submitted_at).where(
        Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED))
    per_day = Counter(t.date() for t in times if t is not None)
    total, rows = 0, []
    for day in sorted(per_day):
        total += per_day[day]
        rows.append(DayCount(day, per_day[day], total))
    return rows


def frames_for(study: Study, number: int) -> dict[int, pd.DataFrame]:
    """Tidy judgments of round `number` and the one before it, by round number."""
    frames = {}
    for round_ in study.rounds:
        if round_.number in (number - 1, number):
            frames[round_.number] = judgments_frame(round_)
    return frames


def dispersion(study: Study, frame: pd.DataFrame) -> list[Dispersion]:
    """Count, median and IQR per option × criterion (probabilities as fractions)."""
    if frame.empty or (~frame["abstained"]).sum() == 0:
        return []
    table = analysis.consensus_table(frame)
    kinds = {c.name: c.is_probability for c in study.criteria}
    order = {o.title: o.position for o in study.options}
    rows = [Dispersion(option=r["option"], criterion=r["criterion"],
                       is_probability=kinds.get(r["criterion"], False), n=int(r["n"]),
                       **{k: _num(r[k]) for k in ("median", "q1", "q3", "iqr")})
            for r in table.to_dict("records")]
    return sorted(rows, key=lambda d: (order.get(d.option, 0), d.criterion))


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def consensus_report(study: Study, round_: Round) -> consensus.ConsensusReport | None:
    """Which options met the study's consensus rule in this round."""
    return consensus.evaluate(study, round_, frames_for(study, round_.number))


def retire_consensus_options(study: Study, number: int, *, actor_id: int | None) -> list[Option]:
    """Retire, after round `number`, every still-asked option that met the rule (no commit)."""
    round_ = next((r for r in study.rounds if r.number == number), None)
    report = consensus_report(study, round_) if round_ is not None else None
    if report is None:
        return []
    retired = []
    for option in report.met_options:
        if option.retired_after_round is None:
            questions.retire_option(option, actor_id=actor_id, after_round=number, commit=False)
            retired.append(option)
    return retired
