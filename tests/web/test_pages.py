"""Organizer and results pages: what each role sees, and the ranking itself."""

from __future__ import annotations

import re

import pytest

from elicit.extensions import db
from elicit.models import Role, Study
from elicit.services.responses import answering
from elicit.services.responses.inputs import AnswerSet, JudgmentInput
from tests.factories import PASSWORD, make_study, make_user


def _submit(study, expert_index, per_option):
    """Submit (likelihood best, impact) per option for one expert."""
    invitation = study.experts[expert_index].invitations[0]
    answering.record_consent(invitation)
    likelihood, impact = study.criteria
    answer_set = AnswerSet()
    for option, (p, v) in zip(study.options, per_option, strict=True):
        answer_set.judgments[(option.id, likelihood.id)] = JudgmentInput(
            lowest=p, best=p, highest=p, confidence=0.8)
        answer_set.judgments[(option.id, impact.id)] = JudgmentInput(value=v)
    answering.save_answers(invitation, answer_set, submit=True)


@pytest.fixture
def signed_in(app, auth):
    with app.app_context():
        user = make_user()
        study = make_study(user)
        ids = {"study": study.id, "user": user.id}
    auth.login("owner@example.org", PASSWORD)
    return ids


def test_study_list_and_overview(client, signed_in, app):
    listing = client.get("/studies")
    assert b"Test study" in listing.data
    page = client.get(f"/studies/{signed_in['study']}").get_data(as_text=True)
    assert "Option 1" in page and "Option 3" in page
    assert "Likelihood" in page and "IDEA four-step" in page
    assert "expert1@example.org" in page  # owners see the panel and links
    assert "/r/" in page


def test_overview_counts_responses(client, signed_in, app):
    with app.app_context():
        study = db.session.get(Study, signed_in["study"])
        _submit(study, 0, [(0.5, 1), (0.5, 1), (0.5, 1)])
    page = client.get(f"/studies/{signed_in['study']}").get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">1</th>(.*?)</tr>", page).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["3", "0", "1", "33 %"]


def test_results_rank_a_known_small_data_set(client, signed_in, app):
    # Expected impact p × v per expert, then the equal-weight mean:
    #   Option 1: (0.2·3 + 0.4·3) / 2 = 0.9
    #   Option 2: (0.8·2 + 0.6·2) / 2 = 1.4
    #   Option 3: (0.5·-1 + 0.5·-1) / 2 = -0.5
    with app.app_context():
        study = db.session.get(Study, signed_in["study"])
        _submit(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        _submit(study, 1, [(0.4, 3), (0.6, 2), (0.5, -1)])
    page = client.get(f"/studies/{signed_in['study']}/results").get_data(as_text=True)
    rows = re.findall(r'<td class="num">(\d+)</td><th scope="row">([^<]+)</th>\s*'
                      r'<td class="num">([-\d.]+)</td>', page)
    assert [(r, o, float(s)) for r, o, s in rows] == [
        ("1", "Option 2", 1.4), ("2", "Option 1", 0.9), ("3", "Option 3", -0.5)]


def test_results_method_switch_and_bad_method(client, signed_in, app):
    with app.app_context():
        study = db.session.get(Study, signed_in["study"])
        _submit(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
    assert client.get(f"/studies/{signed_in['study']}/results?method=median").status_code == 200
    assert client.get(f"/studies/{signed_in['study']}/results?method=bogus").status_code == 400
    assert client.get(f"/studies/{signed_in['study']}/results?round=7").status_code == 404


def test_results_without_answers_say_so(client, signed_in):
    page = client.get(f"/studies/{signed_in['study']}/results")
    assert page.status_code == 200
    assert b"No submitted answers yet" in page.data


def test_stranger_gets_404_and_anonymous_goes_to_login(app, client, auth):
    with app.app_context():
        owner = make_user()
        study_id = make_study(owner).id
        make_user("stranger@example.org")
    assert client.get(f"/studies/{study_id}").status_code == 302
    auth.login("stranger@example.org", PASSWORD)
    assert client.get(f"/studies/{study_id}").status_code == 404
    assert client.get(f"/studies/{study_id}/results").status_code == 404
    assert b"Test study" not in client.get("/studies").data


def test_analyst_sees_results_but_no_names(app, client, auth):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        analyst = make_user("analyst@example.org")
        from elicit.models import Membership
        db.session.add(Membership(user_id=analyst.id, study_id=study.id, role=Role.ANALYST))
        db.session.commit()
        study_id = study.id
    auth.login("analyst@example.org", PASSWORD)
    page = client.get(f"/studies/{study_id}").get_data(as_text=True)
    assert "expert1@example.org" not in page and "/r/" not in page
    assert client.get(f"/studies/{study_id}/results").status_code == 200


def test_home_page_for_visitors(client):
    assert b"Structured expert elicitation" in client.get("/").data
