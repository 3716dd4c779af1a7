"""Is there enough calibration behind a Cooke decision maker? Warnings in plain words.

Cooke's classical model scores experts on seed (calibration) questions.
With few of them the calibration p-values cannot separate experts: one of
them easily takes all the weight and the decision maker's intervals shrink
to that expert's.  These checks say so instead of letting a result look
robust.

References
----------
.. [1] Cooke, R. M., & Goossens, L. H. J. (2000). Procedures guide for
   structured expert judgement. European Commission, EUR 18820 (about ten
   seed questions; at least eight).
.. [2] Eggstaff, J. W., Mazzuchi, T. A., & Sarkani, S. (2014). The effect of
   the number of seed variables on the performance of Cooke's classical
   model. Reliability Engineering & System Safety, 121, 72-82.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["MIN_SEED_QUESTIONS", "RECOMMENDED_SEED_QUESTIONS", "DOMINANT_SHARE",
           "seed_question_warning", "dominance_warning", "zero_width_warning",
           "adequacy_warnings"]

#: below this many seed questions the weights are not trustworthy (Cooke & Goossens 2000)
MIN_SEED_QUESTIONS = 8
#: what the procedures guide recommends
RECOMMENDED_SEED_QUESTIONS = 10
#: one expert holding more than this share of the weight dominates the decision maker
DOMINANT_SHARE = 0.5


def seed_question_warning(n_questions: int) -> str | None:
    """A warning when fewer than :data:`RECOMMENDED_SEED_QUESTIONS` seed questions are scored.

    Parameters
    ----------
    n_questions : int
        Seed questions with a known answer that experts answered.

    Returns
    -------
    str or None
        None from 10 questions on (and for 0: no calibration at all).

    Examples
    --------
    >>> seed_question_warning(12) is None
    True
    >>> seed_question_warning(2)[:40]
    'Only 2 calibration questions: Cooke’s cl'
    """
    n = int(n_questions)
    if n <= 0 or n >= RECOMMENDED_SEED_QUESTIONS:
        return None
    level = "too few" if n < MIN_SEED_QUESTIONS else "fewer than recommended"
    return (f"Only {n} calibration question{'' if n == 1 else 's'}: Cooke’s classical model "
            f"needs about {RECOMMENDED_SEED_QUESTIONS} (at least {MIN_SEED_QUESTIONS}) to tell "
            f"experts apart; with {level} the performance weights and everything ranked "
            "with them are not reliable.")


def dominance_warning(weights: pd.Series | npt.ArrayLike) -> str | None:
    """A warning when one expert holds more than half of the decision maker's weight.

    Parameters
    ----------
    weights : pandas.Series or array_like
        Performance weights per expert (any scale; NaN counts as 0).

    Returns
    -------
    str or None

    Examples
    --------
    >>> dominance_warning(pd.Series({"A": 1.0, "B": 0.0})).startswith("Expert A holds 100%")
    True
    >>> dominance_warning([0.4, 0.3, 0.3]) is None
    True
    """
    s = pd.Series(weights, dtype=float).fillna(0.0)
    total = float(s.sum())
    if total <= 0 or len(s) < 2:
        return None
    share = s / total
    top = share.idxmax()
    if float(share[top]) <= DOMINANT_SHARE:
        return None
    return (f"Expert {top} holds {float(share[top]):.0%} of the decision maker’s weight: the "
            "results are mostly one expert’s judgment, not a panel’s.")


def zero_width_warning(options: npt.ArrayLike, low: npt.ArrayLike,
                       high: npt.ArrayLike) -> str | None:
    """A warning naming options whose interval has zero width (e.g. "1.76 to 1.76").

    Examples
    --------
    >>> zero_width_warning(["x", "y"], [1.76, 1.0], [1.76, 2.0])[:43]
    'Intervals of zero width for x: the weight o'
    """
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    with np.errstate(invalid="ignore"):
        flat = np.isfinite(lo) & np.isfinite(hi) & (hi - lo <= 1e-12 * np.maximum(1.0, abs(hi)))
    names = [str(o) for o, f in zip(np.asarray(options, dtype=object), flat, strict=True) if f]
    if not names:
        return None
    return (f"Intervals of zero width for {', '.join(names[:5])}"
            f"{' and others' if len(names) > 5 else ''}: the weight or the answers rest on a "
            "single opinion, so no uncertainty could be measured — this is not certainty.")


def adequacy_warnings(n_questions: int | None = None,
                      weights: pd.Series | npt.ArrayLike | None = None,
                      intervals: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike] | None = None
                      ) -> list[str]:
    """Every warning that applies: few seed questions, one dominant expert, zero widths.

    Parameters
    ----------
    n_questions : int, optional
        Scored seed questions (see :func:`seed_question_warning`).
    weights : pandas.Series or array_like, optional
        Performance weights (see :func:`dominance_warning`).
    intervals : (options, low, high), optional
        Result intervals (see :func:`zero_width_warning`).

    Returns
    -------
    list of str
        Empty when nothing applies.
    """
    found = [
        None if n_questions is None else seed_question_warning(n_questions),
        None if weights is None else dominance_warning(weights),
        None if intervals is None else zero_width_warning(*intervals),
    ]
    return [w for w in found if w]
