"""Issue 17, items 12 and 13: a draft never loses a valid answer; all problems at once."""

from __future__ import annotations

import re

from elicit.extensions import db
from elicit.models import AuditEvent, Judgment, OptionComment, Response
from tests.web.respond.helpers import full_form, start_expert, textarea, value_of


def _stored(option_id: int, criterion_id: int) -> Judgment | None:
    return db.session.scalar(db.select(Judgment).where(Judgment.option_id == option_id,
                                                       Judgment.criterion_id == criterion_id))


def _summary_lines(page: str) -> list[str]:
    summary = re.search(r'<div class="notice notice-error" role="alert" id="error-summary".*?</ul>',
                        page, re.S)
    assert summary is not None, "no error summary"
    return [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>",
                                                                 summary.group(0), re.S)]


def test_a_draft_with_one_bad_box_saves_every_valid_answer(app, client):
    ids = start_expert(app, client)
    first, second = ids["options"][:2]
    like, impact = ids["criteria"]
    bad = f"o{first}_c{like}_lowest"
    response = client.post("/respond", data={**full_form(ids, action="draft"), bad: "abc"})
    assert response.status_code == 303
    with app.app_context():
        assert _stored(first, like) is None  # the refused question is not stored …
        assert _stored(first, impact).value == 2  # … every other answer is
        assert _stored(second, like).best == 0.4
        assert db.session.scalar(db.select(db.func.count(OptionComment.id))) == 3
        event = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "response.save_draft")).one()
        assert event.details["kept_as_typed"] == [bad]
        assert event.details["answered"] == 5
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your draft is saved: 5 of 6 questions answered." in page
    assert "1 answer was not saved because it needs attention" in page
    assert "Nothing you typed was lost" in page
    assert value_of(page, bad) == "abc"  # kept exactly as typed, after a reload too
    assert value_of(page, f"o{first}_c{like}_best") == "40"  # its other boxes as typed
    assert f'id="{bad}-error"' in page and 'aria-invalid="true"' in page
    assert _summary_lines(page) == [
        "Option 1 — Likelihood: Lowest plausible (%): Enter a number such as 42 or 12.5."]


def test_a_refused_question_keeps_its_last_saved_answer(app, client):
    ids = start_expert(app, client)
    first = ids["options"][0]
    like = ids["criteria"][0]
    assert client.post("/respond", data=full_form(ids, best=40, action="draft")
                       ).status_code == 303
    broken = {**full_form(ids, best=40, action="draft"), f"o{first}_c{like}_lowest": "70"}
    assert client.post("/respond", data=broken).status_code == 303
    with app.app_context():
        assert _stored(first, like).lowest == 0.3  # the last valid answer stays stored
        response = db.session.scalars(db.select(Response)).one()
        assert response.draft["typed"][f"o{first}_c{like}_lowest"] == "70"
    page = client.get("/respond").get_data(as_text=True)
    assert value_of(page, f"o{first}_c{like}_lowest") == "70"
    assert "The lowest must not exceed the best guess" in page
    # Corrected and saved again: nothing is kept aside any more.
    assert client.post("/respond", data=full_form(ids, best=40, action="draft")
                       ).status_code == 303
    with app.app_context():
        assert db.session.scalars(db.select(Response)).one().draft is None
    assert "needs attention" not in client.get("/respond?saved=1").get_data(as_text=True)


def test_single_box_and_cross_field_problems_are_listed_together(app, client):
    ids = start_expert(app, client)
    first, second, third = ids["options"]
    like, impact = ids["criteria"]
    data = full_form(ids, action="review")
    data[f"o{first}_c{like}_best"] = "abc"  # unreadable
    data[f"o{second}_c{like}_lowest"] = "90"  # above the best guess: a cross-field rule
    data[f"o{third}_c{like}_confidence"] = ""  # three of the four IDEA steps
    data[f"o{third}_c{impact}_abstain"] = "y"  # abstain and answer
    response = client.post("/respond", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _summary_lines(page) == [
        "Option 1 — Likelihood: Best guess (%): Enter a number such as 42 or 12.5.",
        "Option 2 — Likelihood: The lowest must not exceed the best guess, nor the best "
        "guess the highest.",
        "Option 3 — Likelihood: Give all four steps: lowest, highest, best guess and "
        "confidence.",
        "Option 3 — Impact: Abstain or answer, not both.",
    ]
    # The review was refused, but the valid answers were kept as a draft.
    assert "Your other answers are saved as a draft (2 of 6 questions answered)" in page
    with app.app_context():
        assert _stored(second, impact).value == 2
        assert _stored(second, like) is None


def test_a_revision_after_submitting_can_be_saved_as_a_draft(app, client):
    ids = start_expert(app, client)
    first = ids["options"][0]
    like = ids["criteria"][0]
    assert client.post("/respond", data=full_form(ids, best=40)).status_code == 303
    page = client.get("/respond").get_data(as_text=True)
    assert "Save my changes as a draft" in page
    assert client.post("/respond", data=full_form(ids, best=60, action="draft")
                       ).status_code == 303
    with app.app_context():
        response = db.session.scalars(db.select(Response)).one()
        assert response.status == "submitted" and response.version == 1
        assert _stored(first, like).best == 0.4  # results still read the submitted answer
    page = client.get("/respond").get_data(as_text=True)
    assert "changes saved as a draft, not yet submitted" in page
    assert value_of(page, f"o{first}_c{like}_best") == "60"
    assert client.post("/respond", data=full_form(ids, best=60)).status_code == 303
    with app.app_context():
        response = db.session.scalars(db.select(Response)).one()
        assert response.version == 2 and response.draft is None
        assert _stored(first, like).best == 0.6


def test_automatic_save_answers_with_what_was_kept(app, client):
    ids = start_expert(app, client)
    first = ids["options"][0]
    data = {**full_form(ids, action="draft"), f"o{first}_rationale": "x" * 2001}
    reply = client.post("/respond/autosave", data=data)
    assert reply.status_code == 200
    assert reply.json == {"answered": 6, "total": 6, "problems": 1, "message": (
        "Draft saved: 6 of 6 questions answered. 1 answer needs attention: it is kept as "
        "you typed it and marked.")}
    page = client.get("/respond").get_data(as_text=True)
    assert textarea(page, f"o{first}_rationale") == "x" * 2001
    assert "Keep the rationale under 2000 characters." in page
    assert page.count(f'id="o{first}_rationale-error"') == 1  # one message, one id
    assert 'data-autosave-url="/respond/autosave"' in page
    assert "js/autosave.js" in page


def test_automatic_save_needs_consent_and_an_open_session(app, client):
    assert client.post("/respond/autosave", data={}).status_code == 404


def test_what_a_draft_kept_is_said_in_french(app, client):
    from tests.factories import link_token, make_study
    from tests.web.respond.helpers import consent, ids_of, open_link

    with app.app_context():
        study = make_study(languages=["fr"])
        ids, token = ids_of(study), link_token(study)
    open_link(client, token)
    consent(client)
    first = ids["options"][0]
    like = ids["criteria"][0]
    data = {**full_form(ids, action="draft"), f"o{first}_c{like}_best": "abc"}
    assert client.post("/respond", data=data).status_code == 303
    page = client.get("/respond?saved=1").get_data(as_text=True)
    assert "Votre brouillon est enregistré : 5 questions sur 6 ont une réponse." in page
    assert "1 réponse n’a pas été enregistrée car elle demande votre attention" in page
    assert ("Option 1 — Likelihood : Meilleure estimation (%) : Saisissez un nombre, par "
            "exemple 42 ou 12,5.") in page


def test_markup_kept_as_typed_is_shown_escaped(app, client):
    ids = start_expert(app, client)
    first = ids["options"][0]
    like = ids["criteria"][0]
    evil = '"><script>alert(1)</script>'
    data = {**full_form(ids, action="draft"), f"o{first}_c{like}_highest": evil}
    assert client.post("/respond", data=data).status_code == 303
    page = client.get("/respond").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert value_of(page, f"o{first}_c{like}_highest") == evil
