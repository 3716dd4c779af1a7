"""Risk-matrix data: aggregated likelihood and impact per option, with intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis import intervals
from analysis._json import records
from analysis._methods import Method, aggregate, check_method, check_parameters, sorts
from analysis.bootstrap import check_seed, iter_resamples
from analysis.matrices import ExpertOptionData, build_matrices, expert_weight_vector
from analysis.pooling import DEFAULT_EPS
from analysis.provenance import Provenance, make_provenance
from analysis.validation import (
    COLUMNS,
    Judgments,
    ValidatedJudgments,
    select_round,
    validate_judgments,
)

__all__ = ["RiskMatrix", "risk_matrix"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RiskMatrix:
    """Aggregated likelihood and impact per option.

    Attributes
    ----------
    table : pandas.DataFrame
        ``option, likelihood, likelihood_low, likelihood_high, impact,
        impact_low, impact_high, n_experts`` sorted by option.
    method : str
    interval : float
        Level of the bootstrap intervals (method in
        ``provenance.parameters["interval_method"]``).
    probability_criterion : str
    provenance : Provenance
    """

    table: pd.DataFrame
    method: str
    interval: float
    probability_criterion: str
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: method, interval, per-option rows, provenance (NaN: None)."""
        return {"method": self.method, "interval": self.interval,
                "probability_criterion": self.probability_criterion,
                "options": records(self.table), "provenance": self.provenance.to_dict()}


def risk_matrix(judgments: Judgments, *, method: Method = "mean", round: int | None = None,
                criterion_weights: Mapping[str, float] | None = None,
                expert_weights: pd.Series | None = None, groups: Sequence[str] | None = None,
                resamples: int = 2_000, seed: int | None = 0, interval: float = 0.9,
                trim: float = 0.1, extremize_d: float = 2.5,
                eps: float = DEFAULT_EPS) -> RiskMatrix:
    r"""Aggregate likelihood (probability criterion) and impact (weighted scale sum).

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments with one probability criterion and scale criteria.
    method, round, criterion_weights, expert_weights, groups, seed, trim, extremize_d, eps
        As in :func:`analysis.rank_options` (``cooke`` needs ``expert_weights``).
    resamples : int
        Bootstrap resamples of experts for the intervals (0: none).
    interval : float
        Level of the percentile intervals.

    Returns
    -------
    RiskMatrix

    Notes
    -----
    Likelihood :math:`\hat p_o` pools :math:`p_{e,o}` and impact
    :math:`\hat v_o` pools :math:`\sum_c w_c v_{e,o,c}`, each with the chosen
    method (``geo-odds``/``extremized`` pool the likelihood in log-odds and
    average the impact), over experts who answered every criterion used.
    Intervals are bootstrap intervals over experts chosen from the method
    as in :func:`analysis.rank_options` (studentized for ``mean``/``cooke``,
    expanded percentile for ``trimmed``/``geo-odds``/``extremized``,
    percentile for ``median``; :mod:`analysis.intervals`).

    References
    ----------
    .. [1] Cox, L. A. (2008). What's wrong with risk matrices? Risk Analysis,
       28(2), 497-512.
    .. [2] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the
       Bootstrap. Chapman & Hall.
    """
    valid = validate_judgments(judgments)
    check_method(method)
    check_parameters(trim, extremize_d, eps)
    if not 0.0 < interval < 1.0:
        raise ValueError(f"interval must lie in (0, 1), got {interval!r}")
    if not (isinstance(resamples, int | np.integer) and resamples >= 0):
        raise ValueError(f"resamples must be a non-negative integer, got {resamples!r}")
    check_seed(seed)
    rows, chosen = select_round(valid, round, groups)
    data = build_matrices(rows, criterion_weights)
    if data.probability_criterion is None or not data.scale_weights:
        raise ValueError("a risk matrix needs a probability criterion and a scale criterion")
    if method == "cooke" and expert_weights is None:
        raise ValueError("method 'cooke' needs expert_weights")
    base, _ = expert_weight_vector(expert_weights, data.experts)
    params = dict(trim=trim, extremize_d=extremize_d, eps=eps)
    parts = ("likelihood", "impact")
    point = aggregate(data, base[None], method, parts=parts, **params)
    o = len(data.options)
    bounds = {p: (np.full(o, np.nan), np.full(o, np.nan)) for p in parts}
    kind = intervals.interval_method(method)
    if resamples:
        bounds = _intervals(data, base, method, params, point, resamples, seed, interval)
    table = pd.DataFrame({
        "option": data.options.to_numpy(dtype=object),
        "likelihood": point["likelihood"][0], "likelihood_low": bounds["likelihood"][0],
        "likelihood_high": bounds["likelihood"][1], "impact": point["impact"][0],
        "impact_low": bounds["impact"][0], "impact_high": bounds["impact"][1],
        "n_experts": data.present.sum(axis=0),
    })
    provenance = make_provenance(method, {
        "round": chosen, "resamples": int(resamples), "interval": interval,
        "interval_method": kind, "interval_reference": intervals.INTERVAL_REFERENCES[kind],
        "trim": trim,
        "extremize_d": extremize_d, "eps": eps, "criterion_weights": data.scale_weights,
        "groups": None if groups is None else [str(g) for g in groups],
    }, None if seed is None else int(seed),
        judgments if isinstance(judgments, ValidatedJudgments) else valid, COLUMNS)
    return RiskMatrix(table=table, method=method, interval=interval,
                      probability_criterion=data.probability_criterion, provenance=provenance)


def _intervals(data: ExpertOptionData, base: FloatArray, method: str,
               params: dict[str, float], point: dict[str, FloatArray], resamples: int,
               seed: int | None, interval: float) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Bootstrap intervals of likelihood and impact (method per :mod:`analysis.intervals`)."""
    o = len(data.options)
    kind = intervals.interval_method(method)
    parts = ("likelihood", "impact")
    values = np.hstack([data.likelihood, data.impact])
    est = np.hstack([point["likelihood"][0], point["impact"][0]])
    studentized = kind == "studentized"
    boot = np.empty((resamples, 4 * o if studentized else 2 * o))

    def both(w: FloatArray) -> FloatArray:
        out = aggregate(data, w, method, parts=parts, **params)
        x = np.hstack([out["likelihood"], out["impact"]])
        if not studentized:
            return x
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (x - est[None, :]) / intervals.weighted_mean_se(values, w, base)
        return np.hstack([x, t])

    per = 2 * len(data.experts) * o if sorts(method) else len(data.experts) + 4 * o
    for start, chunk in iter_resamples(both, base, resamples, seed, per):
        boot[start:start + len(chunk)] = chunk
    lo, hi = intervals.bootstrap_bounds(kind, est, values, base, boot, interval)
    return {"likelihood": (lo[:o], hi[:o]), "impact": (lo[o:], hi[o:])}
