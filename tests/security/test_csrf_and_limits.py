"""CSRF on every state-changing route, sign-in rate limits, session handling."""

from __future__ import annotations

import re

import pytest

from elicit.services.accounts import users
from elicit.services.common import tokens
from tests.factories import PASSWORD, make_study, make_user
from tests.security.urls import example_path


@pytest.fixture
def strict_app(app_factory):
    """The app with CSRF and rate limits on, as in production."""
    return app_factory(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True)


def test_every_form_post_without_a_csrf_token_is_refused(strict_app):
    client = strict_app.test_client()
    checked = 0
    for rule in strict_app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or not (rule.methods or set()) & {"POST", "PUT",
                                                                           "PATCH", "DELETE"}:
            continue
        path = example_path(strict_app, rule)
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(path, method=method, data={"anything": "x"})
            assert response.status_code == 400, f"{method} {path} -> {response.status_code}"
            assert b"CSRF" in response.data or b"could not be read" in response.data
            checked += 1
    assert checked >= 4


def test_api_ignores_cookies_and_needs_no_csrf(strict_app):
    client = strict_app.test_client()
    assert client.get("/api/v1/studies").status_code == 401


def test_login_form_with_a_token_works(strict_app):
    with strict_app.app_context():
        make_user()
    client = strict_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": "owner@example.org",
                                           "password": PASSWORD})
    assert response.status_code == 302


def test_login_is_rate_limited_per_account(strict_app):
    with strict_app.app_context():
        make_user()
    statuses = []
    for n in range(12):
        # A different client address each time: only the per-account limit applies.
        client = strict_app.test_client()
        page = client.get("/login", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        token = re.search(r'value="([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post("/login", data={"csrf_token": token,
                                                "email": "owner@example.org",
                                                "password": "wrong password"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        statuses.append(response.status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


def test_login_is_rate_limited_per_address(strict_app):
    client = strict_app.test_client()
    token = re.search(r'value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    statuses = [client.post("/login", data={"csrf_token": token,
                                            "email": f"user{n}@example.org",
                                            "password": "x"}).status_code for n in range(22)]
    assert statuses[:20] == [200] * 20
    assert 429 in statuses[20:]


def test_unknown_user_costs_a_real_hash_check(app, monkeypatch):
    calls = []
    real = users._hasher

    class CountingHasher:
        def verify(self, hash_, password):
            calls.append(hash_)
            return real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(users, "_hasher", CountingHasher())
    with app.app_context():
        make_user()
        assert users.authenticate("nobody@example.org", PASSWORD) is None
        assert users.authenticate("owner@example.org", "wrong") is None
    assert len(calls) == 2
    assert calls[0] == users._dummy_hash()
    assert calls[1].startswith("$argon2id$")


def test_session_is_rotated_at_login(app, client, auth):
    with app.app_context():
        make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("owner@example.org", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_cookies_are_httponly_lax_and_secure_over_https(app_factory):
    app = app_factory(BASE_URL="https://elicit.example.org")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_guessing_expert_links_is_rate_limited(strict_app):
    client = strict_app.test_client()
    statuses = [client.get(f"/r/guess-{n:04d}-abcdefghijklmnopqrstuvwxyz").status_code
                for n in range(32)]
    assert set(statuses[:30]) == {404}
    assert statuses[30:] == [429, 429]


def test_valid_links_do_not_use_up_the_guessing_allowance(strict_app):
    with strict_app.app_context():
        study = make_study(n_experts=40)
        links = [tokens.token_for(e.invitations[0].token_nonce) for e in study.experts]
    client = strict_app.test_client()
    assert {client.get(f"/r/{link}").status_code for link in links} == {303}
