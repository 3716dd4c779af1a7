"""Plain-language reading of a ranking: who leads, how robust, where the panel disagrees."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from elicit.models import Round, Study
from elicit.services.studies import consensus as consensus_rules

RULE_KINDS = {
    "iqr": ("IQR", "<="),
    "quartile_deviation": ("quartile deviation", "<="),
    "agreement": ("share of experts within one step of the median", ">="),
    "cv": ("coefficient of variation", "<="),
}
CONSENSUS = "consensus"
DISSENT = "no consensus"


def has_organizer_rule(study: Study) -> bool:
    """Whether the organizers chose a rule that `consensus_rules` can evaluate."""
    rule = study.consensus_rule or {}
    return rule.get("kind") in consensus_rules.KINDS and any(
        c.name == rule.get("criterion") for c in study.criteria)


def rule_text(study: Study) -> str:
    """The consensus rule in words (the organizers' rule, or the default)."""
    if has_organizer_rule(study):
        return consensus_rules.describe(study.consensus_rule)
    return "by default " + describe_rule(consensus_rule(study))


def option_status(study: Study, round_: Round, frames: dict[int, pd.DataFrame],
                  consensus: pd.DataFrame) -> dict[str, str]:
    """Per option title: 'consensus', 'no consensus' or 'unknown' in this round.

    The organizers' rule is evaluated by `services.consensus_rules` (the same
    reading as the organizer pages); without one, IQR ≤ 1 on the first scale
    criterion.
    """
    if has_organizer_rule(study):
        report = consensus_rules.evaluate(study, round_, frames)
        if report is not None:
            return {row.option.title: CONSENSUS if row.met else
                    DISSENT if row.met is False else "unknown" for row in report.rows}
    return consensus_status(consensus, consensus_rule(study))


def consensus_rule(study: Study) -> dict[str, Any]:
    """The study's consensus rule, defaulting to IQR ≤ 1 on the first scale criterion."""
    rule = dict(study.consensus_rule or {})
    scale = [c.name for c in study.criteria if c.kind == "scale"]
    rule.setdefault("kind", "iqr")
    rule.setdefault("threshold", 1.0)
    if not rule.get("criterion"):
        rule["criterion"] = scale[0] if scale else (study.criteria[0].name
                                                    if study.criteria else "")
    if rule["kind"] not in RULE_KINDS:
        rule["kind"] = "iqr"
    return rule


def describe_rule(rule: dict[str, Any]) -> str:
    """'IQR <= 1 on Impact' in words."""
    name, op = RULE_KINDS[rule["kind"]]
    sign = "≤" if op == "<=" else "≥"
    return f"{name} {sign} {rule['threshold']:g} on {rule['criterion']}"


def consensus_status(consensus: pd.DataFrame, rule: dict[str, Any]) -> dict[str, str]:
    """Per option: 'consensus' or 'no consensus' under the rule (empty if not applicable)."""
    rows = consensus[consensus["criterion"] == rule["criterion"]]
    column = rule["kind"]
    _, op = RULE_KINDS[column]
    threshold = float(rule["threshold"])
    status = {}
    for option, value in zip(rows["option"], rows[column], strict=True):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            status[option] = "unknown"
        elif (value <= threshold + 1e-12) if op == "<=" else (value >= threshold - 1e-12):
            status[option] = CONSENSUS
        else:
            status[option] = DISSENT
    return status


def _robustness(p_first: float) -> str:
    if p_first >= 0.9:
        return "a robust lead"
    if p_first >= 0.6:
        return "a fairly robust lead"
    return "an uncertain lead"


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _strength(w: float) -> str:
    return "strong" if w >= 0.7 else "moderate" if w >= 0.3 else "weak"


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def summarize(table: pd.DataFrame, ranking: Any, kendall_w: float | None,
              *, previous_round: bool) -> str:
    """One paragraph generated from the numbers of a ranking table."""
    top = table.iloc[0]
    parts = [f"{top['option']} ranks first with an aggregated expected impact of "
             f"{top['score']:.2f}"]
    if ranking.resamples and math.isfinite(top["p_first"]):
        parts[0] += (f" ({_pct(ranking.interval)} interval {top['low']:.2f} to {top['high']:.2f})"
                     f"; it is first in {_pct(top['p_first'])} of the bootstrap resamples of "
                     f"experts, {_robustness(float(top['p_first']))}.")
        rivals = [r["option"] for _, r in table.iloc[1:].iterrows()
                  if r["p_first"] >= 0.1]
        if rivals:
            parts.append(f"{_names(rivals)} could also come first "
                         f"(P(rank 1) of at least 10 %).")
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
        parts.append(f"The panel reaches consensus on all {agreed} options.")
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
            parts.append(f"Since the previous round {len(moved)} option(s) changed rank; "
                         f"{biggest['option']} moved {direction} "
                         f"{abs(int(biggest['change']))} place(s).")
    return " ".join(parts)
