"""Signing in and out."""

from __future__ import annotations

from elicit.extensions import db
from elicit.models import User
from tests.factories import PASSWORD, make_user


def test_login_with_good_password_reaches_studies(app, client, auth):
    with app.app_context():
        make_user()
    response = auth.login("owner@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/studies")
    assert client.get("/studies").status_code == 200


def test_login_email_is_case_insensitive(app, client, auth):
    with app.app_context():
        make_user()
    assert auth.login("  Owner@Example.ORG ", PASSWORD).status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(app, client, auth):
    with app.app_context():
        make_user()
    wrong = auth.login("owner@example.org", "not the password")
    unknown = auth.login("nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    message = b"That e-mail and password do not match an account."
    assert message in wrong.data and message in unknown.data
    assert client.get("/studies").status_code == 302  # still signed out


def test_empty_form_shows_field_errors_and_keeps_email(app, client):
    response = client.post("/login", data={"email": "someone@example.org", "password": ""})
    assert response.status_code == 200
    assert b'value="someone@example.org"' in response.data
    assert b"field-error" in response.data


def test_logout_ends_the_session(app, client, auth):
    with app.app_context():
        make_user()
    auth.login("owner@example.org", PASSWORD)
    auth.logout()
    assert client.get("/studies").status_code == 302


def test_password_change_logs_out_existing_sessions(app, client, auth):
    with app.app_context():
        user_id = make_user().id
    auth.login("owner@example.org", PASSWORD)
    with app.app_context():
        db.session.get(User, user_id).session_version += 1
        db.session.commit()
    assert client.get("/studies").status_code == 302


def test_open_redirect_after_login_is_refused(app, client):
    with app.app_context():
        make_user()
    response = client.post("/login?next=//evil.example/x",
                           data={"email": "owner@example.org", "password": PASSWORD})
    assert response.headers["Location"].endswith("/studies")


def test_change_password_keeps_this_session_and_ends_the_others(app, client, auth):
    from elicit.models import AuditEvent

    with app.app_context():
        make_user()
    other = app.test_client()
    other.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert other.get("/studies").status_code == 200
    auth.login("owner@example.org", PASSWORD)
    wrong = client.post("/account", data={"current_password": "nope",
                                          "new_password": "a new long password",
                                          "confirm": "a new long password"})
    assert wrong.status_code == 422 and b"not your current password" in wrong.data
    mismatch = client.post("/account", data={"current_password": PASSWORD,
                                             "new_password": "a new long password",
                                             "confirm": "something else"})
    assert mismatch.status_code == 422 and b"The two passwords differ." in mismatch.data
    done = client.post("/account", data={"current_password": PASSWORD,
                                         "new_password": "a new long password",
                                         "confirm": "a new long password"})
    assert done.status_code == 302
    assert client.get("/studies").status_code == 200  # this browser stays signed in
    assert other.get("/studies").status_code == 302  # the other one is out
    auth.logout()
    assert auth.login("owner@example.org", PASSWORD).status_code == 200  # old one fails
    assert auth.login("owner@example.org", "a new long password").status_code == 302
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="user.password").count() == 1


def test_sign_out_everywhere(app, client, auth):
    with app.app_context():
        make_user()
    other = app.test_client()
    other.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    auth.login("owner@example.org", PASSWORD)
    assert client.post("/account/sessions/end").status_code == 302
    assert client.get("/studies").status_code == 302
    assert other.get("/studies").status_code == 302


def test_session_cookie_flags(app, client, auth):
    with app.app_context():
        make_user()
    response = auth.login("owner@example.org", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
