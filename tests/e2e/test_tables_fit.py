"""Issue 20.6: result tables fit the viewport; only the table's own region scrolls.

Measured in Chromium at 1280 px and 360 px on the demo's results page: the
page never scrolls sideways, every table region lies inside the viewport,
option names wrap onto at most two lines at 1280 px, and each option's
Rationales link can be reached without scrolling the page sideways.
"""

from __future__ import annotations

import pytest

from tests.e2e.support import check_accessibility, log_in

MEASURE = """() => {
  const view = document.documentElement.clientWidth;
  const regions = [...document.querySelectorAll('.table-scroll')].map(r => {
    const box = r.getBoundingClientRect();
    return {left: box.left, right: box.right, scrolls: r.scrollWidth > r.clientWidth};
  });
  const lines = [...document.querySelectorAll('table.ranking tbody th[scope=row]')].map(th => {
    // the option name's text: one client rect per line it occupies
    const range = document.createRange();
    range.selectNodeContents(th);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  });
  return {view, page: document.documentElement.scrollWidth, regions, lines};
}"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_results_tables_fit_the_viewport(live_server, open_page, viewport):
    base, demo = live_server["base"], live_server["demo"]
    page = open_page(viewport)
    log_in(page, base, demo["organizer"]["email"], demo["organizer"]["password"])
    for path in ("/results", "/downloads/report"):
        page.goto(f"{base}/studies/{demo['study']['id']}{path}")
        check_accessibility(page)
        sizes = page.evaluate(MEASURE)
        assert sizes["page"] <= sizes["view"], (path, sizes)  # no sideways page scroll
        for region in sizes["regions"]:
            assert region["left"] >= 0 and region["right"] <= sizes["view"] + 0.5, (path, region)
        if viewport == "desktop" and path == "/results":
            assert sizes["lines"] and max(sizes["lines"]) <= 2, sizes["lines"]
    page.goto(f"{base}/studies/{demo['study']['id']}/results")
    links = page.locator("table.ranking a", has_text="Rationales")
    assert links.count() == 10
    for n in range(links.count()):
        link = links.nth(n)
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        view = page.viewport_size
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= view["width"]
        assert page.evaluate("window.scrollX") == 0
    links.first.click()
    page.wait_for_load_state("load")
    assert "/options/" in page.url
    check_accessibility(page)
