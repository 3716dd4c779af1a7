import numpy as np
import pytest
from scipy import stats

from analysis import RankAccumulator, resample_counts
from analysis._weighted import weighted_aggregate


def test_resample_counts_sum_and_seed():
    a = resample_counts(np.random.default_rng(4), 7, 50)
    b = resample_counts(np.random.default_rng(4), 7, 50)
    assert a.shape == (50, 7)
    assert (a.sum(axis=1) == 7).all()
    np.testing.assert_array_equal(a, b)
    # each expert is drawn 1 time per resample on average
    big = resample_counts(np.random.default_rng(0), 20, 5000)
    assert big.mean() == pytest.approx(1.0, abs=0.02)


def test_kernels_equal_statistics_of_the_expanded_sample():
    rng = np.random.default_rng(11)
    values = rng.normal(size=(9, 4))
    values[2, 1] = np.nan
    counts = resample_counts(rng, 9, 25)
    mean = weighted_aggregate(values, counts, "mean")
    median = weighted_aggregate(values, counts, "median")
    for b in range(25):
        for o in range(4):
            col = values[:, o]
            keep = ~np.isnan(col)
            sample = np.repeat(col[keep], counts[b, keep].astype(int))
            assert mean[b, o] == pytest.approx(sample.mean())
            assert median[b, o] == pytest.approx(np.median(sample))


def test_trimmed_kernel_matches_scipy_when_trim_n_is_integer():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(10, 3))
    out = weighted_aggregate(values, np.ones((1, 10)), "trimmed", trim=0.2)
    np.testing.assert_allclose(out[0], stats.trim_mean(values, 0.2, axis=0))


def test_rank_accumulator_by_hand():
    acc = RankAccumulator(3)
    # draw 1: A > B > C ; draw 2: B > A = C (A and C share ranks 2 and 3)
    acc.update(np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 1.0]]))
    expected = np.array([[0.5, 0.25, 0.25],   # A: rank 1 once, half of ranks 2-3 once
                         [0.5, 0.5, 0.0],     # B
                         [0.0, 0.25, 0.75]])  # C
    np.testing.assert_allclose(acc.acceptability, expected)
    # P(A beats C): draw 1 win, draw 2 tie (1/2) -> 0.75
    assert acc.pairwise[0, 2] == pytest.approx(0.75)
    assert acc.pairwise[2, 0] == pytest.approx(0.25)
    assert np.isnan(acc.pairwise[1, 1])


def test_nan_scores_rank_last():
    acc = RankAccumulator(2)
    acc.update(np.array([[np.nan, -5.0]]))
    np.testing.assert_allclose(acc.acceptability, [[0.0, 1.0], [1.0, 0.0]])
