"""Issue 17, items 12-16: from a study built in the browser, an expert saves a partial draft
with one bad box, reviews at 1280 px and 360 px, and answers round 2 from their own
pre-filled answers; closing the tab keeps what was typed (automatic save)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.support import (
    answer_option,
    answer_seed,
    check_accessibility,
    give_consent,
    log_in,
    open_link,
    option_section,
)
from tests.e2e.test_organizer import add_option, add_seed, csv_file

SEED = ("Over how many kilometres does the Northwest Passage run between Baffin Bay and "
        "the Beaufort Sea, following the usual deep-water route?")
OPTIONS = ("Joint Arctic patrols", "Arctic Council revival")


def _build_study(page: Page, base: str, title: str, emails: list[str]) -> None:
    """New study, two options, IDEA likelihood, −3…+3 impact, a long calibration question,
    three experts from a CSV, round 1 launched — all in the browser."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Briefing (Markdown)").fill("Which Arctic options should Canada pursue?")
    expect(page.get_by_label(re.compile("^Round 2 and later: fill in"))).to_be_checked()
    check_accessibility(page)
    page.get_by_role("button", name="Create study").click()
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    check_accessibility(page)
    add_option(page, OPTIONS[0], "Patrol the Northwest Passage with allies.")
    add_option(page, OPTIONS[1], "Restart the Council's working groups.")
    page.get_by_role("link", name="Add a criterion").click()
    check_accessibility(page)
    page.get_by_label("Name").fill("Likelihood")
    page.get_by_label("Question shown to experts").fill("How likely is it to succeed?")
    page.get_by_label("Probability (0–100 %)").check()
    page.get_by_label(re.compile("Ask the IDEA four-step")).check()
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    check_accessibility(page)
    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_label("Name").fill("Impact")
    page.get_by_label("Labelled scale").check()
    page.get_by_label("Lowest point").fill("-3")
    page.get_by_label("Highest point").fill("3")
    page.get_by_label(re.compile("^Labels, one per line")).fill(
        "-3: Very harmful\n0: No effect\n1: Slightly beneficial\n2: Beneficial\n"
        "3: Very beneficial")
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    check_accessibility(page)
    add_seed(page, SEED, "km", "Uniform", "1450")
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(page)
    page.get_by_role("link", name="Import experts from a CSV file").click()
    check_accessibility(page)
    rows = "\n".join(f"{name},{mail},Somewhere,academia,en" for name, mail in
                     zip(("Claire Dubois", "Samuel Chen", "Priya Natarajan"), emails,
                         strict=True))
    page.get_by_label("CSV file").set_input_files(
        csv_file("name,email,affiliation,group,language\n" + rows + "\n"))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_have_text("Imported 3 expert(s).")
    check_accessibility(page)
    _launch(page, 1)


def _launch(page: Page, number: int) -> None:
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    check_accessibility(page)
    retire = page.get_by_label("Stop asking options that reached consensus last round")
    if retire.count():
        retire.uncheck()
    page.get_by_label("E-mail the invitations now").uncheck()
    page.get_by_role("button", name=f"Launch round {number}").click()
    expect(page.get_by_role("heading", name=re.compile(f"^Round {number}"))).to_contain_text(
        "open")
    check_accessibility(page)


def _link_of(page: Page, name: str) -> str:
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(page)
    row = page.get_by_role("row").filter(has_text=name)
    return row.locator("td.link-cell").get_by_role("link").inner_text()


def _study_id(page: Page) -> int:
    return int(re.search(r"/studies/(\d+)", page.url).group(1))


def _column_widths(page: Page) -> list[float]:
    """Widths (px) of the answers in the calibration part of the review page."""
    return page.locator("section[aria-labelledby=review-seeds] dd").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width)")


def test_partial_draft_review_layout_and_round_two(live_server, arrange, open_page):
    base = live_server["base"]
    tag = secrets.token_hex(3)
    emails = [f"{who}.{tag}@example.org" for who in ("claire", "samuel", "priya")]
    organizer = open_page("desktop")
    log_in(organizer, base, *arrange.organizer())
    _build_study(organizer, base, f"Arctic drafts {tag}", emails)
    study_id = _study_id(organizer)
    link = _link_of(organizer, "Claire Dubois")

    # Round 1: one bad box among valid answers; the draft keeps everything.
    claire = open_page("desktop")
    open_link(claire, link)
    give_consent(claire)
    answer_option(claire, OPTIONS[0], likelihood=("10", "50", "30", "70"), impact="+2 Beneficial",
                  rationale="Costs little, signals resolve.")
    answer_option(claire, OPTIONS[1], likelihood=("abc", "60", "40", "80"), impact="0 No effect")
    answer_seed(claire, SEED, "1000", "1450", "2000")
    claire.get_by_role("button", name="Save and finish later").click()
    expect(claire.locator("#saved-notice")).to_contain_text(
        "Your draft is saved: 4 of 5 questions answered. 1 answer was not saved")
    summary = claire.get_by_role("alert").filter(has_text="Some answers need attention")
    expect(summary).to_contain_text(
        f"{OPTIONS[1]} — Likelihood: Lowest plausible (%): Enter a number")
    check_accessibility(claire)
    claire.reload()
    second = option_section(claire, OPTIONS[1])
    lowest = second.get_by_label("Lowest plausible (%)", exact=True)
    expect(lowest).to_have_value("abc")
    expect(lowest).to_have_attribute("aria-invalid", "true")
    expect(second.get_by_label("Best guess (%)", exact=True)).to_have_value("40")
    expect(option_section(claire, OPTIONS[0]).get_by_label("Best guess (%)", exact=True)
           ).to_have_value("30")
    expect(claire.get_by_text("4 of 5 questions answered", exact=True)).to_be_visible()
    check_accessibility(claire)

    # Fixed, reviewed at 1280 px and 360 px: the calibration answers get room.
    lowest.fill("20")
    claire.get_by_role("button", name="Review and submit").click()
    expect(claire.get_by_role("heading", name="Review your answers")).to_be_visible()
    check_accessibility(claire)
    assert min(_column_widths(claire)) > 600, _column_widths(claire)
    dt = claire.locator(".review-block dt").first
    assert dt.evaluate("e => e.getBoundingClientRect().width") <= 0.4 * 1280
    claire.set_viewport_size({"width": 360, "height": 740})
    assert min(_column_widths(claire)) > 280, _column_widths(claire)
    assert claire.evaluate("document.documentElement.scrollWidth") <= 360
    check_accessibility(claire)
    claire.set_viewport_size({"width": 1280, "height": 900})
    claire.get_by_role("button", name="Submit my answers").click()
    expect(claire.get_by_role("heading", name="Thank you: your answers are submitted")
           ).to_be_visible()
    check_accessibility(claire)

    # Two more experts submit; the organizer closes round 1 and launches round 2.
    idea = (0.2, 0.6, 0.4, 0.8)
    arrange.submit(study_id, {"Samuel Chen": {1: (idea, 1.0, "Allies like it."),
                                              2: (idea, 0.0, "Unclear.")},
                              "Priya Natarajan": {1: (idea, 2.0, "Visible."),
                                                  2: (idea, -1.0, "Costly.")}})
    organizer.goto(f"{base}/studies/{study_id}")
    organizer.get_by_role("button", name="Close round 1 now").click()
    expect(organizer.get_by_role("heading", name="Close round 1 now?")).to_be_visible()
    organizer.get_by_role("button", name="Close round 1").click()  # the confirmation page
    expect(organizer.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text(
        "closed")
    check_accessibility(organizer)
    _launch(organizer, 2)
    link = _link_of(organizer, "Claire Dubois")

    # Round 2 on a phone: no consent again, own answers beside each question and filled in.
    phone = open_page("phone")
    open_link(phone, link)
    expect(phone.get_by_role("button", name="Review and submit")).to_be_visible()
    expect(phone.get_by_text(re.compile("Your answers from round 1 are filled in"))
           ).to_be_visible()
    first = option_section(phone, OPTIONS[0])
    likelihood = first.get_by_role("group", name=re.compile("^Likelihood"))
    expect(likelihood).to_contain_text(
        "Your answer in round 1: best guess 30 % (from 10 % to 50 %, 70 % confident)")
    expect(likelihood.get_by_label("Best guess (%)", exact=True)).to_have_value("30")
    impact = first.get_by_role("group", name=re.compile("^Impact"))
    expect(impact).to_contain_text("Your answer in round 1: +2 Beneficial")
    expect(impact.get_by_role("radio", name="+2 Beneficial", exact=True)).to_be_checked()
    expect(first.get_by_text("Your reasoning in round 1:")).to_be_visible()
    expect(first.get_by_label("Your reasoning (optional)")).to_have_value(
        "Costs little, signals resolve.")
    check_accessibility(phone)

    # She reveals the panel's feedback: the chart marks her own previous answer.
    first.get_by_role("button", name="Save my estimate and see the panel's feedback").click()
    first = option_section(phone, OPTIONS[0])
    chart = first.get_by_role("group", name=re.compile("^Impact")).get_by_role(
        "img", name=re.compile("How many experts answered"))
    expect(chart).to_be_visible()
    expect(chart.locator(".dist-bar-own")).to_have_count(1)
    expect(first.get_by_text("▲ outlined bar: your answer in round 1.").first).to_be_visible()
    check_accessibility(phone)

    # She changes her reasoning and closes the tab: the automatic save keeps it.
    first.get_by_label("Your reasoning (optional)").fill("Allies' views changed my mind.")
    context = phone.context
    phone.close(run_before_unload=True)
    again = context.new_page()
    for _attempt in range(20):
        again.goto(f"{base}/respond")
        if again.get_by_label("Your reasoning (optional)").first.input_value() == (
                "Allies' views changed my mind."):
            break
        again.wait_for_timeout(250)
    expect(option_section(again, OPTIONS[0]).get_by_label("Your reasoning (optional)")
           ).to_have_value("Allies' views changed my mind.")
    check_accessibility(again)
