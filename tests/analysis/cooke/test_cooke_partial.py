"""Issue 19.5: EXCALIBUR files where an expert gave only some of an item's quantiles.

tests/data/cooke/partial/Arkansas_partial is the Arkansas study with AR03's
5 % quantile of item 2 and AR07's median of item 10 coded missing (-999.5).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from analysis.cooke import classical_model, load_study

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "cooke"
DTT, RLS = DATA / "partial" / "Arkansas_partial.dtt", DATA / "partial" / "Arkansas_partial.rls"


def test_partially_answered_items_load_as_missing_with_a_warning() -> None:
    study = load_study(DTT, RLS)
    full = load_study(DATA / "Arkansas.dtt", DATA / "Arkansas.rls")
    assert study.experts == full.experts and study.items == full.items
    e03, e07 = study.experts.index("AR03"), study.experts.index("AR07")
    i2 = study.items.index("ARKidsB Enroll")
    i10 = study.items.index("High satisfact")
    assert np.isnan(study.assessments[e03, i2]).all()
    assert np.isnan(study.assessments[e07, i10]).all()
    assert not study.answered[e03, i2] and not study.answered[e07, i10]
    # every other assessment is read unchanged
    keep = np.ones(study.answered.shape, bool)
    keep[e03, i2] = keep[e07, i10] = False
    np.testing.assert_array_equal(study.assessments[keep], full.assessments[keep])
    assert len(study.notes) == 2
    assert "expert 'AR03'" in study.notes[0] and "item 'ARKidsB Enroll'" in study.notes[0]
    assert "Arkansas_partial.dtt:33" in study.notes[0]
    assert "expert 'AR07'" in study.notes[1] and "item 'High satisfact'" in study.notes[1]
    assert full.notes == ()


def test_model_runs_and_equals_the_file_with_those_lines_fully_missing(tmp_path: Path) -> None:
    partial = classical_model(load_study(DTT, RLS), weights="global")
    lines = DTT.read_text(encoding="latin-1").splitlines(keepends=True)
    for n in (33, 101):  # the two partial lines (1-based), now wholly missing
        head = lines[n - 1].split("UNI")[0] + "UNI"
        lines[n - 1] = head + " -9.99500E+0002" * 5 + "\n"
    (tmp_path / "m.dtt").write_text("".join(lines), encoding="latin-1")
    missing = classical_model(load_study(tmp_path / "m.dtt", RLS), weights="global")
    np.testing.assert_allclose(partial.experts["weight"].to_numpy(),
                               missing.experts["weight"].to_numpy(), rtol=1e-12)
    assert partial.alpha == missing.alpha


def test_cli_prints_the_warnings_and_succeeds() -> None:
    out = subprocess.run([sys.executable, "-m", "analysis", "cooke", str(DTT), str(RLS)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    warnings = [ln for ln in out.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 2 and "AR03" in warnings[0] and "AR07" in warnings[1]
