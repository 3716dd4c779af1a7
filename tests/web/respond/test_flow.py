"""The expert slice through the test client: open link, consent, answer, submit, re-open."""

from __future__ import annotations

import re

import pytest

from elicit.extensions import db
from elicit.models import Invitation
from elicit.services.common import tokens
from elicit.services.responses import answering
from elicit.services.rounds import lifecycle
from tests.factories import idea_fields, make_study


def _open(app, client, expert_index=0):
    with app.app_context():
        study = make_study()
        invitation = study.experts[expert_index].invitations[0]
        token = tokens.token_for(invitation.token_nonce)
        ids = {"options": [o.id for o in study.options],
               "criteria": [c.id for c in study.criteria], "study": study.id}
    response = client.get(f"/r/{token}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/respond")  # token leaves the URL
    return ids, token


def _value_of(page: str, name: str) -> str | None:
    """The value attribute of the input called `name` in an HTML page."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _consent(client):
    assert client.post("/respond/consent", data={"consent": "y"}).status_code == 303


def _full_form(ids, best=40, impact=2):
    like, imp = ids["criteria"]
    data = {"action": "submit"}
    for o in ids["options"]:
        data |= idea_fields(f"o{o}_c{like}", best - 10, best + 10, best, 80)
        data[f"o{o}_c{imp}_value"] = str(impact)
        data[f"o{o}_rationale"] = f"Because of reason {o}."
    return data


def test_opening_the_link_changes_nothing(app, client):
    ids, token = _open(app, client)
    client.head(f"/r/{token}")
    with app.app_context():
        invitation = db.session.scalar(db.select(Invitation).limit(1))
        assert invitation.opened_at is None
        assert answering.response_for(invitation) is None


def test_first_visit_shows_briefing_and_consent(app, client):
    _open(app, client)
    page = client.get("/respond")
    assert page.status_code == 200
    assert b"<strong>judge</strong>" in page.data  # briefing rendered from Markdown
    assert b"Anonymity" in page.data
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_consent_is_required(app, client):
    _open(app, client)
    response = client.post("/respond/consent", data={})
    assert response.status_code == 400
    assert b"Please tick the box" in response.data


def test_form_lists_every_option_and_criterion(app, client):
    ids, _ = _open(app, client)
    _consent(client)
    page = client.get("/respond").get_data(as_text=True)
    like, imp = ids["criteria"]
    for o in ids["options"]:
        assert f'name="o{o}_c{like}_best"' in page
        assert f'name="o{o}_c{imp}_value"' in page
    assert "Very beneficial" in page  # scale labels are visible


def test_submit_then_reopen_shows_the_answers(app, client):
    ids, token = _open(app, client)
    _consent(client)
    response = client.post("/respond", data=_full_form(ids, best=35))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/respond/done")
    done = client.get("/respond/done")
    assert b"your answers are submitted" in done.data
    client.get(f"/r/{token}")
    page = client.get("/respond").get_data(as_text=True)
    like = ids["criteria"][0]
    assert _value_of(page, f'o{ids["options"][0]}_c{like}_best') == "35"
    assert "Because of reason" in page
    assert "submitted (version 1)" in page


def test_reversed_idea_bounds_keep_what_was_typed(app, client):
    ids, _ = _open(app, client)
    _consent(client)
    data = _full_form(ids)
    like = ids["criteria"][0]
    prefix = f"o{ids['options'][0]}_c{like}"
    data |= idea_fields(prefix, 70, 20, 50, 80)
    response = client.post("/respond", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The lowest must not exceed the best guess" in page
    assert _value_of(page, f"{prefix}_lowest") == "70"


@pytest.mark.parametrize("typed", ["abc", "nan", "inf", "1e309", "1_000", "٣", "150"])
def test_bad_numbers_are_refused_next_to_the_field(app, client, typed):
    ids, _ = _open(app, client)
    _consent(client)
    data = _full_form(ids)
    field = f"o{ids['options'][0]}_c{ids['criteria'][0]}_best"
    data[field] = typed
    response = client.post("/respond", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "your answers are submitted" not in page


def test_rationale_with_html_is_shown_escaped(app, client):
    ids, _ = _open(app, client)
    _consent(client)
    data = _full_form(ids)
    data[f"o{ids['options'][0]}_rationale"] = "<script>alert(1)</script>"
    data["action"] = "draft"
    client.post("/respond", data=data)
    page = client.get("/respond").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_draft_is_saved_and_resumed(app, client):
    ids, token = _open(app, client)
    _consent(client)
    like = ids["criteria"][0]
    prefix = f"o{ids['options'][0]}_c{like}"
    response = client.post("/respond", data={"action": "draft",
                                             **idea_fields(prefix, 10, 30, 20, 70)})
    assert response.status_code == 303
    client.get(f"/r/{token}")
    page = client.get("/respond").get_data(as_text=True)
    assert _value_of(page, f"{prefix}_best") == "20"
    assert "draft" in page


def test_incomplete_submit_names_the_missing_answers(app, client):
    ids, _ = _open(app, client)
    _consent(client)
    response = client.post("/respond", data={"action": "submit"})
    assert response.status_code == 422
    assert b"Answer this or tick" in response.data


def test_invalid_link_gets_a_clear_404(app, client):
    with app.app_context():
        make_study()
    response = client.get("/r/" + "A" * 43)
    assert response.status_code == 404
    assert b"This link does not work" in response.data


def test_closed_round_keeps_answers_readable_and_refuses_new_ones(app, client):
    ids, _ = _open(app, client)
    _consent(client)
    with app.app_context():
        from elicit.models import Study
        lifecycle.close_round(db.session.get(Study, ids["study"]))
    page = client.get("/respond")
    assert page.status_code == 200
    assert b"This round is closed" in page.data
    response = client.post("/respond", data=_full_form(ids))
    assert response.status_code == 409


def test_respond_pages_need_a_link(client):
    assert client.get("/respond").status_code == 404
