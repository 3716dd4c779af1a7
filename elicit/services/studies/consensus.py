"""Consensus and stopping rules: validate, describe and evaluate them per option.

A rule is a small JSON object stored on the study, chosen before round 1 and
changed between rounds only as a recorded protocol change (`protocol_changes`):

- ``{"kind": "iqr", "criterion": "Impact", "threshold": 1}``: consensus when
  the interquartile range of the panel's answers is at most `threshold`;
- ``{"kind": "agreement", "criterion": "Impact", "tolerance": 1, "threshold": 0.7}``:
  when at least `threshold` of the experts lie within `tolerance` of the median;
- ``{"kind": "stability", "criterion": "Impact", "threshold": 0.5}``: when
  both the median and the IQR moved by at most `threshold` since the previous
  round.

Thresholds and tolerances are in the criterion's units; for a probability
criterion they are in percentage points (10 = ten points). The numbers come
from `analysis.consensus_table` and `analysis.stability`.

This module is the only consensus vocabulary: the organizer pages, the round
overview (which options to stop asking) and the results dashboard all read a
rule through `validate_rule`, `describe` and `evaluate`. Without a rule of the
organizers', the results use `effective_rule`: IQR ≤ 1 on the first scale
criterion (≤ 10 points on a probability criterion when there is no scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import lazy_loader
from sqlalchemy import select

import analysis
from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, Criterion, Option, Round, Study

pd = lazy_loader.load("pandas")

REASON_MAX = 1_000  # characters of the reason given for a protocol change
DEFAULT_THRESHOLD = {"scale": 1.0, "probability": 10.0}  # rule units (points for probabilities)
KINDS = {
    "iqr": "IQR at most the threshold",
    "agreement": "share of experts within the tolerance of the median at least the threshold",
    "stability": "median and IQR changed by at most the threshold since the previous round",
}


@dataclass(frozen=True)
class OptionConsensus:
    option: Option
    n: int
    median: float | None
    iqr: float | None
    agreement: float | None
    delta_median: float | None
    delta_iqr: float | None
    met: bool | None  # None: not enough data to tell


@dataclass(frozen=True)
class ConsensusReport:
    rule: dict[str, Any]
    description: str
    rows: list[OptionConsensus]
    probability: bool = False  # the rule reads a probability criterion (fractions)

    @property
    def met_options(self) -> list[Option]:
        return [row.option for row in self.rows if row.met]


def _number(rule: dict[str, Any], key: str, errors: dict[str, str], *, low: float,
            high: float) -> float | None:
    raw = rule.get(key)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors[key] = f"Enter a number for the {key}."
        return None
    if not math.isfinite(value) or not low <= value <= high:
        errors[key] = f"The {key} must lie between {low:g} and {high:g}."
        return None
    return value


def validate_rule(rule: dict[str, Any], study: Study) -> dict[str, Any]:
    """Return the cleaned rule, or raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    kind = rule.get("kind")
    if kind not in KINDS:
        raise ValidationFailed({"kind": f"Choose one of: {', '.join(KINDS)}."})
    names = {c.name: c for c in study.criteria}
    criterion = names.get(rule.get("criterion") or "")
    if criterion is None:
        errors["criterion"] = "Choose one of the study's criteria."
    clean: dict[str, Any] = {"kind": kind, "criterion": rule.get("criterion")}
    span = _span(criterion)
    if kind == "agreement":
        clean["tolerance"] = _number(rule, "tolerance", errors, low=0, high=span)
        clean["threshold"] = _number(rule, "threshold", errors, low=0.01, high=1)
    else:
        clean["threshold"] = _number(rule, "threshold", errors, low=0, high=span)
    if errors:
        raise ValidationFailed(errors)
    return clean


def _span(criterion: Criterion | None) -> float:
    if criterion is None or criterion.is_probability:
        return 100.0
    return float(criterion.scale_max - criterion.scale_min)


def _factor(criterion: Criterion) -> float:
    """Rule units → data units (probabilities are stored as fractions)."""
    return 0.01 if criterion.is_probability else 1.0


def describe(rule: dict[str, Any] | None) -> str:
    """One sentence an organizer (and the panel) can read."""
    if not rule or rule.get("kind") not in KINDS:
        return "No consensus rule chosen yet."
    crit, kind = rule.get("criterion"), rule["kind"]
    if kind == "iqr":
        return f"Consensus on an option when the IQR of “{crit}” is at most {rule['threshold']:g}."
    if kind == "agreement":
        return (f"Consensus on an option when at least {rule['threshold']:.0%} of the experts "
                f"answer “{crit}” within {rule['tolerance']:g} of the panel's median.")
    return (f"Stop asking about an option when the median and the IQR of “{crit}” each moved "
            f"by at most {rule['threshold']:g} since the previous round.")


def is_chosen(study: Study) -> bool:
    """Whether the organizers chose a rule that can be evaluated on this study."""
    rule = study.consensus_rule or {}
    return rule.get("kind") in KINDS and any(
        c.name == rule.get("criterion") for c in study.criteria)


def effective_rule(study: Study) -> dict[str, Any]:
    """The organizers' rule, else the default: IQR ≤ 1 on the first scale criterion.

    Without a scale criterion the default reads the first criterion (a
    probability: IQR ≤ 10 points). Empty when the study has no criteria.
    """
    if is_chosen(study):
        return dict(study.consensus_rule)
    if not study.criteria:
        return {}
    criterion = next((c for c in study.criteria if c.kind == "scale"), study.criteria[0])
    return {"kind": "iqr", "criterion": criterion.name,
            "threshold": DEFAULT_THRESHOLD["probability" if criterion.is_probability
                                           else "scale"]}


def rule_text(study: Study) -> str:
    """The rule the results read, in words (marked as the default when it is)."""
    rule = effective_rule(study)
    if not rule:
        return describe(None)
    if is_chosen(study):
        return describe(rule)
    return describe(rule).removesuffix(".") + " (the default: the organizers chose no rule)."


def evaluate(study: Study, round_: Round, frames: dict[int, pd.DataFrame], *,
             rule: dict[str, Any] | None = None,
             numbers: pd.DataFrame | None = None) -> ConsensusReport | None:
    """Evaluate a rule on round `round_`; `frames` maps round number → tidy judgments.

    `rule` defaults to the organizers' rule (`study.consensus_rule`); pass
    `effective_rule(study)` to fall back on the default. `numbers` is the
    round's `analysis.consensus_table` when the caller has it already (its
    medians and IQRs are reused; an agreement rule recomputes with its own
    tolerance). Returns None when the rule cannot be evaluated (unknown kind or
    criterion).
    """
    rule = study.consensus_rule or {} if rule is None else rule
    criterion = next((c for c in study.criteria if c.name == rule.get("criterion")), None)
    if rule.get("kind") not in KINDS or criterion is None:
        return None
    current = frames.get(round_.number, pd.DataFrame())
    table = _table(current, criterion, rule, numbers)
    changes = _changes(frames, round_.number, criterion) if rule["kind"] == "stability" else {}
    rows = []
    for option in study.options:
        cell = table.get(option.title, {})
        change = changes.get(option.title, {})
        rows.append(OptionConsensus(
            option=option, n=int(cell.get("n", 0)), median=cell.get("median"),
            iqr=cell.get("iqr"), agreement=cell.get("agreement"),
            delta_median=change.get("delta_median"), delta_iqr=change.get("delta_iqr"),
            met=_met(rule, criterion, cell, change)))
    return ConsensusReport(rule=rule, description=describe(rule), rows=rows,
                           probability=criterion.is_probability)


def _table(frame: pd.DataFrame, criterion: Criterion, rule: dict[str, Any],
           numbers: pd.DataFrame | None) -> dict:
    if numbers is not None and rule["kind"] != "agreement":
        table = numbers[numbers["criterion"] == criterion.name]
        return {r["option"]: {k: _clean(r[k]) for k in ("n", "median", "iqr", "agreement")}
                for r in table.to_dict("records")}
    rows = frame[frame["criterion"] == criterion.name] if not frame.empty else frame
    if rows.empty:
        return {}
    tolerance = rule.get("tolerance", 1.0 if not criterion.is_probability else 10.0)
    table = analysis.consensus_table(rows, tolerance=tolerance * _factor(criterion))
    return {r["option"]: {k: _clean(r[k]) for k in ("n", "median", "iqr", "agreement")}
            for r in table.to_dict("records")}


def _changes(frames: dict[int, pd.DataFrame], number: int, criterion: Criterion) -> dict:
    before, after = frames.get(number - 1), frames.get(number)
    if before is None or after is None or before.empty or after.empty:
        return {}
    both = pd.concat([before, after], ignore_index=True)
    both = both[both["criterion"] == criterion.name]
    if both["round"].nunique() < 2:
        return {}
    table = analysis.stability(both, before=number - 1, after=number)
    return {r["option"]: {k: _clean(r[k]) for k in ("delta_median", "delta_iqr")}
            for r in table.to_dict("records")}


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _met(rule: dict[str, Any], criterion: Criterion, cell: dict, change: dict) -> bool | None:
    threshold = float(rule["threshold"])
    if not cell or not cell.get("n"):
        return None
    if rule["kind"] == "iqr":
        return None if cell["iqr"] is None else cell["iqr"] <= threshold * _factor(criterion) + 1e-9
    if rule["kind"] == "agreement":
        return None if cell["agreement"] is None else cell["agreement"] >= threshold - 1e-9
    if change.get("delta_median") is None or change.get("delta_iqr") is None:
        return None
    limit = threshold * _factor(criterion) + 1e-9
    return abs(change["delta_median"]) <= limit and abs(change["delta_iqr"]) <= limit


@dataclass(frozen=True)
class ProtocolChange:
    """The consensus rule changed between rounds: when, after which round, from what, why."""

    when: Any  # datetime of the change
    after_round: int
    before: str
    after: str
    reason: str


def _quoted(sentence: str) -> str:
    """A rule quoted inside a sentence: its own period goes ('at most 1.”.' was a slip)."""
    return sentence.removesuffix(".")


def protocol_changes(study: Study) -> list[ProtocolChange]:
    """Every change of the consensus rule made after round 1 opened, oldest first.

    Read from the append-only audit log, where `builder.set_consensus_rule`
    records each one with its reason.
    """
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.study_id == study.id, AuditEvent.action == "study.consensus_rule")
        .order_by(AuditEvent.id))
    return [ProtocolChange(e.created_at, int(e.details["after_round"]),
                           _quoted(describe(e.details.get("before"))),
                           _quoted(describe(e.details.get("after"))),
                           str(e.details.get("reason", "")))
            for e in events if (e.details or {}).get("protocol_change")]
