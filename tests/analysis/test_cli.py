import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from tests.analysis._factories import make_judgments

ROOT = Path(__file__).resolve().parents[2]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "judgments.csv"
    make_judgments(6, 4, rounds=2).to_csv(path, index=False)
    return path


def test_rank_text(csv):
    out = _run("rank", csv, "--resamples", 200, "--seed", 1)
    assert out.returncode == 0, out.stderr
    assert "round 2, method mean, 200 resamples (seed 1)" in out.stdout
    assert "p_first" in out.stdout and "o0" in out.stdout
    assert out.stderr == ""


def test_rank_json(csv):
    out = _run("rank", csv, "--round", 1, "--method", "median", "--resamples", 100, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["method"] == "median" and doc["round"] == 1
    assert [o["rank"] for o in doc["options"]] == sorted(o["rank"] for o in doc["options"])
    assert set(doc["options"][0]) == {"option", "rank", "score", "low", "high", "p_first",
                                      "p_top3"}
    assert doc["provenance"]["seed"] == 0 and doc["provenance"]["n_rows"] == 96
    # the library gives the same numbers
    lib = cli.rank_options(pd.read_csv(csv), method="median", round=1, resamples=100)
    assert doc["options"][0]["score"] == pytest.approx(lib.table.loc[0, "score"])


def test_rank_json_without_bootstrap_has_nulls(csv):
    doc = json.loads(_run("rank", csv, "--resamples", 0, "--json").stdout)
    assert doc["options"][0]["low"] is None


@pytest.mark.parametrize(("args", "fragment"), [
    (["rank", "missing.csv"], "judgments file not found"),
    (["rank", "{csv}", "--round", "9"], "round 9 not in the judgments"),
    (["rank", "{csv}", "--method", "cooke"], "--method cooke needs --seeds"),
    (["rank", "{csv}", "--seeds", "{csv}"], "--seeds is only used with --method cooke"),
    (["rank", "{csv}", "--method", "cooke", "--seeds", "{csv}"], "lacks column(s)"),
])
def test_bad_input_exit_2_without_traceback(csv, args, fragment):
    out = _run(*[a.format(csv=csv) for a in args])
    assert out.returncode == 2
    assert fragment in out.stderr
    assert "Traceback" not in out.stderr


def test_invalid_rows_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    df = make_judgments(3, 2)
    df.loc[4, "value"] = 7.0 if df.loc[4, "kind"] == "probability" else float("nan")
    df.to_csv(path, index=False)
    out = _run("rank", path)
    assert out.returncode == 2 and "row 4 (column 'value')" in out.stderr


def test_unknown_method_is_an_argparse_error(csv):
    out = _run("rank", csv, "--method", "best")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_broken_cooke_module_leaves_rank_working(monkeypatch, csv, capsys):
    def broken(name):
        raise ImportError("boom")

    monkeypatch.setattr(cli.importlib, "import_module", broken)
    assert cli.main(["cooke", "x.dtt", "x.rls"]) == 2
    assert "cooke subcommand is unavailable: boom" in capsys.readouterr().err
    assert cli.main(["rank", str(csv), "--resamples", "10"]) == 0
