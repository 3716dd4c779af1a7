"""Issue 18 item 8: *Sign out* ends the session server-side, not only in this browser."""

from __future__ import annotations

from tests.factories import PASSWORD, make_user


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client):
    with app.app_context():
        make_user("owner@example.org")
    client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert client.get("/studies").status_code == 200
    copied = _cookie(client)

    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/studies").status_code == 200  # same cookie, same session

    client.post("/logout")
    thief.set_cookie("session", copied)
    response = thief.get("/studies")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_one_browser_keeps_the_other_signed_in(app):
    with app.app_context():
        make_user("owner@example.org")
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        browser.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    laptop.post("/logout")
    assert laptop.get("/studies").status_code == 302
    assert phone.get("/studies").status_code == 200


def test_sign_out_is_in_the_audit_trail(app, client):
    from elicit.models import AuditEvent

    with app.app_context():
        user_id = make_user("owner@example.org").id
    client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    client.post("/logout")
    with app.app_context():
        actions = [e.action for e in AuditEvent.query.filter_by(actor_id=user_id)]
    assert "user.logout" in actions
