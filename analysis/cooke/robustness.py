"""Robustness tables: the decision maker after leaving out seed items or experts."""

from __future__ import annotations

from itertools import combinations
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .model import WeightScheme, _Prepared, _solve
from .scores import to_model_scale
from .study import Study

__all__ = ["leave_k_out", "leave_one_expert_out", "leave_one_item_out"]

Removal = Literal["items", "experts"]
_COLUMNS = ["alpha", "calibration", "information_seed", "information_all", "combined"]


def leave_k_out(
    study: Study,
    remove: Removal,
    k: int = 1,
    *,
    weights: WeightScheme = "global",
    alpha: Literal["optimize"] | float = "optimize",
    overshoot: float = 0.1,
) -> pd.DataFrame:
    """Re-run the classical model with every combination of k seed items or experts removed.

    Parameters
    ----------
    study : Study
        The full study.
    remove : {"items", "experts"}
        Leave out seed items or experts.
    k : {1, 2}
        How many to leave out at a time.
    weights, alpha, overshoot
        As in :func:`classical_model`; alpha is re-optimised for each removal.

    Returns
    -------
    pandas.DataFrame
        One row per removal, indexed by ``removed`` (ids joined by ``" + "``),
        with the decision maker's ``alpha``, ``calibration``,
        ``information_seed``, ``information_all`` and ``combined``
        (calibration x information_seed).

    Notes
    -----
    Each row is the model applied to the reduced study: a removed seed item is
    dropped altogether; after removing experts the intrinsic ranges and N_min
    are those of the remaining experts, and items nobody else answered are
    dropped. Experts left without a seed answer are dropped too. This is the
    robustness analysis of Cooke & Goossens (2008, sec. 4). anduryl keeps
    N_min of the full panel when leaving experts out; the two agree whenever
    the removed expert did not have the fewest seed answers.

    References
    ----------
    Cooke, R. M., & Goossens, L. H. J. (2008). TU Delft expert judgment data
    base. Reliability Engineering & System Safety 93(5), 657-674.

    Examples
    --------
    >>> study = Study(("A", "B"), ("s1", "s2", "t"), ("uni",) * 3, np.array([0.05, 0.5, 0.95]),
    ...     np.array([[[0, 1, 2]] * 3, [[1, 2, 3]] * 3]), np.array([0.5, 1.5, np.nan]))
    >>> leave_k_out(study, "items").index.tolist()
    ['s1', 's2']
    """
    if remove not in ("items", "experts"):
        raise ValueError(f"remove must be 'items' or 'experts', got {remove!r}")
    if k not in (1, 2):
        raise ValueError(f"k must be 1 or 2, got {k}")
    if remove == "items":
        pool = [int(i) for i in np.flatnonzero(study.seed_mask)]
        names = study.items
    else:
        pool = list(range(len(study.experts)))
        names = study.experts
    if k >= len(pool):
        raise ValueError(f"cannot leave out {k} of {len(pool)} {remove}")
    if weights not in ("global", "item", "equal"):
        raise ValueError(f"weights must be 'global', 'item' or 'equal', got {weights!r}")
    values, realizations = to_model_scale(study)
    answered = study.answered
    # partial assessments (anduryl's treatment, see classical_model) need the mask of given ones
    given = None if study.given is answered else study.given
    rows = []
    labels = []
    for combo in combinations(pool, k):
        experts, items = _remaining(study, answered, remove, list(combo))
        prep = _Prepared.from_arrays(
            values[np.ix_(experts, items)],
            realizations[items],
            answered[np.ix_(experts, items)],
            study.quantiles,
            overshoot,
            [study.experts[e] for e in experts],
            given=None if given is None else given[np.ix_(experts, items)],
        )
        solution = _solve(prep, weights, alpha)
        dm = solution.dm
        rows.append(
            [solution.alpha, dm.calibration, dm.information_seed, dm.information_all, dm.combined]
        )
        labels.append(" + ".join(names[i] for i in combo))
    return pd.DataFrame(rows, columns=_COLUMNS, index=pd.Index(labels, name="removed"))


def leave_one_item_out(
    study: Study,
    *,
    weights: WeightScheme = "global",
    alpha: Literal["optimize"] | float = "optimize",
    overshoot: float = 0.1,
) -> pd.DataFrame:
    """Robustness table on seed items: ``leave_k_out(study, "items", 1, ...)``."""
    return leave_k_out(study, "items", 1, weights=weights, alpha=alpha, overshoot=overshoot)


def leave_one_expert_out(
    study: Study,
    *,
    weights: WeightScheme = "global",
    alpha: Literal["optimize"] | float = "optimize",
    overshoot: float = 0.1,
) -> pd.DataFrame:
    """Robustness table on experts: ``leave_k_out(study, "experts", 1, ...)``."""
    return leave_k_out(study, "experts", 1, weights=weights, alpha=alpha, overshoot=overshoot)


def _remaining(
    study: Study, answered: npt.NDArray[np.bool_], remove: Removal, positions: list[int]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions of the experts and items of the reduced study.

    Items nobody left answered are dropped, then experts left without a seed answer.
    """
    keep_experts = np.ones(len(study.experts), dtype=bool)
    keep_items = np.ones(len(study.items), dtype=bool)
    (keep_items if remove == "items" else keep_experts)[positions] = False
    keep_items &= answered[keep_experts].any(axis=0)
    keep_experts &= (answered[:, keep_items & study.seed_mask]).any(axis=1)
    if not keep_experts.any():
        raise ValueError(f"leaving out {positions} leaves no expert with a seed answer")
    return np.flatnonzero(keep_experts), np.flatnonzero(keep_items)
