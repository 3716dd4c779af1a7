"""Journey 2: three experts answer round 1 on their phones.

One saves a draft, leaves and resumes; one makes validation errors and fixes
them without retyping; all submit; one revises.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.support import (
    answer_option,
    answer_seed,
    check_accessibility,
    docs_screenshot,
    give_consent,
    open_link,
    option_section,
)

TROOPS = "How many U.S. troops are stationed in South Korea?"
YEAR = "In what year did Seoul sever formal diplomatic ties with Taipei?"


def answer_everything(page: Page, options: list[str], *, start: int = 0) -> None:
    """Answer every option from `start` on, and both calibration questions."""
    for title in options[start:]:
        answer_option(page, title, likelihood=("20", "60", "35", "80"),
                      impact="+1 Slightly beneficial", rationale=f"My view on {title}.")
    answer_seed(page, TROOPS, "15000", "25000", "40000")
    answer_seed(page, YEAR, "1985", "1991", "1995")


def review_and_submit(page: Page, *, revised: bool = False) -> None:
    page.get_by_role("button", name="Review my changes" if revised else "Review and submit").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Every question is answered")
    check_accessibility(page)
    page.get_by_role("button", name="Submit revised answers" if revised
                     else "Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you: your answers are submitted")
           ).to_be_visible()
    check_accessibility(page)


def test_experts_answer_round_one_on_a_phone(arrange, open_page):
    stage = arrange.study()
    first, second, third = stage.options

    # Claire starts, saves a draft after one option, leaves and comes back later.
    claire = open_page("phone")
    open_link(claire, stage.links["Claire Dubois"])
    give_consent(claire)
    expect(claire.get_by_text("0 of 8 questions answered")).to_be_visible()
    check_accessibility(claire)
    answer_option(claire, first, likelihood=("10", "50", "30", "70"), impact="+2 Beneficial",
                  rationale="Costs little, signals resolve.")
    option_section(claire, first).evaluate("section => section.scrollIntoView()")
    docs_screenshot(claire, "expert-form-phone")
    claire.get_by_role("button", name="Save and finish later").click()
    expect(claire.locator("#saved-notice")).to_contain_text("Your draft is saved")
    expect(claire.get_by_text("2 of 8 questions answered", exact=True)).to_be_visible()
    check_accessibility(claire)
    claire.context.close()

    claire = open_page("phone")
    open_link(claire, stage.links["Claire Dubois"])
    expect(claire).to_have_url(re.compile(r"#option-\d+$"))  # resumes where she left off
    check_accessibility(claire)
    section = option_section(claire, first)
    expect(section.get_by_label("Lowest plausible (%)")).to_have_value("10")
    expect(section.get_by_label("Best guess (%)")).to_have_value("30")
    expect(section.get_by_role("radio", name="+2 Beneficial")).to_be_checked()
    expect(section.get_by_label("Your reasoning (optional)")).to_have_value(
        "Costs little, signals resolve.")
    answer_everything(claire, stage.options, start=1)
    review_and_submit(claire)

    # Samuel reverses his IDEA bounds and his quantiles, then fixes them.
    samuel = open_page("phone")
    open_link(samuel, stage.links["Samuel Chen"])
    give_consent(samuel)
    answer_everything(samuel, stage.options)
    answer_option(samuel, second, likelihood=("70", "20", "40", "80"))
    answer_seed(samuel, TROOPS, "40000", "25000", "15000")
    samuel.get_by_role("button", name="Review and submit").click()

    summary = samuel.get_by_role("alert").filter(has_text="Some answers need attention")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # announced and reachable at once
    expect(summary.get_by_role("link")).to_have_count(2)
    idea = option_section(samuel, second).get_by_role("group", name=re.compile("^Likelihood"))
    expect(idea).to_have_accessible_description(re.compile("lowest must not exceed the best"))
    quantiles = samuel.get_by_role("group", name=re.compile(re.escape(TROOPS)))
    expect(quantiles).to_have_accessible_description(re.compile("must increase strictly"))
    lowest = idea.get_by_label("Lowest plausible (%)")
    expect(lowest).to_have_attribute("aria-invalid", "true")  # each input says why, too
    expect(lowest).to_have_accessible_description(re.compile("lowest must not exceed"))
    expect(lowest).to_have_value("70")  # nothing lost
    expect(idea.get_by_label("Highest plausible (%)")).to_have_value("20")
    expect(quantiles.get_by_label("5 % value", exact=True)).to_have_value("40000")
    expect(option_section(samuel, third).get_by_label("Your reasoning (optional)")).to_have_value(
        f"My view on {third}.")
    check_accessibility(samuel)
    summary.get_by_role("link").first.click()
    samuel.keyboard.press("Tab")
    expect(lowest).to_be_focused()  # the summary's link leads to the field to fix
    answer_option(samuel, second, likelihood=("20", "70", "40", "80"))
    answer_seed(samuel, TROOPS, "15000", "25000", "40000")
    review_and_submit(samuel)

    # Priya answers everything, submits, then revises one estimate.
    priya = open_page("phone")
    open_link(priya, stage.links["Priya Natarajan"])
    give_consent(priya)
    answer_everything(priya, stage.options)
    review_and_submit(priya)
    expect(priya.get_by_role("status")).to_contain_text("version 1")
    priya.get_by_role("link", name="Review or revise my answers").click()
    expect(priya.get_by_text("submitted (version 1)")).to_be_visible()
    check_accessibility(priya)
    answer_option(priya, first, impact="-1 Slightly harmful")
    review_and_submit(priya, revised=True)
    expect(priya.get_by_role("status")).to_contain_text("version 2")
