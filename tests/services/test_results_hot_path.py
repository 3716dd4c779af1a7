"""The results service's fast paths: the tidy frame, validation once, charts drawn on demand."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis.validation
from elicit.extensions import db
from elicit.models import Study
from elicit.services import results
from elicit.services.panel import experts
from elicit.services.results import charts
from tests.factories import make_study, submit_round

E1 = [(0.2, 3), (0.8, 2), (0.5, -1)]
E2 = [(0.4, 3), (None, None), (0.5, -1)]


@pytest.fixture
def study_id(app):
    with app.app_context():
        study = make_study(n_experts=4)
        submit_round(study, 0, E1, rationales={0: "Cheap", 2: "Risky"})
        submit_round(study, 1, E2, rationales={0: "Unsure"})
        return study.id


def _frame_from_query(round_) -> pd.DataFrame:
    """The tidy frame as built row by row from `judgments_query` (the reference)."""
    rows = db.session.execute(results.judgments_query([round_.id])).all()
    names = experts.pseudonyms(round_.study_id)
    frame = pd.DataFrame([(r[0], names[r[1]], *r[2:15]) for r in rows],
                         columns=results.TIDY_COLUMNS)
    frame["rationale"] = frame["rationale"].fillna("")
    frame["abstained"] = frame["abstained"].astype(bool)
    return frame


def test_judgments_frame_equals_the_query_rows(app, study_id):
    with app.app_context():
        round_ = db.session.get(Study, study_id).rounds[-1]
        frame = results.judgments_frame(round_)
        pd.testing.assert_frame_equal(frame, _frame_from_query(round_))
        assert set(frame["rationale"]) == {"", "Cheap", "Risky", "Unsure"}
        assert frame["abstained"].sum() == 2 and len(frame) == 12


def test_judgments_frame_of_a_round_without_answers(app):
    with app.app_context():
        round_ = make_study().rounds[-1]
        frame = results.judgments_frame(round_)
        assert frame.empty and list(frame.columns) == results.TIDY_COLUMNS


def test_results_validate_the_judgments_once(app, study_id, monkeypatch):
    calls = []
    checks = analysis.validation._check_values

    def counting(df, problems):
        calls.append(len(df))
        return checks(df, problems)

    monkeypatch.setattr(analysis.validation, "_check_values", counting)
    with app.app_context():
        study = db.session.get(Study, study_id)
        outcome = results.round_results(study, results.ResultParams(round=1))
        assert outcome is not None and outcome.risk is not None
    assert calls == [12]  # ranking, consensus, risk matrix and Kendall's W share one check


def test_charts_are_drawn_when_asked_and_follow_new_submissions(app, study_id):
    with app.app_context():
        study = db.session.get(Study, study_id)
        params = results.ResultParams(round=1)
        tables = charts.round_chart_tables(study, params)
        assert set(tables) == {"forest", "acceptability", "risk"}
        assert all(chart.svg == "" and not chart.data.empty for chart in tables.values())
        forest = charts.round_chart(study, params, "forest")
        assert forest.svg.startswith("<?xml") or "<svg" in forest.svg
        assert charts.round_chart(study, params, "forest") is forest  # cached
        assert charts.round_chart(study, params, "nonsense") is None

        submit_round(study, 2, E1)  # a new submission bumps the round's data version
        again = charts.round_chart(study, params, "forest")
        assert again is not forest and again.data["option"].tolist() == \
            results.round_results(study, params).table["option"].tolist()
        assert results.round_results(study, params).n_experts == 3
