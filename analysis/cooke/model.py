"""Cooke's classical model: performance weights and the decision maker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .pool import nested_quantiles
from .result import CookeResult, DecisionMaker, WeightScheme
from .scores import calibration_scores, information_scores, intrinsic_range, to_model_scale
from .study import Study

__all__ = ["CookeResult", "DecisionMaker", "WeightScheme", "classical_model"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]
TIE_RTOL = 1e-12
_EXPERT_COLUMNS = pd.Index(["calibration", "information_seed", "information_all", "weight"])


@dataclass(frozen=True)
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

    @classmethod
    def build(cls, study: Study, overshoot: float) -> _Prepared:
        """Prepare a validated study: log items go to the ln scale."""
        values, realizations = to_model_scale(study)
        return cls.from_arrays(
            values, realizations, study.answered, study.quantiles, overshoot, study.experts
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
    ) -> _Prepared:
        """Prepare model-scale arrays of a valid study (``experts`` names errors only)."""
        seed = ~np.isnan(realizations)
        if not seed.any():
            raise ValueError("the study has no seed item: no realization is known")
        seeds_answered = answered[:, seed].sum(axis=1)
        if not seeds_answered.all():
            who = [e for e, n in zip(experts, seeds_answered, strict=True) if n == 0]
            raise ValueError(f"experts {who} answered no seed item and cannot be calibrated")
        lower, upper = intrinsic_range(values, realizations, overshoot)
        n_min = int(seeds_answered.min())
        information = information_scores(values, lower, upper, quantiles)
        calibration = calibration_scores(values[:, seed], realizations[seed], quantiles, n_min)
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
            information_seed=_masked_mean(information, answered & seed),
            information_all=_masked_mean(information, answered),
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


@dataclass(frozen=True)
class _Solution:
    """The chosen alpha, the normalised weights (E, N), DM quantiles (N, Q) and scores."""

    alpha: float
    weights: FloatArray
    quantiles: FloatArray
    dm: DecisionMaker


def _masked_mean(x: FloatArray, mask: BoolArray) -> FloatArray:
    total = np.where(mask, x, 0.0).sum(axis=1)
    return total / mask.sum(axis=1)


def _alpha_candidates(calibration: FloatArray) -> FloatArray:
    """Distinct calibration scores, scores within a relative 1e-12 merged to the smallest."""
    ordered = np.sort(calibration)
    keep = np.ones(ordered.size, dtype=bool)
    keep[1:] = ordered[1:] - ordered[:-1] > TIE_RTOL * np.abs(ordered[1:])
    return ordered[keep]


def _candidates(
    prep: _Prepared, scheme: WeightScheme, alpha: Literal["optimize"] | float, ordered: FloatArray
) -> tuple[FloatArray, IntArray]:
    """Candidate alphas (ascending) and how many experts, by decreasing calibration, each keeps.

    ``ordered`` are the raw weights (E, N) by decreasing calibration; an alpha
    leaving an item without a weighted expert is dropped (or raises if given).
    """
    n_e = ordered.shape[0]
    if scheme == "equal":
        alphas, ends = np.zeros(1), np.array([n_e])
    elif isinstance(alpha, str):
        if alpha != "optimize":
            raise ValueError(f"alpha must be 'optimize' or a number, got {alpha!r}")
        alphas = _alpha_candidates(prep.calibration)
        ends = n_e - np.searchsorted(np.sort(prep.calibration), alphas, side="left")
    else:
        if not 0.0 <= float(alpha) <= 1.0:
            raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
        alphas = np.array([float(alpha)])
        ends = np.array([np.count_nonzero(prep.calibration >= alphas[0])])
    totals = np.cumsum(ordered, axis=0)
    covers = (ends > 0) & (totals[np.maximum(ends, 1) - 1] > 0).all(axis=1)
    if not covers.any():
        if isinstance(alpha, str):
            raise ValueError("no alpha leaves every item with a weighted expert")
        raise ValueError(f"alpha={alphas[0]} leaves an item with no weighted expert")
    return alphas[covers], ends[covers]


def _solve(prep: _Prepared, scheme: WeightScheme, alpha: Literal["optimize"] | float) -> _Solution:
    """Pool the experts for the given or every candidate alpha and keep the best.

    The experts with C_e >= alpha are the first ones by decreasing calibration,
    so every candidate's decision maker is a prefix pool (see
    :func:`~analysis.cooke.pool.nested_quantiles`). Only the seed items decide
    alpha: all candidates are pooled and scored there at once and the best
    C_DM I_DM(seed) 1[C_DM >= alpha] wins, the lowest alpha on ties; the
    target items are then pooled for the chosen alpha alone.
    """
    raw = prep.raw_weights(scheme)
    order = np.argsort(-prep.calibration, kind="stable")
    values, ordered = prep.values[order], raw[order]
    alphas, ends = _candidates(prep, scheme, alpha, ordered)
    seed = prep.seed
    on_seed = nested_quantiles(
        values[:, seed], prep.lower[seed], prep.upper[seed], prep.quantiles, ordered[:, seed], ends
    )
    cal = calibration_scores(on_seed, prep.realizations[seed], prep.quantiles, prep.n_min)
    info_seed = information_scores(
        on_seed, prep.lower[seed], prep.upper[seed], prep.quantiles
    ).mean(axis=1)
    best = 0
    if alphas.size > 1:
        score = np.where(cal >= alphas * (1.0 - TIE_RTOL), cal * info_seed, 0.0)
        best = int(np.flatnonzero(score >= score.max() * (1.0 - TIE_RTOL))[0])
    end = int(ends[best])
    quantiles = np.empty(prep.values.shape[1:])
    quantiles[seed] = on_seed[best]
    quantiles[~seed] = _pool_targets(prep, values[:end], ordered[:end])
    info_all = information_scores(quantiles[None], prep.lower, prep.upper, prep.quantiles).mean()
    keep = np.zeros(raw.shape[0], dtype=bool)
    keep[order[:end]] = True
    chosen = raw * keep[:, None]
    total = chosen.sum(axis=0, keepdims=True)
    return _Solution(
        alpha=float(alphas[best]),
        weights=chosen / np.where(total > 0, total, 1.0),
        quantiles=quantiles,
        dm=DecisionMaker(float(cal[best]), float(info_seed[best]), float(info_all)),
    )


def _pool_targets(prep: _Prepared, values: FloatArray, raw: FloatArray) -> FloatArray:
    """DM quantiles (T, Q) on the target items, pooling all the given experts."""
    target = ~prep.seed
    if len(values) == 1:
        # the pool of one expert is that expert (what the pool would return exactly)
        return values[0, target]
    if not target.any():
        return np.empty((0, values.shape[2]))
    return nested_quantiles(
        values[:, target],
        prep.lower[target],
        prep.upper[target],
        prep.quantiles,
        raw[:, target],
        np.array([len(values)]),
    )[0]


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
    """Solve and wrap the solution in pandas objects labelled with the study's ids."""
    solution = _solve(prep, scheme, alpha)
    if scheme == "global":
        raw = prep.calibration * prep.information_seed * (prep.calibration >= solution.alpha)
        expert_weight = raw / raw.sum()
    elif scheme == "equal":
        expert_weight = np.full(len(study.experts), 1.0 / len(study.experts))
    else:
        expert_weight = np.full(len(study.experts), np.nan)
    # ids are str: dtype=object skips pandas' type inference (the same Index)
    expert_ids = pd.Index(study.experts, dtype=object)
    experts = pd.DataFrame(
        np.column_stack(
            [prep.calibration, prep.information_seed, prep.information_all, expert_weight]
        ),
        index=expert_ids.rename("expert"),
        columns=_EXPERT_COLUMNS,
    )
    original = solution.quantiles.copy()
    log = study.log_mask
    original[log] = np.exp(original[log])
    items = pd.Index(study.items, dtype=object, name="item")
    return CookeResult(
        experts=experts,
        alpha=solution.alpha,
        weights=scheme,
        dm=solution.dm,
        dm_quantiles=pd.DataFrame(
            original, index=items, columns=pd.Index(study.quantiles, name="level")
        ),
        item_weights=pd.DataFrame(solution.weights.T, index=items, columns=expert_ids),
    )
