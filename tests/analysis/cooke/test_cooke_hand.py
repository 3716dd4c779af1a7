"""Small studies whose scores are computed by hand, and model properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _cooke_helpers import LEVELS, random_study
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.cooke import Study, classical_model, leave_k_out

P = [0.05, 0.45, 0.45, 0.05]


def chi2_sf_3(x: float) -> float:
    """Closed-form chi-square survival function with 3 degrees of freedom."""
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)


def two_experts() -> Study:
    return Study(
        experts=("A", "B"),
        items=("s1", "s2", "t"),
        scales=("uni", "uni", "uni"),
        quantiles=LEVELS,
        assessments=np.array([[[0.0, 5.0, 10.0]] * 3, [[2.0, 4.0, 6.0]] * 3]),
        realizations=np.array([3.0, 7.0, np.nan]),
    )


def test_two_experts_three_items_by_hand() -> None:
    """Scores of a 2-expert, 3-item study (seeds s1, s2; target t).

    Every item: A = (0, 5, 10), B = (2, 4, 6); realizations 3 and 7.
    Range: L = 0, U = 10, k = 0.1 -> [L*, U*] = [-1, 11], ln(U* - L*) = ln 12.
    Information, p = (.05, .45, .45, .05):
      A: bins (1, 5, 5, 1)  -> ln 12 + .05 ln .05 + .9 ln(.45/5) + .05 ln .05
      B: bins (3, 2, 2, 5)  -> ln 12 + .05 ln(.05/3) + .9 ln(.45/2) + .05 ln(.05/5)
    Calibration, N_min = 2, 3 degrees of freedom:
      A: 3 in (0, 5], 7 in (5, 10] -> s = (0, .5, .5, 0), I(s,p) = ln(10/9)
      B: 3 in (2, 4], 7 > 6        -> s = (0, .5, 0, .5), I(s,p) = .5 ln(10/9) + .5 ln 10
      C = P(chi2_3 > 2 * 2 * I(s, p)).
    """
    info_a = math.log(12) + 0.1 * math.log(0.05) + 0.9 * math.log(0.45 / 5)
    info_b = (
        math.log(12)
        + 0.05 * math.log(0.05 / 3)
        + 0.9 * math.log(0.45 / 2)
        + 0.05 * math.log(0.05 / 5)
    )
    cal_a = chi2_sf_3(4 * math.log(10 / 9))
    cal_b = chi2_sf_3(4 * (0.5 * math.log(10 / 9) + 0.5 * math.log(10)))

    result = classical_model(two_experts(), weights="global", alpha=0.0)
    experts = result.experts
    assert experts.loc["A", "information_seed"] == pytest.approx(info_a, rel=1e-12)
    assert experts.loc["A", "information_all"] == pytest.approx(info_a, rel=1e-12)
    assert experts.loc["B", "information_seed"] == pytest.approx(info_b, rel=1e-12)
    assert experts.loc["A", "calibration"] == pytest.approx(cal_a, rel=1e-10)
    assert experts.loc["B", "calibration"] == pytest.approx(cal_b, rel=1e-10)
    w_a = cal_a * info_a / (cal_a * info_a + cal_b * info_b)
    assert experts.loc["A", "weight"] == pytest.approx(w_a, rel=1e-10)
    assert result.alpha == 0.0


def test_optimised_alpha_is_the_best_candidate() -> None:
    """The optimum is whichever of alpha = C_B, C_A gives the higher C_DM x I_DM."""
    study = two_experts()
    cal = classical_model(study, alpha=0.0).experts["calibration"]
    candidates = [classical_model(study, alpha=float(c)) for c in sorted(cal)]
    best = max(candidates, key=lambda r: r.dm.combined)
    result = classical_model(study)
    assert result.alpha == best.alpha
    assert result.dm == best.dm
    # alpha = C_A keeps only A: the DM is A itself
    only_a = classical_model(study, alpha=float(cal["A"]))
    assert only_a.experts["weight"].tolist() == [1.0, 0.0]
    np.testing.assert_allclose(only_a.dm_quantiles.to_numpy(), [[0.0, 5.0, 10.0]] * 3, atol=1e-12)
    assert only_a.dm.calibration == pytest.approx(cal["A"], rel=1e-12)


def test_n_min_is_smallest_number_of_answered_seeds() -> None:
    """B answers only s1, so N_min = 1 and A's statistic is 2 * 1 * ln(10/9)."""
    s = two_experts()
    values = s.assessments.copy()
    values[1, 1] = np.nan
    result = classical_model(
        Study(s.experts, s.items, s.scales, s.quantiles, values, s.realizations), alpha=0.0
    )
    assert result.experts.loc["A", "calibration"] == pytest.approx(
        chi2_sf_3(2 * math.log(10 / 9)), rel=1e-10
    )
    # B: one realization in (2, 4]: s = (0, 1, 0, 0), I = ln(1/.45)
    assert result.experts.loc["B", "calibration"] == pytest.approx(
        chi2_sf_3(2 * math.log(1 / 0.45)), rel=1e-10
    )


def test_realization_on_a_quantile_goes_to_lower_bin() -> None:
    """r = 5 = A's median falls in (0, 5]: same bins as r = 3."""
    s = two_experts()
    r = np.array([5.0, 7, np.nan])
    moved = Study(s.experts, s.items, s.scales, s.quantiles, s.assessments, r)
    a = classical_model(s, alpha=0.0).experts.loc["A", "calibration"]
    b = classical_model(moved, alpha=0.0).experts.loc["A", "calibration"]
    assert a == b


def test_log_scale_item_uses_ln_values() -> None:
    """On a LOG item the range and information are those of ln(values)."""
    s = Study(("A",), ("x",), ("log",), LEVELS, np.array([[[1.0, 10.0, 100.0]]]), np.array([5.0]))
    # ln values (0, ln 10, 2 ln 10), realization ln 5 inside: [L*, U*] = [-.2 ln10, 2.2 ln10]
    ln10 = math.log(10)
    expected = (
        math.log(2.4 * ln10)
        + 2 * 0.05 * math.log(0.05 / (0.2 * ln10))
        + 0.9 * math.log(0.45 / ln10)
    )
    result = classical_model(s, alpha=0.0)
    assert result.experts.loc["A", "information_seed"] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(result.dm_quantiles.loc["x"], [1.0, 10.0, 100.0], rtol=1e-12)


def test_alpha_leaving_an_item_uncovered_is_not_a_candidate() -> None:
    """Only B answered t; alpha = C_A (> C_B) would leave t without a DM."""
    s = two_experts()
    values = s.assessments.copy()
    values[0, 2] = np.nan
    study = Study(s.experts, s.items, s.scales, s.quantiles, values, s.realizations)
    result = classical_model(study)
    cal = result.experts["calibration"]
    assert result.alpha == pytest.approx(cal.min())
    with pytest.raises(ValueError, match="no weighted expert"):
        classical_model(study, alpha=float(cal.max()))


def test_bad_options_raise() -> None:
    with pytest.raises(ValueError, match="weights must be"):
        classical_model(two_experts(), weights="performance")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alpha must lie"):
        classical_model(two_experts(), alpha=1.5)
    with pytest.raises(ValueError, match="overshoot"):
        classical_model(two_experts(), overshoot=0.0)
    with pytest.raises(ValueError, match="no seed item"):
        s = two_experts()
        classical_model(
            Study(s.experts, s.items, s.scales, s.quantiles, s.assessments, np.full(3, np.nan))
        )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_experts=st.integers(1, 5),
    n_items=st.integers(2, 6),
    scheme=st.sampled_from(["global", "item", "equal"]),
)
def test_weights_sum_to_one_and_follow_experts(
    seed: int, n_experts: int, n_items: int, scheme: str
) -> None:
    study = random_study(seed, n_experts, n_items, n_seed=n_items - 1)
    result = classical_model(study, weights=scheme)  # type: ignore[arg-type]
    np.testing.assert_allclose(result.item_weights.sum(axis=1), 1.0, rtol=1e-12)
    if scheme != "item":
        assert result.experts["weight"].sum() == pytest.approx(1.0, rel=1e-12)
    perm = np.random.default_rng(seed).permutation(n_experts)
    permuted = classical_model(study.subset(experts=perm), weights=scheme)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        permuted.experts["weight"].to_numpy(),
        result.experts["weight"].to_numpy()[perm],
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        permuted.dm_quantiles.to_numpy(), result.dm_quantiles.to_numpy(), rtol=1e-9, atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_experts=st.integers(1, 5))
def test_equal_weights_dm_is_the_linear_pool(seed: int, n_experts: int) -> None:
    """At each DM quantile x_q the mean of the experts' CDFs equals q."""
    study = random_study(seed, n_experts, 4, n_seed=3)
    result = classical_model(study, weights="equal")
    values = study.assessments
    low = np.fmin(values.min(axis=(0, 2)), study.realizations)
    high = np.fmax(values.max(axis=(0, 2)), study.realizations)
    lower, upper = low - 0.1 * (high - low), high + 0.1 * (high - low)
    levels = np.r_[0.0, LEVELS, 1.0]
    for n in range(4):
        for q, x in zip(LEVELS, result.dm_quantiles.iloc[n], strict=True):
            cdfs = [
                np.interp(x, np.r_[lower[n], values[e, n], upper[n]], levels)
                for e in range(n_experts)
            ]
            assert np.mean(cdfs) == pytest.approx(q, abs=1e-9)


def test_leave_k_out_tables() -> None:
    study = random_study(7, 4, 6, n_seed=4)
    items = leave_k_out(study, "items", 1)
    assert items.index.tolist() == ["Q0", "Q1", "Q2", "Q3"]
    assert list(items.columns) == [
        "alpha",
        "calibration",
        "information_seed",
        "information_all",
        "combined",
    ]
    np.testing.assert_allclose(items["combined"], items["calibration"] * items["information_seed"])
    experts = leave_k_out(study, "experts", 2, weights="item")
    assert len(experts) == 6 and experts.index[0] == "E0 + E1"
    # leaving out E0 equals running the model without E0
    single = leave_k_out(study, "experts", 1)
    direct = classical_model(study.subset(experts=[1, 2, 3]))
    assert single.loc["E0", "calibration"] == pytest.approx(direct.dm.calibration, rel=1e-12)
    assert single.loc["E0", "information_all"] == pytest.approx(direct.dm.information_all)
    with pytest.raises(ValueError, match="k must be 1 or 2"):
        leave_k_out(study, "items", 3)
    with pytest.raises(ValueError, match="remove must be"):
        leave_k_out(study, "questions", 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("weights", ["equal", "global", "item"])
def test_shared_knots_pool_to_exactly_that_knot(weights: str) -> None:
    """Experts sharing a quantile value at the same level give the DM exactly that value.

    Every expert's median is 4.1 (a realization too), so the pooled CDF is
    exactly 0.5 there whatever the weights and tie order on the merged grid,
    and the DM's median is exactly 4.1, landing a realization equal to it in
    the lower bin like an expert's.
    """
    values = np.array([[[1.3, 4.1, 9.7]] * 4, [[2.9, 4.1, 7.3]] * 4, [[0.7, 4.1, 4.6]] * 4])
    study = Study(
        experts=("A", "B", "C"),
        items=("s1", "s2", "s3", "t"),
        scales=("uni",) * 4,
        quantiles=LEVELS,
        assessments=values,
        realizations=np.array([4.1, 3.0, 5.0, np.nan]),
    )
    result = classical_model(study, weights=weights)  # type: ignore[arg-type]
    assert (result.dm_quantiles[0.5] == 4.1).all()
    # the same study with the experts in another order pools the same
    permuted = classical_model(study.subset(experts=[2, 0, 1]), weights=weights)  # type: ignore[arg-type]
    assert (permuted.dm_quantiles[0.5] == 4.1).all()
    assert permuted.dm.calibration == pytest.approx(result.dm.calibration, rel=1e-12)


def test_model_leaves_the_study_arrays_unchanged() -> None:
    """The model reads the study's own arrays (no copy without log items) and never writes them."""
    study = random_study(3, n_experts=4, n_items=6, n_seed=4)
    before = study.assessments.copy(), study.realizations.copy()
    for weights in ("global", "item", "equal"):
        classical_model(study, weights=weights)  # type: ignore[arg-type]
    leave_k_out(study, "experts")
    np.testing.assert_array_equal(study.assessments, before[0])
    np.testing.assert_array_equal(study.realizations, before[1])
