"""Walk the URL map: every route refuses strangers and leaks nothing.

Each route is called with every id set to 1 — which belong to the victim's
study, created first — as (a) an anonymous visitor, (b) an expert holding a
link of another study, (c) the organizer of another study. Only a short list
of public routes may answer 200; the rest must answer 401/403/404 (or send an
anonymous visitor to the login page), and no answer may contain the victim
study's title.
"""

from __future__ import annotations

import pytest

from elicit.services.common import tokens
from tests.factories import PASSWORD, make_study, make_user
from tests.security.urls import example_path

VICTIM_TITLE = "Victim study 7f3a"
# /respond/language: the language switch of expert pages works without a live link (on the
# page of a dead link too); it sets the visitor's own language and reveals nothing.
PUBLIC = {"/", "/login", "/password/forgot", "/healthz", "/readyz", "/api/v1/openapi.json",
          "/static/<path:filename>", "/respond/language"}
ALLOWED = {401, 403, 404, 405, 410}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC:
            continue
        path = example_path(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, path, rule.rule


@pytest.fixture
def victim_and_stranger(app):
    with app.app_context():
        victim_owner = make_user("victim@example.org")
        make_study(victim_owner, title=VICTIM_TITLE)
        stranger = make_user("stranger@example.org")
        other = make_study(stranger, title="Stranger study")
        return tokens.token_for(other.experts[0].invitations[0].token_nonce)


def _call(client, method, path):
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={})


def _assert_refused(response, method, path, *, anonymous: bool):
    body = response.get_data(as_text=True)
    assert VICTIM_TITLE not in body, f"{method} {path} leaked the victim study"
    if anonymous and response.status_code == 302:
        assert "/login" in response.headers["Location"], f"{method} {path}"
        return
    assert response.status_code in ALLOWED, f"{method} {path} -> {response.status_code}"


def test_anonymous_visitor_is_refused_everywhere(app, client, victim_and_stranger):
    for method, path, _rule in _routes(app):
        _assert_refused(_call(client, method, path), method, path, anonymous=True)


def test_expert_of_another_study_is_refused_everywhere(app, client, victim_and_stranger):
    assert client.get(f"/r/{victim_and_stranger}").status_code == 303
    for method, path, rule in _routes(app):
        if rule.startswith(("/respond", "/r/")):
            continue  # the expert's own pages, bound to their own invitation
        _assert_refused(_call(client, method, path), method, path, anonymous=True)


def test_organizer_of_another_study_is_refused_everywhere(app, client, auth,
                                                          victim_and_stranger):
    for method, path, rule in _routes(app):
        # Sign in afresh each time: some routes (sign out, end all sessions)
        # legitimately end the session the walk relies on.
        auth.login("stranger@example.org", PASSWORD)
        response = _call(client, method, path)
        if "<" not in rule or rule.startswith("/r/"):
            # Routes without ids act on the caller's own data: allowed, but no leak.
            assert VICTIM_TITLE not in response.get_data(as_text=True), f"{method} {path}"
            continue
        _assert_refused(response, method, path, anonymous=False)
