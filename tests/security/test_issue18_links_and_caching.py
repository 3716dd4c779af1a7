"""Issue 18, items 11 and 12: API links from the configured base URL; no-store on secrets."""

from __future__ import annotations

from elicit.services.accounts import api_tokens
from tests.factories import make_study, make_user, submit_round

E1 = [(0.2, 3), (0.8, 2), (0.5, -1)]


def test_pagination_next_is_built_from_base_url_not_the_host_header(client, app):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        submit_round(study, 0, E1)
        _, secret = api_tokens.issue_token(owner, "tests")
        study_id = study.id
    response = client.get(f"/api/v1/studies/{study_id}/judgments?per_page=1",
                          headers={"Authorization": f"Bearer {secret}",
                                   "Host": "attacker.example"})
    assert response.status_code == 200
    following = response.get_json()["next"]
    assert following.startswith(app.config["BASE_URL"].rstrip("/") + "/api/v1/"), following
    assert "attacker.example" not in following


def test_pages_and_downloads_with_links_or_secrets_are_no_store(client, demo_study):
    for path in [f"/studies/{demo_study}", f"/studies/{demo_study}/panel",
                 f"/studies/{demo_study}/export.json", f"/studies/{demo_study}/audit",
                 f"/studies/{demo_study}/audit/export.csv", f"/studies/{demo_study}/results",
                 "/studies", "/account"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/elicit.css")
    response.close()
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
