import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import kendall_tau_many, rank_by_group, rank_options, sensitivity
from tests.analysis._factories import make_judgments, tidy


def test_kendall_tau_many_matches_scipy():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 5, 12).astype(float)
    others = rng.integers(0, 5, (6, 12)).astype(float)
    expected = [stats.kendalltau(base, o).statistic for o in others]
    np.testing.assert_allclose(kendall_tau_many(base, others), expected)
    assert np.isnan(kendall_tau_many([1, 1, 1], [[1, 2, 3]])[0])


def _close_call():
    """Options x and y differ only through expert 'c' (x wins only with c)."""
    rows = []
    for e, (x, y, z) in {"a": (2, 2.5, 0), "b": (2, 2.5, 0), "c": (9, 0, 0)}.items():
        rows += [{"expert": e, "option": o, "criterion": "v", "kind": "scale", "value": v}
                 for o, v in zip("xyz", (x, y, z), strict=True)]
    return tidy(rows)


def test_leave_one_out_flags_the_fragile_option():
    s = sensitivity(_close_call(), methods=["mean", "median"], tolerance=0)
    t = s.table.set_index("option")
    # mean: x = 13/3 > y = 5/3 ; without c: x = 2 < y = 2.5 -> x and y swap
    assert s.ranks.loc["x", "base"] == 1
    assert s.ranks.loc["x", "loo:c"] == 2
    assert t.loc["x", "loo_shift"] == 1 and t.loc["z", "loo_shift"] == 0
    # median: x = 2 < y = 2.5 -> swap again
    assert s.ranks.loc["x", "median"] == 2
    assert s.fragile == ["x", "y"]
    tau = s.loo_tau.set_index("expert")["tau"]
    assert tau["c"] == pytest.approx(stats.kendalltau([1, 2, 3], [2, 1, 3]).statistic)
    assert tau["a"] == pytest.approx(1.0)
    assert s.method_tau.set_index("method").loc["mean", "tau"] == pytest.approx(1.0)


def test_sensitivity_default_methods_and_cooke():
    df = make_judgments(8, 4)
    s = sensitivity(df)
    assert list(s.method_tau["method"]) == ["mean", "median", "trimmed", "geo-odds",
                                            "extremized"]
    w = pd.Series(1.0, index=[f"e{i}" for i in range(8)])
    s = sensitivity(df, method="cooke", expert_weights=w)
    assert "cooke" in list(s.method_tau["method"])
    assert s.table["robust"].dtype == bool
    with pytest.raises(ValueError, match="tolerance"):
        sensitivity(df, tolerance=-1)


def test_rank_by_group():
    df = make_judgments(8, 3)
    g = rank_by_group(df, resamples=50)
    assert set(g.results) == {"all", "gov", "academia"}
    assert g.results["gov"].table["n_experts"].eq(4).all()
    ranks = g.ranks()
    assert list(ranks.columns)[0] == "all" and ranks.shape == (3, 3)
    np.testing.assert_allclose(
        g.results["gov"].table["score"],
        rank_options(df, groups=["gov"], resamples=50).table["score"])
    with pytest.raises(ValueError, match="do not pass groups"):
        rank_by_group(df, groups=["gov"])
