"""Journey: a round built in the browser closes, and its reminder goes out, by the scheduler alone.

A server of its own (2 gunicorn workers, no Redis, no cron) whose clock the
test moves forward through TEST_CLOCK_FILE; SCHEDULER_INTERVAL=1 so the
workers' scheduler threads notice within a second or two. Both workers tick:
the reminder must still reach each expert once.
"""

from __future__ import annotations

import email
import json
import os
import re
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from elicit.services.common import clock
from tests.e2e.conftest import SERVER_ENV, _require_chromium
from tests.e2e.support import check_accessibility, log_in
from tests.e2e.test_organizer import add_option, csv_file, reload_until
from tests.reliability.server import ROOT, gunicorn

PANEL = """name,email,affiliation,group,language
Ines Moreau,ines.moreau@example.org,Carleton University,academia,en
Rafael Ortiz,rafael.ortiz@example.org,DND,government,en
"""


@pytest.fixture(scope="module")
def clocked_server(tmp_path_factory):
    """A server of this journey's own, with a settable clock; its URL, logins, folders."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("e2e-clock")
    database_url = f"sqlite:///{folder / 'clock.sqlite'}"
    secret = secrets.token_hex(32)
    extra = {**SERVER_ENV, "MAIL_OUTBOX_DIR": str(folder / "outbox"),
             "TEST_CLOCK_FILE": str(folder / "clock"), "SCHEDULER_INTERVAL": "1"}
    env = {**os.environ, **extra, "DATABASE_URL": database_url, "SECRET_KEY": secret}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    log = folder / "gunicorn.log"
    with gunicorn(database_url, secret, workers=2, extra_env=extra, log_path=log) as (base, _):
        demo = subprocess.run([*flask, "demo", "--json"], cwd=ROOT,
                              env={**env, "BASE_URL": base}, check=True,
                              capture_output=True, text=True)
        yield {"base": base, "demo": json.loads(demo.stdout), "outbox": folder / "outbox",
               "clock": folder / "clock", "log": log}
    assert " 500 " not in log.read_text() and "Traceback" not in log.read_text()


def test_the_scheduler_sends_the_reminder_and_closes_the_round(clocked_server, open_page):
    base, demo = clocked_server["base"], clocked_server["demo"]
    title = f"Arctic deadline {secrets.token_hex(2)}"
    page = open_page("desktop")
    log_in(page, base, demo["organizer"]["email"], demo["organizer"]["password"])
    check_accessibility(page)

    # A small study built in the browser: one option, one scale criterion, a panel of two.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New study").click()
    check_accessibility(page)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Briefing (Markdown)").fill("Which Arctic option should Canada pursue?")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Create study").click()
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    check_accessibility(page)
    add_option(page, "Joint Arctic patrols", "Patrol the Northwest Passage with allies.")
    page.get_by_role("link", name="Add a criterion").click()
    check_accessibility(page)
    page.get_by_label("Name").fill("Impact")
    page.get_by_label("Labelled scale").check()
    page.get_by_label("Lowest point").fill("-3")
    page.get_by_label("Highest point").fill("3")
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    check_accessibility(page)
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(page)
    page.get_by_role("link", name="Import experts from a CSV file").click()
    check_accessibility(page)
    page.get_by_label("CSV file").set_input_files(csv_file(PANEL))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_have_text("Imported 2 expert(s).")
    check_accessibility(page)

    # Launch round 1: a reminder without a deadline is refused next to the field first.
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    check_accessibility(page)
    page.get_by_label("1 day before the deadline").check()
    page.get_by_role("button", name="Launch round 1").click()
    expect(page.locator("#remind_days-error")).to_contain_text("give a closing time")
    expect(page.get_by_label("1 day before the deadline")).to_be_checked()
    check_accessibility(page)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    deadline = now + timedelta(days=5)
    page.get_by_label("Closes at (UTC, optional)").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("3 days before the deadline").check()
    page.get_by_role("button", name="Launch round 1").click()
    expect(page.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text("open")
    reminders = page.get_by_role("list").filter(has_text="before the deadline:")
    expect(reminders).to_contain_text(
        f"1 day before the deadline: planned for "
        f"{(deadline - timedelta(days=1)).strftime('%Y-%m-%d %H:%M')} UTC")
    check_accessibility(page)
    round_url = page.url

    # Two days before the deadline (frozen clock): the 3-day reminder goes out, once.
    clock.freeze(clocked_server["clock"], deadline - timedelta(days=2, hours=23))
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    check_accessibility(page)
    page.get_by_role("link", name="E-mail log").click()
    sent = page.get_by_role("row").filter(has_text="reminder").filter(has_text="sent")
    reload_until(page, sent, 2)
    check_accessibility(page)
    page.goto(round_url)
    expect(reminders).to_contain_text("3 days before the deadline: sent")
    expect(reminders).to_contain_text("to 2 experts")
    expect(page.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text("open")
    check_accessibility(page)
    mailed = [email.message_from_bytes(p.read_bytes())["To"]
              for p in clocked_server["outbox"].glob("*-reminder-*.eml")]
    assert sorted(mailed) == ["ines.moreau@example.org", "rafael.ortiz@example.org"]

    # Past the deadline: the round closes by itself.
    clock.freeze(clocked_server["clock"], deadline + timedelta(minutes=1))
    heading = page.get_by_role("heading", name=re.compile("^Round 1"))
    for _ in range(40):
        page.reload()
        if "closed" in heading.inner_text():
            break
        page.wait_for_timeout(500)
    expect(heading).to_contain_text("closed")
    closed_at = (deadline + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    expect(page.get_by_text(f"closed {closed_at} UTC")).to_be_visible()
    # The 1-day reminder was never due before the round closed.
    expect(reminders).to_contain_text("1 day before the deadline: not sent")
    check_accessibility(page)
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Audit log").click()
    check_accessibility(page)
    closing = page.get_by_role("row").filter(has_text="Closed a round")
    expect(closing).to_have_count(1)
    expect(closing).to_contain_text("system")
    expect(closing).to_contain_text("Round 1")
    expect(closing).to_contain_text("reason: deadline")
    reminded = page.get_by_role("row").filter(has_text="Sent the planned reminder")
    expect(reminded).to_have_count(1)
    expect(reminded).to_contain_text("days before: 3")
    assert len(list(clocked_server["outbox"].glob("*-reminder-*.eml"))) == 2

    # Between rounds the rule may change, with a reason (a protocol change).
    study_url = round_url.rsplit("/rounds/", 1)[0]
    page.goto(study_url + "/consensus")
    expect(page.get_by_text("protocol change", exact=False).first).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Interquartile range at most the threshold").check()
    page.get_by_label("Threshold", exact=True).fill("1")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("#reason-error")).to_contain_text("Say why the rule changes")
    check_accessibility(page)
    page.get_by_label(re.compile("^Why the rule changes")).fill("The panel asked for it.")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status")).to_have_text("Consensus rule saved.")
    check_accessibility(page)

    # Done: finish the study; it is read-only, its results stay.
    page.get_by_role("button", name="Finish the study").click()
    expect(page.locator("#finished-notice")).to_contain_text("This study is finished")
    expect(page.get_by_role("link", name=re.compile("^Launch round"))).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    expect(page.get_by_text("This study is finished and read-only").first).to_be_visible()
    expect(page.get_by_role("button", name="Launch round 2")).to_have_count(0)
    check_accessibility(page)
    # A form still on screen refuses with the reason (here: adding an option).
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Questions").click()
    check_accessibility(page)
    page.get_by_text("Add an option", exact=True).click()
    page.get_by_label("Title").fill("Icebreaker fleet")
    page.get_by_role("button", name="Add option").click()
    expect(page.get_by_role("alert")).to_contain_text("This study is finished and read-only")
    expect(page.locator("#finished-notice")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page)
