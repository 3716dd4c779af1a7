"""Personal links: revocation, reissue, expiry with a closed round, sessions."""

from __future__ import annotations

import re

from elicit.extensions import db
from elicit.models import Study
from elicit.services.panel import invitations
from elicit.services.rounds import lifecycle
from tests.factories import link_token, make_study, submit_panel
from tests.web.respond.helpers import consent, full_form, ids_of, open_link


def _study(app):
    with app.app_context():
        study = make_study()
        return ids_of(study), link_token(study)


def _invitation(study_id, expert_index=0):
    study = db.session.get(Study, study_id)
    return study.experts[expert_index].invitations[-1]


def test_revoked_link_gets_410_without_detail(app, client):
    ids, token = _study(app)
    with app.app_context():
        invitations.revoke_invitation(_invitation(ids["study"]))
    response = client.get(f"/r/{token}")
    assert response.status_code == 410
    assert b"This link does not work" in response.data
    assert b"revoked" not in response.data


def test_revoking_ends_an_open_session(app, client):
    ids, token = _study(app)
    open_link(client, token)
    consent(client)
    with app.app_context():
        invitations.revoke_invitation(_invitation(ids["study"]))
    assert client.get("/respond").status_code == 410
    assert client.post("/respond", data=full_form(ids)).status_code in (404, 410)


def test_reissued_link_replaces_the_old_one_and_keeps_answers(app, client):
    ids, token = _study(app)
    open_link(client, token)
    consent(client)
    client.post("/respond", data=full_form(ids, action="draft", best=22))
    with app.app_context():
        invitation = invitations.reissue_invitation(_invitation(ids["study"]))
        from elicit.services.common import tokens
        new_token = tokens.token_for(invitation.token_nonce)
    assert new_token != token
    assert client.get("/respond").status_code == 410  # the old session ends
    assert client.get(f"/r/{token}").status_code == 404  # the old link is unknown now
    open_link(client, new_token)
    assert 'value="22"' in client.get("/respond").get_data(as_text=True)


def test_unknown_and_malformed_tokens_look_the_same(app, client):
    _study(app)
    pages = [client.get(f"/r/{t}") for t in ("A" * 43, "short", "x" * 200, "%00" * 20)]
    assert {p.status_code for p in pages} == {404}
    # the language switch's CSRF token is signed with the time: the only part that may differ
    assert len({re.sub(rb'name="csrf_token" value="[^"]*"', b"", p.data) for p in pages}) == 1


def test_expired_link_of_a_closed_round_gives_410_and_the_draft_stays_readable(app, client):
    ids, token = _study(app)
    open_link(client, token)
    consent(client)
    client.post("/respond", data=full_form(ids, action="draft", best=33))
    with app.app_context():
        lifecycle.close_round(db.session.get(Study, ids["study"]))
    response = client.get(f"/r/{token}")
    assert response.status_code == 410
    assert b"This round is closed" in response.data
    page = client.get("/respond")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "can be read but no longer changed" in text
    assert "best guess 33\u00a0%" in text
    assert "<form method=\"post\" action=\"/respond\"" not in text
    refused = client.post("/respond", data=full_form(ids, best=50))
    assert refused.status_code == 409
    assert b"nothing new was saved" in refused.data
    assert client.get("/respond/answers.json").status_code == 200


def test_closed_round_without_answers_is_a_clear_410(app, client):
    ids, token = _study(app)
    with app.app_context():
        lifecycle.close_round(db.session.get(Study, ids["study"]))
    response = client.get(f"/r/{token}")
    assert response.status_code == 410
    assert b"See your saved answers" not in response.data
    assert client.get("/respond").status_code == 410


def test_links_of_round_one_expire_when_round_two_opens(app, client):
    with app.app_context():
        study = make_study()
        submit_panel(study, [0.3, 0.4, 0.5])
        old = link_token(study, round_number=1)
        lifecycle.close_round(study)
        lifecycle.launch_next_round(study)
        new = link_token(study, round_number=2)
    assert client.get(f"/r/{old}").status_code == 410
    assert client.get(f"/r/{new}").status_code == 303


def test_a_forged_session_value_is_refused(app, client):
    _study(app)
    with client.session_transaction() as sess:
        sess["respond"] = {"id": 1, "h": "0" * 64}
    assert client.get("/respond").status_code == 410
    with client.session_transaction() as sess:
        sess["respond"] = "1"
    assert client.get("/respond").status_code == 404


def test_a_passed_deadline_closes_the_round_for_experts(app, client):
    from datetime import UTC, datetime, timedelta

    ids, token = _study(app)
    open_link(client, token)
    consent(client)
    client.post("/respond", data=full_form(ids, action="draft", best=44))
    with app.app_context():
        round_ = db.session.get(Study, ids["study"]).current_round
        round_.closes_at = datetime.now(UTC) - timedelta(minutes=1)  # the closing job lags
        db.session.commit()
    assert client.get(f"/r/{token}").status_code == 410
    assert client.post("/respond", data=full_form(ids)).status_code == 409
    assert "best guess 44\u00a0%" in client.get("/respond").get_data(as_text=True)
