"""Cooke's classical model: performance weights and the decision maker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .pool import LinearPool
from .scores import calibration_scores, information_scores, intrinsic_range, to_model_scale
from .study import Study

__all__ = ["CookeResult", "DecisionMaker", "WeightScheme", "classical_model"]

WeightScheme = Literal["global", "item", "equal"]
FloatArray = npt.NDArray[np.float64]
TIE_RTOL = 1e-12


@dataclass(frozen=True)
class DecisionMaker:
    """Scores of the decision maker, scored like an expert.

    Attributes
    ----------
    calibration, information_seed, information_all : float
        Calibration, mean information over seed items and over all items.
    """

    calibration: float
    information_seed: float
    information_all: float

    @property
    def combined(self) -> float:
        """Calibration x information on the seed items (the unnormalised weight)."""
        return self.calibration * self.information_seed


@dataclass(frozen=True)
class CookeResult:
    """Result of :func:`classical_model`.

    Attributes
    ----------
    experts : pandas.DataFrame
        Indexed by expert id; columns ``calibration``, ``information_seed``,
        ``information_all``, ``weight`` (normalised global weight, 1/E for
        equal weights, NaN for item weights).
    alpha : float
        Significance level used (optimised or given; 0 for equal weights).
    weights : {"global", "item", "equal"}
        Weighting scheme.
    dm : DecisionMaker
        The decision maker's scores.
    dm_quantiles : pandas.DataFrame
        Decision maker quantiles, items x quantile levels, original scale.
    item_weights : pandas.DataFrame
        Normalised weights actually pooled, items x experts (each row sums to 1).
    """

    experts: pd.DataFrame
    alpha: float
    weights: WeightScheme
    dm: DecisionMaker
    dm_quantiles: pd.DataFrame
    item_weights: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready shape used by ``python -m analysis cooke --json``.

        Keys: ``experts`` (list of ``{id, calibration, information_seed,
        information_all, weight}``, weight ``None`` for item weights),
        ``alpha``, ``dm`` (``calibration``, ``information_seed``,
        ``information_all``, ``quantiles``: item id -> one value per level).
        """
        experts = [
            {
                "id": str(expert),
                "calibration": float(row.calibration),
                "information_seed": float(row.information_seed),
                "information_all": float(row.information_all),
                "weight": None if np.isnan(row.weight) else float(row.weight),
            }
            for expert, row in self.experts.iterrows()
        ]
        quantiles = {
            str(item): [float(x) for x in row] for item, row in self.dm_quantiles.iterrows()
        }
        return {
            "experts": experts,
            "alpha": float(self.alpha),
            "weights": self.weights,
            "dm": {
                "calibration": self.dm.calibration,
                "information_seed": self.dm.information_seed,
                "information_all": self.dm.information_all,
                "quantiles": quantiles,
            },
        }


@dataclass(frozen=True)
class _Prepared:
    """Everything about a study that does not depend on the weights."""

    study: Study
    values: FloatArray
    realizations: FloatArray
    lower: FloatArray
    upper: FloatArray
    n_min: int
    information: FloatArray
    calibration: FloatArray
    information_seed: FloatArray
    information_all: FloatArray
    pool: LinearPool

    @classmethod
    def build(cls, study: Study, overshoot: float) -> _Prepared:
        values, realizations = to_model_scale(study)
        seed = study.seed_mask
        if not seed.any():
            raise ValueError("the study has no seed item: no realization is known")
        answered = study.answered
        seeds_answered = answered[:, seed].sum(axis=1)
        if np.any(seeds_answered == 0):
            who = [e for e, n in zip(study.experts, seeds_answered, strict=True) if n == 0]
            raise ValueError(f"experts {who} answered no seed item and cannot be calibrated")
        lower, upper = intrinsic_range(values, realizations, overshoot)
        n_min = int(seeds_answered.min())
        information = information_scores(values, lower, upper, study.quantiles)
        calibration = calibration_scores(
            values[:, seed], realizations[seed], study.quantiles, n_min
        )
        return cls(
            study=study,
            values=values,
            realizations=realizations,
            lower=lower,
            upper=upper,
            n_min=n_min,
            information=information,
            calibration=calibration,
            information_seed=_masked_mean(information, answered & seed[None, :]),
            information_all=_masked_mean(information, answered),
            pool=LinearPool.build(values, lower, upper, study.quantiles),
        )

    def raw_weights(self, scheme: WeightScheme, alphas: FloatArray) -> FloatArray:
        """Unnormalised weights for each alpha, shape (A, E, N), zero where not answered."""
        answered = self.study.answered
        if scheme == "equal":
            base = answered.astype(float)
            return np.broadcast_to(base, (alphas.size, *base.shape)).copy()
        if scheme == "global":
            base = np.where(answered, (self.calibration * self.information_seed)[:, None], 0.0)
        else:
            base = np.where(answered, self.calibration[:, None] * self.information, 0.0)
        keep = self.calibration[None, :] >= alphas[:, None]
        return base[None, :, :] * keep[:, :, None]

    def score_dms(self, quantiles: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Score DM quantiles (A, N, Q) on the model scale like an expert's.

        Returns calibration, information_seed and information_all, each (A,).
        """
        seed = self.study.seed_mask
        info = information_scores(quantiles, self.lower, self.upper, self.study.quantiles)
        cal = calibration_scores(
            quantiles[:, seed], self.realizations[seed], self.study.quantiles, self.n_min
        )
        return cal, info[:, seed].mean(axis=1), info.mean(axis=1)

    def score_dm(self, quantiles: FloatArray) -> DecisionMaker:
        """Score one DM's quantiles (N, Q) on the model scale."""
        cal, seed, total = self.score_dms(quantiles[None])
        return DecisionMaker(float(cal[0]), float(seed[0]), float(total[0]))


def _masked_mean(x: FloatArray, mask: npt.NDArray[np.bool_]) -> FloatArray:
    total = np.where(mask, x, 0.0).sum(axis=1)
    return total / mask.sum(axis=1)


def _normalise(raw: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Normalise (A, E, N) weights per item; also say which alphas cover every item."""
    total = raw.sum(axis=1, keepdims=True)
    covers = (total > 0).all(axis=(1, 2))
    return raw / np.where(total > 0, total, 1.0), covers


def _alpha_candidates(calibration: FloatArray) -> FloatArray:
    """Distinct calibration scores, scores within a relative 1e-12 merged to the smallest."""
    ordered = np.sort(calibration)
    keep = np.ones(ordered.size, dtype=bool)
    keep[1:] = ordered[1:] - ordered[:-1] > TIE_RTOL * np.abs(ordered[1:])
    return ordered[keep]


def _optimise(prep: _Prepared, scheme: WeightScheme) -> tuple[float, FloatArray, FloatArray]:
    """Score the DM of every candidate alpha at once and keep the best (lowest on ties)."""
    alphas = _alpha_candidates(prep.calibration)
    weights, covers = _normalise(prep.raw_weights(scheme, alphas))
    if not covers.any():
        raise ValueError("no alpha leaves every item with a weighted expert")
    alphas, weights = alphas[covers], weights[covers]
    quantiles = prep.pool.dm_quantiles(weights)
    cal, info_seed, _ = prep.score_dms(quantiles)
    score = np.where(cal >= alphas * (1.0 - TIE_RTOL), cal * info_seed, 0.0)
    best = int(np.flatnonzero(score >= score.max() * (1.0 - TIE_RTOL))[0])
    return float(alphas[best]), weights[best], quantiles[best]


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
    return _run(_Prepared.build(study, overshoot), weights, alpha)


def _run(prep: _Prepared, weights: WeightScheme, alpha: Literal["optimize"] | float) -> CookeResult:
    if weights == "equal":
        used_alpha = 0.0
        w = _normalise(prep.raw_weights("equal", np.zeros(1)))[0][0]
        quantiles = prep.pool.dm_quantiles(w)
    elif isinstance(alpha, str):
        if alpha != "optimize":
            raise ValueError(f"alpha must be 'optimize' or a number, got {alpha!r}")
        used_alpha, w, quantiles = _optimise(prep, weights)
    else:
        used_alpha = float(alpha)
        if not 0.0 <= used_alpha <= 1.0:
            raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
        normalised, covers = _normalise(prep.raw_weights(weights, np.array([used_alpha])))
        if not covers[0]:
            raise ValueError(f"alpha={used_alpha} leaves an item with no weighted expert")
        w = normalised[0]
        quantiles = prep.pool.dm_quantiles(w)
    return _result(prep, weights, used_alpha, w, quantiles)


def _result(
    prep: _Prepared, scheme: WeightScheme, alpha: float, w: FloatArray, quantiles: FloatArray
) -> CookeResult:
    study = prep.study
    if scheme == "global":
        raw = prep.calibration * prep.information_seed * (prep.calibration >= alpha)
        expert_weight = raw / raw.sum()
    elif scheme == "equal":
        expert_weight = np.full(len(study.experts), 1.0 / len(study.experts))
    else:
        expert_weight = np.full(len(study.experts), np.nan)
    experts = pd.DataFrame(
        {
            "calibration": prep.calibration,
            "information_seed": prep.information_seed,
            "information_all": prep.information_all,
            "weight": expert_weight,
        },
        index=pd.Index(study.experts, name="expert"),
    )
    original = quantiles.copy()
    original[study.log_mask] = np.exp(quantiles[study.log_mask])
    items = pd.Index(study.items, name="item")
    return CookeResult(
        experts=experts,
        alpha=alpha,
        weights=scheme,
        dm=prep.score_dm(quantiles),
        dm_quantiles=pd.DataFrame(
            original, index=items, columns=pd.Index(study.quantiles, name="level")
        ),
        item_weights=pd.DataFrame(w.T, index=items, columns=list(study.experts)),
    )
