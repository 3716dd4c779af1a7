"""The analyst's choices behind a result: round, method, criterion weights, groups."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from elicit.errors import NotFound, ValidationFailed
from elicit.extensions import db
from elicit.models import Expert, Round, Study

METHOD_LABELS = {
    "mean": "Equal-weight mean",
    "median": "Median",
    "trimmed": "Trimmed mean",
    "geo-odds": "Geometric mean of odds",
    "extremized": "Extremized log-odds",
    "cooke": "Cooke performance weights",
}

@dataclass(frozen=True)
class ResultParams:
    """The analyst's choices; everything that changes a result."""

    round: int
    method: str = "mean"
    weights: tuple[tuple[str, float], ...] = ()  # criterion name → weight override
    groups: tuple[str, ...] = ()

    def criterion_weights(self, study: Study) -> dict[str, float] | None:
        """Weights of every scale criterion, with the overrides applied; None if none."""
        if not self.weights:
            return None
        chosen = dict(self.weights)
        return {c.name: chosen.get(c.name, c.weight) for c in study.criteria
                if c.kind == "scale"}

    def query_args(self, study: Study) -> dict[str, Any]:
        """The URL query arguments that reproduce these choices."""
        args: dict[str, Any] = {"round": self.round, "method": self.method}
        names = dict(self.weights)
        for c in study.criteria:
            if c.name in names:
                args[f"w{c.position}"] = _plain(names[c.name])
        if self.groups:
            args["group"] = list(self.groups)
        return args

    def cache_parts(self) -> list[Any]:
        return [self.round, self.method, list(self.weights), list(self.groups)]


def _plain(x: float) -> str:
    return f"{x:g}"


def available_methods(study: Study) -> dict[str, str]:
    """Aggregation methods offered for the study (Cooke only with seed questions)."""
    methods = dict(METHOD_LABELS)
    if not any(q.realization is not None for q in study.seed_questions):
        methods.pop("cooke")
    return methods


def study_groups(study: Study) -> list[str]:
    """The expert groups of the panel, sorted (empty groups read as 'all')."""
    groups = db.session.scalars(select(Expert.group).where(Expert.study_id == study.id)
                                .distinct())
    return sorted({g or "all" for g in groups})


def parse_params(study: Study, args: Mapping[str, Any]) -> ResultParams:
    """Read the choices from query arguments; ValidationFailed or NotFound when wrong.

    `args` is a werkzeug MultiDict or a plain mapping (lists for `group`).
    """
    method = str(args.get("method") or "mean")
    if method not in available_methods(study):
        raise ValidationFailed({"method": f"Unknown aggregation method {method!r}; choose "
                                          f"one of {', '.join(available_methods(study))}."})
    round_ = find_round(study, args.get("round"))
    weights = []
    for c in study.criteria:
        raw = args.get(f"w{c.position}")
        if raw in (None, "") or c.kind != "scale":
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and -100 <= value <= 100):
            raise ValidationFailed({f"w{c.position}": f"The weight of {c.name} must be a "
                                                      "number from -100 to 100."})
        if value != c.weight:
            weights.append((c.name, value))
    wanted = args.getlist("group") if hasattr(args, "getlist") else args.get("group") or []
    if isinstance(wanted, str):
        wanted = [wanted]
    groups = tuple(sorted({g for g in wanted if g}))
    unknown = set(groups) - set(study_groups(study))
    if unknown:
        raise ValidationFailed({"group": f"Unknown expert group(s): {', '.join(sorted(unknown))}."})
    if set(groups) == set(study_groups(study)):
        groups = ()  # every group is the whole panel
    return ResultParams(round=round_.number if round_ else 0, method=method,
                        weights=tuple(weights), groups=groups)


def find_round(study: Study, number: Any = None) -> Round | None:
    """The round with that number (NotFound if none); the current round by default."""
    if number in (None, ""):
        return study.current_round
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        raise NotFound("round") from None
    for round_ in study.rounds:
        if round_.number == wanted:
            return round_
    raise NotFound("round")
