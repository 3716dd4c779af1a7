"""Business rules on an expert's answers, independent of how they arrived.

Messages are translated with the request's locale (English outside a request).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from flask_babel import gettext as _

from elicit.models import Criterion, Option, Round, Study
from elicit.models.responses import RATIONALE_MAX
from elicit.services.responses.inputs import AnswerSet, JudgmentInput, SeedInput

EXPERTISE_LEVELS = (1, 2, 3, 4, 5)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def judgment_field(option_id: int, criterion_id: int) -> str:
    """The form field prefix of one option × criterion answer."""
    return f"o{option_id}_c{criterion_id}"


def seed_field(question_id: int) -> str:
    """The form field prefix of one seed question."""
    return f"s{question_id}"


def rationale_field(option_id: int) -> str:
    """The form field name of an option's rationale."""
    return f"o{option_id}_rationale"


def expertise_field(option_id: int) -> str:
    """The form field name of an option's self-rated expertise."""
    return f"o{option_id}_expertise"


def options_in_round(study: Study, round_: Round | None) -> list[Option]:
    """The options asked in a round: retired options are asked up to their last round."""
    if round_ is None:
        return list(study.options)
    return [o for o in study.options
            if o.retired_after_round is None or round_.number <= o.retired_after_round]


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def _missing() -> str:
    return _("Answer this or tick “I don't know”.")


def judgment_errors(criterion: Criterion, answer: JudgmentInput) -> str | None:
    """Why this answer breaks the criterion's rules, or None."""
    values = (answer.value, answer.lowest, answer.best, answer.highest, answer.confidence)
    if not all(_finite(v) for v in values):
        return _("Enter ordinary numbers.")
    if answer.abstained:
        return None if all(v is None for v in values) else _("Abstain or answer, not both.")
    if criterion.is_probability and criterion.four_step:
        return _four_step_errors(answer)
    if criterion.is_probability:
        if answer.value is not None and not 0 <= answer.value <= 1:
            return _("A probability lies between 0 % and 100 %.")
        return None
    if answer.value is not None:
        if answer.value != int(answer.value):
            return _("Choose one point of the scale.")
        if not criterion.scale_min <= answer.value <= criterion.scale_max:
            return _("Choose a value from %(low)s to %(high)s.", low=criterion.scale_min,
                     high=criterion.scale_max)
    return None


def _four_step_errors(answer: JudgmentInput) -> str | None:
    parts = (answer.lowest, answer.best, answer.highest, answer.confidence)
    if all(p is None for p in parts):
        return None
    if any(p is None for p in parts):
        return _("Give all four steps: lowest, highest, best guess and confidence.")
    if not all(0 <= p <= 1 for p in parts[:3]):
        return _("Probabilities lie between 0 % and 100 %.")
    if not 0.5 <= answer.confidence <= 1:
        return _("Confidence lies between 50 % and 100 %.")
    if not answer.lowest <= answer.best <= answer.highest:
        return _("The lowest must not exceed the best guess, nor the best guess the highest.")
    return None


def seed_errors(answer: SeedInput) -> str | None:
    """Why these quantiles are unusable, or None."""
    values = (answer.q05, answer.q50, answer.q95)
    if not all(_finite(v) for v in values):
        return _("Enter ordinary numbers.")
    if answer.abstained:
        return None if all(v is None for v in values) else _("Abstain or answer, not both.")
    if all(v is None for v in values):
        return None
    if any(v is None for v in values):
        return _("Give all three values: 5 %, 50 % and 95 %.")
    if not answer.q05 < answer.q50 < answer.q95:
        return _("The values must increase strictly: 5 % < 50 % < 95 %.")
    return None


def is_answered(criterion: Criterion, answer: JudgmentInput) -> bool:
    """True when the answer counts for a submission (a value, or an abstention)."""
    if answer.abstained:
        return True
    if criterion.is_probability and criterion.four_step:
        return answer.best is not None
    return answer.value is not None


def validate_answers(study: Study, answers: AnswerSet, *, complete: bool,
                     options: Sequence[Option] | None = None) -> dict[str, str]:
    """Field-keyed messages for every broken rule; `complete` also requires every answer.

    `options` are the options asked (default: all of the study's).
    """
    asked = list(study.options) if options is None else list(options)
    errors: dict[str, str] = {}
    for option in asked:
        for criterion in study.criteria:
            key = judgment_field(option.id, criterion.id)
            answer = answers.judgments.get((option.id, criterion.id), JudgmentInput())
            message = judgment_errors(criterion, answer)
            if message is None and complete and not is_answered(criterion, answer):
                message = _missing()
            if message:
                errors[key] = message
        text = answers.rationales.get(option.id, "")
        if len(text) > RATIONALE_MAX:
            errors[rationale_field(option.id)] = _(
                "Keep the rationale under %(n)s characters.", n=RATIONALE_MAX)
        elif _CONTROL.search(text):
            # PostgreSQL cannot store NUL, and other control characters are never meant.
            errors[rationale_field(option.id)] = _("Remove the invisible control characters.")
        level = answers.expertise.get(option.id)
        if level is not None and level not in EXPERTISE_LEVELS:
            errors[expertise_field(option.id)] = _("Choose a level from 1 to 5.")
    for question in study.seed_questions:
        answer = answers.seeds.get(question.id, SeedInput())
        message = seed_errors(answer)
        if message is None and complete and answer.is_empty:
            message = _missing()
        if message is None and question.scale == "log" and answer.q05 is not None \
                and answer.q05 <= 0:
            message = _("This quantity is positive: all values must be above 0.")
        if message:
            errors[seed_field(question.id)] = message
    return _known_ids_only(study, asked, answers, errors)


def _known_ids_only(study: Study, asked: Sequence[Option], answers: AnswerSet,
                    errors: dict[str, str]) -> dict[str, str]:
    options = {o.id for o in asked}
    criteria = {c.id for c in study.criteria}
    questions = {q.id for q in study.seed_questions}
    for option_id, criterion_id in answers.judgments:
        if option_id not in options or criterion_id not in criteria:
            errors[judgment_field(option_id, criterion_id)] = _("Not a question of this round.")
    for option_id in set(answers.rationales) | set(answers.expertise):
        if option_id not in options:
            errors[rationale_field(option_id)] = _("Not a question of this round.")
    for question_id in answers.seeds:
        if question_id not in questions:
            errors[seed_field(question_id)] = _("Not a question of this round.")
    return errors


def count_answered(study: Study, options: Sequence[Option],
                   answers: AnswerSet) -> tuple[int, int]:
    """(answered, total) questions, counting abstentions as answered."""
    total = len(options) * len(study.criteria) + len(study.seed_questions)
    done = sum(is_answered(c, answers.judgments.get((o.id, c.id), JudgmentInput()))
               for o in options for c in study.criteria)
    done += sum(not answers.seeds.get(q.id, SeedInput()).is_empty
                and seed_errors(answers.seeds[q.id]) is None for q in study.seed_questions)
    return done, total


def first_unanswered(study: Study, options: Sequence[Option], answers: AnswerSet) -> Option | None:
    """The first option with a question still unanswered (where to resume), if any."""
    for option in options:
        if not all(is_answered(c, answers.judgments.get((option.id, c.id), JudgmentInput()))
                   for c in study.criteria):
            return option
    return None
