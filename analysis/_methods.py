"""Ranking methods as functions of an expert-weight matrix (one row per scenario)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from analysis._weighted import Kernel, expit, logit, weighted_aggregate
from analysis.matrices import ExpertOptionData

Method = Literal["mean", "median", "trimmed", "geo-odds", "extremized", "cooke"]
METHODS: tuple[str, ...] = ("mean", "median", "trimmed", "geo-odds", "extremized", "cooke")
Part = Literal["score", "likelihood", "impact"]
FloatArray = npt.NDArray[np.float64]

_KERNEL: dict[str, Kernel] = {"mean": "mean", "cooke": "mean", "median": "median",
                              "trimmed": "trimmed", "geo-odds": "mean", "extremized": "mean"}


def check_method(method: str, data: ExpertOptionData | None = None) -> None:
    """Raise ``ValueError`` for an unknown method or one the data cannot support."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS)}")
    if data is not None and method in ("geo-odds", "extremized") \
            and data.probability_criterion is None:
        raise ValueError(f"method {method!r} pools a likelihood, but the judgments have no "
                         "probability criterion")


def check_parameters(trim: float, extremize_d: float, eps: float) -> None:
    """Validate the numeric method parameters."""
    if not 0.0 <= trim < 0.5:
        raise ValueError(f"trim must lie in [0, 0.5), got {trim!r}")
    if not (np.isfinite(extremize_d) and extremize_d > 0):
        raise ValueError(f"extremize_d must be positive, got {extremize_d!r}")
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5), got {eps!r}")


def sorts(method: str) -> bool:
    """Whether the method needs the (weights x experts x options) sorted kernel."""
    return _KERNEL[method] != "mean"


def aggregate(data: ExpertOptionData, weights: FloatArray, method: str, *, trim: float,
              extremize_d: float, eps: float,
              parts: tuple[Part, ...] = ("score",)) -> dict[str, FloatArray]:
    """Aggregate each row of ``weights`` (R, E) into (R, O) arrays for each part.

    ``mean``/``cooke``/``median``/``trimmed`` aggregate the expert scores
    themselves (and likelihood, impact separately when asked for).
    ``geo-odds``/``extremized`` pool the likelihood through log-odds
    (exponent ``extremize_d`` for ``extremized``, 1 for ``geo-odds``), take
    the weighted mean impact, and multiply.
    """
    kernel = _KERNEL[method]
    out: dict[str, FloatArray] = {}
    if method in ("geo-odds", "extremized"):
        d = extremize_d if method == "extremized" else 1.0
        pooled = expit(d * weighted_aggregate(logit(data.likelihood, eps), weights, "mean"))
        impact = weighted_aggregate(data.impact, weights, "mean")
        out = {"likelihood": pooled, "impact": impact, "score": pooled * impact}
        return {k: out[k] for k in parts}
    sources = {"score": data.score, "likelihood": data.likelihood, "impact": data.impact}
    if len(parts) == 1:
        return {parts[0]: weighted_aggregate(sources[parts[0]], weights, kernel, trim)}
    stacked = np.concatenate([sources[p] for p in parts], axis=1)
    result = weighted_aggregate(stacked, weights, kernel, trim)
    return dict(zip(parts, np.split(result, len(parts), axis=1), strict=True))
