"""Team roles and the audit log (view and export; no route changes it)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import AuditEvent, Membership, Role
from tests.factories import PASSWORD, make_user


def test_owner_adds_changes_and_removes_members(app, client, auth, owner):
    sid = owner["study"]
    with app.app_context():
        make_user("colleague@example.org")
    # (An address without an account is invited by e-mail: tests/web/test_team_accounts.py.)
    junk = client.post(f"/studies/{sid}/team", data={"email": "nobody", "role": "organizer"})
    assert junk.status_code == 422 and "Enter an e-mail address" in junk.get_data(as_text=True)
    assert client.post(f"/studies/{sid}/team", data={"email": "Colleague@example.org",
                                                     "role": "analyst"}).status_code == 302
    with app.app_context():
        member = db.session.scalar(select(Membership).where(Membership.role == "analyst"))
        member_id = member.id
    auth.logout()
    auth.login("colleague@example.org", PASSWORD)
    assert client.get(f"/studies/{sid}").status_code == 200
    assert client.get(f"/studies/{sid}/questions").status_code == 403
    auth.logout()
    auth.login("owner@example.org", PASSWORD)
    assert client.post(f"/studies/{sid}/team/{member_id}/role",
                       data={"role": "organizer"}).status_code == 302
    with app.app_context():
        assert db.session.get(Membership, member_id).role == Role.ORGANIZER
    assert client.post(f"/studies/{sid}/team/{member_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(Membership, member_id) is None
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("member.%")).order_by(AuditEvent.id)))
        assert actions == ["member.add", "member.role", "member.remove"]


def test_the_last_owner_cannot_leave(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        mine = db.session.scalar(select(Membership).where(Membership.user_id == owner["user"]))
    page = client.post(f"/studies/{sid}/team/{mine.id}/role", data={"role": "analyst"},
                       follow_redirects=True).get_data(as_text=True)
    assert "at least one owner" in page
    client.post(f"/studies/{sid}/team/{mine.id}/remove")
    with app.app_context():
        assert db.session.get(Membership, mine.id).role == Role.OWNER


def test_audit_log_shows_and_exports_each_action(app, client, draft_owner):
    sid = draft_owner["study"]
    client.post(f"/studies/{sid}/options", data={"title": "=HYPERLINK(\"x\")"})
    client.post(f"/studies/{sid}/panel/experts", data={"name": "N", "email": "n@example.org",
                                                       "language": "en"})
    client.post(f"/studies/{sid}/rounds/launch", data={}).close()  # runs the mail hook
    page = client.get(f"/studies/{sid}/audit").get_data(as_text=True)
    for what in ("Added an option", "Added an expert", "Launched a round"):
        assert what in page
    assert "<td>owner</td>" in page  # the organizer's name, not their e-mail or id
    exported = client.get(f"/studies/{sid}/audit/export.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    mine = [r["action"] for r in rows if r["who"] == "owner"]
    assert mine == ["option.add", "expert.add", "round.launch", "mail.queue_invitation",
                    "job.enqueue"]  # the mail job, started after the commit
    assert "mail.sent" in [r["action"] for r in rows if r["who"] == "system"]
    assert all(not r[c].startswith("=") for r in rows for c in ("object", "details"))


def test_no_route_changes_or_deletes_audit_events(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods - {"GET", "HEAD", "OPTIONS"} == set(), rule.rule
