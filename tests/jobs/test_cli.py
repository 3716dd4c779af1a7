"""CLI progress bars go to standard error only, and never with --quiet."""

from __future__ import annotations

import json


def test_progress_bar_stays_off_stdout_with_json(runner, ids):
    result = runner.invoke(args=["results", str(ids["study"]), "--format", "json",
                                 "--progress"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)  # clean JSON, nothing else
    assert body["options"][0]["option"] == "Option 2"
    assert "Analysing" in result.stderr and "%" in result.stderr


def test_quiet_and_non_terminal_mean_no_bar(runner, ids, tmp_path):
    quiet = runner.invoke(args=["results", str(ids["study"]), "--format", "json", "--quiet",
                                "--progress"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    auto = runner.invoke(args=["results", str(ids["study"]), "--format", "csv"])
    assert auto.exit_code == 0 and auto.stderr == ""  # stderr is not a terminal here
    out = tmp_path / "r.csv"
    silent = runner.invoke(args=["results", str(ids["study"]), "-o", str(out), "-q"])
    assert silent.exit_code == 0 and silent.stderr == "" and out.exists()


def test_worker_needs_redis(app, runner):
    app.config.update(REDIS_URL=None, JOBS_REDIS_URL=None)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1 and "needs REDIS_URL" in result.output
