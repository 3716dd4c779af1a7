"""Shared helpers for the Cooke tests (reference data lives in tests/data/cooke)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from analysis.cooke import Study, load_study

DATA = Path(__file__).resolve().parents[2] / "data" / "cooke"
STUDIES = sorted(p.stem for p in DATA.glob("*.json"))
LEVELS = np.array([0.05, 0.5, 0.95])


@cache
def reference(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@cache
def study(name: str) -> Study:
    return load_study(DATA / f"{name}.dtt", DATA / f"{name}.rls")


def random_study(seed: int, n_experts: int, n_items: int, n_seed: int) -> Study:
    """A random study with strictly increasing quantiles, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(-5, 5, size=(n_experts, n_items, 1))
    steps = rng.uniform(0.1, 3.0, size=(n_experts, n_items, 3))
    values = centre + np.cumsum(steps, axis=2) - steps.sum(axis=2, keepdims=True) / 2
    realizations = np.full(n_items, np.nan)
    realizations[:n_seed] = rng.uniform(-6, 6, size=n_seed)
    return Study(
        experts=tuple(f"E{e}" for e in range(n_experts)),
        items=tuple(f"Q{i}" for i in range(n_items)),
        scales=("uni",) * n_items,
        quantiles=LEVELS,
        assessments=values,
        realizations=realizations,
    )
