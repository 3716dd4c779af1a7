"""Fuzz every form with hypothesis: hostile input gets a 4xx (or a redirect), never a 5xx.

Signed in as the owner of a study with an open round, every POST route of
the web pages receives random payloads built from the field names its page
shows plus random ones, with values such as NaN, Infinity, 1e309, 1_000,
non-ASCII digits, NUL bytes, huge numbers and very long strings.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elicit.services.common import tokens
from tests.factories import PASSWORD, make_study, make_user
from tests.security.urls import example_path

HOSTILE = st.sampled_from([
    "NaN", "nan", "Infinity", "-inf", "1e309", "-1e309", "1_000", "٣", "１２", "\x00",
    "9" * 400, "-0", "0x10", "1,5", " 5 ", "", "<script>alert(1)</script>", "' OR 1=1 --",
    "null", "[]", "{}", "\u202e", "a" * 5000,
])
VALUES = st.one_of(HOSTILE, st.text(max_size=50), st.integers().map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))


def _field_names(page: str) -> list[str]:
    names = set(re.findall(r'name="([^"]+)"', page)) - {"csrf_token"}
    return sorted(names) or ["x"]


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static")) or "POST" not in (rule.methods or ()):
            continue
        if rule.endpoint in {"auth.logout"}:
            continue
        yield example_path(app, rule)


@pytest.fixture
def owner_client(app, client, auth):
    with app.app_context():
        owner = make_user()
        study = make_study(owner, n_experts=2)
        token = tokens.token_for(study.experts[0].invitations[0].token_nonce)
    auth.login("owner@example.org", PASSWORD)
    client.get(f"/r/{token}")  # the same browser also holds an expert session
    client.post("/respond/consent", data={"consent": "y"})
    return client


@pytest.mark.slow
def test_no_form_answers_hostile_input_with_a_server_error(app, owner_client):
    paths = list(_post_routes(app))
    assert paths
    for path in paths:
        _fuzz_route(owner_client, path)


def _fuzz_route(client, path: str) -> None:
    names = _field_names(client.get(path).get_data(as_text=True))

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(payload=st.dictionaries(st.sampled_from([*names, "zz_unknown"]), VALUES,
                                   max_size=len(names) + 1))
    def check(payload):
        response = client.post(path, data=payload)
        assert response.status_code < 500, (path, payload, response.status_code)

    check()
