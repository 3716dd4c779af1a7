"""Rationale themes on the pages: analysts' option page, the organizer's review, round 2."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import Role, Study, ThemeReview
from elicit.services.results import theme_review, themes
from elicit.services.rounds import lifecycle
from tests.factories import PASSWORD, add_member, link_token, make_user
from tests.themes_helpers import themed_study
from tests.web.respond.helpers import consent, open_link


@pytest.fixture
def study_ids(app):
    """A themed study, round 1 closed (themes computed); an owner and an analyst."""
    with app.app_context():
        owner = make_user()
        study = themed_study(owner)
        add_member(study, "analyst@example.org", Role.ANALYST)
        lifecycle.close_round(study)
        return {"study": study.id, "options": [o.id for o in study.options],
                "owner": owner.id}


def _computed(app, ids):
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        return themes.cached_themes(study.rounds[0]).for_option(study.options[0].title)


def test_analysts_see_each_options_themes_expandable_to_rationales(app, client, auth, study_ids):
    auth.login("analyst@example.org", PASSWORD)
    s, o = study_ids["study"], study_ids["options"][0]
    page = client.get(f"/studies/{s}/results/options/{o}?round=1").get_data(as_text=True)
    found = _computed(app, study_ids)
    assert "Themes in the rationales" in page and "not a vote" in page
    for theme in found.themes:
        assert f"{theme.size} experts · leans <strong>{theme.leaning}</strong>" in page
        assert theme.representative.replace("'", "&#39;") in page
    assert page.count("rationales of this theme</summary>") == len(found.themes)
    other = client.get(f"/studies/{s}/results/options/{study_ids['options'][1]}?round=1")
    text = other.get_data(as_text=True)
    assert "Too few rationales with content" in text and "Agree." in text


def test_an_open_round_on_demand(app, client, auth):
    with app.app_context():
        owner = make_user()
        study = themed_study(owner)
        s, o = study.id, study.options[0].id
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{s}/results/options/{o}?round=1").get_data(as_text=True)
    assert "Compute the themes" in page and "still open" in page
    response = client.post(f"/studies/{s}/results/themes?round=1&option={o}")
    # the sync backend of the tests has run the job already: straight back to the option
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/studies/{s}/results/options/{o}?")
    with app.app_context():
        from elicit.models import Job

        job = db.session.scalar(select(Job).where(Job.kind == "themes"))
        assert job.result["url"] == response.headers["Location"]
    page = client.get(f"/studies/{s}/results/options/{o}?round=1").get_data(as_text=True)
    assert "Compute the themes" not in page and "leans" in page
    again = client.post(f"/studies/{s}/results/themes?round=1&option={o}")
    assert again.status_code == 302 and "/jobs/" not in again.headers["Location"]
    assert client.post(f"/studies/{s}/results/themes?round=7").status_code == 404


def test_strangers_cannot_compute_or_review(app, client, auth, study_ids):
    with app.app_context():
        make_user("stranger@example.org")
    auth.login("stranger@example.org", PASSWORD)
    s = study_ids["study"]
    assert client.post(f"/studies/{s}/results/themes?round=1").status_code in (403, 404)
    assert client.get(f"/studies/{s}/themes").status_code in (403, 404)


def test_analysts_cannot_review(client, auth, study_ids):
    auth.login("analyst@example.org", PASSWORD)
    s, o = study_ids["study"], study_ids["options"][0]
    assert client.get(f"/studies/{s}/themes").status_code == 403
    assert client.post(f"/studies/{s}/themes/options/{o}?round=1").status_code == 403


def test_organizer_reviews_and_approves(app, client, auth, study_ids):
    auth.login("owner@example.org", PASSWORD)
    s, o = study_ids["study"], study_ids["options"][0]
    page = client.get(f"/studies/{s}/themes").get_data(as_text=True)
    assert "Rationale themes of round 1" in page and f'name="o{o}-t0_label_fr"' in page
    assert "Approve these themes" in page and "No themes: fewer than six" in page
    response = client.post(f"/studies/{s}/themes/options/{o}?round=1",
                           data={f"o{o}-t0_label_en": "Trade retaliation",
                                 f"o{o}-t0_label_fr": "", f"o{o}-t1_merge": "",
                                 f"o{o}-t0_hide": "y"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Themes of “Option 1” approved." in page and "Trade retaliation" in page
    assert "quote hidden" in page
    with app.app_context():
        review = db.session.scalar(select(ThemeReview))
        assert review.themes[0]["quote"] is None or any(
            t["quote"] is None for t in review.themes)


def test_junk_in_a_label_is_refused_next_to_the_field_keeping_what_was_typed(client, auth,
                                                                             study_ids):
    auth.login("owner@example.org", PASSWORD)
    s, o = study_ids["study"], study_ids["options"][0]
    long = "Much too long " * 12
    response = client.post(f"/studies/{s}/themes/options/{o}?round=1",
                           data={f"o{o}-t0_label_en": long, f"o{o}-t1_merge": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "120" in page and long.strip() in page
    assert client.post(f"/studies/{s}/themes/options/{o}?round=x").status_code == 404


def test_the_setting_page_and_round_two(app, client, auth, study_ids):
    auth.login("owner@example.org", PASSWORD)
    s, o = study_ids["study"], study_ids["options"][0]
    assert client.post(f"/studies/{s}/themes/setting", data={"experts_see": "never"}
                       ).status_code == 302
    with app.app_context():
        study = db.session.get(Study, s)
        assert theme_review.experts_see(study) == "off"
    client.post(f"/studies/{s}/themes/setting", data={"experts_see": "beside"})
    client.post(f"/studies/{s}/themes/options/{o}?round=1",
                data={f"o{o}-t0_label_en": "Trade retaliation",
                      f"o{o}-t0_label_fr": "Représailles"})
    auth.logout()
    with app.app_context():
        study = db.session.get(Study, s)
        assert theme_review.experts_see(study) == "beside"
        lifecycle.launch_next_round(study)
        study.anchoring = "before"
        db.session.commit()
        token = link_token(study, expert_index=0)
        pseudonyms = [e for t in db.session.scalar(select(ThemeReview)).themes
                      for e in t["experts"]]
    open_link(client, token)
    consent(client)
    page = client.get("/respond").get_data(as_text=True)
    assert "Themes in the panel&#39;s reasons in round 1" in page or \
        "Themes in the panel's reasons in round 1" in page
    assert "Trade retaliation" in page and "experts" in page
    assert "What the panel wrote in round 1" in page  # beside: the flat list stays
    assert not any(f">{p}<" in page for p in pseudonyms)


def test_round_two_in_french_instead_of_the_flat_list(app, client, study_ids):
    s, o = study_ids["study"], study_ids["options"][0]
    with app.app_context():
        study = db.session.get(Study, s)
        owner_id = study_ids["owner"]
        theme_review.approve(study.rounds[0], study.options[0],
                             [theme_review.ThemeEdit(0, {"en": "Trade retaliation",
                                                         "fr": "Représailles commerciales"},
                                                     hide_quote=True)], actor_id=owner_id)
        theme_review.set_experts_see(study, "instead", actor_id=owner_id)
        lifecycle.launch_next_round(study)
        study.anchoring = "before"
        study.experts[0].language = "fr"
        db.session.commit()
        token = link_token(study, expert_index=0)
        hidden = themes.cached_themes(study.rounds[0]).for_option(
            study.options[0].title).themes[0].representative
    open_link(client, token)
    consent(client)
    page = client.get("/respond").get_data(as_text=True)
    assert "Représailles commerciales" in page and "Trade retaliation" not in page
    assert "Thèmes des justifications du panel au tour 1" in page
    assert "plus bas que le reste du panel" in page or "plus haut que le reste du panel" in page
    assert hidden.replace("'", "&#39;") not in page.split(f'id="option-{o}"')[1].split(
        "option-block")[0]
    # instead: option 1's flat list is replaced; option 2 has no themes and keeps its list
    assert page.count('class="panel-reasons"') == 1
