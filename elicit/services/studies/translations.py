"""A study's expert-facing texts in each of its languages.

The study's main language (``languages[0]``) lives in the ordinary columns;
every other language in the ``translations`` object of the study, its options,
criteria and seed questions. A text missing in a language falls back to the
main language, so an expert never meets an empty question; the completeness
check (`missing`) lists every such gap before launch.

`entries` lists every translatable text of a study for one language, with its
main-language original, its limit and the key the organizer page and
`save` use (``option-12-title``): one list drives the form, the check and the
write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Criterion, Option, SeedQuestion, Study
from elicit.services import audit
from elicit.services.studies import mail_texts

MAIL_BODY_MAX = 20_000
# field -> (limit, multi-line) for every translatable field of each kind of object
LIMITS: dict[type, dict[str, tuple[int, bool]]] = {
    Study: {"title": (Study.TITLE_MAX, False), "briefing": (Study.BRIEFING_MAX, True),
            "consent_text": (Study.CONSENT_MAX, True)},
    Option: {"title": (Option.TITLE_MAX, False), "description": (Option.DESCRIPTION_MAX, True)},
    Criterion: {"name": (Criterion.NAME_MAX, False), "question": (Criterion.QUESTION_MAX, True),
                "help": (Criterion.HELP_MAX, True)},
    SeedQuestion: {"text": (SeedQuestion.TEXT_MAX, True), "unit": (SeedQuestion.UNIT_MAX, False)},
}
FIELD_NAMES = {"title": "title", "briefing": "briefing", "consent_text": "consent text",
               "description": "description", "name": "name", "question": "question",
               "help": "help text", "text": "question", "unit": "unit"}


# Reading: what an expert sees ----------------------------------------------------------

def _own(obj: Any, lang: str) -> Mapping[str, Any]:
    return (getattr(obj, "translations", None) or {}).get(lang) or {}


def text(obj: Any, field: str, lang: str) -> str:
    """`obj.field` in `lang`, else in the main language."""
    return _own(obj, lang).get(field) or getattr(obj, field) or ""


def html(study: Study, field: str, lang: str) -> str:
    """The stored HTML of the study's `field` (briefing, consent_text) in `lang`, else main."""
    column = Study.RENDERED[field]
    return _own(study, lang).get(column) or getattr(study, column) or ""


def scale_labels(criterion: Criterion, lang: str) -> dict[str, str]:
    """The scale's point labels in `lang`, each missing one in the main language."""
    own = _own(criterion, lang).get("scale_labels") or {}
    return {point: own.get(point) or label for point, label in
            (criterion.scale_labels or {}).items()}


def mail_templates(study: Study, lang: str) -> dict[str, Any]:
    """The study's own mail texts in `lang` (each missing kind in the main language)."""
    own = dict(_own(study, lang).get("mail_templates") or {}) if lang != study.main_language \
        else {}
    return {**(study.mail_templates or {}), **own}


def language_for(study: Study, wanted: str | None) -> str:
    """`wanted` when it is one of the study's languages, else the main language."""
    return wanted if wanted in (study.languages or []) else study.main_language


# The list of texts ------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One translatable text of a study in one language."""

    key: str  # form field and error key, e.g. "option-12-title"
    section: str  # "Study", "Option 2", "Criterion “Impact”", …
    label: str  # "title", "label of point -3", …
    original: str  # the main-language text
    value: str  # the text in this language ("" when missing)
    limit: int
    multiline: bool


def entries(study: Study, lang: str) -> list[Entry]:
    """Every expert-facing text of `study` with its version in `lang`."""
    out = _fields(study, "study", "Study", lang)
    for n, option in enumerate(study.options, start=1):
        out += _fields(option, f"option-{option.id}", f"Option {n}", lang)
    for criterion in study.criteria:
        section = f"Criterion “{criterion.name}”"
        out += _fields(criterion, f"criterion-{criterion.id}", section, lang)
        own = _own(criterion, lang).get("scale_labels") or {}
        for point, label in sorted((criterion.scale_labels or {}).items(), key=lambda p: int(p[0])):
            out.append(Entry(f"criterion-{criterion.id}-label-{point}", section,
                             f"label of point {point}", label, own.get(point, ""),
                             Criterion.LABEL_MAX, False))
    for n, seed in enumerate(study.seed_questions, start=1):
        out += _fields(seed, f"seed-{seed.id}", f"Calibration question {n}", lang)
    own_mail = _own(study, lang).get("mail_templates") or {}
    for kind in mail_texts.KINDS:
        main = (study.mail_templates or {}).get(kind) or {}
        theirs = own_mail.get(kind) or {}
        for part, limit, multiline in (("subject", Study.MAIL_SUBJECT_MAX, False),
                                       ("body", MAIL_BODY_MAX, True)):
            out.append(Entry(f"mail-{kind}-{part}", f"E-mail: {kind}", part,
                             main.get(part, ""), theirs.get(part, ""), limit, multiline))
    return out


def _fields(obj: Any, prefix: str, section: str, lang: str) -> list[Entry]:
    own = _own(obj, lang)
    return [Entry(f"{prefix}-{field}", section, FIELD_NAMES[field], getattr(obj, field) or "",
                  own.get(field, ""), limit, multiline)
            for field, (limit, multiline) in LIMITS[type(obj)].items()]


def missing(study: Study) -> dict[str, list[Entry]]:
    """Per other language, every text given in the main language but not in that one.

    Shipped default e-mails exist in every language, so an e-mail counts as
    missing only when the study has its own main-language text.
    """
    gaps: dict[str, list[Entry]] = {}
    for lang in (study.languages or [])[1:]:
        found = [e for e in entries(study, lang) if e.original.strip() and not e.value.strip()]
        if found:
            gaps[lang] = found
    return gaps


def require_complete(study: Study, *, confirmed: bool) -> None:
    """Refuse a launch while texts are missing in a language, unless the organizer confirmed.

    :raise ValidationFailed: on ``accept_missing_translations``, counting the gaps.
    """
    gaps = missing(study)
    if gaps and not confirmed:
        count = sum(len(found) for found in gaps.values())
        raise ValidationFailed({"accept_missing_translations": (
            f"{count} text(s) have no translation ({', '.join(sorted(gaps))}). Translate them, "
            f"or tick this box to launch and show them in the main language "
            f"({study.main_language}).")})


# Writing -------------------------------------------------------------------------------

def save(study: Study, lang: str, values: Mapping[str, str], *, actor_id: int) -> int:
    """Store the texts of `lang` typed on the translations page; returns how many are given.

    :raise ValidationFailed: keyed like the form fields; nothing is written.
    """
    if lang not in (study.languages or [])[1:]:
        raise ValidationFailed({"lang": f"“{lang}” is not one of this study's other languages."})
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    for entry in entries(study, lang):
        value = values.get(entry.key) or ""
        value = value.strip() if not entry.multiline else value.strip("\n\r ")
        if len(value) > entry.limit:
            errors[entry.key] = f"Keep the {entry.label} under {entry.limit:,} characters."
        typed[entry.key] = value
    mail = {kind: {part: typed[f"mail-{kind}-{part}"] for part in ("subject", "body")}
            for kind in mail_texts.KINDS}
    try:
        mail = mail_texts.validate_templates(mail)
    except ValidationFailed as exc:
        errors.update({"mail-" + k.replace("_", "-", 1): v for k, v in exc.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    _apply(study, "study", lang, typed, extra={"mail_templates": mail} if mail else {})
    for option in study.options:
        _apply(option, f"option-{option.id}", lang, typed)
    for criterion in study.criteria:
        labels = {point: typed[f"criterion-{criterion.id}-label-{point}"]
                  for point in (criterion.scale_labels or {})}
        labels = {k: v for k, v in labels.items() if v}
        _apply(criterion, f"criterion-{criterion.id}", lang, typed,
               extra={"scale_labels": labels} if labels else {})
    for seed in study.seed_questions:
        _apply(seed, f"seed-{seed.id}", lang, typed)
    given = sum(1 for v in typed.values() if v)
    audit.record("study.translations", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=study, details={"language": lang, "texts_given": given,
                                     "texts_missing": len(missing(study).get(lang, []))})
    db.session.commit()
    return given


def _apply(obj: Any, prefix: str, lang: str, typed: Mapping[str, str],
           extra: Mapping[str, Any] | None = None) -> None:
    texts = {field: typed[f"{prefix}-{field}"] for field in LIMITS[type(obj)]
             if typed.get(f"{prefix}-{field}")}
    texts.update(extra or {})
    merged = {k: v for k, v in (obj.translations or {}).items() if k != lang}
    if texts:
        merged[lang] = texts
    obj.translations = merged  # a new object: the JSON column sees the change


# Definitions (JSON export and import) ---------------------------------------------------

def exported(obj: Any) -> dict[str, Any]:
    """`obj.translations` without the stored HTML (the importer renders it again)."""
    return {lang: {k: v for k, v in texts.items() if not k.endswith("_html")}
            for lang, texts in (obj.translations or {}).items()}


def checked(obj_type: type, value: Any, where: str, errors: dict[str, str]) -> dict[str, Any]:
    """A definition's ``translations`` object for `obj_type`, checked; problems join `errors`."""
    if value is None:
        return {}
    field = f"{where}translations"
    if not isinstance(value, Mapping):
        errors[field] = f"{field} must be an object of language → texts."
        return {}
    clean: dict[str, Any] = {}
    for lang, texts in value.items():
        if not isinstance(texts, Mapping):
            errors[f"{field}.{lang}"] = f"{field}.{lang} must be an object of texts."
            continue
        clean[lang] = {}
        for key, text_ in texts.items():
            name = f"{field}.{lang}.{key}"
            if key in LIMITS[obj_type]:
                limit = LIMITS[obj_type][key][0]
                if not isinstance(text_, str) or len(text_) > limit:
                    errors[name] = f"{name} must be text of at most {limit:,} characters."
                    continue
            elif key == "scale_labels" and obj_type is Criterion:
                if not isinstance(text_, Mapping) or not all(
                        isinstance(v, str) and len(v) <= Criterion.LABEL_MAX
                        for v in text_.values()):
                    errors[name] = f"{name} must be an object of point → label texts."
                    continue
            elif key == "mail_templates" and obj_type is Study:
                try:
                    text_ = mail_texts.validate_templates(dict(text_)) \
                        if isinstance(text_, Mapping) else None
                except (ValidationFailed, AttributeError, TypeError):
                    text_ = None
                if text_ is None:
                    errors[name] = f"{name}: each e-mail needs a subject and a text with {{link}}."
                    continue
            elif not key.endswith("_html"):
                errors[name] = f"{name}: unknown text “{key}”."
                continue
            else:
                continue  # stored HTML is rendered again, never taken from a file
            clean[lang][key] = text_
    return clean
