"""Downloads read back with pandas/openpyxl and compared with the analysis result."""

from __future__ import annotations

import io
import json
import shlex
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main as analysis_main
from elicit.extensions import db
from elicit.models import Study
from elicit.services import results
from tests.factories import PASSWORD

NEUTRALISED = "'=HYPERLINK(\"http://evil.example\")"


def _get(client, ids, path, **query):
    response = client.get(f"/studies/{ids['study']}/downloads/{path}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _expected_frame(app, ids) -> pd.DataFrame:
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        return results.judgments_frame(study.rounds[-1])


def _ranking(app, ids, **query):
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        params = results.parse_params(study, query)
        return results.round_results(study, params)


@pytest.fixture
def analyst(auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    return ids


def test_raw_csv_reads_back_as_the_tidy_frame(app, client, analyst):
    response = _get(client, analyst, "judgments", format="csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)), keep_default_na=False,
                        na_values=[""])
    expected = _expected_frame(app, analyst)
    assert list(frame.columns) == results.frames.EXPORT_COLUMNS
    assert list(frame.columns)[:len(results.TIDY_COLUMNS)] == results.TIDY_COLUMNS  # kept
    assert len(frame) == len(expected) == 12
    assert frame["expert"].tolist() == expected["expert"].tolist()
    for column in ["value", "lowest", "best", "highest", "confidence", "weight"]:
        pd.testing.assert_series_equal(frame[column].astype(float),
                                       expected[column].astype(float), check_names=False)
    assert set(frame["rationale"].fillna("")) >= {NEUTRALISED, "'-Risky but worth it"}
    assert "expert1@example.org" not in response.get_data(as_text=True)


def test_raw_xlsx_and_json(app, client, analyst):
    book = openpyxl.load_workbook(io.BytesIO(_get(client, analyst, "judgments",
                                                  format="xlsx").data))
    assert book.sheetnames == ["judgments", "seed answers", "seed dictionary",
                               "data dictionary"]
    rows = list(book["judgments"].values)
    assert list(rows[0]) == results.frames.EXPORT_COLUMNS and len(rows) == 13
    rationales = {r[13] for r in rows[1:]}
    assert NEUTRALISED in rationales
    dictionary = {r[0] for r in list(book["data dictionary"].values)[1:]}
    assert dictionary == set(results.frames.EXPORT_COLUMNS)
    body = json.loads(_get(client, analyst, "judgments", format="json").data)
    assert body["columns"] == results.frames.EXPORT_COLUMNS and len(body["judgments"]) == 12
    assert body["seed_answers"] == []  # this study has no calibration questions
    first = body["judgments"][0]
    assert first["expert"] == "E001" and first["best"] == 0.2
    assert first["rationale"] == '=HYPERLINK("http://evil.example")'  # JSON is not a sheet


def test_identities_only_for_organizers(client, auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    assert client.get(f"/studies/{ids['study']}/downloads/identities.csv").status_code == 403
    auth.logout()
    auth.login("owner@example.org", PASSWORD)
    frame = pd.read_csv(io.BytesIO(_get(client, ids, "identities.csv").data))
    assert frame["expert"].tolist() == ["E001", "E002", "E003"]
    assert frame["email"].tolist()[0] == "expert1@example.org"


def test_aggregated_results_match_the_analysis(app, client, analyst):
    outcome = _ranking(app, analyst, method="median")
    csv = pd.read_csv(io.BytesIO(_get(client, analyst, "results", format="csv",
                                      method="median").data))
    assert csv["option"].tolist() == outcome.ranking.ranking
    assert csv["score"].tolist() == pytest.approx(outcome.table["score"].tolist())
    assert csv["low"].tolist() == pytest.approx(outcome.table["low"].tolist())
    assert csv["p_first"].tolist() == pytest.approx(outcome.table["p_first"].tolist())
    body = json.loads(_get(client, analyst, "results", format="json", method="median").data)
    assert [o["option"] for o in body["options"]] == outcome.ranking.ranking
    assert body["provenance"]["input_sha256"] == outcome.ranking.provenance.input_sha256
    assert set(body["tables"]) == {"ranking", "acceptability", "pairwise", "consensus",
                                   "risk_matrix"}
    book = openpyxl.load_workbook(io.BytesIO(_get(client, analyst, "results", format="xlsx",
                                                  method="median").data))
    assert book.sheetnames == ["ranking", "acceptability", "pairwise", "consensus",
                               "risk_matrix", "data dictionary", "provenance"]
    sheet = list(book["ranking"].values)
    header = list(sheet[0])
    assert [r[header.index("option")] for r in sheet[1:]] == outcome.ranking.ranking
    assert [r[header.index("high")] for r in sheet[1:]] == pytest.approx(
        outcome.table["high"].tolist())
    described = {(r[0], r[1]) for r in list(book["data dictionary"].values)[1:] if r[2]}
    assert ("ranking", "p_first") in described
    one_table = pd.read_csv(io.BytesIO(_get(client, analyst, "results", format="csv",
                                            table="consensus").data))
    assert len(one_table) == 6  # 3 options × 2 criteria


def test_option_titles_are_neutralised_in_spreadsheets(app, client, analyst):
    with app.app_context():
        study = db.session.get(Study, analyst["study"])
        study.options[2].title = "@SUM(A1:A9)"
        study.options[1].title = "\tTabbed"
        db.session.commit()
    text = _get(client, analyst, "judgments", format="csv").get_data(as_text=True)
    assert "'@SUM(A1:A9)" in text and "\n@SUM" not in text and ",@SUM" not in text
    assert "'\tTabbed" in text
    ranking = _get(client, analyst, "results", format="csv").get_data(as_text=True)
    assert "'@SUM(A1:A9)" in ranking
    book = openpyxl.load_workbook(io.BytesIO(_get(client, analyst, "results",
                                                  format="xlsx").data))
    options = [r[0] for r in list(book["ranking"].values)[1:]]
    assert "'@SUM(A1:A9)" in options


def test_report_has_the_reporting_items(app, client, analyst):
    page = _get(client, analyst, "report").get_data(as_text=True)
    outcome = _ranking(app, analyst)
    for item in ["Response and attrition per round", "Consensus rule",
                 "the IQR of “Impact” is at most 1", "Feedback between rounds",
                 "Equal-weight linear pool",
                 outcome.ranking.provenance.input_sha256, "python -m analysis rank",
                 "67 %", "IDEA four-step"]:
        assert item in page, item
    assert "<script" not in page


def test_bundle_regenerates_the_ranking(app, client, analyst, tmp_path, capsys):
    archive = zipfile.ZipFile(io.BytesIO(_get(client, analyst, "bundle.zip",
                                              method="trimmed", w2="2").data))
    assert {"judgments.csv", "study.json", "README.txt", "reproduce.sh",
            "expected.json"} <= set(archive.namelist())
    archive.extractall(tmp_path)
    study = json.loads((tmp_path / "study.json").read_text())
    assert [o["title"] for o in study["options"]] == ["Option 1", "Option 2", "Option 3"]
    command = shlex.split((tmp_path / "reproduce.sh").read_text().splitlines()[-1])
    assert command[:4] == ["python", "-m", "analysis", "rank"]
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command[3:]]
    capsys.readouterr()
    assert analysis_main(args) == 0
    regenerated = json.loads(capsys.readouterr().out)
    expected = json.loads((tmp_path / "expected.json").read_text())
    page = _ranking(app, analyst, method="trimmed", w2="2")
    assert [o["option"] for o in regenerated["options"]] == page.ranking.ranking
    assert regenerated["options"] == expected["options"]
    assert [o["score"] for o in regenerated["options"]] == pytest.approx(
        page.table["score"].tolist())


@pytest.mark.parametrize("path", ["judgments?format=csv", "judgments?format=xlsx",
                                  "judgments?format=json", "results?format=csv",
                                  "results?format=xlsx", "results?format=json", "report",
                                  "bundle.zip", "identities.csv"])
def test_downloads_refuse_strangers_and_anonymous(client, auth, ids, path):
    url = f"/studies/{ids['study']}/downloads/{path}"
    assert client.get(url).status_code == 302  # to the login page
    auth.login("stranger@example.org", PASSWORD)
    assert client.get(url).status_code == 404


def test_bad_download_arguments(client, analyst):
    base = f"/studies/{analyst['study']}/downloads"
    assert client.get(f"{base}/judgments?format=pdf").status_code == 400
    assert client.get(f"{base}/judgments?round=5").status_code == 404
    assert client.get(f"{base}/results?table=nope").status_code == 404
    assert client.get(f"{base}/results?method=nope").status_code == 400
