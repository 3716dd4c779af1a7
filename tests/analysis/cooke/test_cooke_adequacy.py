"""Issue 19.4: warnings when a Cooke decision maker rests on too little calibration."""

from __future__ import annotations

import pandas as pd

from analysis import cooke


def test_seed_question_thresholds() -> None:
    assert cooke.seed_question_warning(0) is None  # no calibration at all: model not used
    assert "too few" in cooke.seed_question_warning(2)
    assert "too few" in cooke.seed_question_warning(7)
    assert "fewer than recommended" in cooke.seed_question_warning(8)
    assert "fewer than recommended" in cooke.seed_question_warning(9)
    assert cooke.seed_question_warning(10) is None
    assert cooke.MIN_SEED_QUESTIONS == 8 and cooke.RECOMMENDED_SEED_QUESTIONS == 10


def test_dominant_expert() -> None:
    assert "Expert A holds 100%" in cooke.dominance_warning(pd.Series({"A": 0.3, "B": 0.0}))
    assert "Expert B holds 60%" in cooke.dominance_warning(pd.Series({"A": 0.4, "B": 0.6}))
    assert cooke.dominance_warning(pd.Series({"A": 0.5, "B": 0.5})) is None
    assert cooke.dominance_warning(pd.Series({"A": 1.0})) is None  # one expert: nothing to share


def test_zero_width_intervals() -> None:
    text = cooke.zero_width_warning(["x", "y", "z"], [1.76, 1.0, float("nan")],
                                    [1.76, 2.0, float("nan")])
    assert text is not None and "for x:" in text and "not certainty" in text
    assert cooke.zero_width_warning(["y"], [1.0], [2.0]) is None


def test_two_seed_questions_one_expert_takes_everything() -> None:
    """The case of the issue: 2 seed questions, one expert with 100 %, '1.76 to 1.76'."""
    warnings = cooke.adequacy_warnings(2, pd.Series({"E1": 1.0, "E2": 0.0, "E3": 0.0}),
                                       (["opt"], [1.76], [1.76]))
    assert len(warnings) == 3
    assert cooke.adequacy_warnings(12, pd.Series({"E1": 0.5, "E2": 0.5})) == []
