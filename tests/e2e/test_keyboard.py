"""Journey 5: an expert completes the whole form with the keyboard alone.

Tab, Space, Enter and the arrow keys only; focus visits the controls in the
order they are read, and every step lands where the eye expects it.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import check_accessibility, open_link, option_section


def tab(page: Page, expected: Locator) -> None:
    """Press Tab once: focus must land on `expected` (the focus order is the reading order)."""
    page.keyboard.press("Tab")
    expect(expected).to_be_focused()


def tab_until(page: Page, expected: Locator, presses: int = 12) -> None:
    """Press Tab until `expected` has focus (past links in the briefing, say)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if expected.evaluate("node => node === document.activeElement"):
            return
    expect(expected).to_be_focused()


def type_into(page: Page, field: Locator, text: str) -> None:
    tab(page, field)
    page.keyboard.type(text)


def answer_option_by_keyboard(page: Page, title: str) -> None:
    section = option_section(page, title)
    for label, value in (("Lowest plausible (%)", "15"), ("Highest plausible (%)", "55"),
                         ("Best guess (%)", "30"), ("Confidence that the truth lies between "
                                                    "your lowest and highest (50–100 %)", "80")):
        type_into(page, section.get_by_label(label, exact=True), value)
    likelihood = section.get_by_role("group", name=re.compile("^Likelihood"))
    tab(page, likelihood.get_by_label("I don't know / abstain"))
    tab(page, section.get_by_role("radio", name="-3 Very harmful"))  # the scale: one tab stop
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(section.get_by_role("radio", name="+2 Beneficial")).to_be_checked()
    expect(section.get_by_role("radio", name="+2 Beneficial")).to_be_focused()
    impact = section.get_by_role("group", name=re.compile("^Impact"))
    tab(page, impact.get_by_label("I don't know / abstain"))
    type_into(page, section.get_by_label("Your reasoning (optional)"), "Typed without a mouse.")
    tab(page, section.get_by_role("radio", name="1 – little"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(section.get_by_role("radio", name="3 – working knowledge")).to_be_checked()


def test_expert_answers_with_the_keyboard_only(arrange, open_page):
    stage = arrange.study(options=2, seeds=1)
    page = open_page("desktop")
    open_link(page, stage.links["Samuel Chen"])
    check_accessibility(page)

    # The skip link comes first and leads into the page.
    tab(page, page.get_by_role("link", name="Skip to content"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    consent = page.get_by_label(re.compile("I have read the briefing"))
    tab_until(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    tab(page, page.get_by_role("button", name="Continue to the questions"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("0 of 5 questions answered")).to_be_visible()
    check_accessibility(page)

    tab(page, page.get_by_role("link", name="Skip to content"))
    page.keyboard.press("Enter")
    tab(page, page.get_by_text("Read the briefing again"))
    for title in stage.options:
        answer_option_by_keyboard(page, title)

    seed = page.get_by_role("group", name=re.compile("How many U.S. troops"))
    for label, value in (("5 % value", "15000"), ("50 % value (median)", "27000"),
                         ("95 % value", "40000")):
        type_into(page, seed.get_by_label(label, exact=True), value)
    tab(page, seed.get_by_label("I don't know / abstain"))
    tab(page, page.get_by_role("button", name="Save and finish later"))
    tab(page, page.get_by_role("button", name="Review and submit"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Every question is answered")
    check_accessibility(page)
    submit = page.get_by_role("button", name="Submit my answers")
    tab_until(page, submit, presses=20)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you: your answers are submitted")
           ).to_be_visible()
    check_accessibility(page)
