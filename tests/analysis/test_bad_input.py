"""Issue 19.6: bad input gets the library's own message, never numpy's."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis
from tests.analysis._factories import make_judgments

ROOT = Path(__file__).resolve().parents[2]


def _abstained() -> pd.DataFrame:
    return pd.DataFrame([{"round": 1, "expert": e, "option": o, "criterion": "c",
                          "kind": "scale", "value": np.nan, "abstained": True}
                         for e in "ab" for o in "xy"])


@pytest.mark.parametrize("fn", ["rank_options", "sensitivity", "risk_matrix",
                                "rank_by_group"])
def test_every_answer_abstained_ranking(fn: str) -> None:
    with pytest.raises(ValueError, match="every answer of round 1 is an abstention"):
        getattr(analysis, fn)(_abstained())


def test_every_answer_abstained_consensus() -> None:
    with pytest.raises(ValueError, match="every answer of round 1 is an abstention"):
        analysis.consensus_table(_abstained())


def _nobody_rated_y() -> pd.DataFrame:
    return pd.DataFrame([{"round": 1, "expert": e, "option": o, "criterion": "c",
                          "kind": "scale", "value": np.nan if o == "y" else 1.0 + i,
                          "abstained": o == "y"}
                         for i, e in enumerate("abc") for o in "xy"])


def test_option_nobody_rated_raises_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = analysis.rank_options(_nobody_rated_y(), resamples=200)
        analysis.risk_matrix(make_judgments(4, 2), resamples=50)
    assert np.isnan(r.table.set_index("option").loc["y", "low"])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_cli_abstained_round_and_unrated_option(tmp_path: Path) -> None:
    path = tmp_path / "abstained.csv"
    _abstained().to_csv(path, index=False)
    out = _cli("rank", str(path), "--resamples", "50")
    assert out.returncode == 2
    assert out.stderr.startswith("error: every answer of round 1 is an abstention")
    path = tmp_path / "unrated.csv"
    _nobody_rated_y().to_csv(path, index=False)
    out = _cli("rank", str(path), "--resamples", "200")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no RuntimeWarning leaks
    out = _cli("rank", str(path), "--seed", "-3")
    assert out.returncode == 2 and "seed must be a non-negative integer" in out.stderr


def test_negative_seed() -> None:
    df = make_judgments(3, 2)
    for fn in (analysis.rank_options, analysis.risk_matrix):
        with pytest.raises(ValueError, match="seed must be a non-negative integer or None"):
            fn(df, seed=-1)


def test_duplicate_rows_with_duplicated_index_name_the_row() -> None:
    df = make_judgments(3, 2)
    dup = pd.concat([df, df.iloc[[1]]])  # index label 1 now names two rows
    with pytest.raises(ValueError) as err:
        analysis.validate_judgments(dup)
    msg = str(err.value)
    assert "row 1 (position 12)" in msg and "duplicate" in msg
    assert "dtype" not in msg and "Name:" not in msg  # no printed Series


def test_blank_weight_on_probability_rows_defaults_to_one() -> None:
    df = pd.DataFrame({"round": 1, "expert": ["a", "b"], "option": "x", "criterion": "p",
                       "kind": "probability", "value": [0.2, 0.4], "weight": ["", " "]})
    assert analysis.validate_judgments(df)["weight"].tolist() == [1.0, 1.0]
    scale = df.assign(kind="scale", weight=["", "1"])
    with pytest.raises(ValueError, match="weight"):
        analysis.validate_judgments(scale)


@pytest.mark.parametrize("fn", [analysis.pool, analysis.linear_pool, analysis.median_pool,
                                analysis.extremized_pool])
def test_empty_array_to_pool(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="need at least one judgment to pool"):
        fn(np.array([]))


@pytest.mark.parametrize("fn", [analysis.iqr, analysis.quartile_deviation,
                                analysis.coefficient_of_variation,
                                analysis.percent_agreement])
def test_empty_array_to_dispersion(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="need at least one judgment"):
        fn([])


@pytest.mark.parametrize(("lo", "best", "hi"), [(-0.2, 0.4, 0.5), (0.2, 0.4, 1.3),
                                                 (0.2, 1.2, 1.3)])
def test_idea_bounds_outside_unit_interval_are_refused(lo, best, hi) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        analysis.standardize_idea(lo, best, hi, 0.8)


def test_ratio_alpha_refuses_negative_values() -> None:
    with pytest.raises(ValueError, match="ratio-level alpha needs non-negative values"):
        analysis.krippendorff_alpha([[1, -1, 2], [-1, 1, 2]], "ratio")
    assert analysis.krippendorff_alpha([[1, 2, 3], [1, 2, 3]], "ratio") == 1.0


def test_sensitivity_with_one_expert_marks_nothing_fragile() -> None:
    df = pd.DataFrame({"round": 1, "expert": "a", "option": ["x", "y", "z"],
                       "criterion": "c", "kind": "scale", "value": [3.0, 2.0, 1.0]})
    s = analysis.sensitivity(df)
    assert s.fragile == []
    assert s.loo_tau.empty and any("at least 2 experts" in n for n in s.notes)
