"""Issue 17, item 14: round 2 and later — own previous answers shown, pre-filled, consent kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import AuditEvent, Study, User
from elicit.services.responses import answering
from elicit.services.rounds import lifecycle
from elicit.services.studies import definition
from tests.factories import PASSWORD, link_token, make_study, make_user, submit_panel
from tests.web.respond.helpers import consent, full_form, ids_of, open_link, textarea, value_of


def _round_two(app, client, *, prefill=True, anchoring="after", expert_index=0, n_experts=4):
    """Round 1 submitted by experts 0-2 (bests 20, 40, 60 %); one expert opens round 2."""
    with app.app_context():
        study = make_study(n_experts=n_experts, anchoring=anchoring, prefill_previous=prefill)
        submit_panel(study, (0.2, 0.4, 0.6), impact=-1, rationale="Round one reason")
        lifecycle.close_round(study)
        lifecycle.launch_next_round(study)
        ids = ids_of(study)
        token = link_token(study, expert_index=expert_index)
    open_link(client, token)
    return ids


def test_round_two_starts_with_own_previous_answers_filled_in(app, client):
    ids = _round_two(app, client)
    page = client.get("/respond").get_data(as_text=True)
    first = ids["options"][0]
    like, impact = ids["criteria"]
    assert "Briefing" not in page or "Continue to the questions" not in page  # no consent again
    assert "Your answers from round 1 are filled in. Keep them or change them" in page
    assert value_of(page, f"o{first}_c{like}_best") == "20"
    assert value_of(page, f"o{first}_c{like}_lowest") == "10"
    assert re.search(rf'checked id="o{first}_c{impact}_value-\d+" name="o{first}_c{impact}_value"'
                     r' type="radio" value="-1"', page)
    assert textarea(page, f"o{first}_rationale").startswith("Round one reason")
    # Nothing is stored for round 2 until the expert saves: counted as unanswered.
    assert "0 of 6 questions answered" in page
    # Kept as they are: a submission of the pre-filled form is a valid round-2 answer.
    assert client.post("/respond", data=full_form(ids, best=20, impact=-1)).status_code == 303


def test_own_previous_answer_and_reasoning_are_shown_from_the_start(app, client):
    ids = _round_two(app, client, prefill=False, anchoring="after")
    page = client.get("/respond").get_data(as_text=True)
    first = ids["options"][0]
    like = ids["criteria"][0]
    # Anchoring "after" still hides the panel's feedback …
    assert "Panel (3 experts)" not in page and page.count('value="reveal-') == 3
    # … but the expert's own answers are beside every question straight away.
    assert page.count("Your answer in round 1:</strong> best guess 20\u00a0%") == 3
    assert page.count("Your answer in round 1:</strong> -1") == 3
    assert page.count("Your reasoning in round 1:</strong>") == 3
    assert "Your answers from round 1 are filled in" not in page
    assert value_of(page, f"o{first}_c{like}_best") == ""  # not pre-filled when switched off


def test_an_expert_new_in_round_two_sees_no_previous_answer(app, client):
    _round_two(app, client, expert_index=3)
    page = client.get("/respond").get_data(as_text=True)
    assert "Continue to the questions" in page  # never consented: asked now
    consent(client)
    page = client.get("/respond").get_data(as_text=True)
    assert "Your answer in round 1:" not in page
    assert "are filled in" not in page


def test_saved_round_two_answers_replace_the_prefill(app, client):
    ids = _round_two(app, client)
    first = ids["options"][0]
    like = ids["criteria"][0]
    assert client.post("/respond", data=full_form(ids, best=70, action="draft")
                       ).status_code == 303
    page = client.get("/respond").get_data(as_text=True)
    assert value_of(page, f"o{first}_c{like}_best") == "70"
    assert "are filled in" not in page


def test_consent_carries_over_to_later_rounds(app, client):
    _round_two(app, client)
    page = client.get("/respond").get_data(as_text=True)
    assert "Continue to the questions" not in page
    assert "Review and submit" in page
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "response.consent").order_by(AuditEvent.id)).all()
        assert events[-1].details == {"carried_over_from_round": 1}


def test_consent_is_asked_again_when_its_text_changed(app, client, monkeypatch):
    _round_two(app, client)
    monkeypatch.setattr(answering, "consent_text", lambda study: "A new consent statement.")
    page = client.get("/respond").get_data(as_text=True)
    assert "Continue to the questions" in page


def test_the_organizer_switches_prefilling_off(app, client, auth):
    with app.app_context():
        user = make_user()
        study = make_study(user)
        study_id, user_id = study.id, user.id
        assert study.prefill_previous is True  # on by default
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{study_id}/edit").get_data(as_text=True)
    assert re.search(r'checked id="prefill_previous"|id="prefill_previous"[^>]*checked', page)
    assert client.post(f"/studies/{study_id}/edit", data={
        "title": "Test study", "briefing": "", "languages": ["en"],
        "anchoring": "after"}).status_code == 302
    with app.app_context():
        study = db.session.get(Study, study_id)
        assert study.prefill_previous is False
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "study.update")).one()
        assert event.details["before"]["prefill_previous"] is True
        assert event.details["after"]["prefill_previous"] is False
        exported = definition.export_definition(study)
        assert exported["prefill_previous"] is False
        owner = db.session.get(User, user_id)
        copy = definition.import_definition(owner, {**exported, "title": "Copy"}, source="test")
        assert copy.prefill_previous is False


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_a_definition_refuses_a_prefill_setting_that_is_not_a_boolean(app, value):
    from elicit.errors import ValidationFailed

    with app.app_context():
        user = make_user()
        data = {"format": "elicit-study", "version": 1, "title": "T",
                "prefill_previous": value}
        with pytest.raises(ValidationFailed) as refused:
            definition.import_definition(user, data, source="test")
        assert "prefill_previous" in refused.value.errors
