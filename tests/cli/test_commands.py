"""The flask commands, through the CLI runner."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Expert, Response, Study, User
from elicit.services.responses import answering
from tests.factories import make_study


def test_demo_twice_gives_one_study(app, runner):
    first = runner.invoke(args=["demo", "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "--json"])
    assert second.exit_code == 0, second.output
    assert json.loads(first.output) == json.loads(second.output)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Study)) == 1
        assert db.session.scalar(select(func.count()).select_from(Expert)) == 8


def test_demo_json_has_the_contracted_shape(app, runner):
    payload = json.loads(runner.invoke(args=["demo", "--json"]).output)
    assert set(payload) == {"study", "organizer", "experts"}
    assert set(payload["study"]) == {"id", "title"}
    assert set(payload["organizer"]) == {"email", "password"}
    assert len(payload["experts"]) == 8
    assert sum(e["submitted"] for e in payload["experts"]) == 6
    for expert in payload["experts"]:
        assert set(expert) == {"name", "email", "link", "submitted"}
        assert expert["link"].startswith("http://localhost/r/")


def test_demo_links_work_and_login_works(app, runner, client, auth):
    payload = json.loads(runner.invoke(args=["demo", "--json"]).output)
    pending = next(e for e in payload["experts"] if not e["submitted"])
    path = pending["link"].removeprefix("http://localhost")
    assert client.get(path).status_code == 303
    assert b'id="briefing-title"' in client.get("/respond").data  # in the expert's language
    response = auth.login(payload["organizer"]["email"], payload["organizer"]["password"])
    assert response.status_code == 302


def test_demo_content_is_complete(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        study = db.session.scalar(select(Study))
        assert len(study.options) == 10
        assert [c.name for c in study.criteria] == ["Likelihood", "Impact", "Escalation risk"]
        assert study.criteria[2].weight < 0
        assert len(study.seed_questions) == 3
        assert study.rounds[0].status == "open"
        submitted = db.session.scalars(select(Response).where(Response.status == "submitted"))
        submitted = list(submitted)
        assert len(submitted) == 6
        for response in submitted:
            assert len(response.judgments) == 30
            assert len(response.seed_answers) == 3
            assert all(c.rationale for c in response.comments)


def test_demo_if_empty_leaves_other_studies_alone(app, runner):
    with app.app_context():
        make_study(launch=False)
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Study)) == 1


def test_users_create(app, runner):
    result = runner.invoke(args=["users", "create", "New@Example.org", "--name", "New",
                                 "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "new@example.org"
    again = runner.invoke(args=["users", "create", "new@example.org",
                                "--password", "a long enough password"])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_users_create_refuses_short_password(app, runner):
    result = runner.invoke(args=["users", "create", "x@example.org", "--password", "short"])
    assert result.exit_code == 1
    assert "at least" in result.output


def test_links_json_lists_each_expert(app, runner):
    with app.app_context():
        study = make_study(n_experts=2)
        study_id = study.id
    result = runner.invoke(args=["links", str(study_id), "--json"])
    assert result.exit_code == 0, result.output
    links = json.loads(result.output)
    assert [link["email"] for link in links] == ["expert1@example.org", "expert2@example.org"]
    assert all(not link["submitted"] for link in links)


def test_links_for_unknown_study_fails_clearly(app, runner):
    result = runner.invoke(args=["links", "999"])
    assert result.exit_code == 2
    assert "No study" in result.output


def test_round_close_and_launch(app, runner):
    with app.app_context():
        study_id = make_study().id
    assert runner.invoke(args=["round", "launch", str(study_id)]).exit_code == 1
    assert runner.invoke(args=["round", "close", str(study_id)]).exit_code == 0
    result = runner.invoke(args=["round", "launch", str(study_id)])
    assert result.exit_code == 0 and "Round 2 is open" in result.output
    with app.app_context():
        study = db.session.get(Study, study_id)
        invitation = study.experts[0].invitations[-1]
        assert answering.invitation_by_id(invitation.id).round.number == 2
