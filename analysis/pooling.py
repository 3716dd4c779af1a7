"""Pool probability judgments across experts (array level).

Every function pools along ``axis`` (experts), treats NaN as "no judgment",
accepts optional expert weights (normalised to sum to 1 over the experts who
answered) and returns an array with that axis removed.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from analysis._weighted import Kernel, expit, logit, weighted_aggregate

__all__ = [
    "PoolMethod", "POOL_METHODS", "normalize_weights", "linear_pool", "median_pool",
    "trimmed_pool", "geometric_odds_pool", "extremized_pool", "pool",
]

PoolMethod = Literal["mean", "median", "trimmed", "geo-odds", "extremized"]
POOL_METHODS: tuple[str, ...] = ("mean", "median", "trimmed", "geo-odds", "extremized")
#: default clipping of probabilities before taking log-odds
DEFAULT_EPS = 0.01


def normalize_weights(weights: npt.ArrayLike, n: int | None = None) -> npt.NDArray[np.float64]:
    """Validate non-negative expert weights and scale them to sum to 1.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Finite, non-negative, not all zero.
    n : int, optional
        Expected length.

    Returns
    -------
    numpy.ndarray
        ``w / w.sum()``.

    Raises
    ------
    ValueError
        For a wrong length, a negative or non-finite weight, or all zeros.

    Examples
    --------
    >>> normalize_weights([1, 1, 2]).tolist()
    [0.25, 0.25, 0.5]
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1:
        raise ValueError(f"weights must be one-dimensional, got shape {w.shape}")
    if n is not None and w.shape[0] != n:
        raise ValueError(f"expected {n} weights, got {w.shape[0]}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"weights must be finite and non-negative; weight {i} is {float(w[i])!r}")
    total = w.sum()
    if total <= 0:
        raise ValueError(f"weights must not all be zero, got {w.tolist()!r}")
    return w / total


def _prepare(p: npt.ArrayLike, weights: npt.ArrayLike | None, axis: int,
             probability: bool) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64],
                                         tuple[int, ...]]:
    x = np.asarray(p, dtype=float)
    if x.ndim == 0:
        raise ValueError("need at least one expert axis, got a scalar")
    if x.size == 0:
        raise ValueError(f"need at least one judgment to pool, got an empty array of shape "
                         f"{x.shape}")
    x = np.moveaxis(x, axis, 0)
    rest = x.shape[1:]
    flat = x.reshape(x.shape[0], -1)
    if probability:
        live = flat[~np.isnan(flat)]
        if live.size and (live.min() < 0 or live.max() > 1):
            bad = live[(live < 0) | (live > 1)][0]
            raise ValueError(f"probabilities must lie in [0, 1], got {float(bad)!r}")
    w = np.ones(flat.shape[0]) if weights is None else normalize_weights(weights, flat.shape[0])
    return flat, w[None, :], rest


def _kernel(p: npt.ArrayLike, weights: npt.ArrayLike | None, axis: int, kernel: Kernel,
            trim: float = 0.1, probability: bool = True) -> npt.NDArray[np.float64]:
    flat, w, rest = _prepare(p, weights, axis, probability)
    return weighted_aggregate(flat, w, kernel, trim)[0].reshape(rest)


def linear_pool(p: npt.ArrayLike, weights: npt.ArrayLike | None = None,
                axis: int = 0) -> npt.NDArray[np.float64]:
    r"""Linear opinion pool: the (weighted) arithmetic mean of the probabilities.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1]; NaN marks a missing judgment.
    weights : array_like, optional
        One non-negative weight per expert (along ``axis``); default equal.
    axis : int
        The expert axis.

    Returns
    -------
    numpy.ndarray
        Pooled probabilities; NaN where no expert answered.

    Notes
    -----
    :math:`\bar p = \sum_i w_i p_i / \sum_i w_i` over the experts *i* who answered.

    References
    ----------
    .. [1] Stone, M. (1961). The opinion pool. The Annals of Mathematical
       Statistics, 32(4), 1339-1342.

    Examples
    --------
    >>> float(linear_pool([0.1, 0.2, 0.6]))
    0.3
    >>> float(linear_pool([0.1, 0.5], weights=[3, 1]))
    0.2
    """
    return _kernel(p, weights, axis, "mean")


def median_pool(p: npt.ArrayLike, weights: npt.ArrayLike | None = None,
                axis: int = 0) -> npt.NDArray[np.float64]:
    r"""(Weighted) median of the probabilities.

    Parameters
    ----------
    p, weights, axis
        As in :func:`linear_pool`.

    Returns
    -------
    numpy.ndarray
        Pooled probabilities.

    Notes
    -----
    With sorted values :math:`x_{(1)} \le \dots \le x_{(n)}` and cumulative
    normalised weights :math:`W_k`, the lower median is the first
    :math:`x_{(k)}` with :math:`W_k \ge 1/2`, the upper median the first with
    :math:`W_k > 1/2`; the median is their average, so equal weights give
    ``numpy.median``.

    References
    ----------
    .. [1] Hora, S. C., Fransen, B. R., Hawkins, N., & Susel, I. (2013).
       Median aggregation of distribution functions. Decision Analysis, 10(4),
       279-291.

    Examples
    --------
    >>> float(median_pool([0.1, 0.2, 0.6, 0.9]))
    0.4
    """
    return _kernel(p, weights, axis, "median")


def trimmed_pool(p: npt.ArrayLike, weights: npt.ArrayLike | None = None, axis: int = 0,
                 trim: float = 0.1) -> npt.NDArray[np.float64]:
    r"""(Weighted) trimmed mean removing a fraction ``trim`` of weight from each tail.

    Parameters
    ----------
    p, weights, axis
        As in :func:`linear_pool`.
    trim : float
        Fraction in [0, 0.5) of the total weight cut from each tail.

    Returns
    -------
    numpy.ndarray
        Pooled probabilities.

    Notes
    -----
    Each sorted value :math:`x_{(k)}` covers the weight interval
    :math:`[W_{k-1}, W_k]`; it keeps the part inside :math:`[t, 1-t]`:
    :math:`\bar x_t = \sum_k x_{(k)} |[W_{k-1}, W_k] \cap [t, 1-t]| / (1-2t)`.
    A boundary value is split rather than dropped, so the estimator is
    continuous in ``trim``; it equals ``scipy.stats.trim_mean`` whenever
    ``trim * n`` is an integer.

    References
    ----------
    .. [1] Jose, V. R. R., Grushka-Cockayne, Y., & Lichtendahl, K. C. (2014).
       Trimmed opinion pools and the crowd's calibration problem. Management
       Science, 60(2), 463-475.

    Examples
    --------
    >>> round(float(trimmed_pool([0.0, 0.2, 0.3, 0.4, 1.0], trim=0.2)), 10)
    0.3
    """
    if not 0.0 <= trim < 0.5:
        raise ValueError(f"trim must lie in [0, 0.5), got {trim!r}")
    return _kernel(p, weights, axis, "trimmed", trim)


def geometric_odds_pool(p: npt.ArrayLike, weights: npt.ArrayLike | None = None, axis: int = 0,
                        eps: float = DEFAULT_EPS) -> npt.NDArray[np.float64]:
    r"""(Weighted) geometric mean of odds, returned as a probability.

    Parameters
    ----------
    p, weights, axis
        As in :func:`linear_pool`.
    eps : float
        Probabilities are clipped to [eps, 1 - eps] so that 0 and 1 have
        finite odds.

    Returns
    -------
    numpy.ndarray
        Pooled probabilities.

    Notes
    -----
    :math:`o = \prod_i (p_i/(1-p_i))^{w_i}` with :math:`\sum w_i = 1`, and
    :math:`\bar p = o / (1 + o)`, i.e. the inverse logit of the weighted mean
    log-odds.

    References
    ----------
    .. [1] Satopää, V. A., Baron, J., Foster, D. P., Mellers, B. A., Tetlock,
       P. E., & Ungar, L. H. (2014). Combining multiple probability predictions
       using a simple logit model. International Journal of Forecasting, 30(2),
       344-356.

    Examples
    --------
    >>> round(float(geometric_odds_pool([0.5, 0.8])), 6)  # odds 1 and 4 -> 2
    0.666667
    """
    return extremized_pool(p, weights, axis, d=1.0, eps=eps)


def extremized_pool(p: npt.ArrayLike, weights: npt.ArrayLike | None = None, axis: int = 0,
                    d: float = 2.5, eps: float = DEFAULT_EPS) -> npt.NDArray[np.float64]:
    r"""Extremized mean of log-odds: Satopää et al.'s logit aggregator.

    Parameters
    ----------
    p, weights, axis
        As in :func:`linear_pool`.
    d : float
        Extremizing exponent (> 0; the *a* of Satopää et al.); 1 gives the
        geometric mean of odds.
    eps : float
        Clipping as in :func:`geometric_odds_pool`.

    Returns
    -------
    numpy.ndarray
        Pooled probabilities.

    Notes
    -----
    :math:`\bar p = \operatorname{logit}^{-1}\big(d \sum_i w_i
    \operatorname{logit} p_i\big)`, equivalently
    :math:`o^d/(1+o^d)` with *o* the geometric mean of odds.  This is the
    logit aggregator of Satopää et al. (2014), whose systematic-bias
    parameter *a* is *d* here.  Baron et al. (2014) argue for extremizing
    but apply their transform :math:`\bar p^a / (\bar p^a + (1-\bar p)^a)`
    to the *arithmetic* mean :math:`\bar p`; that is a different pool and
    is not what this function computes.

    References
    ----------
    .. [1] Satopää, V. A., Baron, J., Foster, D. P., Mellers, B. A., Tetlock,
       P. E., & Ungar, L. H. (2014). Combining multiple probability predictions
       using a simple logit model. International Journal of Forecasting, 30(2),
       344-356.
    .. [2] Baron, J., Mellers, B. A., Tetlock, P. E., Stone, E., & Ungar, L. H.
       (2014). Two reasons to make aggregated probability forecasts more
       extreme. Decision Analysis, 11(2), 133-145.

    Examples
    --------
    >>> round(float(extremized_pool([0.5, 0.8], d=2.0)), 6)  # odds 2 -> 4
    0.8
    """
    if not (np.isfinite(d) and d > 0):
        raise ValueError(f"extremizing parameter d must be positive, got {d!r}")
    if not 0.0 < eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5), got {eps!r}")
    flat, w, rest = _prepare(p, weights, axis, probability=True)
    mean_logit = weighted_aggregate(logit(flat, eps), w, "mean")[0]
    return expit(d * mean_logit).reshape(rest)


def pool(p: npt.ArrayLike, method: PoolMethod = "mean", weights: npt.ArrayLike | None = None,
         axis: int = 0, trim: float = 0.1, d: float = 2.5,
         eps: float = DEFAULT_EPS) -> npt.NDArray[np.float64]:
    """Pool probabilities with the named method.

    Parameters
    ----------
    p, weights, axis
        As in :func:`linear_pool`.
    method : {"mean", "median", "trimmed", "geo-odds", "extremized"}
        Which pool: :func:`linear_pool`, :func:`median_pool`,
        :func:`trimmed_pool`, :func:`geometric_odds_pool`,
        :func:`extremized_pool`.
    trim, d, eps
        Passed to the methods that use them.

    Returns
    -------
    numpy.ndarray
        Pooled probabilities.

    Notes
    -----
    See the formula of each method.

    References
    ----------
    .. [1] Clemen, R. T., & Winkler, R. L. (1999). Combining probability
       distributions from experts in risk analysis. Risk Analysis, 19(2),
       187-203.

    Examples
    --------
    >>> round(float(pool([0.2, 0.4], "mean")), 12)
    0.3
    """
    if method == "mean":
        return linear_pool(p, weights, axis)
    if method == "median":
        return median_pool(p, weights, axis)
    if method == "trimmed":
        return trimmed_pool(p, weights, axis, trim)
    if method == "geo-odds":
        return geometric_odds_pool(p, weights, axis, eps)
    if method == "extremized":
        return extremized_pool(p, weights, axis, d, eps)
    raise ValueError(f"unknown pooling method {method!r}; choose one of {list(POOL_METHODS)}")
