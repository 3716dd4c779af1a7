import sys
import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import METHODS, point_ranks, rank_options
from tests.analysis._factories import make_judgments, tidy


def _hand():
    """Two experts, two options, p plus scale v1 (weight 2) and v2 (weight -1).

    a: x p=.5 v1=3 v2=1 -> impact 2*3-1 = 5 -> score 2.5 ; y p=.8 v1=1 v2=0 -> 2 -> 1.6
    b: x p=.3 v1=2 v2=2 -> 2*2-2 = 2 -> 0.6 ; y p=.6 v1=2 v2=1 -> 3 -> 1.8
    """
    rows = []
    for e, o, p, v1, v2 in [("a", "x", .5, 3, 1), ("a", "y", .8, 1, 0),
                            ("b", "x", .3, 2, 2), ("b", "y", .6, 2, 1)]:
        rows += [{"expert": e, "option": o, "criterion": "p", "kind": "probability",
                  "value": p, "weight": 1.0},
                 {"expert": e, "option": o, "criterion": "v1", "kind": "scale",
                  "value": v1, "weight": 2.0},
                 {"expert": e, "option": o, "criterion": "v2", "kind": "scale",
                  "value": v2, "weight": -1.0}]
    return tidy(rows)


def test_mean_by_hand():
    r = rank_options(_hand(), resamples=0)
    t = r.table.set_index("option")
    # x: (2.5 + 0.6)/2 = 1.55 ; y: (1.6 + 1.8)/2 = 1.7
    assert r.ranking == ["y", "x"]
    assert t.loc["x", "score"] == pytest.approx(1.55)
    assert t.loc["y", "score"] == pytest.approx(1.7)
    assert t.loc["x", "likelihood"] == pytest.approx(0.4)
    assert t.loc["x", "impact"] == pytest.approx(3.5)
    assert t["low"].isna().all() and t["p_first"].isna().all()
    assert r.acceptability.isna().all().all()


def test_geo_odds_and_extremized_by_hand():
    t = rank_options(_hand(), method="geo-odds", resamples=0).table.set_index("option")
    # x: odds 1 and 3/7 -> sqrt(3/7); p = o/(1+o); times mean impact 3.5
    o = np.sqrt(3 / 7)
    assert t.loc["x", "score"] == pytest.approx(o / (1 + o) * 3.5)
    t = rank_options(_hand(), method="extremized", extremize_d=2.0,
                     resamples=0).table.set_index("option")
    # odds ** 2 = 3/7
    assert t.loc["x", "likelihood"] == pytest.approx((3 / 7) / (1 + 3 / 7))


def test_median_trimmed_and_weights_by_hand():
    t = rank_options(_hand(), method="median", resamples=0).table.set_index("option")
    assert t.loc["x", "score"] == pytest.approx(1.55)  # median of two = their mean
    w = pd.Series({"a": 3.0, "b": 1.0})
    t = rank_options(_hand(), expert_weights=w, resamples=0).table.set_index("option")
    # x: (3*2.5 + 0.6)/4 = 2.025 ; y: (3*1.6 + 1.8)/4 = 1.65
    assert t.loc["x", "score"] == pytest.approx(2.025)
    assert t.loc["x", "rank"] == 1
    t = rank_options(_hand(), method="cooke", expert_weights=w, resamples=0).table
    assert t.set_index("option").loc["x", "score"] == pytest.approx(2.025)


def test_criterion_weights_override():
    # v2 weight 0: a x impact 6 -> 3.0 ; b x 4 -> 1.2 ; mean 2.1
    t = rank_options(_hand(), criterion_weights={"v2": 0}, resamples=0).table
    assert t.set_index("option").loc["x", "score"] == pytest.approx(2.1)
    with pytest.raises(ValueError, match=r"unknown criteria \['zz'\]"):
        rank_options(_hand(), criterion_weights={"zz": 1}, resamples=0)


def test_scale_only_and_probability_only():
    df = _hand()
    scale_only = df[df["criterion"] != "p"]
    t = rank_options(scale_only, resamples=0).table.set_index("option")
    assert t.loc["x", "score"] == pytest.approx(3.5)
    assert t["likelihood"].isna().all()
    p_only = df[df["criterion"] == "p"]
    t = rank_options(p_only, resamples=0).table.set_index("option")
    assert t.loc["y", "score"] == pytest.approx(0.7)
    with pytest.raises(ValueError, match="no probability criterion"):
        rank_options(scale_only, method="geo-odds", resamples=0)


def test_abstention_removes_the_expert_from_that_option_only():
    df = pd.concat([_hand(), tidy([
        {"expert": "c", "option": "x", "criterion": "p", "kind": "probability", "value": 0.9},
        {"expert": "c", "option": "x", "criterion": "v1", "kind": "scale", "value": np.nan,
         "abstained": True, "weight": 2.0},
        {"expert": "c", "option": "x", "criterion": "v2", "kind": "scale", "value": 3,
         "weight": -1.0},
        {"expert": "c", "option": "y", "criterion": "p", "kind": "probability", "value": 0.1},
        {"expert": "c", "option": "y", "criterion": "v1", "kind": "scale", "value": 0,
         "weight": 2.0},
        {"expert": "c", "option": "y", "criterion": "v2", "kind": "scale", "value": 0,
         "weight": -1.0},
    ])], ignore_index=True)
    r = rank_options(df, resamples=0)
    t = r.table.set_index("option")
    assert t.loc["x", "score"] == pytest.approx(1.55)  # c left out of x
    assert t.loc["y", "score"] == pytest.approx((1.6 + 1.8 + 0.0) / 3)
    assert t.loc["x", "n_experts"] == 2 and t.loc["y", "n_experts"] == 3
    assert any("1 expert-option pair" in n for n in r.notes)
    # a missing row behaves like an abstention
    dropped = df[~df["abstained"]]
    t2 = rank_options(dropped, resamples=0).table.set_index("option")
    assert t2.loc["x", "score"] == pytest.approx(1.55)


def test_bootstrap_invariants():
    r = rank_options(make_judgments(12, 5, spread=0.3), resamples=500, seed=1)
    acc = r.acceptability.to_numpy()
    np.testing.assert_allclose(acc.sum(axis=0), 1.0)
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    pw = r.pairwise.to_numpy()
    off = ~np.eye(len(pw), dtype=bool)
    np.testing.assert_allclose((pw + pw.T)[off], 1.0)
    np.testing.assert_allclose(r.table["p_first"], acc[:, 0])
    np.testing.assert_allclose(r.table["p_top3"], acc[:, :3].sum(axis=1))
    assert (r.table["low"] <= r.table["score"] + 1e-12).all()
    assert (r.table["score"] <= r.table["high"] + 1e-12).all()
    assert list(r.acceptability.index) == r.ranking
    assert r.table["rank"].is_monotonic_increasing


@pytest.mark.parametrize("method", ["mean", "median", "trimmed", "geo-odds", "extremized"])
def test_same_seed_same_result_and_row_order_irrelevant(method):
    df = make_judgments(9, 4, spread=0.3)
    a = rank_options(df, method=method, resamples=300, seed=5)
    shuffled = df.sample(frac=1.0, random_state=3).reset_index(drop=True)
    b = rank_options(shuffled, method=method, resamples=300, seed=5)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.acceptability, b.acceptability)
    assert a.provenance.input_sha256 == b.provenance.input_sha256
    if method in ("mean", "geo-odds", "extremized"):  # continuous: another seed must differ
        c = rank_options(df, method=method, resamples=300, seed=6)
        assert not np.allclose(a.table["low"], c.table["low"])


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 9), st.integers(2, 5), st.integers(0, 10_000))
def test_dominant_option_ranks_first_with_certainty(n_experts, n_options, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(n_experts):
        scores = rng.integers(-3, 3, n_options).astype(float)
        scores[0] = 3.0 + rng.integers(0, 2)  # above every other option, for every expert
        rows += [{"expert": f"e{e}", "option": f"o{o}", "criterion": "v", "kind": "scale",
                  "value": s} for o, s in enumerate(scores)]
    df = tidy(rows)
    for method in ("mean", "median", "trimmed"):
        r = rank_options(df, method=method, resamples=50, seed=seed)
        assert r.ranking[0] == "o0"
        assert r.table.loc[0, "p_first"] == pytest.approx(1.0)


def test_p_first_grows_as_experts_agree():
    wide = rank_options(make_judgments(10, 4, seed=2, spread=0.4), resamples=400)
    tight = rank_options(make_judgments(10, 4, seed=2, spread=0.0), resamples=400)
    assert tight.table.loc[0, "p_first"] >= wide.table.loc[0, "p_first"]
    assert tight.table.loc[0, "p_first"] > 0.95


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 1000))
def test_equal_expert_weights_equal_the_unweighted_pool(seed):
    df = make_judgments(6, 3, seed=seed, spread=0.3)
    w = pd.Series(2.5, index=[f"e{i}" for i in range(6)])
    a = rank_options(df, resamples=100, seed=seed)
    b = rank_options(df, expert_weights=w, resamples=100, seed=seed)
    np.testing.assert_allclose(a.table["score"], b.table["score"])
    np.testing.assert_allclose(a.table["p_first"], b.table["p_first"])


def test_missing_expert_weight_is_zero_and_noted():
    r = rank_options(_hand(), expert_weights=pd.Series({"a": 1.0}), resamples=0)
    assert r.table.set_index("option").loc["x", "score"] == pytest.approx(2.5)
    assert any("['b']" in n for n in r.notes)
    with pytest.raises(ValueError, match="'a' has -1.0"):
        rank_options(_hand(), expert_weights=pd.Series({"a": -1.0, "b": 1.0}), resamples=0)


def test_cooke_uses_seeds_through_a_lazy_import(monkeypatch):
    fake = types.ModuleType("analysis.cooke")
    fake.weights_from_seed_frame = lambda seeds: pd.Series({"a": 3.0, "b": 1.0})
    monkeypatch.setitem(sys.modules, "analysis.cooke", fake)
    t = rank_options(_hand(), method="cooke", seeds=pd.DataFrame(), resamples=0).table
    assert t.set_index("option").loc["x", "score"] == pytest.approx(2.025)
    with pytest.raises(ValueError, match="needs expert_weights or a seeds table"):
        rank_options(_hand(), method="cooke", resamples=0)


def test_round_and_group_selection():
    df = make_judgments(6, 3, rounds=2)
    assert rank_options(df, resamples=0).round == 2
    assert rank_options(df, round=1, resamples=0).round == 1
    r = rank_options(df, groups=["gov"], resamples=0)
    assert r.table["n_experts"].eq(3).all()
    with pytest.raises(ValueError, match="round 5 not in the judgments"):
        rank_options(df, round=5)
    with pytest.raises(ValueError, match="no judgments for groups"):
        rank_options(df, groups=["nobody"])


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"method": "best"}, "unknown method 'best'"),
    ({"resamples": -1}, "resamples"),
    ({"trim": 0.6}, "trim"),
    ({"extremize_d": 0}, "extremize_d"),
    ({"top_k": 0}, "top_k"),
    ({"interval": 1.0}, "interval"),
])
def test_bad_parameters(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        rank_options(_hand(), **kwargs)


def test_provenance_and_json():
    r = rank_options(_hand(), resamples=20, seed=3)
    p = r.provenance
    assert (p.method, p.seed, p.n_rows) == ("mean", 3, 12)
    assert len(p.input_sha256) == 64
    assert set(p.versions) == {"python", "numpy", "scipy", "pandas", "analysis"}
    assert p.parameters["criterion_weights"] == {"v1": 2.0, "v2": -1.0}
    d = rank_options(_hand(), resamples=0).to_dict()
    assert d["options"][0]["low"] is None
    assert [o["option"] for o in d["options"]] == ["y", "x"]


def test_point_ranks_ties_and_nan():
    assert point_ranks([0.2, 0.9, 0.2, np.nan]).tolist() == [2, 1, 2, 4]


def test_methods_listed():
    assert METHODS == ("mean", "median", "trimmed", "geo-odds", "extremized", "cooke")
