"""The results dashboard: ranking, summary, charts, controls, change, cache, roles."""

from __future__ import annotations

import re

import pytest

import analysis
from elicit.extensions import db
from elicit.models import Study
from elicit.services.rounds import lifecycle
from tests.factories import PASSWORD, submit_round

ROW = re.compile(r'<td class="num">(\d+)</td><th scope="row">([^<]+)</th>\s*'
                 r'<td class="num">([-\d.]+)</td>')


def _ranking(page: str) -> list[tuple[int, str, float]]:
    return [(int(r), o, float(s)) for r, o, s in ROW.findall(page)]


def _page(client, ids, query=""):
    response = client.get(f"/studies/{ids['study']}/results{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_ranking_summary_and_consensus(client, auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    page = _page(client, ids)
    assert _ranking(page) == [(1, "Option 2", 1.4), (2, "Option 1", 0.9), (3, "Option 3", -0.5)]
    summary = re.search(r'<p class="lead summary">(.*?)</p>', page, re.S).group(1)
    assert summary.startswith("Option 2 ranks first with an aggregated expected impact of 1.40")
    assert "The top three are Option 2, Option 1 and Option 3." in summary
    # both experts agree exactly on every impact: IQR 0 ≤ 1 everywhere
    assert "consensus on all 3 options" in summary
    assert page.count('<td class="consensus consensus">consensus</td>') == 3
    assert "expert1@example.org" not in page and "Expert 1" not in page


def test_charts_are_images_with_data_tables(client, auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    page = _page(client, ids)
    sources = re.findall(r'<img src="([^"]+\.svg[^"]*)" alt="([^"]+)"', page)
    names = {re.search(r"/charts/(\w+)\.svg", s).group(1) for s, _ in sources}
    assert names == {"forest", "risk", "acceptability"}
    assert "Data table: Expected impact by option" in page
    assert "<script" not in page and "style=" not in page
    for src, _ in sources:
        svg = client.get(src.replace("&amp;", "&"))
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert b"<title" in svg.data and b"<desc" in svg.data
    assert client.get(f"/studies/{ids['study']}/results/charts/nope.svg").status_code == 404


def test_controls_keep_choices_in_the_url(client, auth, ids):
    auth.login("owner@example.org", PASSWORD)
    page = _page(client, ids, "?method=median&w2=-1&group=A")
    assert 'value="median" selected' in page
    assert 'name="w2" value="-1"' in page
    # group A is expert 1 only, and impact weighted -1 flips the order:
    # Option 3: 0.5·1 = 0.5; Option 1: 0.2·-3 = -0.6; Option 2: 0.8·-2 = -1.6
    assert _ranking(page) == [(1, "Option 3", 0.5), (2, "Option 1", -0.6), (3, "Option 2", -1.6)]
    assert "method=median" in page and "w2=-1" in page and "group=A" in page


@pytest.mark.parametrize("query, status", [("?method=bogus", 400), ("?round=7", 404),
                                           ("?w2=abc", 400), ("?group=Nobody", 400),
                                           ("?method=cooke", 400)])
def test_bad_choices_are_refused(client, auth, ids, query, status):
    auth.login("analyst@example.org", PASSWORD)
    assert client.get(f"/studies/{ids['study']}/results{query}").status_code == status


def test_change_since_previous_round(app, client, auth, ids):
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        lifecycle.close_round(study)
        lifecycle.launch_next_round(study)
        # round 2: Option 1 now leads (1.5), Option 2 second (0.4), Option 3 unchanged
        submit_round(study, 0, [(0.5, 3), (0.2, 2), (0.5, -1)])
        submit_round(study, 1, [(0.5, 3), (0.2, 2), (0.5, -1)])
    auth.login("analyst@example.org", PASSWORD)
    page = _page(client, ids)
    assert _ranking(page)[:2] == [(1, "Option 1", 1.5), (2, "Option 2", 0.4)]
    assert "▲ 1" in page and "▼ 1" in page and ">=<span" in page and "＝" not in page
    assert "Change since round 1" in page
    assert "Since the previous round 2 options changed rank" in page
    old = _page(client, ids, "?round=1")
    assert _ranking(old)[0] == (1, "Option 2", 1.4)


def test_results_are_cached_until_a_new_submission(app, client, auth, ids, monkeypatch):
    calls = []
    real = analysis.rank_options
    monkeypatch.setattr(analysis, "rank_options", lambda *a, **k: calls.append(1) or real(*a, **k))
    auth.login("analyst@example.org", PASSWORD)
    first = _page(client, ids)
    assert len(calls) == 1
    assert _ranking(_page(client, ids)) == _ranking(first) and len(calls) == 1
    client.get(f"/studies/{ids['study']}/results/charts/forest.svg")
    assert len(calls) == 1
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        submit_round(study, 2, [(0.9, 3), (0.1, 1), (0.5, -1)])
    page = _page(client, ids)
    assert len(calls) == 2
    # Option 1: (0.6 + 1.2 + 2.7) / 3 = 1.5 now leads
    assert _ranking(page)[0] == (1, "Option 1", 1.5)


def test_no_answers_yet(app, client, auth):
    from tests.factories import make_study, make_user
    with app.app_context():
        study_id = make_study(make_user()).id
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{study_id}/results").get_data(as_text=True)
    assert "No submitted answers yet" in page


def test_option_page_groups_rationales_by_stance(app, client, auth, ids):
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        submit_round(study, 2, [(0.5, -3), (0.5, 2), (0.5, -1)],
                     rationales={0: "Would backfire badly"})
    auth.login("analyst@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results/options/{ids['options'][0]}"
    page = client.get(url).get_data(as_text=True)
    beneficial = page.index("Beneficial (2)")
    harmful = page.index("Harmful (1)")
    assert beneficial < page.index('class="who">E001') < harmful < page.index('class="who">E003')
    assert page.count("Dissent</strong>") == 1  # E003's −3 against a median of 3
    assert "Would backfire badly" in page and "HYPERLINK" in page
    assert "Expert 3" not in page and "expert3@example.org" not in page
    chart = client.get(f"{url}/charts/0.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    other = client.get(f"/studies/{ids['study']}/results/options/99999")
    assert other.status_code == 404


def test_calibration_page_needs_seed_questions(client, auth, ids):
    auth.login("analyst@example.org", PASSWORD)
    assert client.get(f"/studies/{ids['study']}/results/calibration").status_code == 404


def test_the_organizers_consensus_rule_decides_the_status(app, client, auth, ids):
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        study.consensus_rule = {"kind": "iqr", "threshold": 1.0, "criterion": "Impact"}
        db.session.commit()
        submit_round(study, 2, [(0.5, -3), (0.5, 2), (0.5, -1)])  # Option 1 impacts 3, 3, −3
    auth.login("analyst@example.org", PASSWORD)
    page = _page(client, ids)
    assert "IQR of “Impact” is at most 1" in page
    statuses = dict(re.findall(r'<th scope="row">([^<]+)</th>.*?<td class="consensus [^"]+">'
                               r'([^<]+)</td>', page, re.S))
    assert statuses == {"Option 1": "no consensus", "Option 2": "consensus",
                        "Option 3": "consensus"}
    assert "disagrees on Option 1" in page


def test_charts_are_drawn_with_the_results_not_per_image_request(client, demo_study,
                                                                  monkeypatch):
    import analysis.plots

    drawn = []
    for name in ("forest_chart", "acceptability_chart", "risk_matrix_chart"):
        original = getattr(analysis.plots, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            if kwargs.get("draw", True):
                drawn.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(analysis, name, counting)
    assert client.get(f"/studies/{demo_study}/results").status_code == 200
    assert sorted(drawn) == ["acceptability_chart", "forest_chart", "risk_matrix_chart"]
    for chart in ("forest", "acceptability", "risk"):
        reply = client.get(f"/studies/{demo_study}/results/charts/{chart}.svg")
        assert reply.status_code == 200 and b"<svg" in reply.data
    assert len(drawn) == 3  # the image requests read the cache
