"""Consensus and stopping rules evaluated on small known data sets."""

from __future__ import annotations

import pytest

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.services.rounds import lifecycle, overview
from elicit.services.studies import consensus
from tests.factories import make_study, submit_scores

# Impact answers of experts 1–3 per option (likelihood fixed at 50 %):
#   Option 1: 1, 1, 2  → median 1, Q1 1, Q3 1.5, IQR 0.5, all within 1 of the median
#   Option 2: -3, 0, 3 → median 0, IQR 3, one of three within 1
#   Option 3: 2, 2, 2  → median 2, IQR 0
ROUND_1 = [[(0.5, 1), (0.5, -3), (0.5, 2)],
           [(0.5, 1), (0.5, 0), (0.5, 2)],
           [(0.5, 2), (0.5, 3), (0.5, 2)]]


def _study_with(app, rule, rounds_data):
    study = make_study(launch=False, consensus_rule=rule)
    for number, data in enumerate(rounds_data, start=1):
        lifecycle.launch_next_round(study)
        submit_scores(study, number, data)
        lifecycle.close_round(study)
    return study


def _met(report):
    return {row.option.title: row.met for row in report.rows}


def test_iqr_rule(app):
    with app.app_context():
        study = _study_with(app, {"kind": "iqr", "criterion": "Impact", "threshold": 1},
                            [ROUND_1])
        report = overview.consensus_report(study, study.rounds[0])
        assert _met(report) == {"Option 1": True, "Option 2": False, "Option 3": True}
        assert [r.iqr for r in report.rows] == [0.5, 3.0, 0.0]
        assert [r.median for r in report.rows] == [1.0, 0.0, 2.0]


def test_percentage_agreement_rule(app):
    with app.app_context():
        rule = {"kind": "agreement", "criterion": "Impact", "tolerance": 1, "threshold": 0.7}
        study = _study_with(app, rule, [ROUND_1])
        report = overview.consensus_report(study, study.rounds[0])
        assert _met(report) == {"Option 1": True, "Option 2": False, "Option 3": True}
        assert report.rows[1].agreement == pytest.approx(1 / 3)


def test_stability_rule_between_rounds(app):
    # Round 2: Option 1 unchanged; Option 2 → -3, 1, 3 (median +1); Option 3 → 2, 2, 3
    # (median 2, IQR 0 → 0.5).
    round_2 = [[(0.5, 1), (0.5, -3), (0.5, 2)],
               [(0.5, 1), (0.5, 1), (0.5, 2)],
               [(0.5, 2), (0.5, 3), (0.5, 3)]]
    with app.app_context():
        study = _study_with(app, {"kind": "stability", "criterion": "Impact", "threshold": 0.5},
                            [ROUND_1, round_2])
        first = overview.consensus_report(study, study.rounds[0])
        assert set(_met(first).values()) == {None}  # no previous round to compare with
        report = overview.consensus_report(study, study.rounds[1])
        assert _met(report) == {"Option 1": True, "Option 2": False, "Option 3": True}
        assert [r.delta_median for r in report.rows] == [0.0, 1.0, 0.0]
        assert [r.delta_iqr for r in report.rows] == [0.0, 0.0, 0.5]


def test_probability_thresholds_are_in_percentage_points(app):
    data = [[(0.50, 0)] * 3, [(0.55, 0)] * 3, [(0.60, 0)] * 3]  # IQR 5 points everywhere
    with app.app_context():
        tight = _study_with(app, {"kind": "iqr", "criterion": "Likelihood", "threshold": 4},
                            [data])
        assert set(_met(overview.consensus_report(tight, tight.rounds[0])).values()) == {False}
        loose = _study_with(app, {"kind": "iqr", "criterion": "Likelihood", "threshold": 5},
                            [data])
        assert set(_met(overview.consensus_report(loose, loose.rounds[0])).values()) == {True}


def test_no_answers_means_unknown_not_met(app):
    with app.app_context():
        study = _study_with(app, {"kind": "iqr", "criterion": "Impact", "threshold": 1}, [])
        lifecycle.launch_next_round(study)
        report = overview.consensus_report(study, study.rounds[0])
        assert set(_met(report).values()) == {None} and report.met_options == []


def test_rule_validation(app):
    with app.app_context():
        study = make_study(launch=False)
        with pytest.raises(ValidationFailed) as error:
            consensus.validate_rule({"kind": "iqr", "criterion": "Nope",
                                           "threshold": "x"}, study)
        assert set(error.value.errors) == {"criterion", "threshold"}
        with pytest.raises(ValidationFailed):
            consensus.validate_rule({"kind": "vibes"}, study)
        rule = consensus.validate_rule(
            {"kind": "agreement", "criterion": "Impact", "tolerance": "1", "threshold": "0.7"},
            study)
        assert rule == {"kind": "agreement", "criterion": "Impact", "tolerance": 1.0,
                        "threshold": 0.7}
        assert "70 %" in consensus.describe(rule).replace("70%", "70 %")


def test_retiring_options_that_reached_consensus(app):
    with app.app_context():
        study = _study_with(app, {"kind": "iqr", "criterion": "Impact", "threshold": 1},
                            [ROUND_1])
        round_2 = lifecycle.launch_next_round(study, retire_consensus=True)
        db.session.refresh(study)
        assert {o.title: o.retired_after_round for o in study.options} == {
            "Option 1": 1, "Option 2": None, "Option 3": 1}
        assert round_2.number == 2
        # Round 2 asks only Option 2; its answers are stored next to round 1's.
        submit_scores(study, 2, [[(0.5, 0)], [(0.5, 0)], [(0.5, 1)]])


def test_without_a_chosen_rule_the_results_read_iqr_at_most_1_on_the_first_scale(app):
    with app.app_context():
        study = _study_with(app, {}, [ROUND_1])
        assert not consensus.is_chosen(study)
        rule = consensus.effective_rule(study)
        assert rule == {"kind": "iqr", "criterion": "Impact", "threshold": 1.0}
        assert consensus.rule_text(study) == (
            "Consensus on an option when the IQR of “Impact” is at most 1 (the default: the "
            "organizers chose no rule).")
        # The organizer pages evaluate only a chosen rule; the results evaluate the default
        # with the same code, so both read "consensus" the same way.
        assert overview.consensus_report(study, study.rounds[0]) is None
        report = consensus.evaluate(study, study.rounds[0],
                                    overview.frames_for(study, 1), rule=rule)
        assert _met(report) == {"Option 1": True, "Option 2": False, "Option 3": True}


def test_a_chosen_rule_is_what_the_results_read(app):
    with app.app_context():
        chosen = {"kind": "agreement", "criterion": "Impact", "tolerance": 1, "threshold": 0.7}
        study = _study_with(app, chosen, [ROUND_1])
        assert consensus.is_chosen(study) and consensus.effective_rule(study) == chosen
        assert "default" not in consensus.rule_text(study)


def test_default_rule_on_a_probability_only_study_is_10_points(app):
    with app.app_context():
        study = make_study(launch=False)
        for criterion in [c for c in study.criteria if c.kind == "scale"]:
            db.session.delete(criterion)
        db.session.commit()
        db.session.refresh(study)
        assert consensus.effective_rule(study) == {
            "kind": "iqr", "criterion": study.criteria[0].name, "threshold": 10.0}
