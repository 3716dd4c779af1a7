"""Issue 17 item 4: team invitations and password resets by e-mail, analysts see no 403."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import (
    AccountToken,
    AccountTokenPurpose,
    AuditEvent,
    Membership,
    OutboxMessage,
    Role,
    Study,
    User,
)
from elicit.models.base import utcnow
from elicit.services.accounts import passwords
from tests.factories import PASSWORD, make_member, make_study, make_user, submit_scores

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def _outbox_in_tmp(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")


@pytest.fixture
def owner(app, auth):
    with app.app_context():
        user = make_user()
        study = make_study(user)
        ids = {"study": study.id, "user": user.id}
    auth.login("owner@example.org", PASSWORD)
    return ids


def _last_message(kind: str) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == kind)
                             .order_by(OutboxMessage.id.desc()))


def _link_in(body: str) -> str:
    return re.search(r"http://localhost(/password/set/\S+)", body).group(1)


def test_the_role_select_defaults_to_analyst(client, owner):
    page = client.get(f"/studies/{owner['study']}/team").get_data(as_text=True)
    select_html = page[re.search(r'<select[^>]* id="role"', page).start():]
    select_html = select_html[:select_html.index("</select>")]
    assert re.search(r'<option selected value="analyst">', select_html)
    assert select_html.index("analyst") < select_html.index("organizer")


def test_an_owner_invites_a_new_analyst_who_sets_a_password_once(app, client, owner):
    sid = owner["study"]
    response = client.post(f"/studies/{sid}/team", data={
        "email": "Nadia@Example.org", "name": "Nadia", "role": "analyst"})
    assert response.status_code == 302
    response.close()  # the mail job runs after the response
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nadia@example.org"))
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership.role == Role.ANALYST and membership.study_id == sid
        message = _last_message("account_invite")
        assert message.to_address == "nadia@example.org" and message.status == "sent"
        assert message.study_id == sid and "analyst" in message.body
        link = _link_in(message.body)
        token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
        hours = (token.expires_at - token.created_at).total_seconds() / 3600
        assert token.purpose == "invite" and hours == app.config["ACCOUNT_INVITE_HOURS"]
        assert token.token_hash not in message.body  # only the hash is stored
    newcomer = app.test_client()
    form = newcomer.get(link)
    assert form.status_code == 200 and "choose your password" in form.get_data(as_text=True)
    short = newcomer.post(link, data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    done = newcomer.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/studies"
    assert newcomer.get("/studies").status_code == 200  # signed in
    again = newcomer.get(link)
    assert again.status_code == 410 and "This link does not work" in again.get_data(
        as_text=True)
    other = app.test_client()
    assert other.post("/login", data={"email": "nadia@example.org",
                                      "password": NEW_PASSWORD}).status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type.in_(["user", "membership"])).order_by(AuditEvent.id)))
        assert actions[-3:] == ["user.create", "member.add", "user.password_link"]


def test_inviting_an_existing_account_adds_it_and_tells_them(app, client, owner):
    with app.app_context():
        make_user("colleague@example.org")
    response = client.post(f"/studies/{owner['study']}/team", data={
        "email": "colleague@example.org", "role": "organizer"})
    assert response.status_code == 302
    with app.app_context():
        message = _last_message("team_added")
        assert message.to_address == "colleague@example.org"
        assert "/password/set/" not in message.body and "co-organizer" in message.body
        assert db.session.scalar(select(AccountToken)) is None
    twice = client.post(f"/studies/{owner['study']}/team", data={
        "email": "colleague@example.org", "role": "analyst"}, follow_redirects=True)
    assert "already on this study" in twice.get_data(as_text=True)


def test_junk_in_the_invitation_form_is_named_and_kept(app, client, owner):
    response = client.post(f"/studies/{owner['study']}/team", data={
        "email": "nobody at all", "name": "x" * 300, "role": "emperor"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an e-mail address such as name@example.org." in page
    assert 'value="nobody at all"' in page and "Not a valid choice" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nobody at all")) is None


def test_an_expired_or_unknown_link_is_refused(app, client):
    with app.app_context():
        user = make_user("late@example.org")
        _, secret = passwords.issue_link(user, AccountTokenPurpose.INVITE,
                                         now=utcnow() - timedelta(days=4))
        db.session.commit()
    expired = client.get(f"/password/set/{secret}")
    assert expired.status_code == 410 and "Ask for a new link" in expired.get_data(as_text=True)
    assert client.post(f"/password/set/{secret}", data={
        "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410
    assert client.get("/password/set/not-a-real-token").status_code == 404


def test_forgot_password_sends_a_single_use_link_and_ends_other_sessions(app, client, auth):
    with app.app_context():
        make_user()
    auth.login("owner@example.org", PASSWORD)
    signed_in = client
    stranger = app.test_client()
    login_page = stranger.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in login_page
    for email in ("nobody@example.org", "owner@example.org"):
        response = stranger.post("/password/forgot", data={"email": email},
                                 follow_redirects=True)
        assert "If an account uses this address" in response.get_data(as_text=True)
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "password_reset")))
        assert [m.to_address for m in messages] == ["owner@example.org"]
        assert messages[0].study_id is None and messages[0].status == "sent"
        link = _link_in(messages[0].body)
    assert stranger.post(link, data={"new_password": NEW_PASSWORD,
                                     "confirm": NEW_PASSWORD}).status_code == 302
    assert signed_in.get("/studies").status_code == 302  # the other session ended
    assert stranger.get(link).status_code == 410  # used
    assert app.test_client().post("/login", data={
        "email": "owner@example.org", "password": PASSWORD}).status_code == 200  # old refused


def test_forgot_password_is_rate_limited(app_factory):
    strict = app_factory(RATELIMIT_ENABLED=True)
    statuses = []
    for n in range(5):  # a new address each time: the per-account limit applies
        client = strict.test_client()
        statuses.append(client.post("/password/forgot", data={"email": "a@example.org"},
                                    environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code)
    assert statuses == [302, 302, 302, 429, 429]
    client = strict.test_client()
    per_address = [client.post("/password/forgot", data={"email": f"u{n}@example.org"}
                               ).status_code for n in range(7)]
    assert per_address[:5] == [302] * 5 and per_address[5:] == [429, 429]


def test_the_account_page_links_to_api_tokens(client, owner):
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/tokens"' in page


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()
        self.actions: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and (values.get("href") or "").startswith("/studies/"):
            self.hrefs.add(values["href"].split("#")[0])
        if tag == "form" and values.get("method", "").lower() == "post":
            self.actions.add(values.get("action") or "")


def test_an_analyst_sees_no_tab_or_button_that_answers_403(app, client, auth):
    with app.app_context():
        study = make_study(make_user())
        submit_scores(study, 1, [[(0.5, 1)] * 3] * 3)
        make_member(db.session.get(Study, study.id), "analyst@example.org", Role.ANALYST)
        sid = study.id
    auth.login("analyst@example.org", PASSWORD)
    seen, queue = set(), [f"/studies/{sid}", f"/studies/{sid}/rounds/1",
                          f"/studies/{sid}/results"]
    while queue:
        path = queue.pop()
        if path in seen or "/downloads/" in path or path.endswith(".svg"):
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code != 403, path
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = _Links()
            parser.feed(response.get_data(as_text=True))
            queue += sorted(parser.hrefs - seen)
            manage_forms = [a for a in parser.actions if a.startswith(f"/studies/{sid}/")
                            and "/results" not in a]
            assert manage_forms == [], (path, manage_forms)
    assert f"/studies/{sid}/rounds/1" in seen and len(seen) >= 4
    overview = client.get(f"/studies/{sid}").get_data(as_text=True)
    for tab in ("Questions", "Panel", "Team", "Audit log"):
        assert f">{tab}</a>" not in overview
