"""Intrinsic range, information and calibration scores of the classical model.

All functions are vectorised over a leading "assessor" axis (experts, or a
single decision maker) and over items; missing answers are NaN rows.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.special import chdtrc, xlogy

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
def _bins(quantiles: tuple[float, ...]) -> tuple[FloatArray, FloatArray, float]:
    """Interquantile probabilities p, ln p and sum_j p_j ln p_j for the given levels (cached)."""
    p = np.diff(np.array([0.0, *quantiles, 1.0]))
    p.flags.writeable = False
    log_p = np.log(p)
    log_p.flags.writeable = False
    return p, log_p, float(p @ log_p)


def to_model_scale(study: Study) -> tuple[FloatArray, FloatArray]:
    """Return assessments (E, N, Q) and realizations (N,) with log items on ln scale.

    Notes
    -----
    Cooke (1991, ch. 12) computes log-uniform items on ln(values); this
    returns ``ln`` of every value on a LOG item and the values unchanged on a
    UNI item (NaN stays NaN).
    """
    values, realizations = _model_scale(study)
    if values is study.assessments:
        return values.copy(), realizations.copy()
    return values, realizations


def _model_scale(study: Study) -> tuple[FloatArray, FloatArray]:
    """:func:`to_model_scale`, returning the study's own arrays when no item is on a log scale."""
    if "log" not in study.scales:
        return study.assessments, study.realizations
    log = study.log_mask
    # a validated study has only positive values (or NaN) on log items
    values = np.log(study.assessments, out=study.assessments.copy(), where=log[:, None])
    realizations = np.log(study.realizations, out=study.realizations.copy(), where=log)
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
    # fmin/fmax ignore NaN (missing answers)
    smallest, largest = np.fmin.reduce(values, axis=2), np.fmax.reduce(values, axis=2)
    return _range(smallest, largest, realizations, overshoot)


def _range(
    smallest: FloatArray, largest: FloatArray, realizations: FloatArray, overshoot: float
) -> tuple[FloatArray, FloatArray]:
    """:func:`intrinsic_range` from each assessment's smallest and largest quantile (E, N).

    For strictly increasing quantiles (a validated study) these are the first
    and the last quantile.
    """
    if not math.isfinite(overshoot) or overshoot <= 0:
        raise ValueError(f"overshoot must be a positive number, got {overshoot}")
    # fmin/fmax ignore NaN (missing answers, target items)
    low = np.fmin(np.fmin.reduce(smallest, axis=0), realizations)
    high = np.fmax(np.fmax.reduce(largest, axis=0), realizations)
    width = high - low
    if width.size and np.fmin.reduce(width) <= 0:  # any width <= 0 (fmin skips NaN)
        k = int(np.flatnonzero(width <= 0)[0])
        raise ValueError(f"item at position {k} has an empty range: all values equal {low[k]}")
    margin = overshoot * width
    return low - margin, high + margin


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
        Shape (A, N); NaN where missing, also where only some quantiles are
        given (a partial assessment has no information score, as in anduryl).

    Notes
    -----
    With x_0 = L*, x_{Q+1} = U* and p_j the interquantile probabilities,
    I = ln(U* - L*) + sum_j p_j ln(p_j / (x_j - x_{j-1})) (Cooke 1991,
    ch. 12; the uniform, resp. log-uniform, background on the intrinsic range).
    """
    p, _, p_log_p = _bins(tuple(np.asarray(quantiles, dtype=float).tolist()))
    return _information(values, lower, upper, np.log(upper - lower) + p_log_p, p)


def _information(
    values: FloatArray, lower: FloatArray, upper: FloatArray, offset: FloatArray, p: FloatArray
) -> FloatArray:
    """:func:`information_scores` given offset = ln(U* - L*) + sum_j p_j ln p_j per item.

    I = offset - sum_j p_j ln(x_j - x_{j-1}); a width that is not positive
    gives NaN.
    """
    widths = np.empty((*values.shape[:2], p.size))
    np.subtract(values[:, :, 0], lower, out=widths[:, :, 0])
    np.subtract(values[:, :, 1:], values[:, :, :-1], out=widths[:, :, 1:-1])
    np.subtract(upper, values[:, :, -1], out=widths[:, :, -1])
    # ln of NaN is NaN without a warning; NaN stands in for a width <= 0
    return offset - np.log(np.where(widths > 0, widths, np.nan)) @ p


def calibration_scores(
    values: FloatArray, realizations: FloatArray, quantiles: FloatArray, n_min: int
) -> FloatArray:
    """Calibration score of each assessor on the seed items.

    Parameters
    ----------
    values : numpy.ndarray
        Quantiles on seed items, model scale, shape (A, S, Q), NaN where
        missing (a whole row, or some values of a partial assessment).
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

    A partial assessment (some quantiles NaN) counts as answered, as in
    anduryl 1.2.2: see :func:`_given_bin_counts`.

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
    nan = np.isnan(values)
    answered, given = ~nan.any(axis=2), ~nan.all(axis=2)
    if np.array_equal(answered, given):
        counts = _bin_counts(values, realizations, answered, p.size)
    else:
        counts = _given_bin_counts(values, realizations, given)
    n = np.add.reduce(given, axis=1)
    if not n.all():
        raise ValueError(f"every assessor needs an answered seed item, got counts {n.tolist()}")
    return _calibration(counts, n[:, None], p, n_min)


def _bin_counts(
    values: FloatArray,
    realizations: FloatArray,
    answered: npt.NDArray[np.bool_] | None,
    n_bins: int,
) -> npt.NDArray[np.intp]:
    """How many answered realizations fall in each interquantile bin, shape (A, Q + 1).

    A realization equal to a quantile falls in the lower bin; ``answered``
    (A, S) masks missing answers (None: all answered).
    """
    bins = np.add.reduce(values < realizations[:, None], axis=2)
    if answered is not None:
        bins = np.where(answered, bins, n_bins)  # out of range: counted nowhere
    return np.add.reduce(bins[:, :, None] == _arange(n_bins), axis=1)


def _given_bin_counts(
    values: FloatArray, realizations: FloatArray, given: npt.NDArray[np.bool_]
) -> npt.NDArray[np.intp]:
    """Bin counts (A, Q + 1) when some assessments are partial, as anduryl 1.2.2 counts them.

    anduryl sets a missing quantile to -inf and counts, per quantile j, the
    answered items with r <= x_j (c_j); the bins are c_1, c_2 - c_1, ...,
    n - c_Q with n the items where at least one quantile is given.  For a
    complete assessment this is the bin of r (a realization equal to a
    quantile in the lower bin, as :func:`_bin_counts`); a partial one is
    counted as if r lay above every missing quantile, and where that breaks
    the order of the x_j a bin may go negative.  Negative bins are set to 0
    here: anduryl leaves them out of sum s ln(s / p) (only s > 0 enter), and
    s stays count / n.
    """
    # r <= NaN is False, i.e. a missing quantile acts as -inf
    at_or_below = np.add.reduce(realizations[:, None] <= values, axis=1)  # (A, Q)
    n = np.add.reduce(given, axis=1)
    zero = np.zeros((at_or_below.shape[0], 1), dtype=at_or_below.dtype)
    counts = np.diff(np.concatenate((zero, at_or_below, n[:, None]), axis=1), axis=1)
    return np.maximum(counts, 0)


@lru_cache(maxsize=16)
def _arange(n: int) -> npt.NDArray[np.intp]:
    """0, 1, ..., n - 1 (read-only, cached)."""
    out = np.arange(n)
    out.flags.writeable = False
    return out


def _calibration(
    counts: npt.NDArray[np.intp], n: npt.NDArray[np.intp] | int, p: FloatArray, n_min: int
) -> FloatArray:
    """chi2_Q.sf(2 N_min sum_j s_j ln(s_j / p_j)), s = counts / n, 0 ln 0 = 0.

    ``counts`` is (A, Q + 1); ``n`` the answered items, (A, 1) or a number.
    """
    s = counts / n
    # s ln(s / p) with 0 ln 0 = 0 (xlogy is 0 where s is)
    kl = np.add.reduce(xlogy(s, s / p), axis=1)
    statistic = (2.0 * n_min) * np.maximum(kl, 0.0)
    return chdtrc(p.size - 1, statistic)
