"""Issue 18 item 6: malformed uploads and parameters answer 400/422 naming the field, never 500.

Every query parameter that takes a number is sent empty, as text, beyond 64
bits and beyond the database's integer range, on every page and API route
that reads it; the uploads get an over-long CSV field, a non-ASCII digit,
50,000-deep JSON and wrong JSON types. Both databases.
"""

from __future__ import annotations

import io
import json

import pytest

from elicit.services.accounts import api_tokens
from tests.factories import PASSWORD, make_study, make_user, submit_round

BAD_NUMBERS = ["", "x", "1.5", "-1", "0", "99999999999999999999", str(2**63), str(2**31),
               "１", "²"]
DEEP = ("[" * 50_000 + "]" * 50_000).encode()


@pytest.fixture
def signed_in(app, auth):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        submit_round(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        _, secret = api_tokens.issue_token(owner, "tests")
        ids = {"study": study.id, "headers": {"Authorization": f"Bearer {secret}"}}
    auth.login("owner@example.org", PASSWORD)
    return ids


def _pages(sid):
    return [f"/studies/{sid}/panel?round={{}}", f"/studies/{sid}/audit?page={{}}",
            f"/studies/{sid}/results?round={{}}", f"/studies/{sid}/results/options/1?round={{}}",
            f"/studies/{sid}/downloads/judgments?round={{}}",
            f"/studies/{sid}/downloads/results?round={{}}", f"/studies/{sid}/rounds/{{}}"]


def _api(sid):
    return [f"/api/v1/studies/{sid}/judgments?page={{}}",
            f"/api/v1/studies/{sid}/judgments?per_page={{}}",
            f"/api/v1/studies/{sid}/judgments?round={{}}",
            f"/api/v1/studies/{sid}/results?round={{}}",
            f"/api/v1/studies/{sid}/responses?round={{}}",
            f"/api/v1/studies/{sid}/results?w2={{}}"]


def test_number_parameters_never_answer_500(client, signed_in):
    sid = signed_in["study"]
    for template in _pages(sid):
        for value in BAD_NUMBERS:
            path = template.format(value)
            response = client.get(path)
            response.close()
            assert response.status_code < 500, path
    for template in _api(sid):
        for value in BAD_NUMBERS:
            path = template.format(value)
            response = client.get(path, headers=signed_in["headers"])
            assert response.status_code < 500, path
            if response.status_code == 400:
                name = template.split("?")[1].split("=")[0]
                assert name in json.dumps(response.get_json()), path


def test_a_huge_page_number_is_400_naming_page(client, signed_in):
    response = client.get(f"/api/v1/studies/{signed_in['study']}/judgments?page={2**64}",
                          headers=signed_in["headers"])
    assert response.status_code == 400
    assert "page" in response.get_json()["error"]["fields"]
    assert client.get(f"/studies/{signed_in['study']}/panel?round={2**70}").status_code == 400


def _upload(client, path, data: bytes, name: str):
    return client.post(path, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_malformed_uploads_are_refused_on_the_file_field(app, client, auth):
    with app.app_context():
        sid = make_study(make_user(), launch=False).id
    auth.login("owner@example.org", PASSWORD)
    long_cell = b"name,email\n" + b"A" * 140_000 + b",a@example.org\n"
    for path, body, named in [
        (f"/studies/{sid}/panel/import", long_cell, "131,072"),
        (f"/studies/{sid}/panel/import", "name,email,expertise\nAnn,ann@example.org,²\n"
         .encode(), "expertise"),
        (f"/studies/{sid}/options/import", b"title,description\n" + b"T" * 140_000 + b",d\n",
         "131,072"),
        ("/studies/import", DEEP, "too deeply"),
        ("/studies/import", json.dumps({"title": "T", "scale_labels": 1, "criteria": [
            {"name": "I", "kind": "scale", "scale_min": 0, "scale_max": 2,
             "scale_labels": [1, 2]}]}).encode(), "scale_labels"),
        ("/studies/import", json.dumps({"title": "T", "languages": 5}).encode(), "languages"),
        ("/studies/import", json.dumps({"title": "T", "seed_questions": [{"text": 5}]}).encode(),
         "text"),
        ("/studies/import", json.dumps({"title": "T", "criteria": [
            {"name": "I", "kind": "scale", "scale_min": -2**70, "scale_max": 2**70}]}).encode(),
         "Scale points lie between"),
    ]:
        response = _upload(client, path, body, "upload.csv" if "csv" in path or "panel" in path
                           else "study.json")
        assert response.status_code == 422, (path, named)
        assert named in response.get_data(as_text=True), (path, named)


def test_deep_json_and_wrong_types_on_the_api(app, client, signed_in):
    headers = signed_in["headers"]
    response = client.post("/api/v1/studies", data=DEEP, content_type="application/json",
                           headers=headers)
    assert response.status_code == 400
    assert "body" in response.get_json()["error"]["fields"]
    response = client.post(f"/api/v1/studies/{signed_in['study']}/panel",
                           data=b'{"experts": ' + DEEP + b"}", content_type="application/json",
                           headers=headers)
    assert response.status_code == 400
    response = client.post(f"/api/v1/studies/{signed_in['study']}/panel", json={"experts": [
        {"name": "Ann", "email": "ann@example.org", "expertise": "²"}]}, headers=headers)
    assert response.status_code == 400
    assert "expertise" in json.dumps(response.get_json())
