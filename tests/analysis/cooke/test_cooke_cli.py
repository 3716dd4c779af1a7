"""``python -m analysis cooke`` as provided by analysis.cooke.cli."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
from _cooke_helpers import DATA, reference

from analysis.cooke import cli

ROOT = Path(__file__).resolve().parents[3]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def files(name: str) -> tuple[str, str]:
    return str(DATA / f"{name}.dtt"), str(DATA / f"{name}.rls")


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse(*files("Daniela"), "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    expected = reference("Daniela")["expected"]["global_optimized"]
    assert out["alpha"] == pytest.approx(expected["alpha"], rel=1e-9)
    assert [e["id"] for e in out["experts"]] == ["Exp1", "Exp2", "Exp3", "Exp4"]
    assert set(out["experts"][0]) == {
        "id",
        "calibration",
        "information_seed",
        "information_all",
        "weight",
    }
    assert out["dm"]["calibration"] == pytest.approx(expected["dm"]["calibration"], rel=1e-9)
    assert out["dm"]["quantiles"]["CQ1"] == pytest.approx(expected["dm"]["quantiles"]["CQ1"])


def test_item_weights_and_fixed_alpha(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse(*files("tobacco"), "--weights", "item", "--alpha", "0", "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["alpha"] == 0.0
    assert all(e["weight"] is None for e in out["experts"])
    assert len(out["dm"]["quantiles"]["MinVio"]) == 5


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse(*files("Daniela"), "--weights", "equal")) == 0
    out = capsys.readouterr().out
    assert "equal weights" in out and "Exp3" in out and "\nDM " in out and "CQ1" in out


def test_bad_alpha_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse(*files("Daniela"), "--alpha", "often")


def test_bad_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dtt, rls = files("Daniela")
    assert cli.run(parse(dtt, str(tmp_path / "missing.rls"))) == 2
    assert "missing.rls" in capsys.readouterr().err
    bad = tmp_path / "bad.dtt"
    bad.write_text("* NQ= 3 QU= 5 50 95\n    1 A 1 x UNI 3 2 1\n", encoding="utf-8")
    assert cli.run(parse(str(bad), rls)) == 2
    err = capsys.readouterr().err
    assert "bad.dtt:2" in err and "Traceback" not in err


def test_module_entry_point_in_subprocess() -> None:
    """Runs as a script, and importing the package loads no web framework."""
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.cooke", *files("tobacco"), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["dm"]["calibration"] > 0
    code = (
        "import sys, analysis.cooke; "
        "print(sorted({'flask', 'sqlalchemy', 'elicit'} & set(sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "[]"


def test_bad_file_in_subprocess_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "analysis.cooke", str(tmp_path / "x.dtt"), str(tmp_path / "x.rls")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
