"""Expert x option matrices of likelihood, impact and expected-impact score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["ExpertOptionData", "build_matrices", "expert_weight_vector"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ExpertOptionData:
    """Per-expert, per-option inputs to the ranking (NaN = no contribution).

    Attributes
    ----------
    experts, options : pandas.Index
        Row and column labels (experts who contribute to at least one option).
    groups : numpy.ndarray
        Group label of each expert.
    likelihood : numpy.ndarray (E, O)
        Probability-criterion estimate, or 1.0 where there is none.
    impact : numpy.ndarray (E, O)
        Weighted sum of the scale criteria, or 1.0 where there are none.
    score : numpy.ndarray (E, O)
        ``likelihood * impact``.
    probability_criterion : str or None
        Name of the probability criterion used.
    scale_weights : dict
        Weight of each scale criterion used.
    excluded : int
        Expert-option pairs dropped because an answer was abstained or missing.
    """

    experts: pd.Index
    options: pd.Index
    groups: npt.NDArray[np.object_]
    likelihood: FloatArray
    impact: FloatArray
    score: FloatArray
    probability_criterion: str | None
    scale_weights: dict[str, float]
    excluded: int

    @property
    def present(self) -> npt.NDArray[np.bool_]:
        """Boolean (E, O): does the expert contribute to the option."""
        return ~np.isnan(self.score)


def _criterion_weights(rows: pd.DataFrame, overrides: Mapping[str, float] | None
                       ) -> tuple[str | None, dict[str, float]]:
    kinds = rows.groupby("criterion", sort=True)["kind"].first()
    weights = rows.groupby("criterion", sort=True)["weight"].first().astype(float).to_dict()
    if overrides is not None:
        unknown = sorted(set(map(str, overrides)) - set(kinds.index))
        if unknown:
            raise ValueError(f"criterion_weights names unknown criteria {unknown}; "
                             f"criteria present: {sorted(kinds.index)}")
        for name, w in overrides.items():
            if not np.isfinite(float(w)):
                raise ValueError(f"criterion weight for {name!r} must be finite, got {w!r}")
            weights[str(name)] = float(w)
    probability = sorted(kinds.index[kinds == "probability"])
    if len(probability) > 1:
        raise ValueError(
            f"at most one probability criterion can be ranked on, got {probability}; "
            "drop the others from the table"
        )
    scale = {c: weights[c] for c in kinds.index[kinds == "scale"] if weights[c] != 0.0}
    if not probability and not scale:
        raise ValueError("no criterion to rank on: every scale criterion has weight 0")
    return (probability[0] if probability else None), scale


def build_matrices(rows: pd.DataFrame,
                   criterion_weights: Mapping[str, float] | None = None) -> ExpertOptionData:
    r"""Build the expert x option matrices from validated rows of one round.

    Parameters
    ----------
    rows : pandas.DataFrame
        Validated judgments (see :func:`analysis.validate_judgments`) of one round.
    criterion_weights : mapping, optional
        Override the ``weight`` column per criterion; weight 0 drops a scale
        criterion.  Weights of the probability criterion are ignored.

    Returns
    -------
    ExpertOptionData

    Notes
    -----
    With probability criterion *p* and scale criteria *c* of weight
    :math:`w_c`, expert *e*'s score for option *o* is

    .. math:: s_{e,o} = p_{e,o} \sum_c w_c v_{e,o,c}

    (just :math:`\sum_c w_c v_{e,o,c}` without a probability criterion, just
    :math:`p_{e,o}` without scale criteria).  An expert contributes to an
    option only if they answered (did not abstain on) every criterion used;
    otherwise the pair is NaN and counted in ``excluded``.
    """
    prob, scale = _criterion_weights(rows, criterion_weights)
    e_codes, all_experts = pd.factorize(rows["expert"], sort=True)
    o_codes, option_labels = pd.factorize(rows["option"], sort=True)
    options = pd.Index(option_labels, name="option")
    shape = (len(all_experts), len(options))
    cell = e_codes * shape[1] + o_codes
    size = shape[0] * shape[1]
    live = ~rows["abstained"].to_numpy()
    if not live.any():
        rounds = sorted({int(r) for r in rows["round"]})
        raise ValueError(f"every answer of round {', '.join(map(str, rounds))} is an "
                         "abstention: there is nothing to rank")
    criterion = rows["criterion"].to_numpy()
    estimate = rows["estimate"].to_numpy(dtype=float)

    if prob:
        likelihood = np.full(size, np.nan)
        use = live & (criterion == prob)
        likelihood[cell[use]] = estimate[use]
        likelihood = likelihood.reshape(shape)
    else:
        likelihood = np.ones(shape)
    if scale:
        w = pd.Series(criterion).map(scale).to_numpy(dtype=float)
        use = live & ~np.isnan(w)
        impact = np.bincount(cell[use], w[use] * estimate[use], minlength=size).astype(float)
        answered = np.bincount(cell[use], minlength=size)
        impact[answered != len(scale)] = np.nan
        impact = impact.reshape(shape)
    else:
        impact = np.ones(shape)
    score = likelihood * impact
    impact[np.isnan(score)] = np.nan
    likelihood[np.isnan(score)] = np.nan
    keep = ~np.isnan(score).all(axis=1)
    if not keep.any():
        raise ValueError("no expert answered every criterion used for any option")
    asked = len(np.unique(cell))
    group_of = rows.groupby("expert")["group"].first()
    experts = pd.Index(all_experts[keep], name="expert")
    return ExpertOptionData(
        experts=experts, options=options,
        groups=group_of.reindex(experts).to_numpy(dtype=object),
        likelihood=likelihood[keep], impact=impact[keep], score=score[keep],
        probability_criterion=prob, scale_weights=scale,
        excluded=int(asked - np.count_nonzero(~np.isnan(score))),
    )


def expert_weight_vector(expert_weights: pd.Series | None, experts: pd.Index
                         ) -> tuple[FloatArray, list[str]]:
    """Align expert weights to ``experts``; missing experts get weight 0.

    Returns the weights (not normalised) and notes on experts given no weight.
    """
    if expert_weights is None:
        return np.ones(len(experts)), []
    if not isinstance(expert_weights, pd.Series):
        raise ValueError(f"expert_weights must be a pandas Series indexed by expert, "
                         f"got {type(expert_weights).__name__}")
    w = pd.to_numeric(expert_weights, errors="coerce").astype(float)
    w.index = w.index.map(str)
    bad = w[~np.isfinite(w.to_numpy()) | (w.to_numpy() < 0)]
    if len(bad):
        raise ValueError(f"expert weights must be finite and non-negative; "
                         f"expert {bad.index[0]!r} has {float(bad.iloc[0])!r}")
    if w.index.duplicated().any():
        raise ValueError(f"expert_weights has duplicated experts "
                         f"{sorted(set(w.index[w.index.duplicated()]))}")
    aligned = w.reindex(experts)
    missing = list(experts[aligned.isna().to_numpy()])
    values = aligned.fillna(0.0).to_numpy(dtype=float)
    if values.sum() <= 0:
        raise ValueError("expert weights are zero for every expert in the judgments")
    notes = [f"experts without a weight (given 0): {missing}"] if missing else []
    return values, notes
