"""weights_from_seed_frame, used by the web app's "Cooke performance weights"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _cooke_helpers import study

from analysis.cooke import classical_model, weights_from_seed_frame


def frame_from_study(name: str) -> pd.DataFrame:
    s = study(name)
    rows = []
    for e, expert in enumerate(s.experts):
        for i in np.flatnonzero(s.seed_mask):
            q = s.assessments[e, i]
            if np.isnan(q).any():
                continue
            rows.append(
                {
                    "expert": expert,
                    "question": s.items[i],
                    "q05": q[0],
                    "q50": q[1],
                    "q95": q[2],
                    "realization": s.realizations[i],
                    "scale": s.scales[i],
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name", ["Biol_agents", "Daniela", "TdC"])
def test_matches_global_weights_on_seed_items(name: str) -> None:
    s = study(name)
    seeds_only = s.subset(items=np.flatnonzero(s.seed_mask))
    expected = classical_model(seeds_only).experts["weight"]
    weights = weights_from_seed_frame(frame_from_study(name))
    assert weights.sum() == pytest.approx(1.0)
    assert weights.index.tolist() == list(s.experts)
    np.testing.assert_allclose(weights.to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert (weights == 0).any()


def test_default_scale_is_uniform() -> None:
    df = frame_from_study("Daniela").drop(columns="scale")
    assert weights_from_seed_frame(df, alpha=0.0).gt(0).all()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("q05", np.nan, r"rows \[3\]: q05, q50 and q95 must be numbers"),
        ("q50", 1e12, r"rows \[3\]: need q05 < q50 < q95 strictly"),
        ("realization", np.nan, r"rows \[3\]: missing realization"),
        ("scale", "cubic", r"rows \[3\]: scale must be"),
    ],
)
def test_bad_rows_are_named(column: str, value: object, message: str) -> None:
    df = frame_from_study("Daniela")
    df[column] = df[column].astype(object)
    df.loc[3, column] = value
    with pytest.raises(ValueError, match=message):
        weights_from_seed_frame(df)


def test_missing_columns_and_duplicates() -> None:
    df = frame_from_study("Daniela")
    with pytest.raises(ValueError, match=r"missing columns \['realization'\]"):
        weights_from_seed_frame(df.drop(columns="realization"))
    with pytest.raises(ValueError, match="duplicated"):
        weights_from_seed_frame(pd.concat([df, df.iloc[[0]]], ignore_index=True))
    conflicting = df.copy()
    conflicting.loc[0, "realization"] = -1.0
    with pytest.raises(ValueError, match="different realizations"):
        weights_from_seed_frame(conflicting)
