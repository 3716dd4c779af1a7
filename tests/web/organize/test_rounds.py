"""Round lifecycle through the pages: launch, overview, close, launch N+1, deadlines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import AuditEvent, Invitation, OutboxMessage, Round, Study
from elicit.models.base import utcnow
from elicit.services.rounds import lifecycle
from tests.factories import submit_scores

CONFIRM = {"confirm": "yes"}  # the second post of an irreversible button (see confirm_first)

ROUND_1 = [[(0.5, 1), (0.5, -3), (0.5, 2)],
           [(0.5, 1), (0.5, 0), (0.5, 2)],
           [(0.5, 2), (0.5, 3), (0.5, 2)]]


def _study(sid) -> Study:
    return db.session.get(Study, sid)


def test_three_round_delphi(app, client, draft_owner):
    sid = draft_owner["study"]
    assert client.post(f"/studies/{sid}/consensus", data={
        "kind": "iqr", "criterion": "Impact", "threshold": "1"}).status_code == 302
    launch_page = client.get(f"/studies/{sid}/rounds/launch").get_data(as_text=True)
    assert "Launch round 1" in launch_page
    deadline = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/studies/{sid}/rounds/launch", data={
        "closes_at": deadline, "send_invitations": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/rounds/1")
    response.close()
    with app.app_context():
        study = _study(sid)
        assert study.rounds[0].closes_at is not None
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 3
        submit_scores(study, 1, ROUND_1)
    overview = client.get(f"/studies/{sid}/rounds/1").get_data(as_text=True)
    assert "3</strong> of 3 experts submitted" in overview
    assert overview.count(">reached<") == 2 and overview.count(">not yet<") == 1
    # A second launch while round 1 is open is refused with the reason.
    refused = client.post(f"/studies/{sid}/rounds/launch", data={})
    assert refused.status_code == 422 and "already open" in refused.get_data(as_text=True)
    assert client.post(f"/studies/{sid}/rounds/close", data=CONFIRM).status_code == 302
    launch_2 = client.get(f"/studies/{sid}/rounds/launch").get_data(as_text=True)
    assert "Reached consensus in round 1" in launch_2 and "Option 1" in launch_2
    assert client.post(f"/studies/{sid}/rounds/launch", data={
        "retire_consensus": "y"}).status_code == 302
    with app.app_context():
        study = _study(sid)
        assert [o.retired_after_round for o in study.options] == [1, None, 1]
        assert study.rounds[1].status == "open"
        assert db.session.scalar(select(Invitation).where(
            Invitation.round_id == study.rounds[1].id)) is not None
        submit_scores(study, 2, [[(0.5, 0)], [(0.5, 0)], [(0.5, 1)]])
    assert client.post(f"/studies/{sid}/rounds/close", data=CONFIRM).status_code == 302
    # Option 2 converged in round 2 (IQR 0.5): every option met the rule, so the stopping
    # rule ends the study; launching with retirement is refused with the reason.
    refused = client.post(f"/studies/{sid}/rounds/launch", data={"retire_consensus": "y"})
    assert refused.status_code == 422
    assert "nothing left to ask" in refused.get_data(as_text=True)
    with app.app_context():
        assert [o.retired_after_round for o in _study(sid).options] == [1, None, 1]  # rolled back
    # The organizer may still run a third round on what is left.
    # (A browser always posts the CSRF token; here one field stands in for it, so the
    # unticked boxes read as unticked rather than as their defaults.)
    third = client.post(f"/studies/{sid}/rounds/launch", data={"closes_at": ""})
    assert third.status_code == 302
    assert client.post(f"/studies/{sid}/rounds/close", data=CONFIRM).status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.study_id == sid, AuditEvent.action.like("round.%"))))
        assert actions == ["round.launch", "round.close"] * 3


def test_deadline_in_the_past_is_refused(app, client, draft_owner):
    sid = draft_owner["study"]
    response = client.post(f"/studies/{sid}/rounds/launch", data={
        "closes_at": "2020-01-01T10:00"})
    assert response.status_code == 422 and "future" in response.get_data(as_text=True)
    assert 'value="2020-01-01T10:00"' in response.get_data(as_text=True)


def test_rounds_close_at_their_deadline(app, client, owner):
    sid = owner["study"]
    later = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/studies/{sid}/rounds/deadline",
                       data={"closes_at": later}).status_code == 302
    with app.app_context():
        assert lifecycle.close_due_rounds() == []
        closed = lifecycle.close_due_rounds(now=utcnow() + timedelta(hours=3))
        assert [r.number for r in closed] == [1]
        round_ = db.session.scalar(select(Round).where(Round.study_id == sid))
        assert round_.status == "closed"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.close"))
        assert event.details["reason"] == "deadline"


def test_analyst_sees_round_overview_without_manage_buttons(app, client, auth, owner):
    from elicit.models import Role
    from tests.factories import PASSWORD, make_member

    with app.app_context():
        make_member(_study(owner["study"]), "analyst@example.org", Role.ANALYST)
    auth.logout()
    auth.login("analyst@example.org", PASSWORD)
    page = client.get(f"/studies/{owner['study']}/rounds/1").get_data(as_text=True)
    assert "Round 1" in page and "Close round" not in page and "Remind all" not in page
