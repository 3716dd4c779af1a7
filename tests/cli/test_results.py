"""`flask results STUDY`: the same numbers as the page, as CSV, JSON or XLSX."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from tests.factories import make_study, make_user, submit_round


@pytest.fixture
def study_id(app):
    with app.app_context():
        study = make_study(make_user())
        submit_round(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        submit_round(study, 1, [(0.4, 3), (0.6, 2), (0.5, -1)])
        return study.id


def test_results_as_csv_json_and_xlsx(runner, study_id, tmp_path):
    result = runner.invoke(args=["results", str(study_id)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.output))
    assert frame["option"].tolist() == ["Option 2", "Option 1", "Option 3"]
    assert frame["score"].tolist() == pytest.approx([1.4, 0.9, -0.5])
    result = runner.invoke(args=["results", str(study_id), "--method", "median",
                                 "--round", "1", "--format", "json"])
    body = json.loads(result.output)
    assert body["method"] == "median" and body["round"] == 1
    assert [o["option"] for o in body["options"]] == ["Option 2", "Option 1", "Option 3"]
    target = tmp_path / "out.xlsx"
    result = runner.invoke(args=["results", str(study_id), "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0
    book = openpyxl.load_workbook(target)
    assert "ranking" in book.sheetnames and "data dictionary" in book.sheetnames
    assert [r[0] for r in list(book["ranking"].values)[1:]] == ["Option 2", "Option 1",
                                                                "Option 3"]


def test_results_usage_errors(runner, study_id):
    assert runner.invoke(args=["results", "999"]).exit_code == 2
    assert runner.invoke(args=["results", str(study_id), "--round", "5"]).exit_code == 2
    assert runner.invoke(args=["results", str(study_id), "--method", "cooke"]).exit_code == 2
    assert runner.invoke(args=["results", str(study_id), "--group", "Z"]).exit_code == 2


def test_results_without_answers(app, runner):
    with app.app_context():
        study_id = make_study(make_user("x@example.org")).id
    result = runner.invoke(args=["results", str(study_id)])
    assert result.exit_code == 1 and "No submitted answers" in result.output
