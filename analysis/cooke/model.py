"""Cooke's classical model: performance weights and the decision maker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from .pool import PrefixPool
from .result import CookeResult, DecisionMaker, WeightScheme
from .scores import (
    _bin_counts,
    _bins,
    _calibration,
    _given_bin_counts,
    _information,
    _model_scale,
    _range,
)
from .study import Study

__all__ = ["CookeResult", "DecisionMaker", "WeightScheme", "classical_model"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]
TIE_RTOL = 1e-12


@dataclass(slots=True)
class _Prepared:
    """Everything about a study that does not depend on the weights (model scale)."""

    values: FloatArray
    realizations: FloatArray
    seed: BoolArray
    answered: BoolArray
    quantiles: FloatArray
    lower: FloatArray
    upper: FloatArray
    n_min: int
    information: FloatArray
    calibration: FloatArray
    information_seed: FloatArray
    information_all: FloatArray
    #: interquantile probabilities p and ln(U* - L*) + sum_j p_j ln p_j per item
    p: FloatArray
    offset: FloatArray
    #: experts by decreasing calibration (stable)
    order: IntArray
    #: the number of seed items, their realizations, and the items with the
    #: seed items first (a slice when they already come first)
    n_seed: int
    seed_realizations: FloatArray
    items: IntArray | slice

    @classmethod
    def build(cls, study: Study, overshoot: float) -> _Prepared:
        """Prepare a validated study: log items go to the ln scale."""
        values, realizations = _model_scale(study)
        return cls.from_arrays(
            values, realizations, study.answered, study.quantiles, overshoot, study.experts,
            given=study.given,
        )

    @classmethod
    def from_arrays(
        cls,
        values: FloatArray,
        realizations: FloatArray,
        answered: BoolArray,
        quantiles: FloatArray,
        overshoot: float,
        experts: Sequence[str],
        given: BoolArray | None = None,
    ) -> _Prepared:
        """Prepare model-scale arrays of a valid study (``experts`` names errors only).

        ``answered`` (E, N) marks complete assessments and ``given`` those
        with at least one quantile (None, or ``answered`` itself: no partial
        assessment). A partial assessment is treated as anduryl 1.2.2 does:
        its given values count in the intrinsic range and in calibration (a
        missing quantile as -inf, see
        :func:`~analysis.cooke.scores._given_bin_counts`; N_min and the
        expert's number of seed items include it), but it has no information
        score, the mean information is over complete assessments, and it has
        no weight in the decision maker.
        """
        partial = (
            given is not None and given is not answered and not np.array_equal(given, answered)
        )
        seed = realizations == realizations  # not NaN
        seed_at = seed.nonzero()[0]
        n_seed = seed_at.size
        if not n_seed:
            raise ValueError("the study has no seed item: no realization is known")
        # the seed items: a slice when they come first
        first = int(seed_at[-1]) == n_seed - 1
        on = slice(None, n_seed) if first else seed_at
        on_seed = answered[:, on]
        seeds_answered = np.add.reduce(on_seed, axis=1)
        # calibration counts a partial assessment as answered
        seeds_given = np.add.reduce(given[:, on], axis=1) if partial else seeds_answered
        n_min = int(np.minimum.reduce(seeds_given))
        if not n_min:
            who = [e for e, n in zip(experts, seeds_given, strict=True) if n == 0]
            raise ValueError(f"experts {who} answered no seed item and cannot be calibrated")
        if partial and not seeds_answered.all():
            who = [e for e, n in zip(experts, seeds_answered, strict=True) if n == 0]
            raise ValueError(
                f"experts {who} gave every quantile of no seed item: no information score"
            )
        seed_realizations = realizations[on]
        p, p_log_p = _bins(tuple(quantiles.tolist()))[::2]
        if partial:
            # fmin/fmax skip the missing quantiles of partial assessments
            smallest, largest = np.fmin.reduce(values, axis=2), np.fmax.reduce(values, axis=2)
            lower, upper = _range(smallest, largest, realizations, overshoot)
            counts = _given_bin_counts(values[:, on], seed_realizations, given[:, on])
            # information and the decision maker see complete assessments only
            values = np.where(answered[:, :, None], values, np.nan)
        else:
            # quantiles increase strictly: the first and last are the extremes
            lower, upper = _range(values[:, :, 0], values[:, :, -1], realizations, overshoot)
            counts = _bin_counts(values[:, on], seed_realizations, on_seed, p.size)
        offset = np.log(upper - lower)
        offset += p_log_p
        information = _information(values, lower, upper, offset, p)
        calibration = _calibration(counts, seeds_given[:, None], p, n_min)
        # mean over answered items: information is NaN exactly where not answered
        filled = np.where(answered, information, 0.0)
        items = slice(None) if first else np.argsort(~seed, kind="stable")
        return cls(
            values=values,
            realizations=realizations,
            seed=seed,
            answered=answered,
            quantiles=quantiles,
            lower=lower,
            upper=upper,
            n_min=n_min,
            information=information,
            calibration=calibration,
            information_seed=np.add.reduce(filled[:, on], axis=1) / seeds_answered,
            information_all=np.add.reduce(filled, axis=1) / np.add.reduce(answered, axis=1),
            p=p,
            offset=offset,
            order=(calibration * -1.0).argsort(kind="stable"),  # by decreasing calibration
            n_seed=n_seed,
            seed_realizations=seed_realizations,
            items=items,
        )

    def raw_weights(self, scheme: WeightScheme) -> FloatArray:
        """Unnormalised weights before the alpha cut, shape (E, N), zero where not answered.

        Global C_e I_e(seed), item C_e I_en, or 1 for equal weights.
        """
        if scheme == "equal":
            return self.answered.astype(float)
        if scheme == "global":
            return np.where(self.answered, (self.calibration * self.information_seed)[:, None], 0.0)
        return np.where(self.answered, self.calibration[:, None] * self.information, 0.0)


@dataclass(slots=True)
class _Solution:
    """The chosen alpha, the normalised weights (E, N), DM quantiles (N, Q) and scores."""

    alpha: float
    weights: FloatArray
    quantiles: FloatArray
    dm: DecisionMaker


def _group_starts(ascending: FloatArray) -> IntArray:
    """Positions where a new score starts in sorted scores >= 0 (ties within 1e-12 merged)."""
    keep = np.empty(ascending.size, dtype=bool)
    keep[0] = True
    np.greater(ascending[1:] - ascending[:-1], TIE_RTOL * ascending[1:], out=keep[1:])
    return keep.nonzero()[0]


def _candidates(
    prep: _Prepared,
    scheme: WeightScheme,
    alpha: Literal["optimize"] | float,
    ordered: FloatArray,
    descending: FloatArray,
) -> tuple[FloatArray, IntArray]:
    """Candidate alphas (ascending) and how many experts, by decreasing calibration, each keeps.

    ``ordered`` are the raw weights (E, N) and ``descending`` the calibration
    scores (E,), both by decreasing calibration; an alpha leaving an item
    without a weighted expert is dropped (or raises if given).
    """
    n_e = ordered.shape[0]
    if scheme == "equal":
        alphas, ends = np.zeros(1), np.array([n_e])
    elif isinstance(alpha, str):
        if alpha != "optimize":
            raise ValueError(f"alpha must be 'optimize' or a number, got {alpha!r}")
        # the experts with C >= alpha are the first n_e - (position of alpha
        # among the ascending scores), ties merged to the smallest
        ascending = descending[::-1]
        starts = _group_starts(ascending)
        alphas, ends = ascending[starts], n_e - starts
    else:
        if not 0.0 <= float(alpha) <= 1.0:
            raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
        alphas = np.array([float(alpha)])
        ends = np.array([np.count_nonzero(prep.calibration >= alphas[0])])
    # a prefix covers every item once it reaches each item's first weighted
    # expert (often the first expert covers them all)
    if np.minimum.reduce(ordered[0]) > 0:  # the first expert weights every item
        if ends[-1] >= 1:  # the smallest prefix (a given alpha may keep no expert)
            return alphas, ends
        need = 1
    else:
        weighted = ordered > 0
        need = int(weighted.argmax(axis=0).max()) + 1 if weighted.any(axis=0).all() else n_e + 1
    covers = ends >= need
    if not covers.any():
        if isinstance(alpha, str):
            raise ValueError("no alpha leaves every item with a weighted expert")
        raise ValueError(f"alpha={alphas[0]} leaves an item with no weighted expert")
    if covers.all():
        return alphas, ends
    return alphas[covers], ends[covers]


def _solve(prep: _Prepared, scheme: WeightScheme, alpha: Literal["optimize"] | float) -> _Solution:
    """Pool the experts for the given or every candidate alpha and keep the best.

    The experts with C_e >= alpha are the first ones by decreasing calibration,
    so every candidate's decision maker is a prefix pool (see
    :class:`~analysis.cooke.pool.PrefixPool`), and one running sum over the
    experts' CDFs on the merged grid serves them all. Only the seed items
    decide alpha: all candidates are scored there at once and the best
    C_DM I_DM(seed) 1[C_DM >= alpha] wins, the lowest alpha on ties. The
    target items are inverted for every candidate in the same pass when the
    study fits in one block of the pool (one vectorised pass costs less than
    a second one), else for the chosen alpha alone.
    """
    raw = prep.raw_weights(scheme)
    order = prep.order
    n_s, n_i = prep.n_seed, prep.seed.size
    # experts by decreasing calibration, seed items first
    items = prep.items
    if isinstance(items, slice):
        ordered, values = raw[order], prep.values[order]
        lower, upper, offset = prep.lower, prep.upper, prep.offset
    else:
        ordered, values = raw[order[:, None], items], prep.values[order[:, None], items]
        lower, upper, offset = prep.lower[items], prep.upper[items], prep.offset[items]
    alphas, ends = _candidates(prep, scheme, alpha, ordered, prep.calibration[order])
    pool = PrefixPool(values, lower, upper, prep.quantiles, ordered)
    p = prep.p
    # every item for every candidate in one pass when the study is one block
    # (inverting more targets costs less than a second pass), else the seed
    # items for every candidate and then the targets for the chosen one
    m = n_i if pool.fits else n_s
    on_items = pool.quantiles(0, m, ends - 1)
    info = _information(on_items, lower[:m], upper[:m], offset[:m], p)
    info_seed = np.add.reduce(info[:, :n_s], axis=1) / n_s
    counts = _bin_counts(on_items[:, :n_s], prep.seed_realizations, None, p.size)
    cal = _calibration(counts, n_s, p, prep.n_min)
    best = 0
    if alphas.size > 1:
        score = np.where(cal >= alphas * (1.0 - TIE_RTOL), cal * info_seed, 0.0)
        best = int((score >= np.maximum.reduce(score) * (1.0 - TIE_RTOL)).argmax())  # the first
    end = int(ends[best])
    if n_s < n_i and (end == 1 or m < n_i):
        if end == 1:
            # the pool of one expert is that expert (what the pool would return exactly)
            on_target = values[0, n_s:]
        else:
            on_target = pool.quantiles(n_s, n_i, ends[best : best + 1] - 1)[0]
        info_target = _information(on_target[None], lower[n_s:], upper[n_s:], offset[n_s:], p)
        quantiles = np.empty(prep.values.shape[1:])
        quantiles[items] = np.concatenate([on_items[best, :n_s], on_target])
        info_total = np.add.reduce(info[best, :n_s]) + np.add.reduce(info_target[0])
    elif isinstance(items, slice):
        quantiles = on_items[best]  # a fresh array's row: kept as the result
        info_total = np.add.reduce(info[best])
    else:
        quantiles = np.empty(prep.values.shape[1:])
        quantiles[items] = on_items[best]
        info_total = np.add.reduce(info[best])
    # the experts kept are those with C_e >= alpha (the first ``end`` by decreasing
    # calibration; ties were merged to the group's smallest score); every
    # candidate leaves each item a positive total weight
    chosen_alpha = float(alphas[best])
    chosen = np.where((prep.calibration >= chosen_alpha)[:, None], raw, 0.0)
    chosen /= np.add.reduce(chosen, axis=0)
    return _Solution(
        alpha=chosen_alpha,
        weights=chosen,
        quantiles=quantiles,
        dm=DecisionMaker(float(cal[best]), float(info_seed[best]), float(info_total / n_i)),
    )


def classical_model(
    study: Study,
    weights: WeightScheme = "global",
    alpha: Literal["optimize"] | float = "optimize",
    overshoot: float = 0.1,
) -> CookeResult:
    """Run Cooke's classical model on a study.

    Parameters
    ----------
    study : Study
        Assessments and realizations (see :func:`load_study`).
    weights : {"global", "item", "equal"}
        Global weights w_e = C_e I_e(seed) 1[C_e >= alpha]; item weights
        w_en = C_e I_en 1[C_e >= alpha]; or equal weights 1/E.
    alpha : "optimize" or float
        Significance level. ``"optimize"`` tries every distinct expert
        calibration score and keeps the one whose decision maker maximises
        C_DM I_DM(seed) 1[C_DM >= alpha] (ignored for equal weights).
    overshoot : float
        Overshoot k of the intrinsic range (default 0.1).

    Returns
    -------
    CookeResult

    Raises
    ------
    ValueError
        If the scheme or alpha is invalid, the study has no seed item, an
        expert answered no seed item, or a given alpha leaves an item with no
        weighted expert.

    Notes
    -----
    * Intrinsic range: [L - k(U - L), U + k(U - L)], on ln values for LOG items.
    * Information: I = ln(U* - L*) + sum_j p_j ln(p_j / (x_j - x_{j-1})),
      averaged over answered seed items (information_seed) or all items.
    * Calibration: C = chi2_Q.sf(2 N_min sum_j s_j ln(s_j / p_j)), N_min the
      smallest number of seed items answered by any expert.
    * Experts who did not answer an item get weight 0 there; the others are
      renormalised. The decision maker's CDF is the weighted sum of the
      experts' piecewise-linear CDFs through (L*, 0), their quantiles and
      (U*, 1); its quantiles are scored like an expert's.
    * Optimised alpha: ties (relative 1e-12) go to the lowest alpha; an alpha
      leaving an item with no weighted expert is not a candidate.
    * A partial assessment (some quantiles NaN, e.g. from an EXCALIBUR file)
      is treated as anduryl 1.2.2 does: its given values count in the
      intrinsic range, and it counts as answered in calibration (N_min
      included) with each missing quantile taken as -inf (a bin anduryl would
      count negative is left out of the sum, as anduryl does); it has no
      information score and no weight in the decision maker.

    References
    ----------
    Cooke, R. M. (1991). Experts in Uncertainty: Opinion and Subjective
    Probability in Science, ch. 12. Oxford University Press.
    Cooke, R. M., & Goossens, L. H. J. (2008). TU Delft expert judgment data
    base. Reliability Engineering & System Safety 93(5), 657-674.
    doi:10.1016/j.ress.2007.03.005

    Examples
    --------
    >>> import numpy as np
    >>> study = Study(("A", "B"), ("s1", "s2", "t"), ("uni",) * 3, np.array([0.05, 0.5, 0.95]),
    ...     np.array([[[0, 1, 2], [0, 1, 2], [0, 1, 2]], [[1, 2, 3], [1, 2, 3], [1, 2, 3]]]),
    ...     np.array([0.5, 1.5, np.nan]))
    >>> result = classical_model(study, weights="equal")
    >>> result.dm_quantiles.loc["t"].round(3).tolist()
    [0.079, 1.5, 2.921]
    """
    if weights not in ("global", "item", "equal"):
        raise ValueError(f"weights must be 'global', 'item' or 'equal', got {weights!r}")
    return _result(study, _Prepared.build(study, overshoot), weights, alpha)


def _result(
    study: Study, prep: _Prepared, scheme: WeightScheme, alpha: Literal["optimize"] | float
) -> CookeResult:
    """Solve and wrap the solution, labelled with the study's ids (see :class:`CookeResult`)."""
    solution = _solve(prep, scheme, alpha)
    calibration = prep.calibration
    if scheme == "global":
        raw = np.where(calibration >= solution.alpha, calibration * prep.information_seed, 0.0)
        expert_weight = raw / np.add.reduce(raw)
    else:
        n_e = calibration.size
        expert_weight = np.full(n_e, 1.0 / n_e if scheme == "equal" else np.nan)
    scores = np.array((calibration, prep.information_seed, prep.information_all, expert_weight))
    original = solution.quantiles
    if "log" in study.scales:
        np.exp(original, out=original, where=study.log_mask[:, None])
    return CookeResult._from_arrays(
        expert_ids=study.experts,
        item_ids=study.items,
        levels=study.quantiles,
        scores=scores.T,
        alpha=solution.alpha,
        weights=scheme,
        dm=solution.dm,
        quantiles=original,
        item_weights=solution.weights,
    )
