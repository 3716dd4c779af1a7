"""Intrinsic range, information and calibration scores of the classical model.

All functions are vectorised over a leading "assessor" axis (experts, or a
single decision maker) and over items; missing answers are NaN rows.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.special import chdtrc

from .study import Study

__all__ = [
    "bin_probabilities",
    "calibration_scores",
    "information_scores",
    "intrinsic_range",
    "to_model_scale",
]

FloatArray = npt.NDArray[np.float64]


def bin_probabilities(quantiles: FloatArray) -> FloatArray:
    """Return the interquantile probabilities p = (q1, q2 - q1, ..., 1 - qQ).

    Examples
    --------
    >>> bin_probabilities(np.array([0.05, 0.5, 0.95])).round(2).tolist()
    [0.05, 0.45, 0.45, 0.05]
    """
    return _bins(tuple(np.asarray(quantiles, dtype=float).tolist()))[0].copy()


@lru_cache(maxsize=64)
def _bins(quantiles: tuple[float, ...]) -> tuple[FloatArray, FloatArray]:
    """Interquantile probabilities p and ln p for the given levels (cached)."""
    p = np.diff(np.array([0.0, *quantiles, 1.0]))
    return p, np.log(p)


def to_model_scale(study: Study) -> tuple[FloatArray, FloatArray]:
    """Return assessments (E, N, Q) and realizations (N,) with log items on ln scale.

    Notes
    -----
    Cooke (1991, ch. 12) computes log-uniform items on ln(values); this
    returns ``ln`` of every value on a LOG item and the values unchanged on a
    UNI item (NaN stays NaN).
    """
    log = study.log_mask
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(log[None, :, None], np.log(study.assessments), study.assessments)
        realizations = np.where(log, np.log(study.realizations), study.realizations)
    return values, realizations


def intrinsic_range(
    values: FloatArray, realizations: FloatArray, overshoot: float = 0.1
) -> tuple[FloatArray, FloatArray]:
    """Compute each item's intrinsic range [L*, U*].

    Parameters
    ----------
    values : numpy.ndarray
        Quantiles on the model scale (ln for log items), shape (E, N, Q), NaN if missing.
    realizations : numpy.ndarray
        Realizations on the model scale, shape (N,), NaN for target items.
    overshoot : float
        The overshoot k > 0 (0.1 in EXCALIBUR).

    Returns
    -------
    lower, upper : numpy.ndarray
        Shape (N,) each.

    Notes
    -----
    With L and U the smallest and largest of all experts' quantiles and the
    realization, L* = L - k (U - L) and U* = U + k (U - L) (Cooke 1991,
    ch. 12; Cooke & Goossens 2008, sec. 2).

    Examples
    --------
    >>> lo, hi = intrinsic_range(np.array([[[1.0, 2.0, 3.0]]]), np.array([5.0]))
    >>> lo.tolist(), hi.tolist()
    ([0.6], [5.4])
    """
    if not np.isfinite(overshoot) or overshoot <= 0:
        raise ValueError(f"overshoot must be a positive number, got {overshoot}")
    # fmin/fmax ignore NaN (missing answers, target items)
    low = np.fmin(np.fmin.reduce(values, axis=(0, 2)), realizations)
    high = np.fmax(np.fmax.reduce(values, axis=(0, 2)), realizations)
    width = high - low
    if np.any(width <= 0):
        k = int(np.flatnonzero(width <= 0)[0])
        raise ValueError(f"item at position {k} has an empty range: all values equal {low[k]}")
    return low - overshoot * width, high + overshoot * width


def information_scores(
    values: FloatArray, lower: FloatArray, upper: FloatArray, quantiles: FloatArray
) -> FloatArray:
    """Relative information of each assessment with respect to the background measure.

    Parameters
    ----------
    values : numpy.ndarray
        Quantiles on the model scale, shape (A, N, Q), NaN rows if missing.
    lower, upper : numpy.ndarray
        Intrinsic range per item, shape (N,).
    quantiles : numpy.ndarray
        Quantile levels, shape (Q,).

    Returns
    -------
    numpy.ndarray
        Shape (A, N); NaN where missing.

    Notes
    -----
    With x_0 = L*, x_{Q+1} = U* and p_j the interquantile probabilities,
    I = ln(U* - L*) + sum_j p_j ln(p_j / (x_j - x_{j-1})) (Cooke 1991,
    ch. 12; the uniform, resp. log-uniform, background on the intrinsic range).
    """
    p, log_p = _bins(tuple(np.asarray(quantiles, dtype=float).tolist()))
    widths = np.empty((*values.shape[:2], p.size))
    np.subtract(values[:, :, 0], lower, out=widths[:, :, 0])
    np.subtract(values[:, :, 1:], values[:, :, :-1], out=widths[:, :, 1:-1])
    np.subtract(upper, values[:, :, -1], out=widths[:, :, -1])
    with np.errstate(invalid="ignore"):
        terms = p * (log_p - np.log(np.where(widths > 0, widths, np.nan)))
    return np.log(upper - lower)[None, :] + terms.sum(axis=2)


def calibration_scores(
    values: FloatArray, realizations: FloatArray, quantiles: FloatArray, n_min: int
) -> FloatArray:
    """Calibration score of each assessor on the seed items.

    Parameters
    ----------
    values : numpy.ndarray
        Quantiles on seed items, model scale, shape (A, S, Q), NaN rows if missing.
    realizations : numpy.ndarray
        Realizations on the model scale, shape (S,).
    quantiles : numpy.ndarray
        Quantile levels, shape (Q,).
    n_min : int
        Effective number of seed items: the smallest number of answered seed
        items over all experts.

    Returns
    -------
    numpy.ndarray
        Shape (A,): chi-square survival function of 2 N_min I(s, p) with Q
        degrees of freedom.

    Notes
    -----
    A realization equal to a quantile falls in the lower bin. s is the
    empirical distribution of the assessor's answered realizations over the
    Q + 1 bins, p the theoretical one, I(s, p) = sum s ln(s / p) with
    0 ln 0 = 0, and C = P(chi2_Q > 2 N_min I(s, p)) (Cooke 1991, ch. 12;
    Cooke & Goossens 2008, eq. 1), evaluated exactly with
    :func:`scipy.special.chdtrc` (what :func:`scipy.stats.chi2.sf` calls).

    Examples
    --------
    A perfectly calibrated assessor on 20 items scores 1:

    >>> q = np.array([0.05, 0.5, 0.95])
    >>> v = np.array([[[0.0, 1.0, 2.0]] * 20])
    >>> r = np.array([-1.0] + [0.5] * 9 + [1.5] * 9 + [3.0])
    >>> float(calibration_scores(v, r, q, n_min=20)[0])
    1.0
    """
    if n_min < 1:
        raise ValueError(f"n_min must be at least 1, got {n_min}")
    p = _bins(tuple(np.asarray(quantiles, dtype=float).tolist()))[0]
    n_a = values.shape[0]
    answered = ~np.isnan(values).any(axis=2)
    bins = (values < realizations[None, :, None]).sum(axis=2)
    # histogram of each assessor's bins over its answered items
    slots = (bins + (np.arange(n_a) * p.size)[:, None])[answered]
    counts = np.bincount(slots, minlength=n_a * p.size).reshape(n_a, p.size)
    n = answered.sum(axis=1)
    if np.any(n == 0):
        raise ValueError(f"every assessor needs an answered seed item, got counts {n.tolist()}")
    s = counts / n[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(s > 0, s * np.log(s / p), 0.0).sum(axis=1)
    statistic = 2.0 * n_min * np.maximum(kl, 0.0)
    return np.asarray(chdtrc(p.size - 1, statistic), dtype=float)
