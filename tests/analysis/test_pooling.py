import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from analysis import (
    extremized_pool,
    geometric_odds_pool,
    linear_pool,
    median_pool,
    normalize_weights,
    pool,
    trimmed_pool,
)

PROBS = arrays(float, st.integers(1, 12), elements=st.floats(0, 1))
METHODS = ["mean", "median", "trimmed", "geo-odds", "extremized"]


def test_linear_pool_by_hand():
    # (0.1 + 0.2 + 0.6) / 3 = 0.3 ; weighted (3*0.1 + 1*0.5) / 4 = 0.2
    assert linear_pool([0.1, 0.2, 0.6]) == pytest.approx(0.3)
    assert linear_pool([0.1, 0.5], weights=[3, 1]) == pytest.approx(0.2)


def test_median_by_hand():
    # even n: mean of the two middle values (0.2 + 0.6) / 2
    assert median_pool([0.9, 0.1, 0.6, 0.2]) == pytest.approx(0.4)
    # weights 1,1,3 on 0.1,0.2,0.9: cumulative 0.2, 0.4, 1.0 -> first >= 0.5 is 0.9
    assert median_pool([0.1, 0.2, 0.9], weights=[1, 1, 3]) == pytest.approx(0.9)


def test_trimmed_by_hand_and_against_scipy():
    # 10 values, trim 0.1 drops one from each end: mean(2..9) = 5.5
    x = np.arange(1, 11) / 11
    assert trimmed_pool(x, trim=0.1) == pytest.approx(5.5 / 11)
    rng = np.random.default_rng(3)
    y = rng.random((20, 6))
    np.testing.assert_allclose(trimmed_pool(y, trim=0.25), stats.trim_mean(y, 0.25, axis=0))
    # fractional trimming: n=4, trim 0.125 keeps [0.5, 1, 1, 0.5] of the sorted values
    # (0.5*0.1 + 0.2 + 0.3 + 0.5*0.8) / 3 = 0.95 / 3
    assert trimmed_pool([0.1, 0.2, 0.3, 0.8], trim=0.125) == pytest.approx(0.95 / 3)


def test_geometric_mean_of_odds_by_hand():
    # odds 1 and 4 -> geometric mean 2 -> p = 2/3
    assert geometric_odds_pool([0.5, 0.8]) == pytest.approx(2 / 3)
    # weights 3:1 -> odds 4**0.25 = sqrt 2
    assert geometric_odds_pool([0.5, 0.8], weights=[3, 1]) == pytest.approx(
        np.sqrt(2) / (1 + np.sqrt(2)))


def test_extremized_by_hand():
    # geometric odds 2, d = 2 -> odds 4 -> p = 0.8
    assert extremized_pool([0.5, 0.8], d=2.0) == pytest.approx(0.8)
    assert extremized_pool([0.3, 0.4], d=1.0) == pytest.approx(geometric_odds_pool([0.3, 0.4]))


def test_clipping_makes_zero_and_one_finite():
    # eps 0.01: logit(0.01) = -logit(0.99) -> mean 0 -> 0.5
    assert geometric_odds_pool([0.0, 1.0]) == pytest.approx(0.5)


def test_nan_is_missing_and_axis():
    x = np.array([[0.1, np.nan], [0.3, 0.4], [np.nan, np.nan]])
    np.testing.assert_allclose(linear_pool(x), [0.2, 0.4])
    np.testing.assert_allclose(linear_pool(x.T, axis=1), [0.2, 0.4])
    out = linear_pool(np.full((2, 2), np.nan))
    assert np.isnan(out).all()


def test_pool_dispatch_and_errors():
    for m in METHODS:
        assert np.isfinite(pool([0.2, 0.4], m))
    with pytest.raises(ValueError, match="unknown pooling method 'best'"):
        pool([0.2], "best")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1.5"):
        linear_pool([0.2, 1.5])
    with pytest.raises(ValueError, match="trim must lie"):
        trimmed_pool([0.2], trim=0.5)
    with pytest.raises(ValueError, match="d must be positive"):
        extremized_pool([0.2], d=0)


def test_weights_are_validated_and_normalised():
    assert normalize_weights([2, 2, 4]).sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="-1.0"):
        normalize_weights([1, -1])
    with pytest.raises(ValueError, match="all be zero"):
        normalize_weights([0, 0])
    with pytest.raises(ValueError, match="expected 3 weights, got 2"):
        linear_pool([0.1, 0.2, 0.3], weights=[1, 1])


@settings(max_examples=40, deadline=None)
@given(PROBS, st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_permuting_experts_changes_nothing(p, method, rnd):
    perm = list(range(len(p)))
    rnd.shuffle(perm)
    assert pool(p[perm], method) == pytest.approx(pool(p, method), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(PROBS, st.sampled_from(["mean", "median", "trimmed", "geo-odds"]))
def test_pools_lie_within_the_input_range(p, method):
    out = float(pool(p, method))
    lo, hi = p.min(), p.max()
    if method == "geo-odds":  # clipping to [eps, 1 - eps] can move the bounds inwards
        lo, hi = np.clip([lo, hi], 0.01, 0.99)
    assert lo - 1e-12 <= out <= hi + 1e-12


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(1, 10), elements=st.floats(0.01, 100)))
def test_weights_sum_to_one(w):
    assert normalize_weights(w).sum() == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(PROBS, st.floats(0.1, 10))
def test_equal_weights_are_the_linear_pool(p, c):
    assert linear_pool(p, weights=np.full(len(p), c)) == pytest.approx(linear_pool(p))
    assert median_pool(p, weights=np.full(len(p), c)) == pytest.approx(np.median(p))
