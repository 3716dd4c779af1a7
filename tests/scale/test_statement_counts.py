"""No N+1 queries: a page sends as many SQL statements for a big study as for a small one.

Two studies in one database: a small one (3 options, 4 experts) and one with
5× the options and 8× the experts, each with a closed first round answered by
everyone and an open second round answered by half the panel. Each page is
fetched once to warm up, then counted (SELECT/INSERT/UPDATE/DELETE through
SQLAlchemy's `before_cursor_execute`) for both studies, results cache cold.
Runs on SQLite and PostgreSQL (the `app` fixture).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from elicit.extensions import db
from elicit.services.results import cache
from elicit.services.rounds import lifecycle
from tests.factories import PASSWORD, link_token, make_study, make_user, submit_round
from tests.scale._statements import recorded

SMALL = {"n_options": 3, "n_experts": 4}
LARGE = {"n_options": 15, "n_experts": 32}
ORGANIZER_PAGES = [
    "/studies/{id}",
    "/studies/{id}/panel",
    "/studies/{id}/panel?round=1",
    "/studies/{id}/rounds/1",
    "/studies/{id}/rounds/2",
    "/studies/{id}/results",
    "/studies/{id}/results?round=1",
    "/studies/{id}/results?round=2&method=median",
]


@dataclass(frozen=True)
class Built:
    study_id: int
    token: str  # an expert who has not answered round 2 yet


def _scores(expert: int, n_options: int) -> list[tuple[float, float]]:
    return [(((expert + k) % 8 + 1) / 10, float((expert * 3 + k) % 7 - 3))
            for k in range(n_options)]


def _build(owner, n_options: int, n_experts: int) -> Built:
    study = make_study(owner, n_options=n_options, n_experts=n_experts,
                       title=f"{n_options} options, {n_experts} experts")
    for expert in range(n_experts):
        submit_round(study, expert, _scores(expert, n_options), rationales={0: "Seen before."})
    lifecycle.close_round(study)
    lifecycle.launch_next_round(study)
    for expert in range(0, n_experts, 2):
        submit_round(study, expert, _scores(expert + 1, n_options))
    return Built(study.id, link_token(study, 1))


@pytest.fixture
def studies(app):
    with app.app_context():
        owner = make_user()
        built = {"small": _build(owner, **SMALL), "large": _build(owner, **LARGE)}
        db.session.remove()
        return built, db.engine


def _count(app, engine, client, path: str) -> tuple[int, list[str]]:
    cache.backend(app).clear()
    with recorded(engine) as recorder:
        reply = client.get(path)
    assert reply.status_code == 200, (path, reply.status_code)
    statements = [sql.split("\n")[0][:120] for sql, _ in recorder.queries()]
    return len(statements), statements


def _compare(app, engine, client, paths: dict[str, str]) -> None:
    client.get(paths["small"])  # warm-up: one-time work (locale, first connection) not counted
    small, small_sql = _count(app, engine, client, paths["small"])
    large, large_sql = _count(app, engine, client, paths["large"])
    assert small > 0
    assert large == small, {"small": small_sql, "large": large_sql}


@pytest.mark.parametrize("page", ORGANIZER_PAGES)
def test_organizer_and_results_pages_do_not_grow_with_the_study(app, client, auth, studies,
                                                                page):
    built, engine = studies
    assert auth.login("owner@example.org", PASSWORD).status_code == 302
    _compare(app, engine, client, {size: page.format(id=b.study_id) for size, b in built.items()})


def test_expert_form_does_not_grow_with_the_study(app, studies):
    built, engine = studies
    counts = {}
    for size, b in built.items():
        client = app.test_client()
        assert client.get(f"/r/{b.token}").status_code == 303
        assert client.post("/respond/consent", data={"consent": "y"}).status_code == 303
        client.get("/respond")  # warm-up
        counts[size] = _count(app, engine, client, "/respond")
    assert counts["large"][0] == counts["small"][0], counts


@pytest.fixture
def two_organizers(app):
    """One organizer with 2 studies, one with 8; each with an API token."""
    from elicit.services.accounts import api_tokens

    secrets = {}
    with app.app_context():
        for email, n_studies in (("few@example.org", 2), ("many@example.org", 8)):
            user = make_user(email)
            for n in range(n_studies):
                make_study(user, n_options=2 + n, n_experts=2 + n, title=f"{email} {n}")
            secrets[email] = api_tokens.issue_token(user, "count")[1]
        db.session.remove()
        return secrets, db.engine


def test_study_list_and_api_do_not_grow_with_the_number_of_studies(app, two_organizers):
    secrets, engine = two_organizers
    pages, api = {}, {}
    for email, secret in secrets.items():
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}
                           ).status_code == 302
        client.get("/studies")  # warm-up
        pages[email] = _count(app, engine, client, "/studies")
        headers = {"Authorization": f"Bearer {secret}"}
        with recorded(engine) as recorder:
            reply = client.get("/api/v1/studies", headers=headers)
        assert reply.status_code == 200 and len(reply.get_json()) in (2, 8)
        api[email] = len(recorder.queries())
    assert pages["many@example.org"][0] == pages["few@example.org"][0], pages
    assert api["many@example.org"] == api["few@example.org"], api


def test_the_count_catches_a_lazy_load_per_expert(app, studies):
    """A page touching each expert's invitations one by one must fail the comparison."""
    from elicit.models import Study

    def naive(study_id: int) -> str:
        study = db.session.get(Study, study_id)
        return str(sum(len(expert.invitations) for expert in study.experts))

    app.add_url_rule("/_naive/<int:study_id>", "naive", naive)
    built, engine = studies
    with pytest.raises(AssertionError):
        _compare(app, engine, app.test_client(),
                 {size: f"/_naive/{b.study_id}" for size, b in built.items()})
