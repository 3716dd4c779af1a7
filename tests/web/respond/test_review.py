"""The review page before the final submit, revisions and history."""

from __future__ import annotations

from elicit.extensions import db
from elicit.models import Judgment, Response, ResponseRevision
from tests.factories import link_token, make_study
from tests.web.respond.helpers import consent, full_form, ids_of, open_link, start_expert, value_of


def test_review_lists_every_answer_and_marks_missing_ones(app, client):
    ids = start_expert(app, client)
    data = full_form(ids, best=35, action="review")
    missing_option = ids["options"][1]
    like = ids["criteria"][0]
    for part in ("lowest", "highest", "best", "confidence"):
        del data[f"o{missing_option}_c{like}_{part}"]
    page = client.post("/respond", data=data)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "1 question still needs an answer" in text
    assert text.count('class="is-missing"') == 1
    assert "best guess 35\u00a0% (from 25\u00a0% to 45\u00a0%, 80\u00a0% confident)" in text
    assert 'value="submit"' not in text  # nothing to submit until everything is answered
    with app.app_context():  # the review also kept a draft
        response = db.session.scalar(db.select(Response))
        assert response.status == "draft"
        assert db.session.scalar(db.select(db.func.count()).select_from(Judgment)) == 5


def test_review_then_submit_then_done(app, client):
    ids = start_expert(app, client)
    page = client.post("/respond", data=full_form(ids, action="review")).get_data(as_text=True)
    assert "Every question is answered" in page
    assert value_of(page, f"o{ids['options'][0]}_c{ids['criteria'][0]}_best") == "40"
    hidden = dict(re_hidden(page))
    assert "action" not in hidden  # only the answers travel; the button picks the action
    response = client.post("/respond", data={**hidden, "action": "submit"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/respond/done")
    done = client.get("/respond/done").get_data(as_text=True)
    assert "version 1" in done and "/respond/answers.json" in done


def re_hidden(page: str):
    import re
    from html import unescape

    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page):
        if name != "csrf_token":
            yield name, unescape(value)


def test_change_my_answers_returns_to_the_form_with_what_was_typed(app, client):
    ids = start_expert(app, client)
    data = full_form(ids, best=61, action="review")
    page = client.post("/respond", data=data).get_data(as_text=True)
    back = client.post("/respond", data={**dict(re_hidden(page)), "action": "edit"})
    assert back.status_code == 200
    assert value_of(back.get_data(as_text=True),
                    f"o{ids['options'][0]}_c{ids['criteria'][0]}_best") == "61"


def test_rationale_survives_the_review_round_trip_exactly(app, client):
    ids = start_expert(app, client)
    field = f"o{ids['options'][0]}_rationale"
    text = 'Quotes " and <tags> & ampersands\nsecond line'
    page = client.post("/respond", data=full_form(ids, action="review") | {field: text})
    body = page.get_data(as_text=True)
    assert "<tags>" not in body and "&lt;tags&gt;" in body
    client.post("/respond", data={**dict(re_hidden(body)), "action": "submit"})
    with app.app_context():
        response = db.session.scalar(db.select(Response))
        stored = response.revisions[-1].answers["rationales"][str(ids["options"][0])]
        assert stored == text


def test_revising_after_submission_keeps_every_version(app, client):
    ids = start_expert(app, client)
    client.post("/respond", data=full_form(ids, best=30))
    # Reviewing a revision does not touch the submitted answers.
    client.post("/respond", data=full_form(ids, best=70, action="review"))
    with app.app_context():
        assert {j.best for j in db.session.scalars(db.select(Judgment)) if j.best} == {0.3}
    client.post("/respond", data=full_form(ids, best=70))
    client.post("/respond", data=full_form(ids, best=70))  # a retry changes nothing
    with app.app_context():
        revisions = db.session.scalars(db.select(ResponseRevision)
                                       .order_by(ResponseRevision.version)).all()
        assert [r.version for r in revisions] == [1, 2]
        assert [r.answers["judgments"][0]["best"] for r in revisions] == [0.3, 0.7]
    page = client.get("/respond").get_data(as_text=True)
    assert "submitted (version 2)" in page
    assert "Save and finish later" not in page  # a submitted response is never a draft again


def test_invalid_review_shows_the_form_with_errors(app, client):
    ids = start_expert(app, client)
    field = f"o{ids['options'][0]}_c{ids['criteria'][0]}_best"
    response = client.post("/respond", data=full_form(ids, action="review") | {field: "abc"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#{field}-error"' in page  # the summary links to the field
    assert value_of(page, field) == "abc"


def test_progress_counts_answers(app, client):
    ids = start_expert(app, client)
    like = ids["criteria"][0]
    data = {"action": "draft", f"o{ids['options'][0]}_c{like}_abstain": "y"}
    client.post("/respond", data=data)
    page = client.get("/respond").get_data(as_text=True)
    assert "1 of 6 questions answered" in page
    assert '<progress id="progress" max="6" value="1">' in page


def test_reopening_the_link_resumes_at_the_first_unanswered_option(app, client):
    with app.app_context():
        study = make_study()
        ids, token = ids_of(study), link_token(study)
    open_link(client, token)
    consent(client)
    first, second, _third = ids["options"]
    client.post("/respond", data=full_form(ids, action="draft", options=[first]))
    reopened = client.get(f"/r/{token}")
    assert reopened.status_code == 303
    assert reopened.headers["Location"].endswith(f"/respond#option-{second}")
