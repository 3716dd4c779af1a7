"""Journeys of issue 17 (items 2-4, 7), from a study built in the browser:

- an expert's link is revoked while their page is open, a new link is issued and
  e-mailed one by one, and the expert submits through it;
- an owner invites an analyst by e-mail, who sets a password through the link in
  the outbox; the analyst later resets it through "Forgot your password?".
"""

from __future__ import annotations

import email
import re
import secrets
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.support import check_accessibility, give_consent, log_in, open_link


def _mail_link(outbox: Path, kind: str, to: str, pattern: str, *, after: set[str] = frozenset(),
               wait: float = 20.0) -> tuple[str, str]:
    """The link in the newest `kind` e-mail to `to` not in `after` (mail goes out after the
    response, from a background job); returns (file name, link)."""
    deadline = time.monotonic() + wait
    while True:
        # Outbox files are named by ids only (<id>-<kind>-<expert id>.eml): read the To header.
        found = [(p, email.message_from_bytes(p.read_bytes()))
                 for p in sorted(outbox.glob(f"*-{kind}-*.eml")) if p.name not in after]
        found = [(p, m) for p, m in found if to in str(m["To"])]
        if found:
            path, message = found[-1]
            body = message.get_body(("plain",)) if message.is_multipart() else message
            text = body.get_payload(decode=True).decode()
            return path.name, re.search(pattern, text).group(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} e-mail to {to} in {outbox}")
        time.sleep(0.25)


def _build_study(page: Page, title: str, expert_email: str) -> None:
    """A small study made in the browser: one option, one scale criterion, one expert."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Briefing (Markdown)").fill("Judge the option's impact.")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Create study").click()
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    add = page.get_by_text("Add an option", exact=True)
    if page.get_by_role("group").filter(has=add).get_attribute("open") is None:
        add.click()
    page.get_by_label("Title").fill("Arctic patrols")
    page.get_by_label("Description").fill("Patrol the passage with allies.")
    page.get_by_role("button", name="Add option").click()
    expect(page.get_by_role("status")).to_have_text("Option added.")
    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_label("Name").fill("Impact")
    page.get_by_label("Labelled scale").check()
    page.get_by_label("Lowest point").fill("-2")
    page.get_by_label("Highest point").fill("2")
    page.get_by_label(re.compile("^Labels, one per line")).fill("-2: Harmful\n2: Beneficial")
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    check_accessibility(page)
    # Removing a criterion asks first (no JavaScript involved): cancel keeps it.
    page.get_by_role("button", name="Remove Impact").click()
    expect(page.get_by_role("heading", name="Remove the criterion “Impact”?")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("rowheader", name="Impact")).to_be_visible()

    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    page.get_by_label("Name").fill("Léa Martin")
    page.get_by_label("E-mail").fill(expert_email)
    page.get_by_label("Stakeholder group").fill("academia")
    page.get_by_label("Self-rated expertise (1 to 5)").select_option("4")
    page.get_by_role("button", name="Add expert").click()
    expect(page.get_by_role("status")).to_have_text("Léa Martin added to the panel.")
    check_accessibility(page)
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    page.get_by_label("E-mail the invitations now").uncheck()
    page.get_by_role("button", name="Launch round 1").click()
    expect(page.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text("open")


def test_revoke_then_new_link_then_the_expert_submits(live_server, open_page):
    base, demo, outbox = live_server["base"], live_server["demo"], live_server["outbox"]
    tag = secrets.token_hex(3)
    expert_email = f"lea.{tag}@example.org"
    organizer = open_page("desktop")
    log_in(organizer, base, demo["organizer"]["email"], demo["organizer"]["password"])
    _build_study(organizer, f"Arctic links {tag}", expert_email)

    nav = organizer.get_by_role("navigation", name="Study")
    nav.get_by_role("link", name="Panel").click()
    row = organizer.get_by_role("row").filter(has_text="Léa Martin")
    expect(row).to_contain_text("academia")
    expect(row).to_contain_text("English")
    expect(row.get_by_role("cell", name="4", exact=True)).to_be_visible()
    check_accessibility(organizer)
    first_link = row.locator("td.link-cell a").inner_text()

    # Léa opens her link and keeps the page open.
    expert = open_page("phone")
    open_link(expert, first_link)
    give_consent(expert)

    # The organizer revokes it: a confirmation page first.
    row.get_by_role("button", name="Revoke link of Léa Martin").click()
    expect(organizer.get_by_role("heading", name="Revoke the link of Léa Martin?")
           ).to_be_visible()
    check_accessibility(organizer)
    organizer.get_by_role("button", name="Revoke the link of Léa Martin").click()
    expect(organizer.get_by_role("status")).to_contain_text("Link of Léa Martin revoked")
    expect(row).to_contain_text("link revoked")
    expect(row.get_by_role("button", name="Revoke link of Léa Martin")).to_have_count(0)
    check_accessibility(organizer)

    # Her open page now answers with elicit's own 410 page.
    response = expert.reload()
    assert response.status == 410
    expect(expert.get_by_role("heading", name="This link is no longer valid")).to_be_visible()
    expect(expert.get_by_text("Answers you saved are kept")).to_be_visible()
    check_accessibility(expert)

    # A new link, e-mailed to her alone.
    row.get_by_role("button", name="New link for Léa Martin").click()
    expect(organizer.get_by_role("status")).to_contain_text("New link issued for Léa Martin")
    row.get_by_role("button", name="Send invitation now to Léa Martin").click()
    expect(organizer.get_by_role("status")).to_contain_text("Invitation to Léa Martin queued")
    check_accessibility(organizer)
    _, mailed = _mail_link(outbox, "invitation", expert_email, r"http://\S+/r/\S+")
    assert mailed != first_link
    expect(row.locator("td.link-cell a")).to_have_text(mailed)

    expert.context.close()
    expert = open_page("phone")
    open_link(expert, mailed)
    expect(expert.get_by_role("button", name="Review and submit")).to_be_visible()
    check_accessibility(expert)
    section = expert.get_by_role("region", name="Arctic patrols", exact=True)
    section.get_by_role("radio", name=re.compile("Beneficial")).check()
    expert.get_by_role("button", name="Review and submit").click()
    expect(expert.get_by_role("heading", name="Review your answers")).to_be_visible()
    check_accessibility(expert)
    expert.get_by_role("button", name="Submit my answers").click()
    expect(expert.get_by_role("heading", name="Thank you: your answers are submitted")
           ).to_be_visible()
    check_accessibility(expert)

    organizer.reload()
    expect(row).to_contain_text("submitted")
    expect(organizer.get_by_role("button", name="Invitations: nothing to send")).to_be_disabled()
    expect(organizer.get_by_role("button", name="Reminders: nothing to send")).to_be_disabled()
    check_accessibility(organizer)

    # Closing the round asks first, too.
    nav.get_by_role("link", name="Overview").click()
    organizer.get_by_role("button", name="Close round 1 now").click()
    expect(organizer.get_by_role("heading", name="Close round 1 now?")).to_be_visible()
    check_accessibility(organizer)
    organizer.get_by_role("button", name="Close round 1").click()
    expect(organizer.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text(
        "closed")
    check_accessibility(organizer)


def test_team_invitation_and_password_reset_through_the_outbox(live_server, open_page):
    base, demo, outbox = live_server["base"], live_server["demo"], live_server["outbox"]
    tag = secrets.token_hex(3)
    analyst_email = f"nadia.{tag}@example.org"
    title = f"Arctic team {tag}"
    owner = open_page("desktop")
    log_in(owner, base, demo["organizer"]["email"], demo["organizer"]["password"])
    owner.get_by_role("navigation", name="Main").get_by_role("link", name="New study").click()
    owner.get_by_label("Title").fill(title)
    owner.get_by_label("English").check()
    owner.get_by_role("button", name="Create study").click()
    expect(owner.get_by_role("heading", name="Questions", exact=True)).to_be_visible()

    owner.get_by_role("navigation", name="Study").get_by_role("link", name="Team").click()
    expect(owner.get_by_label("Role", exact=True)).to_have_value("analyst")  # the least privilege
    check_accessibility(owner)
    owner.get_by_label("E-mail", exact=True).fill(analyst_email)
    owner.get_by_label("Name (for a new account, optional)").fill("Nadia Roy")
    owner.get_by_role("button", name="Invite").click()
    expect(owner.get_by_role("status")).to_contain_text(f"{analyst_email} invited as analyst")
    expect(owner.get_by_role("rowheader", name=re.compile("Nadia Roy"))).to_be_visible()
    check_accessibility(owner)

    _, link = _mail_link(outbox, "account_invite", analyst_email, r"http://\S+/password/set/\S+")
    analyst = open_page("phone")
    analyst.goto(link)
    expect(analyst.get_by_role("heading", name="Welcome: choose your password")).to_be_visible()
    check_accessibility(analyst)
    analyst.get_by_label("New password (at least 10 characters)").fill("first passphrase 1")
    analyst.get_by_label("New password again").fill("first passphrase 1")
    analyst.get_by_role("button", name="Set password and sign in").click()
    expect(analyst.get_by_role("status")).to_have_text("Your password is set. You are signed in.")
    check_accessibility(analyst)
    analyst.get_by_role("link", name=title).click()
    study_nav = analyst.get_by_role("navigation", name="Study")
    expect(study_nav.get_by_role("link", name="Results")).to_be_visible()
    for tab in ("Questions", "Panel", "Team", "Audit log"):  # nothing that would answer 403
        expect(study_nav.get_by_role("link", name=tab)).to_have_count(0)
    check_accessibility(analyst)
    analyst.get_by_role("link", name="Account").click()
    expect(analyst.get_by_role("link", name="Personal API tokens")).to_be_visible()
    check_accessibility(analyst)

    # The link works once.
    assert analyst.goto(link).status == 410
    check_accessibility(analyst)

    # Later, a forgotten password.
    analyst.context.close()
    analyst = open_page("desktop")
    analyst.goto(base + "/login")
    check_accessibility(analyst)
    analyst.get_by_role("link", name="Forgot your password?").click()
    check_accessibility(analyst)
    analyst.get_by_label("E-mail of your account").fill(analyst_email)
    analyst.get_by_role("button", name="Send the link").click()
    expect(analyst.get_by_role("status")).to_contain_text("If an account uses this address")
    check_accessibility(analyst)
    _, reset = _mail_link(outbox, "password_reset", analyst_email, r"http://\S+/password/set/\S+")
    analyst.goto(reset)
    expect(analyst.get_by_role("heading", name="Choose a new password")).to_be_visible()
    check_accessibility(analyst)
    analyst.get_by_label("New password (at least 10 characters)").fill("second passphrase 2")
    analyst.get_by_label("New password again").fill("second passphrase 2")
    analyst.get_by_role("button", name="Set password and sign in").click()
    expect(analyst.get_by_role("status")).to_have_text("Your password is set. You are signed in.")
    check_accessibility(analyst)
    analyst.get_by_role("button", name="Sign out").click()
    check_accessibility(analyst)
    log_in(analyst, base, analyst_email, "second passphrase 2")
    check_accessibility(analyst)
