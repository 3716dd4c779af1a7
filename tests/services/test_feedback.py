"""Delphi feedback computed from the previous round."""

from __future__ import annotations

import numpy as np
import pytest

from elicit.models import Judgment
from elicit.services.responses import answering, feedback
from elicit.services.responses.inputs import AnswerSet, JudgmentInput
from elicit.services.rounds import lifecycle
from tests.factories import full_answers, make_study, submit_panel


def _two_rounds(bests, n_experts=5, anchoring="before"):
    study = make_study(n_experts=n_experts, anchoring=anchoring)
    submit_panel(study, bests)
    lifecycle.close_round(study)
    lifecycle.launch_next_round(study)
    return study


def _round_two_invitation(study, index):
    return next(i for i in study.experts[index].invitations if i.round.number == 2)


def test_summary_matches_numpy_quartiles(app):
    with app.app_context():
        bests = [0.1, 0.25, 0.3, 0.8]
        study = _two_rounds(bests)
        result = feedback.feedback_for(_round_two_invitation(study, 0), study.options)
        likelihood = study.criteria[0]
        summary = result.for_option(study.options[0].id).summaries[likelihood.id]
        expected = np.percentile(np.array(bests) * 100, [25, 50, 75])
        assert summary.n == 4
        assert (summary.q1, summary.median, summary.q3) == pytest.approx(tuple(expected))
        assert summary.iqr == pytest.approx(expected[2] - expected[0])
        assert [b.count for b in summary.bins] == [0, 1, 1, 1, 0, 0, 0, 0, 1, 0]
        assert summary.own == pytest.approx(10)


def test_scale_summary_has_one_bar_per_point(app):
    with app.app_context():
        study = _two_rounds([0.5, 0.5, 0.5])
        impact = study.criteria[1]
        summary = feedback.feedback_for(_round_two_invitation(study, 4), study.options) \
            .for_option(study.options[0].id).summaries[impact.id]
        assert [b.label for b in summary.bins] == ["-3", "-2", "-1", "0", "+1", "+2", "+3"]
        assert [b.count for b in summary.bins] == [0, 0, 0, 0, 0, 3, 0]
        assert summary.own is None  # expert 5 did not answer round 1


def test_whole_feedback_withheld_under_three_responses(app):
    with app.app_context():
        study = _two_rounds([0.2, 0.4])
        result = feedback.feedback_for(_round_two_invitation(study, 0), study.options)
        assert result.withheld
        item = result.for_option(study.options[0].id)
        assert set(item.summaries.values()) == {None}
        assert item.rationales == []
        assert item.own  # the expert's own earlier answer is not the panel's, so it shows


def test_question_withheld_when_abstentions_leave_fewer_than_three(app):
    with app.app_context():
        study = make_study(n_experts=3)
        option, likelihood = study.options[0], study.criteria[0]
        for index, expert in enumerate(study.experts):
            invitation = expert.invitations[0]
            answering.record_consent(invitation)
            answer_set = full_answers(study, best=0.5)
            if index == 0:
                answer_set.judgments[(option.id, likelihood.id)] = JudgmentInput(abstained=True)
            answering.save_answers(invitation, answer_set, submit=True)
        lifecycle.close_round(study)
        lifecycle.launch_next_round(study)
        item = feedback.feedback_for(_round_two_invitation(study, 1), study.options) \
            .for_option(option.id)
        assert item.summaries[likelihood.id] is None
        assert item.summaries[study.criteria[1].id].n == 3


def test_drafts_do_not_count_as_responses(app):
    with app.app_context():
        study = make_study(n_experts=4)
        submit_panel(study, [0.2, 0.4])
        draft = study.experts[3].invitations[0]
        answering.record_consent(draft)
        answering.save_answers(draft, full_answers(study, best=0.9), submit=False)
        lifecycle.close_round(study)
        lifecycle.launch_next_round(study)
        result = feedback.feedback_for(_round_two_invitation(study, 0), study.options)
        assert result.responses == 2 and result.withheld


def test_round_one_has_no_feedback(app):
    with app.app_context():
        study = make_study()
        assert feedback.feedback_for(study.experts[0].invitations[0], study.options) is None


def test_revealed_options_follow_the_anchoring_setting(app):
    with app.app_context():
        study = make_study()
        first, second, third = study.options
        saved = AnswerSet()
        for criterion in study.criteria:
            saved.judgments[(first.id, criterion.id)] = JudgmentInput(abstained=True)
        saved.judgments[(second.id, study.criteria[0].id)] = JudgmentInput(
            lowest=0.1, best=0.2, highest=0.3, confidence=0.7)
        assert feedback.revealed_options("after", study.criteria, study.options, saved) \
            == {first.id}
        assert feedback.revealed_options("before", study.criteria, study.options, saved) \
            == {first.id, second.id, third.id}


def test_summaries_ignore_non_numeric_judgments():
    from elicit.models import Criterion

    criterion = Criterion(name="p", kind="probability", four_step=False)
    rows = [Judgment(value=v) for v in (0.1, None, 0.3, 0.5)]
    summary = feedback.summarize(criterion, rows)
    assert summary.n == 3 and summary.median == pytest.approx(30)
    assert feedback.summarize(criterion, rows[:3]) is None
