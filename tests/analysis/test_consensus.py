import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from analysis import (
    coefficient_of_variation,
    consensus_table,
    iqr,
    kendalls_w,
    percent_agreement,
    quartile_deviation,
)
from tests.analysis._factories import make_judgments, tidy


def test_dispersion_by_hand():
    x = [1, 2, 3, 4, 5]  # Q1 = 2, Q3 = 4 (linear interpolation)
    assert iqr(x) == 2.0
    assert quartile_deviation(x) == 1.0
    # median 3: |1-3|=2 out, 2,3,3 in, 6 out -> 3/5
    assert percent_agreement([1, 2, 3, 3, 6]) == pytest.approx(0.6)
    assert percent_agreement([1, 2, 3, 3, 6], tolerance=3) == pytest.approx(1.0)
    # mean 4, s = sqrt(((-2)^2 + 0 + 2^2)/2) = 2 -> 0.5
    assert coefficient_of_variation([2, 4, 6]) == pytest.approx(0.5)


def test_dispersion_matches_numpy_and_ignores_nan():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(9, 4))
    q1, q3 = np.quantile(x, [0.25, 0.75], axis=0)
    np.testing.assert_allclose(iqr(x), q3 - q1)
    y = x.copy()
    y[0, 0] = np.nan
    assert iqr(y)[0] == pytest.approx(np.subtract(*np.quantile(x[1:, 0], [0.75, 0.25])))
    empty = np.full((3, 2), np.nan)
    assert np.isnan(iqr(empty)).all()
    assert np.isnan(percent_agreement(empty)).all()
    assert np.isnan(coefficient_of_variation(empty)).all()
    assert np.isnan(coefficient_of_variation([-1, 1]))  # zero mean


def test_kendalls_w_by_hand():
    # ranks r1 (1,2,3), r2 (1,3,2), r3 (2,1,3): sums 4, 6, 8; S = 4 + 0 + 4 = 8
    # W = 12*8 / (3^2 (3^3 - 3)) = 96/216
    result = kendalls_w([[1, 2, 3], [1, 3, 2], [2, 1, 3]])
    assert result.w == pytest.approx(96 / 216)
    assert result.chi2 == pytest.approx(3 * 2 * 96 / 216)
    assert result.p_value == pytest.approx(stats.chi2.sf(3 * 2 * 96 / 216, 2))


def test_kendalls_w_ties_by_hand():
    # rater 1 ranks (1.5, 1.5, 3): T = 2^3 - 2 = 6; rater 2 (1, 2, 3)
    # sums 2.5, 3.5, 6 (mean 4): S = 2.25 + 0.25 + 4 = 6.5
    # W = 12*6.5 / (2^2 * 24 - 2 * 6) = 78/84
    assert kendalls_w([[5, 5, 9], [1, 2, 3]]).w == pytest.approx(78 / 84)


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 8), st.integers(3, 7)),
              elements=st.integers(1, 5).map(float)))
def test_kendalls_w_matches_friedman(x):
    ties_everywhere = (x == x[:, :1]).all(axis=1).any()
    if ties_everywhere:  # a rater with all ties makes Friedman degenerate
        return
    result = kendalls_w(x)
    friedman = stats.friedmanchisquare(*x.T)
    assert result.chi2 == pytest.approx(friedman.statistic)
    assert result.p_value == pytest.approx(friedman.pvalue)
    assert 0 <= result.w <= 1 + 1e-12


def test_kendalls_w_drops_incomplete_raters_and_errors():
    x = np.array([[1, 2, 3], [1, 2, 3], [np.nan, 1, 2]])
    assert kendalls_w(x).n_raters == 2
    with pytest.raises(ValueError, match="at least 2 complete raters"):
        kendalls_w([[1, 2, 3]])
    with pytest.raises(ValueError, match="2-D"):
        kendalls_w([1, 2, 3])


def test_consensus_table_by_hand():
    rows = [{"expert": e, "value": v} for e, v in zip("abcde", [1, 2, 3, 3, 6], strict=True)]
    rows.append({"expert": "f", "value": np.nan, "abstained": True})
    df = tidy(rows, option="x", criterion="impact", kind="scale")
    row = consensus_table(df).iloc[0]
    assert (row["n"], row["median"], row["q1"], row["q3"]) == (5, 3.0, 2.0, 3.0)
    assert row["iqr"] == 1.0 and row["quartile_deviation"] == 0.5
    assert row["agreement"] == pytest.approx(0.6)
    assert consensus_table(df, tolerance=5).iloc[0]["agreement"] == 1.0
    assert consensus_table(df, tolerance={"impact": 0}).iloc[0]["agreement"] == 0.4


def test_consensus_table_default_tolerance_per_kind():
    out = consensus_table(make_judgments(6, 3))
    assert set(out["criterion"]) == {"likelihood", "impact"}
    assert out["agreement"].between(0, 1).all()
    with pytest.raises(ValueError, match="tolerance"):
        consensus_table(make_judgments(6, 3), tolerance=-1)
