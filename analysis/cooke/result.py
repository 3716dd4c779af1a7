"""Result objects of Cooke's classical model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["CookeResult", "DecisionMaker", "WeightScheme"]

WeightScheme = Literal["global", "item", "equal"]

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
