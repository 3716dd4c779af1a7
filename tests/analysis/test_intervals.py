"""Issue 19.2: intervals that keep their level for small panels, named in the provenance.

Coverage itself is measured by benchmarks/interval_coverage.py (a simulation),
not asserted here; these tests pin the method and its formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import rank_options, risk_matrix
from analysis.intervals import (
    INTERVAL_METHODS,
    bootstrap_bounds,
    expanded_alpha,
    interval_method,
    order_statistic_bounds,
    studentized_bounds,
    weighted_mean_se,
)
from tests.analysis._factories import make_judgments


def _panel(values: list[float], option: str = "x") -> pd.DataFrame:
    return pd.DataFrame({"round": 1, "expert": [f"e{i}" for i in range(len(values))],
                         "option": option, "criterion": "c", "kind": "scale",
                         "value": values})


def test_method_is_chosen_from_the_aggregation_and_named_in_provenance() -> None:
    df = make_judgments(n_experts=6, n_options=3)
    for method in ("mean", "median", "trimmed", "geo-odds", "extremized"):
        r = rank_options(df, method=method, resamples=200)
        params = r.provenance.parameters
        assert params["interval_method"] == INTERVAL_METHODS[method]
        assert params["interval_reference"]
    assert interval_method("mean") == "studentized"
    assert interval_method("median") == "order-statistic"
    assert risk_matrix(df, resamples=100).provenance.parameters["interval_method"] == \
        "studentized"
    with pytest.raises(ValueError, match="unknown method"):
        interval_method("nope")


def test_expanded_alpha_is_hesterbergs_formula() -> None:
    n = 7
    z = np.sqrt(n / (n - 1)) * stats.t.ppf(0.95, n - 1)
    assert expanded_alpha([n], 0.9)[0] == pytest.approx(stats.norm.sf(z))
    assert np.isnan(expanded_alpha([1], 0.9)[0])


def test_weighted_se_is_the_plug_in_se_of_the_mean() -> None:
    x = np.array([1.0, 2.0, 4.0, 7.0])
    se = weighted_mean_se(x[:, None], np.ones((1, 4)), np.ones(4))[0, 0]
    assert se == pytest.approx(x.std(ddof=0) / np.sqrt(4))
    # weights 2:1:1:0 are the same as drawing expert 0 twice
    counts = np.array([[2.0, 1.0, 1.0, 0.0]])
    drawn = np.array([1.0, 1.0, 2.0, 4.0])
    assert weighted_mean_se(x[:, None], counts, np.ones(4))[0, 0] == \
        pytest.approx(drawn.std(ddof=0) / 2)


def test_studentized_bounds_by_hand() -> None:
    t = np.array([[-2.0], [-1.0], [0.0], [1.0], [3.0]])
    lo, hi = studentized_bounds(np.array([10.0]), np.array([0.5]), t, 0.5)
    # quantiles of t at 0.25, 0.75: -1 and 1 -> [10 - 1*0.5, 10 + 1*0.5]
    assert (lo[0], hi[0]) == (9.5, 10.5)
    lo, hi = studentized_bounds(np.array([3.0]), np.array([0.0]), t, 0.9)
    assert (lo[0], hi[0]) == (3.0, 3.0)  # no spread: zero width at the estimate


def test_mean_interval_is_wider_than_plain_percentile_for_five_experts() -> None:
    """The old percentile interval covered ~78 % at n=5: the new one must be wider."""
    df = _panel([2.0, 3.5, 4.0, 5.5, 7.0])
    r = rank_options(df, resamples=4000, seed=2).table.iloc[0]
    rng = np.random.default_rng(0)
    x = df["value"].to_numpy()
    boot = x[rng.integers(0, 5, (4000, 5))].mean(axis=1)
    p_lo, p_hi = np.quantile(boot, [0.05, 0.95])
    assert r["high"] - r["low"] > 1.15 * (p_hi - p_lo)
    assert r["low"] < r["score"] < r["high"]


def test_fewer_than_two_experts_give_no_interval_and_two_use_expanded() -> None:
    df = pd.concat([_panel([1.0, 2.0, 3.0, 4.0], "x"), _panel([5.0], "y"),
                    _panel([1.0, 3.0], "z")], ignore_index=True)
    t = rank_options(df, resamples=500).table.set_index("option")
    assert np.isnan(t.loc["y", "low"]) and np.isnan(t.loc["y", "high"])
    # two experts: the bootstrap-t is degenerate; the expanded percentile spans both
    assert (t.loc["z", "low"], t.loc["z", "high"]) == (1.0, 3.0)


def test_bootstrap_bounds_percentile_for_median() -> None:
    boot = np.arange(101, dtype=float)[:, None]
    lo, hi = bootstrap_bounds("percentile", np.array([50.0]), np.ones((3, 1)), np.ones(3),
                              boot, 0.9)
    assert (lo[0], hi[0]) == pytest.approx((5.0, 95.0))


def _hs_by_hand(x: list[float], level: float) -> tuple[float, float]:
    """Hettmansperger & Sheather (1986), written out with a loop over depths."""
    xs, n = sorted(x), len(x)
    gamma = [1 - 2 * stats.binom.cdf(d - 1, n, 0.5) for d in range(1, n // 2 + 2)]
    d = max(k + 1 for k, g in enumerate(gamma) if g >= level)
    i = (gamma[d - 1] - level) / (gamma[d - 1] - gamma[d])
    lam = (n - d) * i / (d + (n - 2 * d) * i)
    return ((1 - lam) * xs[d - 1] + lam * xs[d], (1 - lam) * xs[n - d] + lam * xs[n - d - 1])


@pytest.mark.parametrize("n", [5, 6, 7, 10, 11, 40])
def test_median_interval_is_the_interpolated_order_statistic_interval(n: int) -> None:
    x = np.random.default_rng(n).lognormal(size=n).round(3).tolist()
    t = rank_options(_panel(x), method="median", resamples=200, seed=1).table.iloc[0]
    assert (t["low"], t["high"]) == pytest.approx(_hs_by_hand(x, 0.9), rel=1e-12)
    lo, hi, ok = order_statistic_bounds(np.array([x]).T, np.ones(n), 0.8)
    assert ok[0] and (lo[0], hi[0]) == pytest.approx(_hs_by_hand(x, 0.8), rel=1e-12)


def test_median_interval_by_hand_for_five_experts() -> None:
    # d = 1: gamma_1 = 30/32, gamma_2 = 20/32, I = 0.12, lambda = 0.48 / 1.36
    lam = 0.48 / 1.36
    lo, hi, _ = order_statistic_bounds(np.array([[5.0, 1.0, 2.0, 4.0, 3.0]]).T, np.ones(5), 0.9)
    assert (lo[0], hi[0]) == pytest.approx((1 + lam, 5 - lam), rel=1e-12)


def test_median_interval_small_panels_unequal_weights_and_missing_values() -> None:
    values = np.array([[1.0, 1.0, 1.0], [4.0, 4.0, 4.0], [2.0, np.nan, 2.0],
                       [3.0, 3.0, 3.0]])
    base = np.array([1.0, 1.0, 1.0, 0.0])  # the last expert has no weight
    lo, hi, ok = order_statistic_bounds(values, base, 0.9)
    # 3 experts (2 in the middle column): even gamma_1 < 90 %, so the range
    assert ok.tolist() == [True, True, True]
    assert lo.tolist() == [1.0, 1.0, 1.0] and hi.tolist() == [4.0, 4.0, 4.0]
    # experts of unequal weight: the percentile interval of the bootstrap median
    boot = np.arange(101, dtype=float)[:, None]
    lo, hi = bootstrap_bounds("order-statistic", np.array([2.0]), values[:3, :1],
                              np.array([1.0, 2.0, 1.0]), boot, 0.9)
    assert (lo[0], hi[0]) == pytest.approx((5.0, 95.0))
    lo, hi = bootstrap_bounds("order-statistic", np.array([2.0]), values[:3, :1],
                              np.ones(3), boot, 0.9)
    assert (lo[0], hi[0]) == (1.0, 4.0)


def test_notes_say_when_a_ranking_rests_on_fewer_than_three_experts() -> None:
    two = pd.concat([_panel([1.0, 2.0], "x"), _panel([3.0, 1.0], "y")], ignore_index=True)
    notes = " ".join(rank_options(two, resamples=100).notes)
    assert "fewer than 3 experts" in notes
    thin = pd.concat([_panel([1.0, 2.0, 3.0, 4.0], "x"), _panel([3.0, 1.0], "y")],
                     ignore_index=True)
    notes = " ".join(rank_options(thin, resamples=100).notes)
    assert "fewer than 3 experts" in notes and "'y'" in notes
    many = make_judgments(n_experts=6, n_options=2)
    assert not any("fewer than 3" in n for n in rank_options(many, resamples=50).notes)


def test_docstring_says_p_first_is_a_bootstrap_proportion() -> None:
    assert "bootstrap proportions over experts" in (rank_options.__doc__ or "")


def test_stacked_mean_and_se_equal_the_kernel_and_the_se() -> None:
    from analysis._weighted import weighted_aggregate
    from analysis.intervals import weighted_mean_and_se

    rng = np.random.default_rng(0)
    v = rng.normal(size=(7, 4))
    v[1, 2] = np.nan
    counts = rng.integers(0, 3, (50, 7)).astype(float)
    for base in (np.ones(7), rng.uniform(0.1, 2, 7)):
        mean, se = weighted_mean_and_se(v, counts * base, base)
        np.testing.assert_allclose(mean, weighted_aggregate(v, counts * base, "mean"),
                                   rtol=1e-13)
        np.testing.assert_allclose(se, weighted_mean_se(v, counts * base, base), rtol=1e-12)
