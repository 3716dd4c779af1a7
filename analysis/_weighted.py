"""Weighted aggregation of an expert x option matrix under many weight vectors at once.

The single kernel behind point estimates (one weight row), bootstrap resamples
(one row of multinomial counts per resample) and leave-one-expert-out (one row
per left-out expert).  Missing cells (NaN) contribute nothing.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

Kernel = Literal["mean", "median", "trimmed"]
FloatArray = npt.NDArray[np.float64]

#: elements of the (rows x experts x options) temporaries built at a time
_BLOCK_ELEMENTS = 1 << 22


def weighted_aggregate(values: FloatArray, weights: FloatArray, kernel: Kernel,
                       trim: float = 0.1) -> FloatArray:
    """Aggregate ``values`` (E, O) under each row of ``weights`` (R, E); return (R, O).

    ``mean`` is a weighted mean, ``median`` the weighted median (average of the
    lower and upper weighted medians, so equal weights give ``numpy.median``),
    ``trimmed`` the weighted trimmed mean removing exactly a fraction ``trim``
    of the total weight from each tail (a boundary observation is split).  A
    column with no positive weight on a non-missing value gives NaN.
    """
    if kernel == "mean":
        return _mean(values, weights)
    rows = max(1, _BLOCK_ELEMENTS // max(1, values.size))
    out = np.empty((weights.shape[0], values.shape[1]))
    order = np.argsort(values, axis=0, kind="stable")  # NaN sort last
    sorted_values = np.take_along_axis(values, order, axis=0)
    present = ~np.isnan(sorted_values)
    filled = np.where(present, sorted_values, 0.0)
    for start in range(0, weights.shape[0], rows):
        block = weights[start:start + rows]
        w = block[:, order] * present  # (r, E, O)
        if kernel == "median":
            out[start:start + rows] = _median_sorted(filled, w)
        else:
            out[start:start + rows] = _trimmed_sorted(filled, w, trim)
    return out


def _mean(values: FloatArray, weights: FloatArray) -> FloatArray:
    present = ~np.isnan(values)
    num = weights @ np.where(present, values, 0.0)
    den = weights @ present.astype(float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _median_sorted(sorted_values: FloatArray, w: FloatArray) -> FloatArray:
    cum = np.cumsum(w, axis=1)
    total = cum[:, -1, :]
    half = (total / 2.0)[:, None, :]
    tol = 1e-12 * total[:, None, :]
    lower = np.argmax(cum >= half - tol, axis=1)
    upper = np.argmax(cum > half + tol, axis=1)
    cols = np.arange(sorted_values.shape[1])
    med = 0.5 * (sorted_values[lower, cols] + sorted_values[upper, cols])
    return np.where(total > 0, med, np.nan)


def _trimmed_sorted(sorted_values: FloatArray, w: FloatArray, trim: float) -> FloatArray:
    cum = np.cumsum(w, axis=1)
    total = cum[:, -1:, :]
    lo, hi = trim * total, (1.0 - trim) * total
    kept = np.minimum(cum, hi) - np.maximum(cum - w, lo)
    np.maximum(kept, 0.0, out=kept)
    num = np.einsum("reo,eo->ro", kept, sorted_values)
    den = (hi - lo)[:, 0, :]
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def logit(p: npt.ArrayLike, eps: float) -> FloatArray:
    """Log-odds of ``p`` clipped to [eps, 1 - eps]; NaN stays NaN."""
    q = np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)
    return np.log(q) - np.log1p(-q)


def expit(x: npt.ArrayLike) -> FloatArray:
    """Inverse of :func:`logit` (numerically stable)."""
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))
