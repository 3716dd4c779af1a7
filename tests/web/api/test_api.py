"""The JSON API: bearer tokens only, role checks, responses valid against the OpenAPI document."""

from __future__ import annotations

import re

import jsonschema
import pytest

from elicit.extensions import db
from elicit.models import Role, Study
from elicit.services import results
from elicit.services.accounts import api_tokens
from tests.factories import PASSWORD, add_member, make_study, make_user, submit_round

E1 = [(0.2, 3), (0.8, 2), (0.5, -1)]
E2 = [(0.4, 3), (0.6, 2), (0.5, -1)]


@pytest.fixture
def token(app):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        analyst = add_member(study, "analyst@example.org", Role.ANALYST)
        submit_round(study, 0, E1, rationales={0: "Good"})
        submit_round(study, 1, E2)
        _, secret = api_tokens.issue_token(owner, "tests")
        _, analyst_secret = api_tokens.issue_token(analyst, "tests")
        return {"secret": secret, "analyst": analyst_secret, "study": study.id}


def _get(client, path, secret=None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(path, headers=headers)


def _post(client, path, body, secret):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {secret}"})


def _validate(client, path_template, body, status="200", method="get"):
    """Validate a response body against the schema the OpenAPI document declares."""
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"][path_template][method]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]})


def test_openapi_document_lists_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {("/api/v1" + re.sub(r"\{(\w+)\}", r"<int:\1>", path), method)
                  for path, operations in document["paths"].items() for method in operations}
    assert routes == documented


def test_read_endpoints_match_the_schema(client, token):
    study = token["study"]
    for template, path in [
        ("/studies", "/api/v1/studies"),
        ("/studies/{study_id}", f"/api/v1/studies/{study}"),
        ("/studies/{study_id}/rounds", f"/api/v1/studies/{study}/rounds"),
        ("/studies/{study_id}/options", f"/api/v1/studies/{study}/options"),
        ("/studies/{study_id}/responses", f"/api/v1/studies/{study}/responses?round=1"),
        ("/studies/{study_id}/results", f"/api/v1/studies/{study}/results?method=median"),
        ("/studies/{study_id}/judgments", f"/api/v1/studies/{study}/judgments?per_page=5"),
        ("/studies/{study_id}/seed-answers", f"/api/v1/studies/{study}/seed-answers?round=1"),
    ]:
        response = _get(client, path, token["analyst"])
        assert response.status_code == 200, path
        _validate(client, template, response.get_json())


def test_rounds_options_and_response_status(client, token):
    study = token["study"]
    rounds = _get(client, f"/api/v1/studies/{study}/rounds", token["analyst"]).get_json()
    assert rounds[0] | {"opened_at": None} == {
        "number": 1, "status": "open", "invited": 3, "drafts": 0, "submitted": 2,
        "data_version": 2, "opened_at": None, "closed_at": None, "closes_at": None}
    options = _get(client, f"/api/v1/studies/{study}/options", token["analyst"]).get_json()
    assert [o["title"] for o in options] == ["Option 1", "Option 2", "Option 3"]
    status = _get(client, f"/api/v1/studies/{study}/responses", token["analyst"]).get_json()
    assert [(e["expert"], e["status"]) for e in status["experts"]] == [
        ("E001", "submitted"), ("E002", "submitted"), ("E003", "invited")]
    assert "expert1" not in str(status)


def test_results_take_the_same_parameters_as_the_page(client, token, app):
    body = _get(client, f"/api/v1/studies/{token['study']}/results?method=median&w2=-1&group=A",
                token["analyst"]).get_json()
    assert [o["option"] for o in body["options"]] == ["Option 3", "Option 1", "Option 2"]
    assert body["groups"] == ["A"] and body["criterion_weights"] == {"Impact": -1.0}
    with app.app_context():
        study = db.session.get(Study, token["study"])
        params = results.parse_params(study, {"method": "median", "w2": "-1", "group": ["A"]})
        outcome = results.round_results(study, params)
    assert body["provenance"]["input_sha256"] == outcome.ranking.provenance.input_sha256
    assert [o["score"] for o in body["options"]] == pytest.approx(
        outcome.table["score"].tolist())
    plain = _get(client, f"/api/v1/studies/{token['study']}/results", token["analyst"])
    assert [o["option"] for o in plain.get_json()["options"]] == [
        "Option 2", "Option 1", "Option 3"]
    assert plain.get_json()["options"][0]["consensus"] == "consensus"


def test_judgments_are_paginated(client, token):
    base = f"/api/v1/studies/{token['study']}/judgments"
    first = _get(client, f"{base}?per_page=5", token["analyst"]).get_json()
    assert first["total"] == 12 and len(first["judgments"]) == 5
    seen = first["judgments"]
    following = first["next"]
    while following:
        page = _get(client, following.replace("http://localhost", ""), token["analyst"])
        body = page.get_json()
        seen += body["judgments"]
        following = body["next"]
    assert len(seen) == 12
    assert [(j["expert"], j["option"], j["criterion"]) for j in seen[:3]] == [
        ("E001", "Option 1", "Likelihood"), ("E001", "Option 1", "Impact"),
        ("E001", "Option 2", "Likelihood")]
    assert seen[0]["best"] == 0.2 and seen[1]["value"] == 3 and seen[0]["rationale"] == "Good"
    assert _get(client, f"{base}?per_page=0", token["analyst"]).status_code == 400
    assert _get(client, f"{base}?round=4", token["analyst"]).status_code == 404


def test_create_a_study_from_its_definition(client, token, app):
    definition = {
        "title": "Arctic options", "briefing": "Judge **them**.",
        "options": [{"title": "Icebreakers"}, {"title": "Radar", "description": "North."}],
        "criteria": [{"name": "Likelihood", "kind": "probability", "four_step": True},
                     {"name": "Impact", "kind": "scale", "scale_min": -2, "scale_max": 2}],
        "seed_questions": [{"text": "How many?", "unit": "ships", "scale": "uni",
                            "realization": 3}],
    }
    response = _post(client, "/api/v1/studies", definition, token["analyst"])
    assert response.status_code == 201
    body = response.get_json()
    _validate(client, "/studies", body, status="201", method="post")
    assert body["role"] == "owner" and [o["title"] for o in body["options"]] == [
        "Icebreakers", "Radar"]
    with app.app_context():
        study = db.session.get(Study, body["id"])
        assert [c.name for c in study.criteria] == ["Likelihood", "Impact"]
        assert study.seed_questions[0].realization == 3
    for bad in [{"options": []}, [1, 2],
                {"title": "x", "options": [{"title": "a"}, {"title": "a"}]},
                {"title": "x", "criteria": [{"name": "c", "kind": "vibes"}]}]:
        refused = _post(client, "/api/v1/studies", bad, token["analyst"])
        assert refused.status_code == 400, bad
        _validate(client, "/studies", refused.get_json(), status="400", method="post")


# What the organizer pages refuse, the API refuses too: one validation path (each with the
# field named in the answer).
PAGE_REFUSALS = [
    ({"briefing": "x" * 50_001}, "briefing"),
    ({"consensus_rule": {"kind": "vibes", "criterion": "Impact"}}, "kind"),
    ({"consensus_rule": {"kind": "iqr", "criterion": "Nope", "threshold": 1}}, "criteria"),
    ({"languages": ["tlh"]}, "tlh"),
    ({"languages": 5}, "languages"),
    ({"title": "   "}, "title"),
    ({"options": [{"title": "a", "description": "d" * 5_001}]}, "description"),
    ({"criteria": [{"name": "Impact", "kind": "scale", "scale_min": 0, "scale_max": 2,
                    "scale_labels": [1, 2]}]}, "scale_labels"),
    ({"criteria": [{"name": "Impact", "kind": "scale", "scale_min": 0, "scale_max": 2,
                    "scale_labels": {"7": "far out"}}]}, "outside the scale"),
    ({"criteria": [{"name": "Impact", "kind": "scale", "scale_min": -2**40, "scale_max": 2}]},
     "scale_min"),
    ({"criteria": [{"name": "Impact", "kind": "scale", "scale_min": 0, "scale_max": 2,
                    "weight": True}]}, "weight"),
    ({"seed_questions": [{"text": 5}]}, "text"),
    ({"seed_questions": [{"text": "How many?", "scale": "log", "realization": -1}]},
     "positive"),
]


@pytest.mark.parametrize("change, named", PAGE_REFUSALS)
def test_the_api_refuses_what_the_pages_refuse(client, token, app, change, named):
    definition = {"title": "Arctic options",
                  "criteria": [{"name": "Impact", "kind": "scale", "scale_min": -2,
                                "scale_max": 2}], **change}
    refused = _post(client, "/api/v1/studies", definition, token["analyst"])
    assert refused.status_code == 400, refused.get_json()
    error = refused.get_json()["error"]
    assert named in error["detail"]
    assert error["title"].startswith("Invalid value") and any(
        field in error["title"] for field in error["fields"])
    assert error["fields"] and all(isinstance(v, str) for v in error["fields"].values())
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Study)) == 1


def test_the_exported_format_is_accepted_by_the_api(client, token, app):
    with app.app_context():
        from elicit.services.studies import definition

        exported = definition.export_definition(db.session.get(Study, token["study"]))
    created = _post(client, "/api/v1/studies", {**exported, "title": "Copy"}, token["analyst"])
    assert created.status_code == 201, created.get_json()
    assert [o["title"] for o in created.get_json()["options"]] == [
        o["title"] for o in exported["options"]]


def test_import_a_panel_needs_an_organizer(client, token, app):
    path = f"/api/v1/studies/{token['study']}/panel"
    experts = {"experts": [{"name": "Dana Li", "email": "dana@example.org", "group": "B"},
                           {"name": "Eli Roy", "email": "eli@example.org"}]}
    refused = _post(client, path, experts, token["analyst"])
    assert refused.status_code == 403
    _validate(client, "/studies/{study_id}/panel", refused.get_json(), "403", "post")
    response = _post(client, path, experts, token["secret"])
    assert response.status_code == 201
    _validate(client, "/studies/{study_id}/panel", response.get_json(), "201", "post")
    assert response.get_json() == {"added": 2, "panel_size": 5}
    again = _post(client, path, {"experts": [{"name": "New", "email": "new@example.org"},
                                             {"name": "Dana", "email": "dana@example.org"}]},
                  token["secret"])
    assert again.status_code == 400  # all or nothing: "New" was not added either
    assert "Expert 2: dana@example.org is already on the panel" in again.get_json()["error"][
        "detail"]
    with app.app_context():
        assert len(db.session.get(Study, token["study"]).experts) == 5
    assert _post(client, path, {"experts": "nope"}, token["secret"]).status_code == 400


def test_errors_are_json_with_a_stable_shape(client, token):
    for path, expected in [("/api/v1/studies", 401),
                           ("/api/v1/studies/999", 404),
                           (f"/api/v1/studies/{token['study']}/results?method=x", 400),
                           (f"/api/v1/studies/{token['study']}/results?round=9", 404),
                           (f"/api/v1/studies/{token['study']}/results?method=cooke", 400)]:
        secret = None if expected == 401 else token["secret"]
        response = _get(client, path, secret)
        assert response.status_code == expected
        body = response.get_json()
        _validate(client, "/studies/{study_id}/results", body, status=str(expected))
        assert body["error"]["status"] == expected


@pytest.mark.parametrize("path", ["", "/rounds", "/options", "/responses", "/results",
                                  "/judgments"])
def test_every_study_endpoint_hides_other_teams_studies(client, token, app, path):
    with app.app_context():
        stranger = make_user("stranger@example.org")
        _, secret = api_tokens.issue_token(stranger, "x")
    assert _get(client, f"/api/v1/studies/{token['study']}{path}", secret).status_code == 404
    assert _get(client, f"/api/v1/studies/{token['study']}{path}").status_code == 401
    assert _get(client, f"/api/v1/studies/{token['study']}{path}",
                token["analyst"]).status_code == 200


def test_session_cookie_does_not_authenticate_the_api(client, token, auth):
    auth.login("owner@example.org", PASSWORD)
    assert client.get("/studies").status_code == 200
    assert _get(client, "/api/v1/studies").status_code == 401
    assert client.post("/api/v1/studies", json={"title": "x"}).status_code == 401


def test_other_users_token_sees_nothing(client, token, app):
    with app.app_context():
        stranger = make_user("stranger@example.org")
        _, secret = api_tokens.issue_token(stranger, "x")
    assert _get(client, "/api/v1/studies", secret).get_json() == []
    assert _get(client, f"/api/v1/studies/{token['study']}", secret).status_code == 404


def test_revoked_token_is_refused(client, token, app):
    with app.app_context():
        from elicit.models import ApiToken, User
        token_row = db.session.scalar(db.select(ApiToken).order_by(ApiToken.id))
        api_tokens.revoke_token(db.session.get(User, token_row.user_id), token_row.id)
    assert _get(client, "/api/v1/studies", token["secret"]).status_code == 401


def test_tokens_create_command(app, runner):
    with app.app_context():
        make_user()
    result = runner.invoke(args=["tokens", "create", "owner@example.org", "--name", "ci"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("elk_")
    assert runner.invoke(args=["tokens", "create", "nobody@example.org"]).exit_code == 1


def test_a_service_refusal_is_answered_as_json_with_its_status(client, token):
    duplicate = _post(client, "/api/v1/studies",
                      {"title": "x", "options": [{"title": "a"}, {"title": "a"}]}, token["secret"])
    assert duplicate.status_code == 400
    assert duplicate.get_json() == {"error": {
        "status": 400, "title": "Invalid value for options[2].title",
        "detail": "options[2]: An option called “a” already exists.",
        "fields": {"options[2].title": "options[2]: An option called “a” already exists."}}}
    on_panel = _post(client, f"/api/v1/studies/{token['study']}/panel",
                     {"experts": [{"name": "A", "email": "expert1@example.org"}]}, token["secret"])
    assert on_panel.status_code == 400
    assert on_panel.get_json()["error"]["fields"] == {
        "expert 1": "Expert 1: expert1@example.org is already on the panel"}
    unknown = _get(client, f"/api/v1/studies/{token['study']}/results?group=zz", token["secret"])
    assert unknown.status_code == 400
    assert unknown.get_json()["error"]["detail"] == "Unknown expert group(s): zz."
    schema = _post(client, "/api/v1/studies", {"title": "x", "briefing": "b" * 50_001},
                   token["secret"])
    assert schema.get_json()["error"]["fields"] == {
        "briefing": "briefing: is longer than 50000 characters"}


def test_seed_answers_and_expertise_through_the_api(client, app, demo_study):
    with app.app_context():
        owner = db.session.get(Study, demo_study).memberships[0].user
        _, secret = api_tokens.issue_token(owner, "tests")
    body = _get(client, f"/api/v1/studies/{demo_study}/seed-answers", secret).get_json()
    assert len(body["seed_answers"]) == 18 and body["seed_answers"][0]["question"] == "Q1"
    _validate(client, "/studies/{study_id}/seed-answers", body)
    page = _get(client, f"/api/v1/studies/{demo_study}/judgments?per_page=3", secret).get_json()
    assert {"expertise", "panel_expertise", "withdrawn"} <= set(page["judgments"][0])
    _validate(client, "/studies/{study_id}/judgments", page)
    assert _get(client, f"/api/v1/studies/{demo_study}/seed-answers?round=7",
                secret).status_code == 404


def _audit_actions(app, study_id):
    from elicit.models import AuditEvent

    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent.action).where(
            AuditEvent.study_id == study_id, AuditEvent.action.like("round.%"))
            .order_by(AuditEvent.id)))


def test_organizers_close_and_launch_rounds_through_the_api(client, token, app):
    study = token["study"]
    base = f"/api/v1/studies/{study}/rounds"
    assert _post(client, f"{base}/1/close", {}, token["analyst"]).status_code == 403
    assert _post(client, f"{base}/launch", {}, token["analyst"]).status_code == 403
    refused = _post(client, f"{base}/launch", {}, token["secret"])  # round 1 is still open
    assert refused.status_code == 409 and "already open" in refused.get_json()["error"]["detail"]
    closed = _post(client, f"{base}/1/close", {}, token["secret"])
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    _validate(client, "/studies/{study_id}/rounds/{number}/close", closed.get_json(),
              method="post")
    again = _post(client, f"{base}/1/close", {}, token["secret"])
    assert again.status_code == 409 and "not open" in again.get_json()["error"]["detail"]
    bad = _post(client, f"{base}/launch", {"closes_at": "next tuesday"}, token["secret"])
    assert bad.status_code == 400
    assert bad.get_json()["error"]["title"] == "Invalid value for closes_at"
    past = _post(client, f"{base}/launch", {"closes_at": "2001-01-01T00:00:00Z"},
                 token["secret"])
    assert past.get_json()["error"]["fields"] == {
        "closes_at": "The deadline must lie in the future."}
    launched = _post(client, f"{base}/launch", {"closes_at": "2099-06-01T12:00:00+00:00"},
                     token["secret"])
    assert launched.status_code == 201, launched.get_json()
    body = launched.get_json()
    assert body["number"] == 2 and body["status"] == "open" and body["invited"] == 3
    assert body["closes_at"].startswith("2099-06-01T12:00")
    _validate(client, "/studies/{study_id}/rounds/launch", body, status="201", method="post")
    shown = _get(client, f"{base}/2", token["analyst"])
    assert shown.status_code == 200 and shown.get_json() == body
    assert _get(client, f"{base}/9", token["analyst"]).status_code == 404
    assert _audit_actions(app, study) == ["round.launch", "round.close", "round.launch"]


def test_rationales_per_option_are_anonymous_as_on_the_page(client, token, app):
    study = token["study"]
    with app.app_context():
        option = db.session.get(Study, study).options[0]
        option_id, title = option.id, option.title
    response = _get(client, f"/api/v1/studies/{study}/options/{option_id}/rationales",
                     token["analyst"])
    assert response.status_code == 200
    body = response.get_json()
    _validate(client, "/studies/{study_id}/options/{option_id}/rationales", body)
    assert body["option"]["title"] == title
    texts = [r for r in body["rationales"] if r["text"]]
    assert [r["text"] for r in texts] == ["Good"] and texts[0]["expert"] == "E001"
    assert "@example.org" not in response.get_data(as_text=True)
    page = client.get(f"/studies/{study}/results/options/{option_id}")
    assert page.status_code in (200, 302)  # the page needs a session; the API a token
    assert _get(client, f"/api/v1/studies/{study}/options/999999/rationales",
                token["analyst"]).status_code == 404


def test_validation_errors_name_the_problem(client, token):
    base = f"/api/v1/studies/{token['study']}/judgments"
    page = _get(client, f"{base}?page=0", token["analyst"]).get_json()["error"]
    assert page["title"] == "Invalid value for page" and page["fields"]["page"]
    size = _get(client, f"{base}?per_page=99999", token["analyst"]).get_json()["error"]
    assert size["title"] == "Invalid value for per_page"
    typo = _get(client, f"{base}?per_pgae=5", token["analyst"]).get_json()["error"]
    assert typo["title"] == "Invalid value for per_pgae" and "unknown" in typo["detail"]
    body = client.post("/api/v1/studies", data="not json",
                       headers={"Authorization": f"Bearer {token['secret']}"})
    assert body.status_code == 400
    assert body.get_json()["error"]["title"] == "Invalid value for body"
