"""IDEA four-step answers: standardise stated intervals to a common confidence."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["standardize_idea"]


def standardize_idea(lowest: npt.ArrayLike, best: npt.ArrayLike, highest: npt.ArrayLike,
                     confidence: npt.ArrayLike, level: float = 0.8
                     ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    r"""Rescale IDEA four-step intervals to a common credible level.

    Parameters
    ----------
    lowest, best, highest : array_like
        The expert's lowest plausible, best and highest plausible
        probability, ``lowest <= best <= highest`` in [0, 1].
    confidence : array_like
        Stated probability in [0.5, 1] that the truth lies in
        [lowest, highest].
    level : float
        Target level in (0, 1]; default 0.8 (80 % intervals).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Standardised lower and upper bounds, clipped to [0, 1].

    Raises
    ------
    ValueError
        If a bound or best guess lies outside [0, 1] (it is refused, not
        clipped), a confidence outside [0.5, 1], or the bounds are reversed.

    Notes
    -----
    Linear extrapolation about the best guess *B* with stated confidence *C*
    and target level *S*:

    .. math:: L' = B - (B - L)\,S/C, \qquad U' = B + (U - B)\,S/C,

    then clipped to [0, 1].

    References
    ----------
    .. [1] Hanea, A. M., McBride, M. F., Burgman, M. A., Wintle, B. C., et al.
       (2017). Investigate Discuss Estimate Aggregate for structured expert
       judgement. International Journal of Forecasting, 33(1), 267-279.
    .. [2] Hemming, V., Burgman, M. A., Hanea, A. M., McBride, M. F., &
       Wintle, B. C. (2018). A practical guide to structured expert elicitation
       using the IDEA protocol. Methods in Ecology and Evolution, 9(1), 169-180.

    Examples
    --------
    >>> lo, hi = standardize_idea(0.2, 0.4, 0.5, 0.5)  # 50 % -> 80 %: stretch by 1.6
    >>> round(float(lo), 6), round(float(hi), 6)
    (0.08, 0.56)
    """
    if not 0.0 < level <= 1.0:
        raise ValueError(f"level must lie in (0, 1], got {level!r}")
    lo, b, hi, c = (np.asarray(a, dtype=float) for a in (lowest, best, highest, confidence))
    with np.errstate(invalid="ignore"):
        for name, v in (("lowest", lo), ("best", b), ("highest", hi)):
            if np.any((v < 0) | (v > 1)):
                bad = v[(v < 0) | (v > 1)].ravel()[0]
                raise ValueError(f"IDEA {name} is a probability and must lie in [0, 1], "
                                 f"got {float(bad)!r}")
        if np.any((c < 0.5) | (c > 1)):
            bad = c[(c < 0.5) | (c > 1)].ravel()[0]
            raise ValueError(f"confidence must lie in [0.5, 1], got {float(bad)!r}")
        if np.any((lo > b) | (b > hi)):
            raise ValueError("reversed IDEA bounds: need lowest <= best <= highest")
    stretch = level / c
    low = np.clip(b - (b - lo) * stretch, 0.0, 1.0)
    high = np.clip(b + (hi - b) * stretch, 0.0, 1.0)
    return low, high
