"""Issue 18 item 4: a study has at most one probability criterion, whatever the path."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Criterion, Study
from elicit.services.accounts import api_tokens
from tests.factories import make_user

SECOND = {"name": "Chance of success", "kind": "probability", "weight": "1"}


def _probabilities(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Criterion).where(
            Criterion.kind == "probability"))


def test_the_web_builder_refuses_a_second_probability_criterion(app, client, draft_owner):
    sid = draft_owner["study"]
    before = _probabilities(app)
    refused = client.post(f"/studies/{sid}/criteria/new", data=SECOND)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "one probability criterion" in page and "Chance of success" in page  # kept as typed
    assert _probabilities(app) == before


def test_turning_a_scale_into_a_second_probability_is_refused(app, client, draft_owner):
    sid = draft_owner["study"]
    with app.app_context():
        impact = db.session.scalar(select(Criterion).where(Criterion.study_id == sid,
                                                           Criterion.kind == "scale"))
        impact_id = impact.id
    refused = client.post(f"/studies/{sid}/criteria/{impact_id}/edit",
                          data={"name": "Impact", "kind": "probability", "weight": "1"})
    assert refused.status_code == 422
    assert _probabilities(app) == 1


DEFINITION = {"title": "Two chances", "options": [{"title": "A"}],
              "criteria": [{"name": "Likelihood", "kind": "probability"},
                           {"name": "Other likelihood", "kind": "probability"}]}


def test_the_json_import_refuses_two_probability_criteria(app, client, draft_owner):
    response = client.post("/studies/import", data={
        "file": (io.BytesIO(json.dumps(DEFINITION).encode()), "study.json")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "one probability criterion" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Study).where(Study.title == "Two chances")) is None


def test_the_api_refuses_two_probability_criteria(app, client):
    with app.app_context():
        _, secret = api_tokens.issue_token(make_user(), "tests")
    response = client.post("/api/v1/studies", json=DEFINITION,
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400
    body = response.get_json()
    assert "criteria[2].kind" in json.dumps(body)
    with app.app_context():
        assert db.session.scalar(select(Study).where(Study.title == "Two chances")) is None
