"""Later rounds: the panel's anonymous feedback beside each question, with anchoring control."""

from __future__ import annotations

import re

import pytest

from elicit.extensions import db
from elicit.models import Study
from elicit.services.rounds import lifecycle
from tests.factories import link_token, make_study, submit_panel
from tests.web.respond.helpers import consent, full_form, ids_of, open_link


def _round_two(app, client, *, anchoring="after", bests=(0.2, 0.4, 0.6), n_experts=4,
               retire_first=False):
    """Round 1 answered by len(bests) experts; the last expert opens round 2."""
    with app.app_context():
        study = make_study(n_experts=n_experts, anchoring=anchoring)
        submit_panel(study, bests, rationale="Panel <b>reason</b>")
        lifecycle.close_round(study)
        if retire_first:
            study.options[0].retired_after_round = 1
            db.session.commit()
        lifecycle.launch_next_round(study)
        ids = ids_of(study)
        token = link_token(study, expert_index=0)
    open_link(client, token)
    consent(client)
    return ids


def _panel_line(page: str) -> list[str]:
    return re.findall(r"median [^,]+, middle half from [^<]+", page)


def test_anchoring_after_hides_feedback_until_an_estimate_is_saved(app, client):
    ids = _round_two(app, client)
    page = client.get("/respond").get_data(as_text=True)
    assert _panel_line(page) == []
    assert page.count('value="reveal-') == 3
    first = ids["options"][0]
    data = full_form(ids, best=50, action=f"reveal-{first}", options=[first])
    response = client.post("/respond", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#option-{first}")
    page = client.get("/respond").get_data(as_text=True)
    lines = _panel_line(page)
    assert lines[0] == "median 40\u00a0%, middle half from 30\u00a0% to 50\u00a0%"
    assert len(lines) == 2  # likelihood and impact of the first option only
    assert page.count('value="reveal-') == 2
    assert "Your answer in round 1:</strong> best guess 20\u00a0%" in page


def test_anchoring_before_shows_feedback_beside_every_question(app, client):
    _round_two(app, client, anchoring="before")
    page = client.get("/respond").get_data(as_text=True)
    assert len(_panel_line(page)) == 6
    assert 'value="reveal-' not in page
    assert "Panel (3 experts):" in page
    assert '<svg class="dist" role="img"' in page
    assert "How many experts answered in each range: 0–10 %: 0; 10–20 %: 0; 20–30 %: 1" in page


def test_panel_rationales_are_anonymous_and_escaped(app, client):
    _round_two(app, client, anchoring="before")
    page = client.get("/respond").get_data(as_text=True)
    assert "What the panel wrote in round 1 (3 reasons, anonymous)" in page
    assert "Panel &lt;b&gt;reason&lt;/b&gt;" in page
    assert "<b>reason</b>" not in page
    assert "Expert 2" not in page and "expert2@example.org" not in page


@pytest.mark.parametrize("anchoring", ["before", "after"])
def test_feedback_is_withheld_with_fewer_than_three_responses(app, client, anchoring):
    _round_two(app, client, anchoring=anchoring, bests=(0.2, 0.4))
    page = client.get("/respond").get_data(as_text=True)
    assert "Fewer than 3 experts submitted answers in round 1" in page
    assert _panel_line(page) == []
    assert "What the panel wrote" not in page  # the panel's reasons are withheld …
    # … while the expert's own reasoning of round 1 is theirs to see, beside the question.
    assert "Your reasoning in round 1:</strong> <span class=\"rationale\">Panel &lt;b&gt;" in page
    assert 'value="reveal-' not in page


def test_first_round_has_no_feedback(app, client):
    with app.app_context():
        study = make_study(anchoring="before")
        token = link_token(study)
    open_link(client, token)
    consent(client)
    page = client.get("/respond").get_data(as_text=True)
    assert "Feedback from round" not in page


def test_retired_option_is_not_asked_again(app, client):
    ids = _round_two(app, client, retire_first=True)
    page = client.get("/respond").get_data(as_text=True)
    retired, *active = ids["options"]
    assert f'name="o{retired}_c' not in page
    assert "Option 1 of 2" in page
    response = client.post("/respond", data=full_form(ids, options=active))
    assert response.status_code == 303
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        assert study.current_round.number == 2
