"""Issue 18 item 3: NUL bytes and lone surrogates are refused where input enters, naming the field.

Forms are covered field by field by `test_junk_in_every_form.py`; here the
other ways in: JSON bodies (the API), CSV uploads, query strings, an
uploaded study definition. Each runs on SQLite and PostgreSQL (where a NUL
reaching a text column answered 500).
"""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Expert, Study
from elicit.services.accounts import api_tokens
from tests.factories import PASSWORD, make_study, make_user


@pytest.fixture
def api(app):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        _, secret = api_tokens.issue_token(owner, "tests")
        return {"study": study.id, "headers": {"Authorization": f"Bearer {secret}"}}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("body, field", [
    ('{"title": "a\\u0000b", "options": [{"title": "A"}]}', "title"),
    ('{"title": "a\\ud800b", "options": [{"title": "A"}]}', "title"),
    ('{"title": "ok", "options": [{"title": "A\\u0000"}]}', "options[1].title"),
    ('{"title": "ok", "options": [{"title": "A", "description": "\\udfff"}]}',
     "options[1].description"),
])
def test_the_api_refuses_nul_and_lone_surrogates_naming_the_field(app, client, api, body,
                                                                   field):
    studies = _count(app, Study)
    response = client.post("/api/v1/studies", data=body, content_type="application/json",
                           headers=api["headers"])
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert _count(app, Study) == studies


def test_the_api_panel_refuses_a_nul_in_any_expert_field(app, client, api):
    experts = _count(app, Expert)
    for key in ("name", "email", "affiliation", "group"):
        row = {"name": "Ann", "email": "ann@example.org", key: "x\x00y"}
        response = client.post(f"/api/v1/studies/{api['study']}/panel",
                               json={"experts": [row]}, headers=api["headers"])
        assert response.status_code == 400, key
        assert f"experts[1].{key}" in response.get_json()["error"]["fields"], key
    assert _count(app, Expert) == experts


def test_a_csv_cell_with_a_nul_is_refused_with_its_line(app, client, auth):
    with app.app_context():
        make_user()
        study_id = make_study(make_user("other@example.org"), launch=False).id
        from elicit.models import Membership, Role, User
        owner = db.session.scalar(select(User).where(User.email == "owner@example.org"))
        db.session.add(Membership(user=owner, study_id=study_id, role=Role.OWNER))
        db.session.commit()
    auth.login("owner@example.org", PASSWORD)
    experts = _count(app, Expert)
    data = b"name,email\nAnn\x00,ann@example.org\nBob,bob@example.org\n"
    response = client.post(f"/studies/{study_id}/panel/import", data={
        "file": (io.BytesIO(data), "panel.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 2" in page and "NUL" in page
    assert _count(app, Expert) == experts


def test_an_uploaded_definition_with_a_nul_is_refused_on_the_file_field(app, client, auth):
    with app.app_context():
        make_user()
    auth.login("owner@example.org", PASSWORD)
    body = json.dumps({"title": "Bad\x00title", "options": [{"title": "A"}]}).encode()
    response = client.post("/studies/import", data={"file": (io.BytesIO(body), "s.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)
    assert _count(app, Study) == 0


def test_a_query_parameter_with_a_nul_is_refused_naming_it(app, client, api):
    response = client.get(f"/api/v1/studies/{api['study']}/results?group=A%00",
                          headers=api["headers"])
    assert response.status_code == 400
    assert "group" in response.get_json()["error"]["fields"]
    page = client.get("/login?next=%2Fstudies%00")
    assert page.status_code == 400 and "next" in page.get_data(as_text=True)


def test_the_sign_in_form_refuses_a_nul_in_the_email_next_to_the_field(app, client):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 200  # the sign-in page answers every refusal with 200
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "control characters" in page
