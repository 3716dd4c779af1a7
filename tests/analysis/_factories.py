"""Small judgments tables for the analysis tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def tidy(rows: list[dict[str, object]], **defaults: object) -> pd.DataFrame:
    """A judgments frame from row dicts, with defaults for the columns not given."""
    base: dict[str, object] = {"round": 1, "group": "all", "weight": 1.0, "abstained": False,
                               "rationale": ""}
    base.update(defaults)
    return pd.DataFrame([{**base, **row} for row in rows])


def make_judgments(n_experts: int = 8, n_options: int = 4, seed: int = 0, *,
                   rounds: int = 1, spread: float = 0.1) -> pd.DataFrame:
    """A likelihood (probability) and an impact (scale -3..3) per expert and option."""
    rng = np.random.default_rng(seed)
    true_p = rng.uniform(0.1, 0.9, n_options)
    true_v = rng.integers(-3, 4, n_options)
    frames = []
    for r in range(1, rounds + 1):
        e = np.repeat(np.arange(n_experts), n_options)
        o = np.tile(np.arange(n_options), n_experts)
        p = np.clip(true_p[o] + rng.normal(0, spread, e.size), 0, 1)
        v = np.clip(true_v[o] + rng.integers(-1, 2, e.size), -3, 3)
        common = {"round": r, "expert": [f"e{i}" for i in e],
                  "group": np.where(e % 2 == 0, "gov", "academia"),
                  "option": [f"o{i}" for i in o], "weight": 1.0, "abstained": False}
        frames.append(pd.DataFrame({**common, "criterion": "likelihood", "kind": "probability",
                                    "value": p}))
        frames.append(pd.DataFrame({**common, "criterion": "impact", "kind": "scale",
                                    "value": v.astype(float)}))
    return pd.concat(frames, ignore_index=True)
