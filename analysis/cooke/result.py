"""Result objects of Cooke's classical model."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["CookeResult", "DecisionMaker", "WeightScheme"]

WeightScheme = Literal["global", "item", "equal"]
FloatArray = npt.NDArray[np.float64]
_EXPERT_COLUMNS = ("calibration", "information_seed", "information_all", "weight")


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


class CookeResult:
    """Result of :func:`classical_model` (immutable).

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

    Notes
    -----
    :func:`classical_model` computes every number eagerly and keeps it in
    numpy arrays; the three labelled pandas views are built from those arrays
    on first access and then kept (a caller that only needs ``alpha`` and
    ``dm`` pays for no DataFrame). Constructing a ``CookeResult`` directly
    from DataFrames works as before.
    """

    alpha: float
    weights: WeightScheme
    dm: DecisionMaker

    def __init__(
        self,
        experts: pd.DataFrame,
        alpha: float,
        weights: WeightScheme,
        dm: DecisionMaker,
        dm_quantiles: pd.DataFrame,
        item_weights: pd.DataFrame,
    ) -> None:
        fields = {
            "alpha": alpha,
            "weights": weights,
            "dm": dm,
            "experts": experts,
            "dm_quantiles": dm_quantiles,
            "item_weights": item_weights,
        }
        self.__dict__.update(fields)

    @classmethod
    def _from_arrays(
        cls,
        *,
        expert_ids: tuple[str, ...],
        item_ids: tuple[str, ...],
        levels: FloatArray,
        scores: FloatArray,
        alpha: float,
        weights: WeightScheme,
        dm: DecisionMaker,
        quantiles: FloatArray,
        item_weights: FloatArray,
    ) -> CookeResult:
        """A result whose DataFrames are built on first access.

        ``scores`` is (E, 4) in the order of the ``experts`` columns,
        ``quantiles`` (N, Q) on the original scale and ``item_weights`` (E, N).
        """
        self = cls.__new__(cls)
        self.__dict__.update(
            alpha=alpha,
            weights=weights,
            dm=dm,
            _expert_ids=expert_ids,
            _item_ids=item_ids,
            _levels=levels,
            _scores=scores,
            _quantiles=quantiles,
            _item_weights=item_weights,
        )
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return (
            f"CookeResult(weights={self.weights!r}, alpha={self.alpha!r}, dm={self.dm!r}, "
            f"experts={len(self._expert_index)}, items={len(self._item_index)})"
        )

    @cached_property
    def _expert_index(self) -> pd.Index:
        if "_expert_ids" not in self.__dict__:
            return pd.Index(self.experts.index)
        # ids are str: dtype=object skips pandas' type inference (the same Index)
        return pd.Index(self._expert_ids, dtype=object)

    @cached_property
    def _item_index(self) -> pd.Index:
        if "_item_ids" not in self.__dict__:
            return pd.Index(self.dm_quantiles.index)
        return pd.Index(self._item_ids, dtype=object, name="item")

    @cached_property
    def experts(self) -> pd.DataFrame:
        """Expert scores and weights (see the class docstring)."""
        return pd.DataFrame(
            self._scores,
            index=self._expert_index.rename("expert"),
            columns=pd.Index(_EXPERT_COLUMNS),
        )

    @cached_property
    def dm_quantiles(self) -> pd.DataFrame:
        """Decision maker quantiles, items x levels, original scale."""
        return pd.DataFrame(
            self._quantiles, index=self._item_index, columns=pd.Index(self._levels, name="level")
        )

    @cached_property
    def item_weights(self) -> pd.DataFrame:
        """Normalised pooled weights, items x experts."""
        return pd.DataFrame(
            self._item_weights.T, index=self._item_index, columns=self._expert_index
        )

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
