"""The expert's answer form, built from the questions of the round."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, HiddenField, RadioField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from elicit.fields import BaseForm, NumberField
from elicit.models import Criterion, Option, Study
from elicit.models.responses import RATIONALE_MAX
from elicit.services.responses import drafts
from elicit.services.responses.inputs import AnswerSet, JudgmentInput, SeedInput
from elicit.services.responses.rules import (
    EXPERTISE_LEVELS,
    expertise_field,
    judgment_field,
    rationale_field,
    seed_field,
)
from elicit.services.studies import translations

IDEA_PARTS = ("lowest", "highest", "best", "confidence")
FORM_CLASS_CACHE_SIZE = 64
EXPERTISE_LABELS = {1: _l("1 – little"), 2: _l("2"), 3: _l("3 – working knowledge"), 4: _l("4"),
                    5: _l("5 – leading expert")}


class ConsentForm(BaseForm):
    consent = BooleanField(_l("I have read the briefing and agree that my anonymised answers "
                              "are used as described."))


class LanguageForm(BaseForm):
    """The language switch: each button posts its own `lang` value."""

    lang = HiddenField()
    # The expert page to return to (checked to be one, see respond.views.choose_language).
    next = HiddenField()


class AnswerNumberField(NumberField):
    """NumberField whose messages follow the expert's language."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.process_errors:
            self.process_errors = [_("Enter a number such as 42 or 12.5.")]

    def pre_validate(self, form) -> None:
        if self.number is None:
            return
        if self.minimum is not None and self.number < self.minimum:
            raise ValidationError(_("Enter a value of at least %(n)s.", n=f"{self.minimum:g}"))
        if self.maximum is not None and self.number > self.maximum:
            raise ValidationError(_("Enter a value of at most %(n)s.", n=f"{self.maximum:g}"))


class AnswerForm(BaseForm):
    """Base class; `build_answer_form` adds one group of fields per question."""


def scale_choice_label(criterion: Criterion, value: int, label: str) -> str:
    """'+2 Beneficial' on a signed scale, '2 Beneficial' otherwise."""
    number = f"{value:+d}" if criterion.scale_min < 0 and value else str(value)
    return f"{number} {label}".strip()


def _criterion_fields(criterion: Criterion, prefix: str) -> dict[str, Field]:
    fields: dict[str, Field] = {f"{prefix}_abstain": BooleanField(_("I don't know / abstain"))}
    if criterion.is_probability and criterion.four_step:
        fields[f"{prefix}_lowest"] = AnswerNumberField(_("Lowest plausible (%)"), minimum=0,
                                                       maximum=100)
        fields[f"{prefix}_highest"] = AnswerNumberField(_("Highest plausible (%)"), minimum=0,
                                                        maximum=100)
        fields[f"{prefix}_best"] = AnswerNumberField(_("Best guess (%)"), minimum=0,
                                                     maximum=100)
        fields[f"{prefix}_confidence"] = AnswerNumberField(
            _("Confidence that the truth lies between your lowest and highest (50–100 %)"),
            minimum=50, maximum=100)
    elif criterion.is_probability:
        fields[f"{prefix}_value"] = AnswerNumberField(_("Probability (%)"), minimum=0,
                                                      maximum=100)
    else:
        lang = str(get_locale())
        labels = translations.scale_labels(criterion, lang)
        choices = [(str(v), scale_choice_label(criterion, v, labels.get(str(v), "")))
                   for v, _label in criterion.scale_points()]
        fields[f"{prefix}_value"] = RadioField(translations.text(criterion, "name", lang),
                                               choices=choices,
                                               validators=[Optional()], validate_choice=True)
    return fields


def build_answer_form(study: Study, options: Sequence[Option], **kwargs) -> AnswerForm:
    """An answer form with fields for every option × criterion and seed question."""
    return answer_form_class(study, options)(**kwargs)


_form_classes: OrderedDict[Hashable, type[AnswerForm]] = OrderedDict()
_form_classes_lock = threading.Lock()


def definition_key(study: Study, options: Sequence[Option]) -> tuple:
    """Everything of the study's questions that shapes the answer form.

    Any edit that changes the form (a criterion renamed or rescaled, an
    option added or retired, a calibration question added) gives a new key.
    """
    return (study.id, tuple(o.id for o in options),
            tuple((c.id, c.name, c.kind, c.four_step, c.scale_min, c.scale_max,
                   tuple(sorted((c.scale_labels or {}).items())),
                   json.dumps(c.translations or {}, sort_keys=True)) for c in study.criteria),
            tuple(q.id for q in study.seed_questions))


def answer_form_class(study: Study, options: Sequence[Option]) -> type[AnswerForm]:
    """The AnswerForm subclass of this study's questions, built once per definition and language.

    Building ~70 field declarations costs more than binding them, and every
    expert of a study shares the class. Its labels are translated when it is
    built (one class per language), not once per label on every page.
    """
    key = (str(get_locale()), definition_key(study, options))
    with _form_classes_lock:
        found = _form_classes.get(key)
        if found is not None:
            _form_classes.move_to_end(key)
            return found
    made = _make_answer_form_class(study, options)
    with _form_classes_lock:
        _form_classes[key] = made
        while len(_form_classes) > FORM_CLASS_CACHE_SIZE:
            _form_classes.popitem(last=False)
    return made


def _make_answer_form_class(study: Study, options: Sequence[Option]) -> type[AnswerForm]:
    class StudyAnswerForm(AnswerForm):
        pass

    for option in options:
        for criterion in study.criteria:
            for name, fld in _criterion_fields(criterion,
                                               judgment_field(option.id, criterion.id)).items():
                setattr(StudyAnswerForm, name, fld)
        setattr(StudyAnswerForm, rationale_field(option.id), TextAreaField(
            _("Your reasoning (optional)"),
            validators=[Length(max=RATIONALE_MAX, message=_(
                "Keep the rationale under %(max)d characters."))]))
        setattr(StudyAnswerForm, expertise_field(option.id), RadioField(
            _("Your expertise on this option (optional)"),
            choices=[(str(n), str(EXPERTISE_LABELS[n])) for n in EXPERTISE_LEVELS],
            validators=[Optional()], validate_choice=True))
    for question in study.seed_questions:
        prefix = seed_field(question.id)
        setattr(StudyAnswerForm, f"{prefix}_q05", AnswerNumberField(_("5 % value")))
        setattr(StudyAnswerForm, f"{prefix}_q50", AnswerNumberField(_("50 % value (median)")))
        setattr(StudyAnswerForm, f"{prefix}_q95", AnswerNumberField(_("95 % value")))
        setattr(StudyAnswerForm, f"{prefix}_abstain", BooleanField(_("I don't know / abstain")))
    return StudyAnswerForm


def _percent(value: float | None) -> float | None:
    return None if value is None else value / 100


def answers_from_form(study: Study, options: Sequence[Option], form: AnswerForm) -> AnswerSet:
    """Read the form into an AnswerSet (percentages become fractions)."""
    answers = AnswerSet()
    for option in options:
        for criterion in study.criteria:
            prefix = judgment_field(option.id, criterion.id)
            answers.judgments[(option.id, criterion.id)] = _judgment(form, criterion, prefix)
        # Browsers send CRLF from a textarea but LF from the review page's hidden copy.
        text = (form[rationale_field(option.id)].data or "").replace("\r\n", "\n")
        answers.rationales[option.id] = text.strip()
        level = form[expertise_field(option.id)].data
        level = level.strip() if isinstance(level, str) else level
        answers.expertise[option.id] = int(level) if level not in (None, "", "None") else None
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
    # Optional() lets a blank "  " through as the choice: read it as no answer, not float("  ").
    raw = raw.strip() if isinstance(raw, str) else raw
    return JudgmentInput(value=float(raw) if raw not in (None, "", "None") else None,
                         abstained=abstained)


def form_data_from_answers(study: Study, answers: AnswerSet) -> dict:
    """Initial field values for a stored AnswerSet (fractions become percentages)."""
    data: dict = {}
    criteria = {c.id: c for c in study.criteria}
    for (option_id, criterion_id), j in answers.judgments.items():
        prefix = judgment_field(option_id, criterion_id)
        data[f"{prefix}_abstain"] = j.abstained
        for part in ("lowest", "highest", "best", "confidence"):
            value = getattr(j, part)
            data[f"{prefix}_{part}"] = None if value is None else round(value * 100, 6)
        criterion = criteria.get(criterion_id)
        if criterion is not None and criterion.is_probability:
            data[f"{prefix}_value"] = None if j.value is None else round(j.value * 100, 6)
        else:
            data[f"{prefix}_value"] = None if j.value is None else str(int(j.value))
    for option_id, text in answers.rationales.items():
        data[rationale_field(option_id)] = text
    for option_id, level in answers.expertise.items():
        data[expertise_field(option_id)] = None if level is None else str(level)
    for question_id, s in answers.seeds.items():
        prefix = seed_field(question_id)
        data.update({f"{prefix}_q05": s.q05, f"{prefix}_q50": s.q50, f"{prefix}_q95": s.q95,
                     f"{prefix}_abstain": s.abstained})
    return data


def hidden_values(form: AnswerForm) -> list[tuple[str, str]]:
    """(name, value) pairs that re-post exactly what was typed, for the review page."""
    pairs: list[tuple[str, str]] = []
    for fld in form:
        if fld.type == "CSRFTokenField":
            continue
        if isinstance(fld, BooleanField):
            if fld.data:
                pairs.append((fld.name, "y"))
        elif isinstance(fld, RadioField):
            if fld.data not in (None, "", "None"):
                pairs.append((fld.name, str(fld.data)))
        else:
            value = fld._value()
            if value:
                pairs.append((fld.name, value))
    return pairs


def read_answer_form(study: Study, options: Sequence[Option], form: AnswerForm
                     ) -> tuple[AnswerSet, dict[str, str], dict[str, str]]:
    """Read a posted answer form, keeping what could not be read apart.

    Returns the answers (a question with an unreadable box is left out, so
    the other rules still run on every other question), the refused boxes
    (field name → message) and what was typed in every box, as posted.
    """
    form.validate()
    refused = {name: " ".join(str(m) for m in messages)
               for name, messages in form.errors.items() if name != "csrf_token"}
    for name in refused:  # an unreadable box reads as empty; its question is left out below
        form[name].data = None
    answers = answers_from_form(study, options, form)
    for key in {drafts.question_key(name) for name in refused}:
        _drop_question(answers, key)
    typed = {fld.name: (fld.raw_data[0] if fld.raw_data else "") for fld in form
             if fld.type != "CSRFTokenField"}
    return answers, refused, typed


def _drop_question(answers: AnswerSet, key: str) -> None:
    for pair in list(answers.judgments):
        if judgment_field(*pair) == key:
            del answers.judgments[pair]
    for option_id in list(answers.rationales):
        if rationale_field(option_id) == key:
            del answers.rationales[option_id]
    for option_id in list(answers.expertise):
        if expertise_field(option_id) == key:
            del answers.expertise[option_id]
    for question_id in list(answers.seeds):
        if seed_field(question_id) == key:
            del answers.seeds[question_id]


def show_typed(form: AnswerForm, typed: dict[str, str], problems: dict[str, str]) -> None:
    """Put back what was typed in the boxes of refused questions, with their messages."""
    refused = {drafts.question_key(key) for key in problems}
    for fld in form:
        if fld.type == "CSRFTokenField" or drafts.question_key(fld.name) not in refused:
            continue
        value = typed.get(fld.name, "")
        if not (isinstance(fld, RadioField) and value
                and value not in {str(c[0]) for c in fld.choices}):
            fld.process(MultiDict({fld.name: value} if value else {}))
        fld.errors = [problems[fld.name]] if fld.name in problems else []


def problem_lines(study: Study, options: Sequence[Option],
                  problems: dict[str, str]) -> list[tuple[str, str, str]]:
    """(anchor, where, message) for the error summary, in the order of the form.

    `where` names the option and the question (or the calibration question);
    a problem of one box of a question names the box in the message.
    """
    by_question: dict[str, list[str]] = {}
    for key in problems:
        by_question.setdefault(drafts.question_key(key), []).append(key)
    lang = str(get_locale() or "")[:2]
    places: list[tuple[str, str]] = []
    for option in options:
        title = translations.text(option, "title", lang)
        places += [(judgment_field(option.id, c.id),
                    f"{title} — {translations.text(c, 'name', lang)}") for c in study.criteria]
        places += [(rationale_field(option.id), f"{title} — {_('Your reasoning')}"),
                   (expertise_field(option.id), f"{title} — {_('Your expertise')}")]
    places += [(seed_field(q.id), _("Calibration: %(q)s", q=translations.text(q, "text", lang)))
               for q in study.seed_questions]
    lines: list[tuple[str, str, str]] = []
    for question, where in places:
        for key in by_question.pop(question, []):
            message = problems[key]
            if key != question and drafts.question_key(key) != key:
                label = _field_label(key)
                message = _("%(box)s: %(message)s", box=label, message=message) if label \
                    else message
            lines.append((f"{key}-error", where, message))
    lines += [(f"{key}-error", "", problems[key]) for keys in by_question.values()
              for key in keys if key != "form"]
    return lines


_PART_LABELS = {"lowest": _l("Lowest plausible (%)"), "highest": _l("Highest plausible (%)"),
                "best": _l("Best guess (%)"), "confidence": _l("Confidence"),
                "q05": _l("5 % value"), "q50": _l("50 % value (median)"),
                "q95": _l("95 % value")}


def _field_label(key: str) -> str:
    part = key.rsplit("_", 1)[-1]
    label = _PART_LABELS.get(part)
    return str(label) if label is not None else ""
