"""Journey 4: an analyst reads the results, switches the method and takes the files away."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from tests.e2e.arrange import PANEL
from tests.e2e.support import check_accessibility, docs_screenshot, log_in

# Expert score = likelihood × impact. Option 1 has two enthusiasts among five
# experts: its mean score (1.38) beats option 2's steady 1.0, its median (0.5)
# does not. Option 3 is last either way.
ENTHUSIAST = {1: (0.9, 3.0, "A game changer."), 2: (0.5, 2.0, "Solid."),
              3: (0.2, -1.0, "Backfires.")}
SCEPTIC = {1: (0.5, 1.0, "Overrated."), 2: (0.5, 2.0, "Solid."), 3: (0.2, -1.0, "Backfires.")}
ANSWERS = {PANEL[0]: ENTHUSIAST, PANEL[1]: ENTHUSIAST, PANEL[2]: SCEPTIC, PANEL[3]: SCEPTIC,
           PANEL[4]: SCEPTIC}


def ranking(page: Page) -> Locator:
    """The options in the ranking table, best first."""
    return page.get_by_role("table", name=re.compile("^Ranking")).get_by_role("rowheader")


def test_analyst_compares_methods_and_downloads(live_server, arrange, open_page):
    stage = arrange.study(four_step=False, panel=PANEL)
    arrange.submit(stage.id, ANSWERS)
    demo_id = live_server["demo"]["study"]["id"]
    base = live_server["base"]
    page = open_page("desktop")
    log_in(page, base, *arrange.analyst(stage.id, demo_id))
    check_accessibility(page)

    page.get_by_role("link", name=stage.title).click()
    check_accessibility(page)
    page.get_by_role("link", name="See ranked results").click()
    expect(page.get_by_role("heading", name="Ranked recommendations")).to_be_visible()
    check_accessibility(page)
    expect(ranking(page)).to_have_text(stage.options)  # mean: the enthusiasts carry option 1
    expect(page.get_by_role("link", name=re.compile("Expert identities"))).to_have_count(0)

    page.get_by_label("Aggregation").select_option(label="Median")
    page.get_by_role("button", name="Update").click()
    expect(page).to_have_url(re.compile(r"method=median"))
    check_accessibility(page)
    first, second, third = stage.options
    expect(ranking(page)).to_have_text([second, first, third])  # the median discounts them

    # The risk matrix: an image with a text alternative and its data table.
    risk = page.get_by_role("figure").filter(has_text="Risk matrix")
    image = risk.get_by_role("img")
    expect(image).to_have_attribute("alt", re.compile(r"\w"))
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    risk.get_by_text(re.compile("^Data table")).click()
    expect(risk.get_by_role("table")).to_contain_text(second)
    check_accessibility(page)

    # Downloads: what the page shows, in files a spreadsheet opens.
    with page.expect_download() as info:
        page.get_by_role("link", name="Ranking (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8-sig"))))
    assert [row["option"] for row in sorted(rows, key=lambda r: int(r["rank"]))] == [
        second, first, third]
    assert info.value.suggested_filename.endswith("-median-results-ranking.csv")

    with page.expect_download() as info:
        page.get_by_role("link", name="All tables (XLSX)").click()
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    assert {"ranking", "provenance", "data dictionary"} <= set(book.sheetnames)
    sheet = list(book["ranking"].values)
    header, body = sheet[0], sheet[1:]
    assert [row[header.index("option")] for row in body][:3] == [second, first, third]
    provenance = dict(list(book["provenance"].values)[1:])
    assert provenance.get("method") == "median"

    page.get_by_role("link", name="Methods report").click()
    expect(page.get_by_role("heading", name=re.compile("^Methods report"))).to_be_visible()
    expect(page.get_by_text("Median", exact=False).first).to_be_visible()
    check_accessibility(page)

    # The demo study's dashboard, for the README.
    page.goto(f"{base}/studies/{demo_id}/results")
    expect(page.get_by_role("heading", name="Ranked recommendations")).to_be_visible()
    check_accessibility(page)
    docs_screenshot(page, "results-dashboard")
    matrix = page.get_by_role("figure").filter(has_text="Risk matrix")
    matrix.scroll_into_view_if_needed()
    expect(matrix.get_by_role("img")).to_have_js_property("complete", True)
    docs_screenshot(page, "risk-matrix", locator=matrix)
