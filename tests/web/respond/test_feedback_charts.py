"""Issue 17, items 15 and 16: feedback charts that line up and mark the expert's own answer;
the own-answer downloads on the revise pages."""

from __future__ import annotations

import re

from elicit.services.responses.feedback import Bin, Summary
from elicit.services.rounds import lifecycle
from tests.factories import link_token, make_study, submit_panel
from tests.web.respond.helpers import full_form, ids_of, open_link, start_expert


def _charts(page: str) -> list[str]:
    return re.findall(r'<svg class="dist".*?</svg>', page, re.S)


def _round_two(app, client):
    with app.app_context():
        study = make_study(n_experts=4, anchoring="before")
        submit_panel(study, (0.2, 0.4, 0.6), impact=-1)
        lifecycle.close_round(study)
        lifecycle.launch_next_round(study)
        ids, token = ids_of(study), link_token(study, expert_index=0)
    open_link(client, token)
    return ids


def test_scale_chart_counts_and_labels_sit_under_their_bars(app, client):
    _round_two(app, client)
    page = client.get("/respond").get_data(as_text=True)
    charts = _charts(page)
    assert len(charts) == 6  # likelihood and impact of three options
    impact = charts[1]
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', impact)
    counts = re.findall(r'<text x="([\d.]+)" y="[\d.-]+" class="dist-count"[^>]*>(\d+)</text>',
                        impact)
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" class="dist-label"[^>]*>([^<]+)</text>',
                        impact)
    assert [text for _x, text in labels] == ["-3", "-2", "-1", "0", "+1", "+2", "+3"]
    assert [n for _x, n in counts] == ["0", "0", "3", "0", "0", "0", "0"]  # counts shown
    for (x, width), (count_x, _n), (label_x, _t) in zip(bars, counts, labels, strict=True):
        middle = float(x) + float(width) / 2
        assert float(count_x) == middle and float(label_x) == middle  # lined up
    # The expert's own round-1 answer (-1) is the outlined bar, marked below it.
    own = re.findall(r'<rect x="([\d.]+)"[^>]*class="dist-bar dist-bar-own"', impact)
    assert own == [bars[2][0]]
    assert 'class="dist-own-mark"' in impact
    assert "Your answer in round 1 is in -1." in impact


def test_percentage_chart_ticks_sit_on_the_bar_edges(app, client):
    _round_two(app, client)
    likelihood = _charts(client.get("/respond").get_data(as_text=True))[0]
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', likelihood)
    ticks = re.findall(r'<text x="([\d.]+)" y="[\d.]+" class="dist-label"[^>]*>(\d+)</text>',
                       likelihood)
    assert [t for _x, t in ticks] == ["0", "20", "40", "60", "80", "100"]
    edges = [float(x) - 2 for x, _w in bars] + [float(bars[-1][0]) + float(bars[-1][1]) + 2]
    assert [float(x) for x, _t in ticks] == edges[::2]
    counts = re.findall(r'class="dist-count"[^>]*>(\d+)</text>', likelihood)
    assert counts == ["0", "0", "1", "0", "1", "0", "1", "0", "0", "0"]
    assert "Your answer in round 1 is in 20–30 %." in likelihood
    assert len(re.findall(r'class="dist-bar dist-bar-own"', likelihood)) == 1


def test_own_bin_follows_the_histogram_edges():
    def summary(own, percent=True, labels=None):
        bins = tuple(Bin(label, 0) for label in (labels or [str(i) for i in range(10)]))
        return Summary(n=3, median=0, q1=0, q3=0, iqr=0, bins=bins, percent=percent, own=own)

    assert summary(None).own_bin is None
    assert [summary(v).own_bin for v in (0, 9.99, 10, 30, 99.9, 100)] == [0, 0, 1, 3, 9, 9]
    scale = ["-3", "-2", "-1", "0", "+1", "+2", "+3"]
    assert summary(0, percent=False, labels=scale).own_bin == 3
    assert summary(2, percent=False, labels=scale).own_bin == 5
    assert summary(2, percent=False, labels=["1", "2", "3"]).own_bin == 1
    assert summary(9, percent=False, labels=scale).own_bin is None


def test_the_revise_pages_offer_the_own_answer_downloads(app, client):
    ids = start_expert(app, client)
    page = client.get("/respond").get_data(as_text=True)
    assert "/respond/answers.json" not in page  # nothing submitted yet
    assert client.post("/respond", data=full_form(ids)).status_code == 303
    page = client.get("/respond").get_data(as_text=True)
    assert 'href="/respond/answers.json"' in page and 'href="/respond/answers.csv"' in page
    review = client.post("/respond", data=full_form(ids, best=60, action="review"))
    assert review.status_code == 200
    text = review.get_data(as_text=True)
    assert 'href="/respond/answers.json"' in text and 'href="/respond/answers.csv"' in text
