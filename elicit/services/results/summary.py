"""Plain-language reading of a ranking: who leads, how robust, where the panel disagrees."""

from __future__ import annotations

import math
from typing import Any

import lazy_loader

from elicit.models import Round, Study
from elicit.services.common import numbers
from elicit.services.studies import consensus

pd = lazy_loader.load("pandas")

CONSENSUS = "consensus"
DISSENT = "no consensus"


def _count(n: int, noun: str) -> str:
    """'1 option', '2 options'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def option_status(study: Study, round_: Round, frames: dict[int, pd.DataFrame],
                  numbers: pd.DataFrame | None = None) -> dict[str, str]:
    """Per option title: 'consensus', 'no consensus' or 'unknown' in this round.

    The rule is the study's effective rule (`studies.consensus.effective_rule`),
    evaluated exactly as the organizer pages evaluate it; `numbers` is the
    round's consensus table if already computed.
    """
    report = consensus.evaluate(study, round_, frames, rule=consensus.effective_rule(study),
                                numbers=numbers)
    if report is None:
        return {}
    return {row.option.title: CONSENSUS if row.met else DISSENT if row.met is False
            else "unknown" for row in report.rows}


def _robustness(p_first: float, caveat: bool = False) -> str:
    if caveat:
        return ("but the warnings above mean this cannot be called robust "
                "(P(rank 1) is a bootstrap proportion over experts)")
    if p_first >= 0.9:
        return "a robust lead"
    if p_first >= 0.6:
        return "a fairly robust lead"
    return "an uncertain lead"


def _pct(x: float) -> str:
    return numbers.probability(x)


def _strength(w: float) -> str:
    return "strong" if w >= 0.7 else "moderate" if w >= 0.3 else "weak"


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def summarize(table: pd.DataFrame, ranking: Any, kendall_w: float | None,
              *, previous_round: bool, caveat: bool = False) -> str:
    """One paragraph generated from the numbers of a ranking table.

    With ``caveat`` (too little calibration, one dominant expert, zero-width
    intervals: see `dashboard._warnings`) the lead is never called robust.
    """
    top = table.iloc[0]
    parts = [f"{top['option']} ranks first with an aggregated expected impact of "
             f"{numbers.scale_value(top['score'])}"]
    if ranking.resamples and math.isfinite(top["p_first"]):
        low, high = numbers.scale_value(top["low"]), numbers.scale_value(top["high"])
        parts[0] += (f" ({_pct(ranking.interval)} interval {low} to {high})"
                     f"; it is first in {_pct(top['p_first'])} of the bootstrap resamples of "
                     f"experts, {_robustness(float(top['p_first']), caveat)}.")
        rivals = [r["option"] for _, r in table.iloc[1:].iterrows()
                  if r["p_first"] >= 0.1]
        if rivals:
            parts.append(f"{_names(rivals)} could also come first "
                         f"(P(rank 1) of at least {_pct(0.1)}).")
        if len(table) > 1:
            second = table.iloc[1]
            overlap = second["high"] >= top["low"]
            parts.append(f"Its interval {'overlaps' if overlap else 'does not overlap'} that "
                         f"of {second['option']} in second place.")
    else:
        parts[0] += "."
    if len(table) >= 3:
        parts.append(f"The top three are {_names(list(table['option'][:3]))}.")
    dissent = list(table.loc[table["consensus"] == DISSENT, "option"])
    agreed = int((table["consensus"] == CONSENSUS).sum())
    if dissent:
        parts.append(f"The panel reaches consensus on {agreed} of {len(table)} options and "
                     f"disagrees on {_names(dissent[:5])}"
                     f"{' and others' if len(dissent) > 5 else ''}.")
    elif agreed:
        parts.append("The panel reaches consensus on the only option." if agreed == 1 else
                     f"The panel reaches consensus on all {agreed} options.")
    if kendall_w is not None:
        parts.append(f"Agreement on the order of the options is {_strength(kendall_w)} "
                     f"(Kendall's W = {kendall_w:.2f}).")
    if previous_round:
        moved = table.dropna(subset=["change"])
        moved = moved[moved["change"] != 0]
        if moved.empty:
            parts.append("No option changed rank since the previous round.")
        else:
            biggest = moved.loc[moved["change"].abs().idxmax()]
            direction = "up" if biggest["change"] > 0 else "down"
            places = abs(int(biggest["change"]))
            parts.append(f"Since the previous round {_count(len(moved), 'option')} changed "
                         f"rank; {biggest['option']} moved {direction} "
                         f"{_count(places, 'place')}.")
    return " ".join(parts)
