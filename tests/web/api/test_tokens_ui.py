"""Creating and revoking personal API tokens in the UI."""

from __future__ import annotations

import re

from tests.factories import PASSWORD, make_user


def test_create_use_and_revoke_a_token(app, client, auth):
    with app.app_context():
        make_user()
    assert client.get("/account/tokens").status_code == 302  # sign in first
    auth.login("owner@example.org", PASSWORD)
    assert "You have no tokens yet" in client.get("/account/tokens").get_data(as_text=True)
    created = client.post("/account/tokens", data={"name": "notebook"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret">(elk_[\w-]+)</code>', created.get_data(
        as_text=True)).group(1)
    api = client.get("/api/v1/studies", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "notebook" in listing and secret not in listing  # shown once only
    token_id = re.search(r"/account/tokens/(\d+)/revoke", listing).group(1)
    revoked = client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True)
    assert "The token is revoked" in revoked.get_data(as_text=True)
    assert client.get("/api/v1/studies",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_tokens_are_personal(app, client, auth):
    from elicit.services.accounts import api_tokens
    with app.app_context():
        other = make_user("other@example.org")
        row, _ = api_tokens.issue_token(other, "theirs")
        other_id = row.id
        make_user()
    auth.login("owner@example.org", PASSWORD)
    assert "theirs" not in client.get("/account/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{other_id}/revoke").status_code == 404
    assert client.post("/account/tokens", data={"name": ""}).status_code == 400
