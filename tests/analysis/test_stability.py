import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import stability
from tests.analysis._factories import make_judgments, tidy


def _two_rounds(first, second):
    rows = [{"round": 1, "expert": e, "value": v} for e, v in first.items()]
    rows += [{"round": 2, "expert": e, "value": v} for e, v in second.items()]
    return tidy(rows, option="x", criterion="impact", kind="scale")


def test_stability_by_hand():
    df = _two_rounds({"a": 1, "b": 2, "c": 3, "d": 2, "e": 1},
                     {"a": 2, "b": 3, "c": 5, "d": 3, "e": 2})
    row = stability(df).iloc[0]
    # medians 2 -> 3 ; IQR round 1: Q1 1, Q3 2 -> 1 ; round 2: Q1 2, Q3 3 -> 1
    assert (row["median_before"], row["median_after"], row["delta_median"]) == (2, 3, 1)
    assert (row["iqr_before"], row["iqr_after"], row["delta_iqr"]) == (1, 1, 0)
    expected = stats.wilcoxon([1, 1, 2, 1, 1], method="approx")  # ties -> normal approx
    assert row["statistic"] == pytest.approx(expected.statistic)
    assert row["p_value"] == pytest.approx(expected.pvalue)
    assert row["n_paired"] == 5


def test_only_paired_experts_are_tested():
    df = _two_rounds({"a": 1, "b": 2, "c": 3, "z": 9}, {"a": 2, "b": 4, "c": 1, "y": 0})
    row = stability(df).iloc[0]
    assert row["n_paired"] == 3
    assert row["p_value"] == pytest.approx(stats.wilcoxon([1, 2, -2], method="approx").pvalue)


def test_exact_test_without_ties():
    df = _two_rounds({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 2, "b": 4, "c": 6, "d": 8})
    assert stability(df).iloc[0]["p_value"] == pytest.approx(
        stats.wilcoxon([1, 2, 3, 4]).pvalue)


def test_no_change_gives_p_one_without_warning():
    df = _two_rounds({"a": 1, "b": 2}, {"a": 1, "b": 2})
    row = stability(df).iloc[0]
    assert row["p_value"] == 1.0 and np.isnan(row["statistic"])


def test_stability_many_cells_and_errors():
    df = make_judgments(12, 4, rounds=3)
    out = stability(df, before=1, after=3)
    assert len(out) == 8 and out["n_paired"].eq(12).all()
    with pytest.raises(ValueError, match="two rounds"):
        stability(make_judgments(4, 2))
    with pytest.raises(ValueError, match="after round 7"):
        stability(df, before=1, after=7)
    assert isinstance(out, pd.DataFrame)


def _panel(diffs: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for option, d in diffs.items():
        for i, x in enumerate(d):
            rows += [{"round": 1, "expert": f"e{i}", "option": option, "value": 10.0},
                     {"round": 2, "expert": f"e{i}", "option": option, "value": 10.0 + x}]
    return tidy(rows, criterion="impact", kind="scale")


def test_method_is_decided_per_option_not_per_block():
    """Issue 19.3: a tied neighbour must not switch an option to the approximation."""
    clean = [1.0, 2.0, -3.0, 4.0, 5.0, 6.0]
    alone = stability(_panel({"x": clean})).set_index("option")
    mixed = stability(_panel({"x": clean, "y": [1.0, 1.0, 2.0, 2.0, -3.0, 3.0]}))
    mixed = mixed.set_index("option")
    assert mixed.loc["x", "p_value"] == alone.loc["x", "p_value"]
    assert mixed.loc["x", "p_value"] == pytest.approx(stats.wilcoxon(clean,
                                                                    method="exact").pvalue)
    tied = [1.0, 1.0, 2.0, 2.0, -3.0, 3.0]
    assert mixed.loc["y", "p_value"] == pytest.approx(
        stats.wilcoxon(tied, method="approx", correction=False).pvalue)


def test_no_continuity_correction_with_ties():
    d = [1.0, 1.0, 2.0, 0.0, 3.0, 3.0, -1.0]
    row = stability(_panel({"x": d})).iloc[0]
    assert row["p_value"] == pytest.approx(
        stats.wilcoxon(d, method="approx", correction=False, zero_method="wilcox").pvalue)
    assert row["p_value"] != pytest.approx(
        stats.wilcoxon(d, method="approx", correction=True, zero_method="wilcox").pvalue)
