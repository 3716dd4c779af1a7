"""Journey 3: the organizer moves to round 2; an expert revises with the panel's feedback."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import (
    answer_option,
    answer_seed,
    check_accessibility,
    log_in,
    open_link,
    option_section,
)

IDEA = (0.1, 0.5, 0.3, 0.7)  # lowest, highest, best, confidence
ROUND_ONE = {  # option position -> (likelihood, impact, rationale)
    "Claire Dubois": {1: (IDEA, 2.0, "Cheap and visible."), 2: (IDEA, 1.0, "Some gain."),
                      3: (IDEA, 0.0, "No change.")},
    "Samuel Chen": {1: (IDEA, 1.0, "Allies would welcome it."), 2: (IDEA, 1.0, "Modest."),
                    3: (IDEA, -1.0, "Provocative.")},
    "Priya Natarajan": {1: (IDEA, -1.0, "Beijing would retaliate on canola."),
                        2: (IDEA, 0.0, "Unclear."), 3: (IDEA, 1.0, "Signals resolve.")},
}


def test_round_two_shows_the_panel_feedback(live_server, arrange, open_page):
    stage = arrange.study(anchoring="after")
    arrange.submit(stage.id, ROUND_ONE)
    first = stage.options[0]

    # The organizer closes round 1 and opens round 2.
    organizer = open_page("desktop")
    log_in(organizer, live_server["base"], *arrange.organizer())
    organizer.goto(f"{live_server['base']}/studies/{stage.id}")
    check_accessibility(organizer)
    organizer.get_by_role("button", name="Close round 1 now").click()
    expect(organizer.get_by_role("heading", name="Close round 1 now?")).to_be_visible()
    check_accessibility(organizer)  # irreversible: a confirmation page first
    organizer.get_by_role("button", name="Close round 1").click()
    expect(organizer.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text(
        "closed")
    check_accessibility(organizer)
    organizer.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    expect(organizer.get_by_text("Reached consensus in round 1")).to_be_visible()
    check_accessibility(organizer)
    organizer.get_by_label("Stop asking options that reached consensus last round").uncheck()
    # The study offers French without translations: launching needs the confirmation.
    organizer.get_by_label(re.compile("^Launch with the missing translations")).check()
    organizer.get_by_role("button", name="Launch round 2").click()
    expect(organizer.get_by_role("heading", name=re.compile("^Round 2"))).to_contain_text("open")
    check_accessibility(organizer)
    organizer.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(organizer)
    row = organizer.get_by_role("row").filter(has_text="Claire Dubois")
    link = row.locator("td.link-cell").get_by_role("link").inner_text()

    # Claire (who consented in round 1: not asked again) sees her round-1 answers at once,
    # and the panel's once she has re-estimated.
    claire = open_page("phone")
    open_link(claire, link)
    expect(claire.get_by_role("heading", name="Feedback from round 1")).to_be_visible()
    check_accessibility(claire)
    section = option_section(claire, first)
    expect(section.get_by_text("Your answer in round 1:")).to_have_count(2)
    expect(section.get_by_text(re.compile("^Panel \\(3 experts\\)"))).to_have_count(0)
    answer_option(claire, first, likelihood=("10", "50", "30", "70"), impact="+2 Beneficial")
    section.get_by_role("button", name="Save my estimate and see the panel's feedback").click()
    expect(claire).to_have_url(re.compile(r"#option-\d+$"))
    check_accessibility(claire)

    section = option_section(claire, first)
    impact = section.get_by_role("group", name=re.compile("^Impact"))
    expect(impact).to_contain_text("Your answer in round 1: +2 Beneficial")
    expect(impact).to_contain_text("Panel (3 experts): median 1, middle half from 0 to 1.5")
    expect(impact.get_by_role("img", name=re.compile("How many experts answered"))
           ).to_be_visible()
    likelihood = section.get_by_role("group", name=re.compile("^Likelihood"))
    expect(likelihood).to_contain_text("best guess 30 % (from 10 % to 50 %, 70 % confident)")
    expect(likelihood).to_contain_text("median 30 %")
    section.get_by_text("What the panel wrote in round 1 (3 reasons, anonymous)").click()
    for reason in ("Cheap and visible.", "Allies would welcome it.",
                   "Beijing would retaliate on canola."):
        expect(section.locator(".panel-reasons").get_by_text(reason)).to_be_visible()
    check_accessibility(claire)

    # Persuaded by the panel, she lowers her impact estimate, answers the rest and submits.
    answer_option(claire, first, impact="+1 Slightly beneficial",
                  rationale="The retaliation risk others raise is real.")
    for title in stage.options[1:]:
        answer_option(claire, title, likelihood=("20", "60", "40", "80"), impact="0 No effect")
    answer_seed(claire, "How many U.S. troops are stationed in South Korea?", "20000", "28000",
                "35000")
    answer_seed(claire, "In what year did Seoul sever formal diplomatic ties with Taipei?",
                "1988", "1992", "1996")
    claire.get_by_role("button", name="Review and submit").click()
    expect(claire.get_by_role("heading", name="Review your answers")).to_be_visible()
    check_accessibility(claire)
    expect(claire.get_by_role("region", name=first)).to_contain_text("+1 Slightly beneficial")
    claire.get_by_role("button", name="Submit my answers").click()
    expect(claire.get_by_role("heading", name="Thank you: your answers are submitted")
           ).to_be_visible()
    check_accessibility(claire)

    organizer.goto(f"{live_server['base']}/studies/{stage.id}/rounds/2")
    expect(organizer.get_by_text("of 3 experts submitted")).to_contain_text("1 of 3")
    check_accessibility(organizer)
