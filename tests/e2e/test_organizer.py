"""Journey 1: an organizer builds a study, imports the panel and launches round 1."""

from __future__ import annotations

import email
import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.support import check_accessibility, docs_screenshot, log_in

PANEL_CSV = """name,email,affiliation,group,language
Marie Gagnon,m.gagnon@example.org,Université Laval,academia,fr
Oliver Grant,{second},Global Affairs Canada,government,en
Aiko Tanaka,a.tanaka@example.org,Asia Pacific Foundation,think tank,en
"""


def csv_file(text: str) -> dict:
    return {"name": "panel.csv", "mimeType": "text/csv", "buffer": text.encode()}


def add_option(page: Page, title: str, description: str) -> None:
    add = page.get_by_role("group").filter(has=page.get_by_text("Add an option", exact=True))
    if add.get_attribute("open") is None:
        page.get_by_text("Add an option", exact=True).click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Add option").click()
    expect(page.get_by_role("status")).to_have_text("Option added.")
    expect(page.get_by_role("rowheader", name=re.compile(re.escape(title)))).to_be_visible()
    check_accessibility(page)


def add_seed(page: Page, text: str, unit: str, scale: str, truth: str) -> None:
    page.get_by_role("link", name="Add a calibration question").click()
    check_accessibility(page)
    page.get_by_label("Question").fill(text)
    page.get_by_label("Unit").fill(unit)
    page.get_by_label(scale, exact=True).check()
    page.get_by_label("True value (never shown to experts)").fill(truth)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Calibration question saved.")
    check_accessibility(page)


def reload_until(page: Page, locator, count: int, attempts: int = 40) -> None:
    """Reload until `locator` matches `count` elements (e-mails go out after the response)."""
    for _ in range(attempts):
        try:
            expect(locator).to_have_count(count, timeout=500)
            return
        except AssertionError:
            page.reload()
    expect(locator).to_have_count(count)


def test_organizer_builds_a_study_and_launches_round_one(live_server, open_page):
    base, demo = live_server["base"], live_server["demo"]
    title = f"Arctic cooperation {secrets.token_hex(2)}"
    page = open_page("desktop")
    log_in(page, base, demo["organizer"]["email"], demo["organizer"]["password"])
    check_accessibility(page)

    # A new study.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New study").click()
    check_accessibility(page)
    # Refused first (no title): the summary takes focus, the briefing typed is kept.
    page.get_by_label("Briefing (Markdown)").fill("Draft briefing")
    page.get_by_role("button", name="Create study").click()
    summary = page.get_by_role("alert").filter(has_text="Please correct the following")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Title")).to_be_visible()
    expect(page.get_by_label("Briefing (Markdown)")).to_have_value("Draft briefing")
    check_accessibility(page)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Briefing (Markdown)").fill("## Why\nWhich Arctic options should "
                                                 "Canada pursue with its allies?")
    page.get_by_label("English").check()
    page.get_by_label("Français").check()
    page.get_by_role("button", name="Create study").click()
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    check_accessibility(page)

    # Three options, two criteria, two seed questions.
    add_option(page, "Joint Arctic patrols", "Patrol the Northwest Passage with allies.")
    add_option(page, "Arctic Council revival", "Restart the Council's working groups.")
    add_option(page, "Northern radar upgrade", "Modernise NORAD's northern warning system.")

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
        "-3: Very harmful\n0: No effect\n3: Very beneficial")
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    expect(page.get_by_role("rowheader", name="Impact")).to_be_visible()
    check_accessibility(page)

    add_seed(page, "How many kilometres long is the Northwest Passage?", "km", "Uniform",
             "1450")
    add_seed(page, "How many people live in Nunavut?", "people", "Logarithmic", "40000")
    docs_screenshot(page, "organizer-questions")

    # The panel: one bad row, reported with its line, then corrected.
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(page)
    page.get_by_role("link", name="Import experts from a CSV file").click()
    check_accessibility(page)
    page.get_by_label("CSV file").set_input_files(
        csv_file(PANEL_CSV.format(second="oliver.grant(at)example.org")))
    page.get_by_role("button", name="Check and import").click()
    problem = page.get_by_role("alert").filter(has_text="Nothing was imported")
    expect(problem).to_contain_text("Line 3")
    expect(problem).to_be_focused()
    expect(page.get_by_label("CSV file")).to_have_accessible_description(re.compile("Line 3"))
    check_accessibility(page)
    page.get_by_label("CSV file").set_input_files(
        csv_file(PANEL_CSV.format(second="o.grant@example.org")))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_have_text("Imported 3 expert(s).")
    expect(page.get_by_role("heading", name="Panel (3 experts)")).to_be_visible()
    check_accessibility(page)

    # Round 1, with the invitations e-mailed.
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    check_accessibility(page)
    expect(page.get_by_label("E-mail the invitations now")).to_be_checked()
    # English and French without translations: the completeness check lists the gaps.
    expect(page.get_by_role("heading", name=re.compile("^Completeness check"))).to_be_visible()
    page.get_by_label(re.compile("^Launch with the missing translations")).check()
    page.get_by_role("button", name="Launch round 1").click()
    expect(page.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text("open")
    check_accessibility(page)

    # The e-mail log lists the three invitations once they are delivered.
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(page)
    links = page.get_by_role("table").last.locator("td.link-cell").get_by_role("link")
    expect(links).to_have_count(3)
    panel_links = set(links.all_inner_texts())
    page.get_by_role("link", name="E-mail log").click()
    check_accessibility(page)
    sent = page.get_by_role("row").filter(has_text="invitation").filter(has_text="sent")
    reload_until(page, sent, 3)
    check_accessibility(page)

    # Each e-mail in the outbox carries the expert's personal link.
    mailed = {}
    for path in sorted(live_server["outbox"].glob("*-invitation-*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        body = message.get_body(("plain",)) if message.is_multipart() else message
        found = re.search(r"http://\S+/r/\S+", body.get_payload(decode=True).decode())
        mailed[message["To"]] = found.group(0)
    for address in ("m.gagnon@example.org", "o.grant@example.org", "a.tanaka@example.org"):
        assert mailed[address] in panel_links

    # A link opens the study for its expert.
    expert = open_page("phone")
    expert.goto(mailed["a.tanaka@example.org"])
    expect(expert.get_by_role("heading", name=title)).to_be_visible()
    check_accessibility(expert)
