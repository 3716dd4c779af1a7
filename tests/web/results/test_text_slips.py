"""Issue 20.6: plural forms, the unchanged marker, round 1 headings and plain CLI numbers."""

from __future__ import annotations

import re

import pytest

from elicit.templating import plural
from tests.factories import make_study, make_user, submit_round


@pytest.fixture
def study_id(app):
    with app.app_context():
        study = make_study(make_user())
        # 0.2·3 and 0.8·2 … : the mean scores are sums of floats that print long in repr()
        submit_round(study, 0, [(0.3, 3), (0.7, 2), (0.1, -1)])
        submit_round(study, 1, [(0.33, 3), (0.6, 2), (0.5, -1)])
        return study.id


def test_plural_forms():
    assert plural(1, "option") == "1 option" and plural(3, "option") == "3 options"
    assert plural(0, "draft") == "0 drafts" and plural(2, "criterion", "criteria") == "2 criteria"


def _noisy(text: str) -> list[str]:
    """Decimal numbers with more than 12 significant digits (repr noise like 1.4649999999999999)."""
    return [n for n in re.findall(r"\d+\.\d+", text)
            if len(n.replace(".", "").lstrip("0")) > 12]


def test_cli_prints_plain_numbers(runner, study_id):
    result = runner.invoke(args=["results", str(study_id), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert _noisy(result.output) == []
    assert "0.945" in result.output  # (0.3·3 + 0.33·3) / 2, not 0.9450000000000001
    json_out = runner.invoke(args=["results", str(study_id), "--format", "json"]).output
    table_part = json_out.split('"tables"', 1)[1]
    assert _noisy(table_part) == []


def test_round_one_heading_and_the_unchanged_marker(app, client, auth, study_id):
    from tests.factories import PASSWORD

    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{study_id}/results").get_data(as_text=True)
    assert "Since round –" not in page and ">Change<" in page
    assert "2 submitted experts" in page
    with app.test_request_context():
        macros = app.jinja_env.get_template("results/_macros.html").module
        same = str(macros.change(0))
    assert "＝" not in same and ">=<" in same and "unchanged" in same


def test_one_format_for_a_scale_quantity_on_every_page(client, demo_study):
    """Scale medians and IQRs: two decimals on the round page, its dispersion table included."""
    page = client.get(f"/studies/{demo_study}/rounds/1").get_data(as_text=True)
    cells = re.findall(r'<td class="num">(-?\d+\.\d+)</td>', page)
    assert cells and all(len(c.split(".")[1]) == 2 for c in cells), sorted(set(cells))[:10]


def test_probabilities_are_percentages_in_the_dispersion_table(client, demo_study):
    """The same likelihood median reads as a percentage on the results and round pages."""
    page = client.get(f"/studies/{demo_study}/results").get_data(as_text=True)
    table = page.split("Dispersion of the judgments per option and criterion", 2)[2]
    table = table.split("</table>", 1)[0]
    likelihood_rows = [row for row in table.split("<tr>") if "Likelihood" in row]
    assert likelihood_rows
    for row in likelihood_rows:
        median, iqr = re.findall(r'<td class="num">([^<]*)</td>', row)[1:3]
        assert median.endswith("\u00a0%") and iqr.endswith("\u00a0%"), row
