"""What the journeys share: accessibility checks, docs screenshots, signing in, answering."""

from __future__ import annotations

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.reliability.server import ROOT

# axe-core rules of WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
_AXE = Axe()


class Visits:
    """The documents a page loaded, and whether each was checked with axe-core."""

    def __init__(self, page: Page) -> None:
        self.loaded: list[str] = []
        self.checked = 0
        page.on("load", lambda loaded: self.loaded.append(loaded.url.split("#")[0]))
        page.visits = self  # read by check_accessibility

    def unchecked(self) -> list[str]:
        return self.loaded[self.checked:]


def check_accessibility(page: Page) -> None:
    """Fail with the serious and critical WCAG 2.x A/AA violations axe-core finds on the page."""
    page.wait_for_load_state("load")
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
        for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)
    visits = getattr(page, "visits", None)
    if visits is not None:
        visits.checked = len(visits.loaded)


def docs_screenshot(page: Page, name: str, *, full_page: bool = False,
                    locator: Locator | None = None) -> None:
    """Save a screenshot for the README when E2E_SCREENSHOTS names a folder (`make e2e`)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return
    path = Path(folder) if Path(folder).is_absolute() else ROOT / folder
    path.mkdir(parents=True, exist_ok=True)
    target = locator if locator is not None else page
    options = {} if locator is not None else {"full_page": full_page}
    target.screenshot(path=str(path / f"{name}.png"), animations="disabled", **options)


def log_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in on /login as an organizer or analyst."""
    page.goto(base + "/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def option_section(page: Page, title: str) -> Locator:
    """The section of the expert form that asks about one option."""
    return page.get_by_role("region", name=title, exact=True)


def answer_option(page: Page, title: str, *, likelihood: tuple[str, str, str, str] | None = None,
                  impact: str | None = None, rationale: str | None = None) -> None:
    """Fill the IDEA four-step (lowest, highest, best, confidence), impact and reasoning."""
    section = option_section(page, title)
    if likelihood is not None:
        labels = ("Lowest plausible (%)", "Highest plausible (%)", "Best guess (%)",
                  "Confidence that the truth lies between your lowest and highest (50–100 %)")
        for label, value in zip(labels, likelihood, strict=True):
            section.get_by_label(label, exact=True).fill(value)
    if impact is not None:
        section.get_by_role("radio", name=impact, exact=True).check()
    if rationale is not None:
        section.get_by_label("Your reasoning (optional)").fill(rationale)


def answer_seed(page: Page, question: str, q05: str, q50: str, q95: str) -> None:
    """Give the 5 %, 50 % and 95 % values of a calibration question."""
    group = page.get_by_role("group", name=re.compile(re.escape(question)))
    group.get_by_label("5 % value", exact=True).fill(q05)
    group.get_by_label("50 % value (median)", exact=True).fill(q50)
    group.get_by_label("95 % value", exact=True).fill(q95)


def open_link(page: Page, link: str) -> None:
    """Open a personal link; the token leaves the address bar."""
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/respond"))


def give_consent(page: Page) -> None:
    """Read the briefing page and consent."""
    expect(page.get_by_role("heading", name="Briefing")).to_be_visible()
    check_accessibility(page)
    page.get_by_label(re.compile("I have read the briefing")).check()
    page.get_by_role("button", name="Continue to the questions").click()
    expect(page.get_by_role("button", name="Review and submit")).to_be_visible()
