"""The JSON API: bearer tokens only, role checks, responses valid against the OpenAPI document."""

from __future__ import annotations

import jsonschema
import pytest

from elicit.services import api_tokens
from tests.factories import PASSWORD, make_study, make_user
from tests.web.test_pages import _submit


@pytest.fixture
def token(app):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        _submit(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        _, secret = api_tokens.issue_token(owner, "tests")
        return {"secret": secret, "study": study.id}


def _get(client, path, secret=None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(path, headers=headers)


def _validate(client, path_template, body, status="200"):
    """Validate a response body against the schema the OpenAPI document declares."""
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"][path_template]["get"]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]})


def test_openapi_document_lists_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"}
    documented = {"/api/v1" + p.replace("{study_id}", "<int:study_id>")
                  for p in document["paths"]}
    assert routes == documented


def test_studies_and_results_match_the_schema(client, token):
    studies = _get(client, "/api/v1/studies", token["secret"])
    assert studies.status_code == 200
    _validate(client, "/studies", studies.get_json())
    study = _get(client, f"/api/v1/studies/{token['study']}", token["secret"])
    _validate(client, "/studies/{study_id}", study.get_json())
    results = _get(client, f"/api/v1/studies/{token['study']}/results?method=median",
                   token["secret"])
    body = results.get_json()
    _validate(client, "/studies/{study_id}/results", body)
    assert [o["option"] for o in body["options"]] == ["Option 2", "Option 1", "Option 3"]
    assert body["method"] == "median"


def test_errors_are_json_with_a_stable_shape(client, token):
    for path, expected in [("/api/v1/studies", 401),
                           ("/api/v1/studies/999", 404),
                           (f"/api/v1/studies/{token['study']}/results?method=x", 400),
                           (f"/api/v1/studies/{token['study']}/results?round=9", 404)]:
        secret = None if expected == 401 else token["secret"]
        response = _get(client, path, secret)
        assert response.status_code == expected
        body = response.get_json()
        _validate(client, "/studies/{study_id}/results", body, status=str(expected))
        assert body["error"]["status"] == expected


def test_session_cookie_does_not_authenticate_the_api(client, token, auth):
    auth.login("owner@example.org", PASSWORD)
    assert client.get("/studies").status_code == 200
    assert _get(client, "/api/v1/studies").status_code == 401


def test_other_users_token_sees_nothing(client, token, app):
    with app.app_context():
        stranger = make_user("stranger@example.org")
        _, secret = api_tokens.issue_token(stranger, "x")
    assert _get(client, "/api/v1/studies", secret).get_json() == []
    assert _get(client, f"/api/v1/studies/{token['study']}", secret).status_code == 404


def test_revoked_token_is_refused(client, token, app):
    with app.app_context():
        from elicit.extensions import db
        from elicit.models import ApiToken, User
        token_row = db.session.scalar(db.select(ApiToken))
        api_tokens.revoke_token(db.session.get(User, token_row.user_id), token_row.id)
    assert _get(client, "/api/v1/studies", token["secret"]).status_code == 401


def test_tokens_create_command(app, runner):
    with app.app_context():
        make_user()
    result = runner.invoke(args=["tokens", "create", "owner@example.org", "--name", "ci"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("elk_")
    assert runner.invoke(args=["tokens", "create", "nobody@example.org"]).exit_code == 1
