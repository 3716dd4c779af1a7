"""Scores equal up to floating-point rounding are ties wherever ranks are formed.

A weighted mean such as ``weights @ values / den`` of two options whose means
are equal in exact arithmetic can differ in the last bit, and which one is
larger then depends on the order of the additions and on the unit the values
were entered in (0-1 or percent).  Ranks built from such scores would break
an exact tie by rounding noise.  Every place that forms ranks (point ranks,
each bootstrap resample, pairwise probabilities, rank acceptability,
leave-one-out and method sensitivity) first merges scores that lie within
``TIE_RTOL`` times the scale of the data, as the Cooke module does for its
calibration scores.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["TIE_RTOL", "tie_tolerance", "merge_ties"]

FloatArray = npt.NDArray[np.float64]

#: relative tolerance: two scores closer than this times the data's scale are tied
TIE_RTOL = 1e-9


def tie_tolerance(values: npt.ArrayLike, rtol: float = TIE_RTOL) -> float:
    r"""Absolute tie tolerance for scores aggregated from ``values``.

    Parameters
    ----------
    values : array_like
        The expert-level inputs the scores are aggregated from (NaN ignored).
    rtol : float
        Relative tolerance (default :data:`TIE_RTOL`).

    Returns
    -------
    float
        :math:`\text{rtol} \cdot \max |v|` over the finite values (0 when
        there are none).  Every aggregate used for ranking (weighted mean,
        median, trimmed mean, pooled likelihood times mean impact) is bounded
        by the inputs' scale, and its rounding error is a small multiple of
        machine epsilon times that scale, so the tolerance scales with the
        unit and the ranks do not depend on it.

    Examples
    --------
    >>> tie_tolerance([0.5, -2.0, float("nan")])
    2e-09
    """
    v = np.asarray(values, dtype=float)
    finite = np.abs(v[np.isfinite(v)])
    return float(rtol * finite.max()) if finite.size else 0.0


def merge_ties(scores: npt.ArrayLike, atol: float) -> FloatArray:
    r"""Replace runs of scores closer than ``atol`` (per row) by the run's smallest value.

    Parameters
    ----------
    scores : array_like, shape (n,) or (r, n)
        Scores; each row is merged separately.  ``-inf``/``+inf`` are kept,
        NaN is kept and never tied to a number.
    atol : float
        Absolute tolerance (see :func:`tie_tolerance`); 0 merges exact ties
        only, i.e. changes nothing.

    Returns
    -------
    numpy.ndarray
        Same shape.  Sorted ascending, consecutive values with
        :math:`x_{(k+1)} - x_{(k)} \le` ``atol`` form one run (a chain),
        and every member of a run gets the run's first value, so the
        resulting order has exact ties where the scores were equal up to
        rounding.

    Examples
    --------
    >>> merge_ties([0.6000000000000001, 0.6, 0.2], 1e-9).tolist()
    [0.6, 0.6, 0.2]
    """
    x = np.asarray(scores, dtype=float)
    if atol <= 0 or x.size == 0:
        return x.copy()
    flat = np.atleast_2d(x)
    order = np.argsort(flat, axis=1, kind="stable")
    ordered = np.take_along_axis(flat, order, axis=1)
    with np.errstate(invalid="ignore"):
        gap = np.diff(ordered, axis=1)
        joined = gap <= atol  # NaN and inf gaps start a new run
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ~joined
    index = np.where(starts, np.arange(ordered.shape[1])[None, :], 0)
    np.maximum.accumulate(index, axis=1, out=index)
    merged = np.empty_like(flat)
    np.put_along_axis(merged, order, np.take_along_axis(ordered, index, axis=1), axis=1)
    return merged.reshape(x.shape)
