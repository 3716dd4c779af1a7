"""Advice for the study builder: enough calibration questions for Cooke's model?"""

from __future__ import annotations

from analysis import cooke
from elicit.models import Study


def seed_question_warning(study: Study) -> str | None:
    """A warning when the study has some, but fewer than about 10, calibration questions.

    Cooke & Goossens (2000) recommend about ten seed questions and at least
    eight; with fewer, performance weights cannot tell experts apart (one
    expert easily takes all the weight).  No warning without any seed
    question: then Cooke's model is simply not used.
    """
    return cooke.seed_question_warning(len(study.seed_questions))
