"""The organizer pages answer a service's refusal the same way everywhere (elicit.web)."""

from __future__ import annotations

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import Membership, Study
from tests.factories import make_study, make_user


def test_a_refused_form_keeps_what_was_typed_with_the_message_next_to_the_field(app, client,
                                                                             owner):
    with app.app_context():
        first = db.session.get(Study, owner["study"]).experts[0].id
    page = client.post(f"/studies/{owner['study']}/panel/experts/{first}/edit",
                       data={"name": "Expert One", "email": "expert2@example.org",
                             "language": "en", "expertise": ""})
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert 'value="expert2@example.org"' in body and 'value="Expert One"' in body
    assert ('<p class="field-error" id="email-error" role="alert">expert2@example.org is '
            "already on this panel.") in body
    assert '<div class="notice notice-error" role="alert">expert2' not in body  # no notice


def test_a_refusal_of_the_whole_form_is_a_notice_on_the_re_shown_form(app, client, owner):
    page = client.post(f"/studies/{owner['study']}/rounds/launch", data={})
    assert page.status_code == 422
    assert ('<div class="notice notice-error" role="alert">A round is already open; close it '
            "before launching the next.</div>") in page.get_data(as_text=True)


def test_a_refused_button_flashes_and_goes_back(client, draft_owner):
    sid = draft_owner["study"]
    refused = client.post(f"/studies/{sid}/rounds/close")
    assert refused.status_code == 302 and refused.headers["Location"] == f"/studies/{sid}"
    assert ('<div class="notice notice-error" role="alert">No round is open.</div>'
            in client.get(f"/studies/{sid}").get_data(as_text=True))


def test_a_button_on_a_missing_or_foreign_object_is_a_404(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        foreign = make_study(make_user("other@example.org"), title="Other")
        invitation_id = foreign.experts[0].invitations[0].id
        membership_id = db.session.scalar(select(Membership.id).where(
            Membership.study_id == foreign.id))
        assert db.session.get(Study, sid).experts  # ours has invitations too
    assert client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/revoke"
                       ).status_code == 404
    assert client.post(f"/studies/{sid}/team/{membership_id}/remove").status_code == 404
    with app.app_context():
        assert db.session.get(Membership, membership_id) is not None
