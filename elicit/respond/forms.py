"""The expert's answer form, built from the study's questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, RadioField, TextAreaField
from wtforms.validators import Length, Optional

from elicit.fields import NumberField
from elicit.models import Criterion, Study
from elicit.models.responses import RATIONALE_MAX
from elicit.services.answer_rules import judgment_field, rationale_field, seed_field
from elicit.services.answer_types import AnswerSet, JudgmentInput, SeedInput

IDEA_PARTS = ("lowest", "highest", "best", "confidence")


class ConsentForm(FlaskForm):
    consent = BooleanField(_l("I have read the briefing and agree that my anonymised answers "
                              "are used as described."))


class AnswerForm(FlaskForm):
    """Base class; `build_answer_form` adds one group of fields per question."""


def _criterion_fields(criterion: Criterion, prefix: str) -> dict[str, Field]:
    fields: dict[str, Field] = {f"{prefix}_abstain": BooleanField(_l("I don't know / abstain"))}
    if criterion.is_probability and criterion.four_step:
        fields[f"{prefix}_lowest"] = NumberField(_l("Lowest plausible (%)"), minimum=0,
                                                 maximum=100)
        fields[f"{prefix}_highest"] = NumberField(_l("Highest plausible (%)"), minimum=0,
                                                  maximum=100)
        fields[f"{prefix}_best"] = NumberField(_l("Best guess (%)"), minimum=0, maximum=100)
        fields[f"{prefix}_confidence"] = NumberField(
            _l("Confidence that the truth lies between your lowest and highest (50–100 %)"),
            minimum=50, maximum=100)
    elif criterion.is_probability:
        fields[f"{prefix}_value"] = NumberField(_l("Probability (%)"), minimum=0, maximum=100)
    else:
        choices = [(str(v), f"{v:+d} {label}".strip() if criterion.scale_min < 0
                    else f"{v} {label}".strip()) for v, label in criterion.scale_points()]
        fields[f"{prefix}_value"] = RadioField(criterion.name, choices=choices,
                                               validators=[Optional()], validate_choice=True)
    return fields


def build_answer_form(study: Study, **kwargs) -> AnswerForm:
    """An AnswerForm subclass with fields for every option × criterion and seed question."""

    class StudyAnswerForm(AnswerForm):
        pass

    for option in study.options:
        for criterion in study.criteria:
            for name, fld in _criterion_fields(criterion,
                                               judgment_field(option.id, criterion.id)).items():
                setattr(StudyAnswerForm, name, fld)
        setattr(StudyAnswerForm, rationale_field(option.id), TextAreaField(
            _l("Your reasoning (optional)"), validators=[Length(max=RATIONALE_MAX)]))
    for question in study.seed_questions:
        prefix = seed_field(question.id)
        setattr(StudyAnswerForm, f"{prefix}_q05", NumberField(_l("5 % value")))
        setattr(StudyAnswerForm, f"{prefix}_q50", NumberField(_l("50 % value (median)")))
        setattr(StudyAnswerForm, f"{prefix}_q95", NumberField(_l("95 % value")))
        setattr(StudyAnswerForm, f"{prefix}_abstain", BooleanField(_l("I don't know / abstain")))
    return StudyAnswerForm(**kwargs)


def _percent(value: float | None) -> float | None:
    return None if value is None else value / 100


def answers_from_form(study: Study, form: AnswerForm) -> AnswerSet:
    """Read the validated form into an AnswerSet (percentages become fractions)."""
    answers = AnswerSet()
    for option in study.options:
        for criterion in study.criteria:
            prefix = judgment_field(option.id, criterion.id)
            answers.judgments[(option.id, criterion.id)] = _judgment(form, criterion, prefix)
        answers.rationales[option.id] = (form[rationale_field(option.id)].data or "").strip()
    for question in study.seed_questions:
        prefix = seed_field(question.id)
        answers.seeds[question.id] = SeedInput(
            q05=form[f"{prefix}_q05"].data, q50=form[f"{prefix}_q50"].data,
            q95=form[f"{prefix}_q95"].data, abstained=bool(form[f"{prefix}_abstain"].data))
    return answers


def _judgment(form: AnswerForm, criterion: Criterion, prefix: str) -> JudgmentInput:
    abstained = bool(form[f"{prefix}_abstain"].data)
    if criterion.is_probability and criterion.four_step:
        parts = {p: form[f"{prefix}_{p}"].data for p in IDEA_PARTS}
        return JudgmentInput(abstained=abstained, **{p: _percent(v) for p, v in parts.items()})
    raw = form[f"{prefix}_value"].data
    if criterion.is_probability:
        return JudgmentInput(value=_percent(raw), abstained=abstained)
    return JudgmentInput(value=float(raw) if raw not in (None, "", "None") else None,
                         abstained=abstained)


def form_data_from_answers(study: Study, answers: AnswerSet) -> dict:
    """Initial field values for a stored AnswerSet (fractions become percentages)."""
    data: dict = {}
    for (option_id, criterion_id), j in answers.judgments.items():
        prefix = judgment_field(option_id, criterion_id)
        data[f"{prefix}_abstain"] = j.abstained
        for part in ("lowest", "highest", "best"):
            value = getattr(j, part)
            data[f"{prefix}_{part}"] = None if value is None else round(value * 100, 6)
        data[f"{prefix}_confidence"] = None if j.confidence is None \
            else round(j.confidence * 100, 6)
        criterion = next(c for c in study.criteria if c.id == criterion_id)
        if criterion.is_probability:
            data[f"{prefix}_value"] = None if j.value is None else round(j.value * 100, 6)
        else:
            data[f"{prefix}_value"] = None if j.value is None else str(int(j.value))
    for option_id, text in answers.rationales.items():
        data[rationale_field(option_id)] = text
    for question_id, s in answers.seeds.items():
        prefix = seed_field(question_id)
        data.update({f"{prefix}_q05": s.q05, f"{prefix}_q50": s.q50, f"{prefix}_q95": s.q95,
                     f"{prefix}_abstain": s.abstained})
    return data
