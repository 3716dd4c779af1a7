"""A finished study: read-only on every write path (pages, API, CLI, services), results kept."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from elicit.errors import Conflict
from elicit.extensions import db
from elicit.models import AuditEvent, Option, OutboxMessage, Study
from elicit.services.accounts import api_tokens
from elicit.services.mail import outbox
from elicit.services.rounds import lifecycle
from elicit.services.studies import builder, finished, questions
from tests.factories import PASSWORD, make_study, make_user, submit_round

READ_ONLY = "This study is finished and read-only"
# Posting these is allowed on a finished study (see STILL_ALLOWED_WHEN_FINISHED).
ALLOWED = ("organize.reopen_study", "organize.delete_study", "organize.clone_study",
           "organize.team.")


@pytest.fixture
def done(app, auth):
    """A study whose round 1 was answered and closed, then finished; signed in as its owner."""
    with app.app_context():
        user = make_user()
        study = make_study(user)
        submit_round(study, 0, [(0.4, 2), (0.6, 1), (0.5, -1)])
        outbox.queue(study.rounds[0], "invitation", actor_id=None)  # still pending at the end
        lifecycle.close_round(study, actor_id=user.id)
        finished.finish(study, actor_id=user.id)
        ids = {"study": study.id, "user": user.id}
    auth.login("owner@example.org", PASSWORD)
    return ids


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_finishing_needs_a_closed_round_and_no_open_one(app):
    with app.app_context():
        user = make_user()
        draft = make_study(user, launch=False, title="Draft")
        with pytest.raises(Conflict, match="at least one round"):
            finished.finish(draft, actor_id=user.id)
        running = make_study(user, title="Running")
        with pytest.raises(Conflict, match="Round 1 is still open"):
            finished.finish(running, actor_id=user.id)
        assert not finished.can_finish(running)
        lifecycle.close_round(running, actor_id=user.id)
        assert finished.can_finish(running)
        finished.finish(running, actor_id=user.id)
        assert running.status == "closed" and finished.is_finished(running)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.finish"))
        assert event.details == {"rounds": 1}


def test_the_study_page_finishes_and_reopens(app, client, owner):
    sid = owner["study"]
    page = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert "Finish the study" not in page  # round 1 is open
    client.post(f"/studies/{sid}/rounds/close", data={"confirm": "yes"})
    page = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert "Finish the study" in page
    assert client.post(f"/studies/{sid}/finish").status_code == 302
    page = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert 'id="finished-notice"' in page and "Finished ·" in page
    assert "Launch round 2" not in page and "Reopen the study" in page
    assert client.post(f"/studies/{sid}/reopen").status_code == 302
    page = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert "Launch round 2" in page
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("study.%"))))
        assert actions[-2:] == ["study.finish", "study.reopen"]


def _fill(rule) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "invitation" if name == "kind" else "x"
    return values


def test_every_page_write_refuses_with_the_read_only_message(app, client, done):
    sid = done["study"]
    rules = [r for r in app.url_map.iter_rules()
             if "study_id" in r.arguments and "POST" in (r.methods or ())
             and not r.rule.startswith("/api/") and not r.endpoint.startswith(ALLOWED)]
    assert len(rules) >= 20  # questions, panel, rounds, settings, mail…
    before = _events(app)
    for rule in rules:
        url = app.url_map.bind("localhost").build(rule.endpoint, {**_fill(rule),
                                                                  "study_id": sid})
        response = client.post(url, data={"title": "Changed", "name": "N",
                                          "email": "n@example.org"})
        assert response.status_code == 302, (rule.endpoint, response.status_code)
        assert response.headers["Location"].endswith(f"/studies/{sid}"), rule.endpoint
        page = client.get(f"/studies/{sid}").get_data(as_text=True)
        assert READ_ONLY in page, rule.endpoint
    assert _events(app) == before  # nothing was written, not even an audit event
    with app.app_context():
        assert db.session.get(Study, sid).title == "Test study"


def test_results_downloads_and_the_log_stay_available(app, client, done):
    sid = done["study"]
    for path in ("", "/audit", "/audit/export.csv", "/results", "/downloads/report",
                 "/downloads/judgments", "/export.json", "/rounds/1", "/panel"):
        assert client.get(f"/studies/{sid}{path}").status_code == 200, path
    page = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert READ_ONLY in page  # every study page says so


def test_the_api_refuses_writes_with_409(app, client, done):
    with app.app_context():
        from elicit.models import User

        _, secret = api_tokens.issue_token(db.session.get(User, done["user"]), "t")
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.post(f"/api/v1/studies/{done['study']}/panel",
                           data=b"name,email\nA,a@example.org\n",
                           headers={**headers, "Content-Type": "text/csv"})
    assert response.status_code == 409
    assert READ_ONLY in response.get_json()["error"]["detail"]
    assert client.get(f"/api/v1/studies/{done['study']}/results",
                      headers=headers).status_code == 200


def test_the_cli_and_services_refuse_too(app, runner, done, tmp_path):
    sid = done["study"]
    result = runner.invoke(args=["round", "launch", str(sid)])
    assert result.exit_code == 1 and READ_ONLY in result.output
    panel = tmp_path / "panel.csv"
    panel.write_text("name,email\nA,a@example.org\n")
    result = runner.invoke(args=["panel", "import", str(sid), str(panel)])
    assert result.exit_code == 1 and READ_ONLY in result.output
    with app.app_context():
        study = db.session.get(Study, sid)
        with pytest.raises(Conflict, match=READ_ONLY):
            questions.add_option(study, title="New", actor_id=done["user"])
        db.session.rollback()
        with pytest.raises(Conflict, match=READ_ONLY):
            builder.update_study(study, actor_id=done["user"], title="Renamed",
                                 briefing="", languages=["en"], anchoring="after")
        db.session.rollback()
        option = db.session.scalar(select(Option).where(Option.study_id == sid))
        option.description = "edited behind the pages' back"
        with pytest.raises(Conflict, match=READ_ONLY):
            db.session.commit()
        db.session.rollback()
        # E-mails queued before the study finished are still delivered.
        assert outbox.send_pending().sent >= 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == "pending")) == 0
        # Deleting and purging stay possible.
        builder.soft_delete_study(study, confirm_title="Test study", actor_id=done["user"])
        builder.purge_study(builder.deleted_study(sid), actor_id=done["user"])
        assert db.session.get(Study, sid) is None


def test_importing_a_title_you_already_have_gives_a_copy(app, client, auth):
    with app.app_context():
        user = make_user()
        make_study(user, launch=False, title="Arctic options")
        make_study(make_user("else@example.org"), launch=False, title="Only theirs")
    auth.login("owner@example.org", PASSWORD)
    body = {"title": "Arctic options", "options": [{"title": "Patrols"}],
            "criteria": [{"name": "Impact", "kind": "scale", "scale_min": -2,
                          "scale_max": 2}]}

    def upload(definition):
        return client.post("/studies/import", data={"file": (
            io.BytesIO(json.dumps(definition).encode()), "study.json")},
            content_type="multipart/form-data", follow_redirects=True)

    page = upload(body).get_data(as_text=True)
    assert "Arctic options (copy)" in page and "already have a study with that title" in page
    assert "Arctic options (copy 2)" in upload(body).get_data(as_text=True)
    mine = upload({**body, "title": "Only theirs"}).get_data(as_text=True)
    assert "Only theirs (copy)" not in mine  # someone else's title is not yours
    with app.app_context():
        from elicit.models import User

        user = db.session.scalar(select(User).where(User.email == "owner@example.org"))
        uid = user.id
        _, secret = api_tokens.issue_token(user, "t")
    created = client.post("/api/v1/studies", json=body,
                          headers={"Authorization": f"Bearer {secret}"})
    assert created.status_code == 201 and created.get_json()["title"] == \
        "Arctic options (copy 3)"
    long_title = "L" * Study.TITLE_MAX
    with app.app_context():
        make_study(db.session.get(User, uid), launch=False, title=long_title)
    copy = client.post("/api/v1/studies", json={**body, "title": long_title},
                       headers={"Authorization": f"Bearer {secret}"}).get_json()["title"]
    assert copy.endswith(" (copy)") and len(copy) == Study.TITLE_MAX
