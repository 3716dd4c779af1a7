"""JSON-ready values and records for the ``to_dict()`` of result objects."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["json_value", "records"]


def json_value(v: Any) -> Any:
    """A numpy scalar as a Python one; NaN and infinities as ``None``."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dictionaries of JSON-ready values (the index is dropped)."""
    return [{str(k): json_value(v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
