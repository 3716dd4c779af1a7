"""The expert downloads their own answers as JSON or CSV."""

from __future__ import annotations

import csv
import io

from tests.factories import link_token, make_study
from tests.web.respond.helpers import consent, full_form, ids_of, open_link


def _submitted(app, client, **extra):
    with app.app_context():
        study = make_study()
        ids, token = ids_of(study), link_token(study)
    open_link(client, token)
    consent(client)
    assert client.post("/respond", data=full_form(ids, best=35) | extra).status_code == 303
    return ids


def test_json_download_has_answers_and_versions(app, client):
    ids = _submitted(app, client)
    client.post("/respond", data=full_form(ids, best=55))
    response = client.get("/respond/answers.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["status"] == "submitted" and data["version"] == 2
    first = data["judgments"][0]
    assert (first["option"], first["criterion"], first["best"], first["unit"]) == \
        ("Option 1", "Likelihood", 55, "%")
    assert [r["version"] for r in data["revisions"]] == [1, 2]
    assert data["revisions"][0]["answers"]["judgments"][0]["best"] == 0.35
    assert "expert1@example.org" not in response.get_data(as_text=True)


def test_csv_download_neutralises_formulas(app, client):
    ids = _submitted(app, client, **{f"o{1}_rationale": "=HYPERLINK(\"http://x\")"})
    response = client.get("/respond/answers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("judgment") == 6 and kinds.count("comment") == 3
    comment = next(r for r in rows if r["kind"] == "comment" and r["option"] == "Option 1")
    assert comment["rationale"].startswith("'=")
    impact = next(r for r in rows if r["criterion_or_question"] == "Impact")
    assert impact["value"] == "2.0"
    assert ids


def test_downloads_need_the_expert_session(client):
    assert client.get("/respond/answers.json").status_code == 404
    assert client.get("/respond/answers.xml").status_code == 404
