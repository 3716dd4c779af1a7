"""Business rules on an expert's answers, independent of how they arrived."""

from __future__ import annotations

import math

from elicit.models import Criterion, Study
from elicit.models.responses import RATIONALE_MAX
from elicit.services.answer_types import AnswerSet, JudgmentInput, SeedInput


def judgment_field(option_id: int, criterion_id: int) -> str:
    """The form field prefix of one option × criterion answer."""
    return f"o{option_id}_c{criterion_id}"


def seed_field(question_id: int) -> str:
    """The form field prefix of one seed question."""
    return f"s{question_id}"


def rationale_field(option_id: int) -> str:
    return f"o{option_id}_rationale"


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def judgment_errors(criterion: Criterion, answer: JudgmentInput) -> str | None:
    """Why this answer breaks the criterion's rules, or None."""
    values = (answer.value, answer.lowest, answer.best, answer.highest, answer.confidence)
    if not all(_finite(v) for v in values):
        return "Enter ordinary numbers."
    if answer.abstained:
        return None if all(v is None for v in values) else "Abstain or answer, not both."
    if criterion.is_probability and criterion.four_step:
        return _four_step_errors(answer)
    if criterion.is_probability:
        if answer.value is not None and not 0 <= answer.value <= 1:
            return "A probability lies between 0 % and 100 %."
        return None
    if answer.value is not None:
        if answer.value != int(answer.value):
            return "Choose one point of the scale."
        if not criterion.scale_min <= answer.value <= criterion.scale_max:
            return f"Choose a value from {criterion.scale_min} to {criterion.scale_max}."
    return None


def _four_step_errors(answer: JudgmentInput) -> str | None:
    parts = (answer.lowest, answer.best, answer.highest, answer.confidence)
    if all(p is None for p in parts):
        return None
    if any(p is None for p in parts):
        return "Give all four steps: lowest, highest, best guess and confidence."
    if not all(0 <= p <= 1 for p in parts[:3]):
        return "Probabilities lie between 0 % and 100 %."
    if not 0.5 <= answer.confidence <= 1:
        return "Confidence lies between 50 % and 100 %."
    if not answer.lowest <= answer.best <= answer.highest:
        return "The lowest must not exceed the best guess, nor the best guess the highest."
    return None


def seed_errors(answer: SeedInput) -> str | None:
    """Why these quantiles are unusable, or None."""
    values = (answer.q05, answer.q50, answer.q95)
    if not all(_finite(v) for v in values):
        return "Enter ordinary numbers."
    if answer.abstained:
        return None if all(v is None for v in values) else "Abstain or answer, not both."
    if all(v is None for v in values):
        return None
    if any(v is None for v in values):
        return "Give all three values: 5 %, 50 % and 95 %."
    if not answer.q05 < answer.q50 < answer.q95:
        return "The values must increase strictly: 5 % < 50 % < 95 %."
    return None


def validate_answers(study: Study, answers: AnswerSet, *, complete: bool) -> dict[str, str]:
    """Field-keyed messages for every broken rule; `complete` also requires every answer."""
    errors: dict[str, str] = {}
    for option in study.options:
        for criterion in study.criteria:
            key = judgment_field(option.id, criterion.id)
            answer = answers.judgments.get((option.id, criterion.id), JudgmentInput())
            message = judgment_errors(criterion, answer)
            if message is None and complete and answer.is_empty:
                message = "Answer this or tick “I don't know”."
            if message is None and complete and _incomplete_value(criterion, answer):
                message = "Answer this or tick “I don't know”."
            if message:
                errors[key] = message
        if len(answers.rationales.get(option.id, "")) > RATIONALE_MAX:
            errors[rationale_field(option.id)] = (
                f"Keep the rationale under {RATIONALE_MAX} characters.")
    for question in study.seed_questions:
        answer = answers.seeds.get(question.id, SeedInput())
        message = seed_errors(answer)
        if message is None and complete and answer.is_empty:
            message = "Answer this or tick “I don't know”."
        if message is None and question.scale == "log" and answer.q05 is not None \
                and answer.q05 <= 0:
            message = "This quantity is positive: all values must be above 0."
        if message:
            errors[seed_field(question.id)] = message
    return _known_ids_only(study, answers, errors)


def _incomplete_value(criterion: Criterion, answer: JudgmentInput) -> bool:
    if answer.abstained:
        return False
    if criterion.is_probability and criterion.four_step:
        return answer.best is None
    return answer.value is None


def _known_ids_only(study: Study, answers: AnswerSet, errors: dict[str, str]) -> dict[str, str]:
    options = {o.id for o in study.options}
    criteria = {c.id for c in study.criteria}
    questions = {q.id for q in study.seed_questions}
    for option_id, criterion_id in answers.judgments:
        if option_id not in options or criterion_id not in criteria:
            errors[judgment_field(option_id, criterion_id)] = "Not a question of this study."
    for question_id in answers.seeds:
        if question_id not in questions:
            errors[seed_field(question_id)] = "Not a question of this study."
    return errors
