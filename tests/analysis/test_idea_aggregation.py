import numpy as np
import pandas as pd
import pytest

from analysis import aggregate_probabilities, standardize_idea
from tests.analysis._factories import tidy


def test_standardize_by_hand():
    # B=0.4, S/C = 0.8/0.5 = 1.6: L' = 0.4 - 0.2*1.6 = 0.08, U' = 0.4 + 0.1*1.6 = 0.56
    lo, hi = standardize_idea(0.2, 0.4, 0.5, 0.5)
    assert (lo, hi) == pytest.approx((0.08, 0.56))
    # C = 0.9 > 0.8 shrinks: L' = 0.5 - 0.3*(0.8/0.9), U' = 0.5 + 0.3*(0.8/0.9)
    lo, hi = standardize_idea(0.2, 0.5, 0.8, 0.9)
    assert (lo, hi) == pytest.approx((0.5 - 0.24 / 0.9, 0.5 + 0.24 / 0.9))


def test_standardize_clips_to_unit_interval():
    # B=0.1, L=0, C=0.5 -> L' = 0.1 - 0.1*1.6 = -0.06 -> 0 ; U' = 0.1 + 0.8*1.6 -> 1
    lo, hi = standardize_idea([0.0], [0.1], [0.9], [0.5])
    assert lo.tolist() == [0.0] and hi.tolist() == [1.0]


def test_standardize_errors():
    with pytest.raises(ValueError, match="0.3"):
        standardize_idea(0.1, 0.2, 0.3, 0.3)
    with pytest.raises(ValueError, match="reversed"):
        standardize_idea(0.3, 0.2, 0.4, 0.8)
    with pytest.raises(ValueError, match="level"):
        standardize_idea(0.1, 0.2, 0.3, 0.8, level=0)


def _idea_frame():
    rows = [
        {"expert": "a", "lowest": 0.2, "best": 0.4, "highest": 0.5, "confidence": 0.5},
        {"expert": "b", "lowest": 0.4, "best": 0.6, "highest": 0.8, "confidence": 0.8},
        {"expert": "c", "value": 0.2},
        {"expert": "d", "abstained": True},
    ]
    return tidy(rows, option="x", criterion="p", kind="probability", value=np.nan)


def test_aggregate_probabilities_by_hand():
    out = aggregate_probabilities(_idea_frame())
    row = out.iloc[0]
    # estimate: (0.4 + 0.6 + 0.2) / 3 ; bounds over a, b only: (0.08+0.4)/2, (0.56+0.8)/2
    assert row["estimate"] == pytest.approx(0.4)
    assert (row["low"], row["high"]) == pytest.approx((0.24, 0.68))
    assert (row["n_experts"], row["n_intervals"]) == (3, 2)


def test_aggregate_probabilities_weighted_median():
    w = pd.Series({"a": 0.0, "b": 1.0, "c": 1.0})
    out = aggregate_probabilities(_idea_frame(), method="median", expert_weights=w)
    # weights 0, 1, 1 on 0.4, 0.6, 0.2: the median of {0.6, 0.2} = 0.4
    assert out.loc[0, "estimate"] == pytest.approx(0.4)
    assert out.loc[0, "low"] == pytest.approx(0.4)  # only b has weight among interval givers


def test_aggregate_ignores_scale_criteria():
    df = pd.concat([_idea_frame(), tidy([{"expert": "a", "option": "x", "criterion": "v",
                                          "kind": "scale", "value": 2}])], ignore_index=True)
    assert aggregate_probabilities(df)["criterion"].tolist() == ["p"]
