"""NaN-aware column statistics that never warn on empty columns (they give NaN)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def as_columns(x: npt.ArrayLike, axis: int) -> tuple[FloatArray, tuple[int, ...]]:
    """Move ``axis`` first and flatten the rest: (n, columns), original trailing shape."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        raise ValueError("need an array with an expert axis, got a scalar")
    if a.size == 0:
        raise ValueError(f"need at least one judgment along the expert axis, got an empty "
                         f"array of shape {a.shape}")
    a = np.moveaxis(a, axis, 0)
    return a.reshape(a.shape[0], -1), a.shape[1:]


def count(a: FloatArray) -> npt.NDArray[np.int64]:
    """Non-NaN values per column."""
    return np.count_nonzero(~np.isnan(a), axis=0)


def mean(a: FloatArray) -> FloatArray:
    """Column means ignoring NaN."""
    n = count(a)
    out = np.full(a.shape[1], np.nan)
    np.divide(np.where(np.isnan(a), 0.0, a).sum(axis=0), n, out=out, where=n > 0)
    return out


def std(a: FloatArray, ddof: int = 1) -> FloatArray:
    """Column standard deviations ignoring NaN."""
    n = count(a)
    dev = np.where(np.isnan(a), 0.0, a - mean(a))
    out = np.full(a.shape[1], np.nan)
    np.divide((dev**2).sum(axis=0), n - ddof, out=out, where=n > ddof)
    return np.sqrt(out)


def quantile(a: FloatArray, q: float | FloatArray) -> FloatArray:
    """Column quantiles ignoring NaN, linear interpolation (numpy's default, Hyndman-Fan 7).

    ``q`` is one level, or one level per column (NaN gives NaN).
    """
    n = count(a)
    ordered = np.sort(a, axis=0)  # NaN last
    q = np.asarray(q, dtype=float)
    h = np.maximum(n - 1, 0) * np.where(np.isnan(q), 0.0, q)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    cols = np.arange(a.shape[1])
    if a.shape[0] == 0:
        return np.full(a.shape[1], np.nan)
    value = ordered[lo, cols] + (h - lo) * (ordered[hi, cols] - ordered[lo, cols])
    return np.where((n > 0) & ~np.isnan(q), value, np.nan)
