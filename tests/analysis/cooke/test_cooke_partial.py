"""Issue 19.5: EXCALIBUR files where an expert gave only some of an item's quantiles.

tests/data/cooke/partial/Arkansas_partial is the Arkansas study with AR03's
5 % quantile of item 2 and AR07's median of item 10 coded missing (-999.5);
crossed is a small hand-made study (see make_reference.py there). anduryl
1.2.2's figures for both are stored next to them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analysis.cooke import (
    LinearPool,
    Study,
    calibration_scores,
    classical_model,
    intrinsic_range,
    leave_one_expert_out,
    leave_one_item_out,
    load_study,
    to_model_scale,
)

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "cooke"
DTT, RLS = DATA / "partial" / "Arkansas_partial.dtt", DATA / "partial" / "Arkansas_partial.rls"


def test_partially_answered_items_load_as_partial_assessments_with_a_warning() -> None:
    study = load_study(DTT, RLS)
    full = load_study(DATA / "Arkansas.dtt", DATA / "Arkansas.rls")
    assert study.experts == full.experts and study.items == full.items
    e03, e07 = study.experts.index("AR03"), study.experts.index("AR07")
    i2 = study.items.index("ARKidsB Enroll")
    i10 = study.items.index("High satisfact")
    # the given values are kept, the missing one is NaN
    assert np.isnan(study.assessments[e03, i2]).tolist() == [True, False, False, False, False]
    assert np.isnan(study.assessments[e07, i10]).tolist() == [False, False, True, False, False]
    assert not study.answered[e03, i2] and not study.answered[e07, i10]
    assert study.given[e03, i2] and study.given[e07, i10]
    assert study.partial.sum() == 2
    keep = ~np.isnan(study.assessments)
    np.testing.assert_array_equal(study.assessments[keep], full.assessments[keep])
    assert len(study.notes) == 2
    assert "expert 'AR03'" in study.notes[0] and "item 'ARKidsB Enroll'" in study.notes[0]
    assert "Arkansas_partial.dtt:33" in study.notes[0]
    assert "expert 'AR07'" in study.notes[1] and "item 'High satisfact'" in study.notes[1]
    assert full.notes == () and full.given is full.answered


VARIANTS = {"global_optimized": "global", "item_optimized": "item", "equal": "equal"}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("stem", ["Arkansas_partial", "crossed"])
def test_results_match_anduryl_on_the_same_file(stem: str, variant: str) -> None:
    """Scores, weights, alpha and DM quantiles against anduryl 1.2.2 (make_reference.py).

    ``crossed`` has a partial seed assessment that anduryl counts with a
    negative bin (E1 on s1: 1, missing, 3 with realization 0.5).
    """
    here = DATA / "partial"
    ref = json.loads((here / f"{stem}.json").read_text())["variants"][variant]
    study = load_study(here / f"{stem}.dtt", here / f"{stem}.rls")
    assert study.partial.any()
    result = classical_model(study, weights=VARIANTS[variant])
    keys = ("calibration", "information_seed", "information_all")
    got = result.experts.loc[list(ref["experts"]), list(keys)].to_numpy()
    want = np.array([[ref["experts"][e][k] for k in keys] for e in ref["experts"]])
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose([getattr(result.dm, k) for k in keys],
                               [ref["dm"][k] for k in keys], rtol=1e-10)
    if variant != "equal":  # anduryl reports the smallest calibration as alpha for equal weights
        assert result.alpha == pytest.approx(ref["alpha"], rel=1e-10)
    if variant == "global_optimized":
        # anduryl's stored comb_score is C I(seed) before the alpha cut
        combined = np.array([ref["experts"][e]["combined"] for e in ref["experts"]])
        np.testing.assert_allclose(combined, want[:, 0] * want[:, 1], rtol=1e-12)
        kept = np.where(want[:, 0] >= ref["alpha"] * (1 - 1e-12), combined, 0.0)
        np.testing.assert_allclose(result.experts.loc[list(ref["experts"]), "weight"],
                                   kept / kept.sum(), rtol=1e-10)
    want_q = np.array([ref["dm"]["quantiles"][item] for item in study.items])
    np.testing.assert_allclose(result.dm_quantiles.to_numpy(), want_q, rtol=1e-10, atol=1e-10)


def test_partial_assessment_counts_in_range_and_calibration_not_in_the_pool() -> None:
    """Against the same file with those two lines wholly missing: where anduryl differs."""
    partial = load_study(DTT, RLS)
    blank = replace(partial, assessments=np.where(partial.partial[:, :, None], np.nan,
                                                  partial.assessments))
    assert not blank.partial.any()
    a, b = classical_model(partial, weights="equal"), classical_model(blank, weights="equal")
    # both partial items are seed items: each still counts in its expert's calibration
    for expert in ("AR03", "AR07"):
        assert a.experts.loc[expert, "calibration"] != b.experts.loc[expert, "calibration"]
    # and in N_min (10 seed items for everyone, 9 if the partial ones were missing), which
    # sharpens every expert's calibration test: AR01 answered all 10 either way
    assert a.experts.loc["AR01", "calibration"] < b.experts.loc["AR01", "calibration"]
    # AR03's 25 % quantile of item 2 (-20) is the item's smallest value: the range keeps it
    values, realizations = to_model_scale(partial)
    lower = intrinsic_range(values, realizations)[0]
    assert lower[partial.items.index("ARKidsB Enroll")] < -20.0
    # neither partial assessment has weight in the decision maker
    assert a.item_weights.loc["ARKidsB Enroll", "AR03"] == 0.0
    assert a.item_weights.loc["High satisfact", "AR07"] == 0.0
    assert a.item_weights.loc["High satisfact", "AR01"] == pytest.approx(1 / 3)


def test_cli_prints_the_warnings_and_succeeds() -> None:
    out = subprocess.run([sys.executable, "-m", "analysis", "cooke", str(DTT), str(RLS)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    warnings = [ln for ln in out.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 2 and "AR03" in warnings[0] and "AR07" in warnings[1]


def test_public_calibration_scores_count_a_partial_assessment_as_the_model_does() -> None:
    here = DATA / "partial"
    study = load_study(here / "crossed.dtt", here / "crossed.rls")
    result = classical_model(study, weights="equal")
    values, realizations = to_model_scale(study)
    seed = study.seed_mask
    n_min = int(study.given[:, seed].sum(axis=1).min())
    got = calibration_scores(values[:, seed], realizations[seed], study.quantiles, n_min)
    np.testing.assert_allclose(got, result.experts["calibration"].to_numpy(), rtol=1e-12)


def test_linear_pool_leaves_a_partial_assessment_out() -> None:
    q = np.array([0.05, 0.5, 0.95])
    lo, hi = np.array([0.0]), np.array([10.0])
    partial = np.array([[[2.0, 3.0, 4.0]], [[2.5, np.nan, 9.0]]])
    blank = np.array([[[2.0, 3.0, 4.0]], [[np.nan, np.nan, np.nan]]])
    w = np.array([[1.0], [0.0]])
    np.testing.assert_array_equal(LinearPool.build(partial, lo, hi, q).dm_quantiles(w),
                                  LinearPool.build(blank, lo, hi, q).dm_quantiles(w))


@pytest.mark.parametrize(("row", "message"), [
    ([3.0, np.nan, 2.0], "do not increase strictly"),
    ([np.nan, np.nan, -1.0], "log scale"),
])
def test_study_checks_the_given_values_of_a_partial_assessment(row: list, message: str) -> None:
    a = np.array([[[1.0, 2.0, 3.0]], [row]])
    with pytest.raises(ValueError, match=message):
        Study(("A", "B"), ("x",), ("log",), np.array([0.05, 0.5, 0.95]), a, np.array([2.5]))


def test_an_item_only_partially_answered_is_refused() -> None:
    a = np.array([[[1.0, np.nan, 3.0]], [[np.nan, 2.0, np.nan]]])
    with pytest.raises(ValueError, match="item 'x' was answered by no expert"):
        Study(("A", "B"), ("x",), ("uni",), np.array([0.05, 0.5, 0.95]), a, np.array([2.5]))


def test_robustness_tables_treat_partial_assessments_like_the_model() -> None:
    study = load_study(DTT, RLS)
    table = leave_one_expert_out(study)
    keep = [e for e, name in enumerate(study.experts) if name != "AR06"]
    alone = classical_model(study.subset(experts=keep))
    assert alone.dm.calibration == pytest.approx(table.loc["AR06", "calibration"], rel=1e-12)
    assert alone.dm.information_all == pytest.approx(table.loc["AR06", "information_all"],
                                                     rel=1e-12)
    items = leave_one_item_out(study)
    assert np.isfinite(items.to_numpy(dtype=float)).all()
