"""Journey: on a phone, an organizer reviews round 1's themes; an expert sees them in round 2."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.support import check_accessibility, log_in, open_link


def _arrange(arrange) -> dict:
    """A study whose round 1 (12 themed rationales, EN and FR) is closed, its themes computed."""
    from elicit.extensions import db
    from elicit.models import User
    from elicit.services.rounds import lifecycle
    from tests.themes_helpers import themed_study

    email, _password = arrange.organizer()
    with arrange.app.app_context():
        owner = db.session.query(User).filter_by(email=email).one()
        study = themed_study(owner)
        study.anchoring = "before"
        db.session.commit()
        lifecycle.close_round(study)  # the themes job runs here (sync backend) into the database
        return {"id": study.id, "option": study.options[0].id}


def _launch(arrange, study_id: int) -> str:
    from elicit.extensions import db
    from elicit.models import Study
    from elicit.services.panel import experts
    from elicit.services.rounds import lifecycle

    with arrange.app.app_context():
        round_ = lifecycle.launch_next_round(db.session.get(Study, study_id))
        return experts.links_for_round(round_)[0].link


def test_review_then_round_two_on_a_phone(live_server, arrange, open_page):
    stage = _arrange(arrange)
    base, option = live_server["base"], stage["option"]
    organizer = open_page("phone")
    log_in(organizer, base, *arrange.organizer())
    organizer.goto(f"{base}/studies/{stage['id']}/themes?round=1")
    expect(organizer.get_by_role("heading", name="Rationale themes of round 1")).to_be_visible()
    organizer.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    check_accessibility(organizer)
    organizer.locator(f"#o{option}-t0_label_en").fill("Trade retaliation")
    organizer.locator(f"#o{option}-t0_label_fr").fill("Représailles commerciales")
    organizer.locator(f"#o{option}-t1_hide").check()
    organizer.get_by_role("button", name="Approve these themes").click()
    expect(organizer.get_by_text("approved.", exact=False).first).to_be_visible()
    check_accessibility(organizer)
    organizer.get_by_label("Yes, beside the flat list of rationales").check()
    organizer.get_by_role("button", name="Save the setting").click()
    expect(organizer.get_by_text("Saved.")).to_be_visible()
    check_accessibility(organizer)

    link = _launch(arrange, stage["id"])
    expert = open_page("phone")
    open_link(expert, link)
    check_accessibility(expert)
    consent = expert.get_by_role("button", name="Continue to the questions")
    if consent.is_visible():  # consent given in round 1 carries over unless its text changed
        expert.get_by_label("I have read the briefing", exact=False).check()
        consent.click()
    themes = expert.get_by_role("region", name="Themes in the panel's reasons in round 1")
    expect(themes.first).to_be_visible()
    expect(themes.first.get_by_text("Trade retaliation")).to_be_visible()
    check_accessibility(expert)
    width = expert.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"
