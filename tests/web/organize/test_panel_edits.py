"""Issue 17 items 2, 3 and 7: edit, remove and withdraw experts; links after a revoke;
irreversible buttons confirm first; mail buttons say when there is nothing to send."""

from __future__ import annotations

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import (
    AuditEvent,
    Expert,
    Invitation,
    Judgment,
    OutboxMessage,
    Response,
    Round,
    Study,
)
from elicit.services.accounts import api_tokens
from elicit.services.common import tokens
from elicit.services.mail import outbox
from elicit.services.panel import experts
from elicit.services.results import judgments_frame
from tests.factories import PASSWORD, make_study, make_user, submit_scores

CONFIRM = {"confirm": "yes"}


def _expert(app, expert_id) -> Expert:
    return db.session.get(Expert, expert_id)


def _event(action: str) -> AuditEvent:
    return db.session.scalar(select(AuditEvent).where(AuditEvent.action == action)
                             .order_by(AuditEvent.id.desc()))


def _bilingual_owner(app, auth, **study):
    with app.app_context():
        user = make_user()
        made = make_study(user, languages=["en", "fr"], **study)
        ids = {"study": made.id, "experts": [e.id for e in made.experts]}
    auth.login("owner@example.org", PASSWORD)
    return ids


# --- item 2: panel edits ------------------------------------------------------------------

def test_edit_an_expert_and_the_panel_shows_language_and_expertise(app, client, auth):
    ids = _bilingual_owner(app, auth)
    sid, first = ids["study"], ids["experts"][0]
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    client.post(f"/studies/{sid}/panel/invitation")  # queued, not sent yet
    form = client.get(f"/studies/{sid}/panel/experts/{first}/edit").get_data(as_text=True)
    assert 'value="expert1@example.org"' in form and "E001" in form
    response = client.post(f"/studies/{sid}/panel/experts/{first}/edit", data={
        "name": "Amélie Tremblay", "email": "Amelie@Example.ORG", "affiliation": "Uni",
        "group": "academia", "language": "fr", "expertise": "4"})
    assert response.status_code == 302
    with app.app_context():
        expert = _expert(app, first)
        assert (expert.name, expert.email, expert.group, expert.language, expert.expertise) == (
            "Amélie Tremblay", "amelie@example.org", "academia", "fr", 4)
        pending = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.expert_id == first))
        assert pending.to_address == "amelie@example.org"  # the queued e-mail follows
        event = _event("expert.edit")
        assert event.details["expert"] == "E001"
        assert event.details["language"] == {"before": "en", "after": "fr"}
        assert event.details["expertise"] == {"before": None, "after": 4}
        assert set(event.details["changed"]) == {"name", "email", "affiliation", "group",
                                                 "language", "expertise"}
    page = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert ">Language</th>" in page and ">Expertise</th>" in page
    assert "<td>Français</td>" in page and '<td class="num">4</td>' in page


def test_junk_in_the_edit_form_is_named_per_field_and_kept(app, client, auth):
    ids = _bilingual_owner(app, auth)
    sid, first = ids["study"], ids["experts"][0]
    response = client.post(f"/studies/{sid}/panel/experts/{first}/edit", data={
        "name": "", "email": "not an address<script>", "affiliation": "x" * 20_000,
        "group": "g", "language": "de", "expertise": "9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an e-mail address such as name@example.org." in page
    assert 'value="not an address&lt;script&gt;"' in page
    assert "Not a valid choice" in page  # language and expertise
    assert "This field is required." in page
    taken = client.post(f"/studies/{sid}/panel/experts/{first}/edit", data={
        "name": "Expert 1", "email": "expert2@example.org", "language": "en", "expertise": ""})
    assert taken.status_code == 422
    assert "expert2@example.org is already on this panel." in taken.get_data(as_text=True)
    with app.app_context():
        assert _expert(app, first).email == "expert1@example.org"


def test_remove_an_expert_who_never_answered_after_confirming(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        second = db.session.get(Study, sid).experts[1].id
    asked = client.post(f"/studies/{sid}/panel/experts/{second}/remove")
    assert asked.status_code == 200
    assert "Remove Expert 2 from the panel?" in asked.get_data(as_text=True)
    assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    with app.app_context():
        assert _expert(app, second) is not None
    assert client.post(f"/studies/{sid}/panel/experts/{second}/remove",
                       data=CONFIRM).status_code == 302
    with app.app_context():
        assert _expert(app, second) is None
        assert _event("expert.remove").details == {"expert": "E002", "group": "B"}
        # Nobody is renamed, and the next expert gets a new number.
        assert sorted(experts.pseudonyms(sid).values()) == ["E001", "E003"]
        added = experts.add_expert(db.session.get(Study, sid), name="New",
                                   email="new@example.org")
        assert added.pseudonym == "E004"


def test_an_expert_who_answered_cannot_be_removed_only_withdrawn(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = db.session.get(Study, sid)
        submit_scores(study, 1, [[(0.5, 1)] * 3])
        first = study.experts[0].id
    panel = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert f"/panel/experts/{first}/withdraw" in panel
    assert f"/panel/experts/{first}/remove" not in panel
    refused = client.post(f"/studies/{sid}/panel/experts/{first}/remove", data=CONFIRM,
                          follow_redirects=True)
    assert "has already answered: withdraw them instead" in refused.get_data(as_text=True)
    with app.app_context():
        assert _expert(app, first) is not None


def test_withdrawal_takes_answers_out_of_every_analysis_and_keeps_them(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = db.session.get(Study, sid)
        submit_scores(study, 1, [[(0.2, 1)] * 3, [(0.5, 2)] * 3, [(0.8, 3)] * 3])
        first = study.experts[0].id
        link = tokens.token_for(study.experts[0].invitations[0].token_nonce)
        version = study.rounds[0].data_version
        judgments = db.session.scalar(select(func.count()).select_from(Judgment))
        assert set(judgments_frame(study.rounds[0])["expert"]) == {"E001", "E002", "E003"}
        _, secret = api_tokens.issue_token(db.session.get(Study, sid).memberships[0].user, "t")
    page = client.get(f"/studies/{sid}/panel/experts/{first}/withdraw")
    assert page.status_code == 200 and "leave every analysis" in page.get_data(as_text=True)
    no_reason = client.post(f"/studies/{sid}/panel/experts/{first}/withdraw",
                            data={"reason": "  "})
    assert no_reason.status_code == 422
    assert "Say why the expert is withdrawn" in no_reason.get_data(as_text=True)
    assert client.post(f"/studies/{sid}/panel/experts/{first}/withdraw",
                       data={"reason": "Conflict of interest declared"}).status_code == 302
    with app.app_context():
        study = db.session.get(Study, sid)
        round_ = study.rounds[0]
        assert set(judgments_frame(round_)["expert"]) == {"E002", "E003"}
        assert round_.data_version == version + 1  # no cached result survives
        # Nothing was deleted: the answers are kept under the status "withdrawn".
        assert db.session.scalar(select(func.count()).select_from(Judgment)) == judgments
        assert db.session.scalar(select(Response.status).where(
            Response.expert_id == first)) == "withdrawn"
        event = _event("expert.withdraw")
        assert event.details["reason"] == "Conflict of interest declared"
        assert event.details["rounds"] == [{"round": 1, "status_before": "submitted"}]
        assert event.actor_id == owner["user"] and event.created_at is not None
        assert db.session.scalar(select(Invitation.revoked_at).where(
            Invitation.expert_id == first)) is not None
        assert outbox.pending_counts(round_)["reminder"] == 0
    raw = client.get(f"/studies/{sid}/downloads/judgments?format=csv").get_data(as_text=True)
    assert "E001" not in raw and "E002" in raw
    api = client.get(f"/api/v1/studies/{sid}/judgments",
                     headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert "E001" not in str(api) and "E002" in str(api)
    responses = client.get(f"/api/v1/studies/{sid}/responses",
                           headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert {"expert": "E001", "group": "A", "status": "withdrawn",
            "submitted_at": None} in responses["experts"]
    report = client.get(f"/studies/{sid}/downloads/report").get_data(as_text=True)
    assert "Withdrawn from the study by the organizers" in report and "E001 on 20" in report
    assert "Conflict of interest" not in report  # the reason stays in the audit log
    panel = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert "status-withdrawn" in panel and "Conflict of interest declared" in panel
    assert ">67 %<" not in panel and ">100 %<" in panel  # the rate counts the 2 left
    client.post("/logout")
    assert client.get(f"/r/{link}").status_code == 410


def test_a_withdrawn_expert_is_not_invited_to_later_rounds(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = db.session.get(Study, sid)
        submit_scores(study, 1, [[(0.5, 1)] * 3])
        first = study.experts[0].id
    client.post(f"/studies/{sid}/panel/experts/{first}/withdraw", data={"reason": "Left"})
    client.post(f"/studies/{sid}/rounds/close", data=CONFIRM)
    assert client.post(f"/studies/{sid}/rounds/launch", data={"closes_at": ""}
                       ).status_code == 302
    with app.app_context():
        round_2 = db.session.scalar(select(Round).where(Round.study_id == sid,
                                                        Round.number == 2))
        invited = set(db.session.scalars(select(Invitation.expert_id).where(
            Invitation.round_id == round_2.id)))
        assert first not in invited and len(invited) == 2


# --- item 3: links ---------------------------------------------------------------------------

def test_revoke_then_new_link_then_send_invitation_now(app, client, owner):
    sid = owner["study"]
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    with app.app_context():
        study = db.session.get(Study, sid)
        invitation = study.experts[0].invitations[0]
        invitation_id, old = invitation.id, tokens.token_for(invitation.token_nonce)
    client.post(f"/studies/{sid}/panel/invitation")  # everyone's invitation queued
    client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/revoke", data=CONFIRM)
    with app.app_context():  # the queued e-mail carried the dead link: dropped
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation_id)) == 0
        assert _event("invitation.revoke").details["cancelled_emails"] == 1
    panel = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    row = panel[panel.index("Expert 1<br>"):panel.index("Expert 2<br>")]
    assert "link revoked" in row and "New link" in row
    assert "Revoke" not in row and "Send invitation now" not in row
    assert client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/reissue"
                       ).status_code == 302
    with app.app_context():
        assert outbox.pending_counts(db.session.get(Study, sid).rounds[0])["invitation"] == 1
    assert client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/send"
                       ).status_code == 302
    again = client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/send",
                        follow_redirects=True)
    assert "already waiting to be sent" in again.get_data(as_text=True)
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        new = tokens.token_for(invitation.token_nonce)
        message = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation_id))
        assert f"/r/{new}" in message.body and old != new
        outbox.send_pending()
    client.post("/logout")
    assert client.get(f"/r/{old}").status_code == 404  # replaced: no longer known at all
    assert client.get(f"/r/{new}").status_code == 303


def test_send_invitation_now_resends_to_one_expert(app, client, owner):
    sid = owner["study"]
    client.post(f"/studies/{sid}/panel/invitation").close()  # sent to all three
    with app.app_context():
        invitation_id = db.session.get(Study, sid).experts[1].invitations[0].id
    assert client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/send"
                       ).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation_id)) == 2


def test_a_revoked_open_session_sees_our_own_410_page(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = db.session.get(Study, sid)
        invitation, other = study.experts[0].invitations[0], study.experts[1].invitations[0]
        invitation_id, link = invitation.id, tokens.token_for(invitation.token_nonce)
        other_id, other_link = other.id, tokens.token_for(other.token_nonce)
    expert = app.test_client()
    assert expert.get(f"/r/{link}").status_code == 303
    assert expert.get("/respond").status_code == 200
    client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/revoke", data=CONFIRM)
    gone = expert.get("/respond")
    page = gone.get_data(as_text=True)
    assert gone.status_code == 410
    assert "This link is no longer valid" in page and "Answers you saved are kept" in page
    assert "no longer available on this server" not in page  # not werkzeug's text
    replaced = app.test_client()  # a link replaced by a new one ends its sessions too
    replaced.get(f"/r/{other_link}")
    client.post(f"/studies/{sid}/panel/invitations/{other_id}/reissue")
    gone = replaced.get("/respond")
    assert gone.status_code == 410 and "replaced or withdrawn" in gone.get_data(as_text=True)


# --- item 7: confirmations and mail buttons ---------------------------------------------------

def test_irreversible_buttons_ask_first_without_javascript(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = db.session.get(Study, sid)
        option_id, criterion_id = study.options[0].id, study.criteria[1].id
    for path, question in [
            (f"/studies/{sid}/rounds/close", "Close round 1 now?"),
            (f"/studies/{sid}/options/{option_id}/delete", "Remove the option “Option 1”?"),
            (f"/studies/{sid}/criteria/{criterion_id}/delete",
             "Remove the criterion “Impact”?")]:
        asked = client.post(path)
        page = asked.get_data(as_text=True)
        assert asked.status_code == 200 and question in page, path
        assert f'action="{path}"' in page and 'name="confirm" value="yes"' in page
        assert "<script" not in page.split("<main")[1]  # a plain form, no script needed
    with app.app_context():
        study = db.session.get(Study, sid)
        assert study.rounds[0].status == "open" and len(study.options) == 3
        assert len(study.criteria) == 2
    assert client.post(f"/studies/{sid}/criteria/{criterion_id}/delete",
                       data=CONFIRM).status_code == 302
    assert client.post(f"/studies/{sid}/rounds/close", data=CONFIRM).status_code == 302
    with app.app_context():
        study = db.session.get(Study, sid)
        assert study.rounds[0].status == "closed" and len(study.criteria) == 1


def test_mail_buttons_say_nothing_to_send_when_nothing_is_pending(app, client, owner):
    sid = owner["study"]
    page = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert "Send invitations not yet sent (3)" in page
    assert "Remind all who have not submitted (3)" in page
    client.post(f"/studies/{sid}/panel/invitation").close()
    with app.app_context():
        submit_scores(db.session.get(Study, sid), 1, [[(0.5, 1)] * 3] * 3)
    page = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert '<button type="button" class="button" disabled>Invitations: nothing to send' in page
    assert '<button type="button" class="button" disabled>Reminders: nothing to send' in page
    overview = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert "Reminders: nothing to send" in overview
    assert "Reminders: nothing to send" in client.get(f"/studies/{sid}/rounds/1").get_data(
        as_text=True)
    flashed = client.post(f"/studies/{sid}/panel/reminder", follow_redirects=True)
    assert "Nothing to send" in flashed.get_data(as_text=True)
    assert "0 reminder(s) queued" not in flashed.get_data(as_text=True)
