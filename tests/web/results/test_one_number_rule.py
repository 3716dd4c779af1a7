"""Issue 20.6: one printing rule per quantity on every page and in the report; no '1..' slip.

The demo's results page, round page, option page and methods report print the
same option's median, IQR, likelihood and P(rank 1) identically; probabilities
are percentages in whole points with a non-breaking space before '%', scale
quantities two decimals (elicit/services/common/numbers.py).
"""

from __future__ import annotations

import html
import re

import pytest

from elicit.services.common import numbers

OPTION = "More joint exercises with partners"
NBSP = "\u00a0"


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _rows(page: str, caption: str) -> list[list[str]]:
    """The cells (text) of the rows of the table whose caption or label contains `caption`."""
    start = page.index(caption)
    table = page[start:page.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
        rows.append([_text(c).strip() for c in cells])
    return rows


def _row(page: str, caption: str, *first: str) -> list[str]:
    found = [r for r in _rows(page, caption) if r[:len(first)] == list(first)]
    assert len(found) == 1, (caption, first, _rows(page, caption)[:3])
    return found[0]


@pytest.fixture
def pages(client, demo_study, app):
    from elicit.extensions import db
    from elicit.models import Option

    with app.app_context():
        option_id = db.session.scalar(db.select(Option.id).filter_by(study_id=demo_study,
                                                                      title=OPTION))
    urls = {"results": f"/studies/{demo_study}/results",
            "round": f"/studies/{demo_study}/rounds/1",
            "option": f"/studies/{demo_study}/results/options/{option_id}",
            "report": f"/studies/{demo_study}/downloads/report"}
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        out[name] = response.get_data(as_text=True)
    return out


def test_the_rule_per_quantity():
    assert numbers.probability(0.25) == f"25{NBSP}%" == numbers.quantity(0.25, True)
    assert numbers.probability(0.2) == f"20{NBSP}%" and numbers.probability(0.004) == f"0{NBSP}%"
    assert numbers.probability(-0.001) == f"0{NBSP}%" and numbers.probability(None) == "–"
    assert numbers.scale_value(0.25) == "0.25" == numbers.quantity(0.25, False)
    assert numbers.scale_value(1) == "1.00" and numbers.scale_value(-0.001) == "0.00"
    assert numbers.scale_value(1.5, ",") == "1,50"
    assert numbers.probability(0.255, ",") == f"26{NBSP}%"
    assert numbers.scale_value(float("nan")) == "–"


def test_one_option_reads_the_same_on_every_page(pages):
    results, round_page, option, report = (pages[k] for k in ("results", "round", "option",
                                                               "report"))
    # P(rank 1): the ranking, the rank-acceptability data table, the report's ranking
    ranking = _row(results, "<caption>Ranking, round 1", "1", OPTION)
    p_first = ranking[6]
    assert re.fullmatch(rf"\d+{NBSP}%", p_first), ranking
    assert _row(results, "Rank acceptability: probability of each rank</caption>",
                OPTION, "1")[2] == p_first
    assert _row(report, "<caption>Ranking, round 1", "1", OPTION)[4] == p_first
    # the likelihood: the ranking and the risk matrix's data table
    likelihood = ranking[4]
    assert _row(results, "Risk matrix: likelihood and impact per option</caption>",
                OPTION)[1] == likelihood
    # the score and its interval: the ranking, the forest plot's table, the report
    forest = _row(results, "Expected impact by option (mean)</caption>", OPTION)
    assert forest[2:5] == [ranking[2], *ranking[3].split(" to ")]
    assert _row(report, "<caption>Ranking, round 1", "1", OPTION)[2:4] == ranking[2:4]

    # Impact (a scale) and Likelihood (a probability): median and IQR on the results page's
    # dispersion table, the round page's dispersion and consensus tables, the option page
    disp = "<caption>Dispersion of the judgments per option and criterion"
    impact = _row(results, disp, OPTION, "Impact")[3:5]
    assert all(re.fullmatch(r"-?\d+\.\d\d", v) for v in impact), impact
    answers = "<caption class=\"visually-hidden\">Count, median and interquartile range"
    round_impact = _row(round_page, answers, OPTION, "Impact")
    assert [round_impact[4], round_impact[6]] == impact
    assert _row(round_page, "<caption>Consensus rule per option (Impact)", OPTION)[2:4] == impact
    assert f"(panel median {impact[0]})" in _text(option)
    chance = _row(results, disp, OPTION, "Likelihood")[3:5]
    assert all(re.fullmatch(rf"\d+{NBSP}%", v) for v in chance), chance
    round_chance = _row(round_page, answers, OPTION, "Likelihood")
    assert [round_chance[4], round_chance[6]] == chance
    # the experts' likelihoods in the option page's data table are percentages too
    values = [r[2] for r in _rows(option, "<caption>Likelihood: the experts")[1:]]
    assert values and all(re.fullmatch(rf"\d+{NBSP}%", v) for v in values), values


def test_french_readers_get_a_decimal_comma(client, pages, demo_study):
    """The same rule in the reader's decimal mark (the browser asks for French)."""
    page = client.get(f"/studies/{demo_study}/rounds/1",
                      headers={"Accept-Language": "fr"}).get_data(as_text=True)
    caption = "<caption>Consensus rule per option (Impact)"
    impact = _row(pages["round"], caption, OPTION)[2:4]
    assert _row(page, caption, OPTION)[2:4] == [v.replace(".", ",") for v in impact]


def test_a_probability_rule_reads_percentages_on_the_round_page(client, demo_study, app):
    """The consensus table of a rule on Likelihood prints its medians and IQRs as the
    dispersion table does (it printed the fractions: 0.25 beside 25 %)."""
    from elicit.extensions import db
    from elicit.models import Study

    with app.app_context():
        study = db.session.get(Study, demo_study)
        study.consensus_rule = {"kind": "iqr", "criterion": "Likelihood", "threshold": 10}
        db.session.commit()
    page = client.get(f"/studies/{demo_study}/rounds/1").get_data(as_text=True)
    rule = _row(page, "<caption>Consensus rule per option (Likelihood)", OPTION)[2:4]
    answers = _row(page, "<caption class=\"visually-hidden\">Count, median", OPTION, "Likelihood")
    assert rule == [answers[4], answers[6]]
    assert all(re.fullmatch(rf"\d+{NBSP}%", v) for v in rule), rule
