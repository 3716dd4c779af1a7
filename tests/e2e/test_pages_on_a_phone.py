"""Every organizer and analyst page of the demo study, on a phone, passes axe-core.

The journeys check the pages they pass through; this sweep covers the rest at
360 px, where wide tables must scroll (and so must be reachable by keyboard),
with every <details> opened so that folded content is checked too.
"""

from __future__ import annotations

from tests.e2e.support import check_accessibility, log_in

STUDY_PAGES = ["", "/edit", "/delete", "/questions", "/criteria/new", "/seeds/new",
               "/options/import", "/consensus", "/mail", "/panel", "/panel/import",
               "/panel/outbox", "/panel/experts/1/edit", "/panel/experts/1/withdraw",
               "/rounds/launch", "/rounds/1", "/team", "/audit", "/results",
               "/results?method=median", "/results/calibration",
               "/results/calibration/robustness", "/downloads/report",
               "/translations", "/translations/fr", "/preview", "/preview?lang=fr"]
OTHER_PAGES = ["/studies", "/studies/new", "/studies/import", "/account", "/account/tokens"]


def test_every_organizer_page_on_a_phone(live_server, open_page):
    base, demo = live_server["base"], live_server["demo"]
    page = open_page("phone")
    log_in(page, base, demo["organizer"]["email"], demo["organizer"]["password"])
    study = f"{base}/studies/{demo['study']['id']}"
    for url in [study + path for path in STUDY_PAGES] + [base + path for path in OTHER_PAGES]:
        response = page.goto(url)
        assert response is not None and response.ok, url
        page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
        check_accessibility(page)
    page.goto(study + "/results")
    check_accessibility(page)
    page.get_by_role("link", name="Rationales").first.click()
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    check_accessibility(page)
