"""Issue 19.4: too little calibration is never shown as robust.

The demo study has 3 calibration questions with known answers: fewer than
the 8-10 Cooke's classical model needs.
"""

from __future__ import annotations

import html

import pandas as pd

from elicit.services import results
from elicit.services.results import summary


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_calibration_page_warns_about_few_seed_questions(client, demo_study):
    page = _page(client, f"/studies/{demo_study}/results/calibration")
    assert "Only 3 calibration questions" in page
    assert "at least 8" in page


def test_cooke_results_warn_and_never_call_the_lead_robust(app, client, demo_study):
    page = _page(client, f"/studies/{demo_study}/results?method=cooke")
    assert "Only 3 calibration questions" in page
    with app.app_context():
        from elicit.extensions import db
        from elicit.models import Study
        study = db.session.get(Study, demo_study)
        outcome = results.round_results(study, results.parse_params(study, {"method": "cooke"}))
    assert any("calibration question" in w for w in outcome.warnings)
    assert "robust lead" not in outcome.summary
    assert "cannot be called robust" in outcome.summary
    assert outcome.to_dict()["warnings"] == list(outcome.warnings)


def test_mean_results_have_no_calibration_warning(app, client, demo_study):
    page = _page(client, f"/studies/{demo_study}/results")
    assert "calibration questions: Cooke" not in page
    assert "bootstrap proportions over experts" in page
    assert "studentized (bootstrap-t)" in page


def test_methods_report_names_the_interval_and_the_proportions(client, demo_study):
    page = _page(client, f"/studies/{demo_study}/downloads/report")
    assert "studentized (bootstrap-t) interval over experts" in page
    assert "bootstrap proportions over experts" in page
    assert "percentile intervals" not in page


def test_builder_warns_about_few_seed_questions(client, demo_study):
    page = _page(client, f"/studies/{demo_study}/questions")
    assert "Only 3 calibration questions" in page


def test_summary_with_caveat_never_says_robust():
    class Ranking:
        resamples = 100
        interval = 0.9

    table = pd.DataFrame({"option": ["A", "B"], "rank": [1, 2], "score": [1.76, 1.0],
                          "low": [1.76, 0.5], "high": [1.76, 1.5], "p_first": [1.0, 0.0],
                          "consensus": ["consensus", "consensus"], "change": [0, 0]})
    plain = summary.summarize(table, Ranking(), None, previous_round=False)
    assert "a robust lead" in plain
    warned = summary.summarize(table, Ranking(), None, previous_round=False, caveat=True)
    assert "robust lead" not in warned and "cannot be called robust" in warned
