"""A study's definition as JSON: one format, one validation path for every way in.

`export_definition` writes the versioned ``"elicit-study"`` format (organizer
export, `flask study export`, the reproducibility bundle's ``study.json``);
`import_definition` is the only way a definition becomes a study (organizer
upload, `flask study import`, ``POST /api/v1/studies``, cloning, the demo
loader). Every field is checked for its JSON type and its limit (declared on
the models) before the study, its options, criteria and seed questions go
through the same service functions the organizer pages use; all problems are
reported at once, each named by its path (``options[3].title``), and nothing is
written unless all is well.

The older shape without ``"format"`` (the demo file's, which the API accepted
first) is read through `_legacy`: the same keys, plus ignored extras such as
``slug``, ``rounds`` or ``retired_after_round``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Membership, Role, Study, User
from elicit.services import audit
from elicit.services.common.sql import unit_of_work
from elicit.services.common.text import walk_problem
from elicit.services.studies import consensus, mail_texts, questions, translations
from elicit.services.studies.builder import study_errors

FORMAT = "elicit-study"
VERSION = 1
CRITERION_KEYS = ("name", "question", "help", "kind", "four_step", "scale_min", "scale_max",
                  "scale_labels", "weight")
SEED_KEYS = ("text", "unit", "scale", "realization")
LIST_KEYS = ("options", "criteria", "seed_questions")


def export_definition(study: Study) -> dict[str, Any]:
    """The definition of a study (no panel, no answers), ready for `json.dumps`.

    ``rounds`` and each option's ``retired_after_round`` describe the study's
    history for readers of a bundle; `import_definition` ignores them.
    """
    return {
        "format": FORMAT, "version": VERSION,
        "title": study.title, "briefing": study.briefing, "languages": list(study.languages),
        "consent_text": study.consent_text,
        "anchoring": study.anchoring, "prefill_previous": study.prefill_previous,
        "consensus_rule": dict(study.consensus_rule or {}),
        "mail_templates": dict(study.mail_templates or {}),
        "translations": translations.exported(study),
        "options": [{"title": o.title, "description": o.description,
                     "translations": translations.exported(o),
                     **({"retired_after_round": o.retired_after_round}
                        if o.retired_after_round is not None else {})}
                    for o in study.options],
        "criteria": [{**{k: getattr(c, k) for k in CRITERION_KEYS},
                      "translations": translations.exported(c)} for c in study.criteria],
        "seed_questions": [{**{k: getattr(q, k) for k in SEED_KEYS},
                            "translations": translations.exported(q)}
                           for q in study.seed_questions],
        "rounds": [{"number": r.number, "status": r.status} for r in study.rounds],
    }


def import_definition(owner: User, data: Any, *, source: str, title: str | None = None,
                      slug: str | None = None) -> Study:
    """Create a new draft study owned by `owner` from a definition; one transaction.

    :raise ValidationFailed: naming every bad field (``options[2].title`` …);
        nothing is written.
    """
    if found := walk_problem(data, ""):
        raise ValidationFailed({found[0] or "file": f"{found[0] or 'The file'} {found[1]}."})
    data = _legacy(data)
    fields = _study_fields(data, title)
    fields["title"] = unused_title(owner, fields["title"])
    templates = mail_texts.validate_templates(_templates(data))
    with unit_of_work():
        study = Study(**fields, slug=slug, mail_templates=templates)
        db.session.add(study)
        db.session.add(Membership(user=owner, study=study, role=Role.OWNER))
        db.session.flush()
        _add_items(study, data)
        _add_translations(study, data)
        study.consensus_rule = _rule(data, study)
        audit.record("study.create", actor_type="user", actor_id=owner.id, study_id=study.id,
                     obj=study, details={"source": source, "options": len(study.options),
                                         "criteria": len(study.criteria)})
    return study


def unused_title(owner: User, title: str) -> str:
    """`title`, or "`title` (copy)", "(copy 2)"… when one of the owner's studies has it.

    An imported definition of a study the organizer already has must not end
    up as two studies nobody can tell apart in the list.
    """
    title = title.strip()
    taken = set(db.session.scalars(
        select(Study.title).join(Membership, Membership.study_id == Study.id)
        .where(Membership.user_id == owner.id, Study.deleted_at.is_(None))))
    candidate, number = title, 1
    while candidate in taken:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = title[:Study.TITLE_MAX - len(suffix)].rstrip() + suffix
        number += 1
    return candidate


def clone_study(study: Study, owner: User) -> Study:
    """A new draft study with the same definition (no panel, no rounds, no answers)."""
    title = f"Copy of {study.title}"[:Study.TITLE_MAX]
    return import_definition(owner, export_definition(study), title=title,
                             source=f"clone of {study.id}")


# Reading and checking the JSON -----------------------------------------------------------

def _legacy(data: Any) -> dict[str, Any]:
    """The definition in the current format (the format-less shape adapted)."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"file": "A study definition is a JSON object "
                                        f"(with \"format\": \"{FORMAT}\")."})
    if "format" not in data:
        if "title" not in data:
            raise ValidationFailed({"file": "This is not an elicit study definition "
                                            f"(expected \"format\": \"{FORMAT}\")."})
        return {**data, "format": FORMAT, "version": VERSION}
    if data.get("format") != FORMAT:
        raise ValidationFailed({"file": "This is not an elicit study definition "
                                        f"(expected \"format\": \"{FORMAT}\")."})
    if data.get("version") != VERSION:
        raise ValidationFailed({"file": f"Unsupported version {data.get('version')!r}."})
    return dict(data)


def _study_fields(data: Mapping[str, Any], title: str | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    fields = {"title": title if title is not None else _text(data, "title", errors),
              "briefing": _text(data, "briefing", errors),
              "consent_text": _text(data, "consent_text", errors),
              "anchoring": _text(data, "anchoring", errors) or "after"}
    prefill = data.get("prefill_previous", True)
    if not isinstance(prefill, bool):
        errors["prefill_previous"] = "“prefill_previous” must be true or false."
    fields["prefill_previous"] = prefill is not False
    languages = data.get("languages", ["en"])
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        errors["languages"] = "“languages” must be a list of language codes, e.g. [\"en\"]."
        languages = []
    fields["languages"] = languages or ["en"]
    for key in LIST_KEYS:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            errors[key] = f"“{key}” must be a list of objects."
        elif len(items) > Study.ITEMS_MAX:
            errors[key] = f"At most {Study.ITEMS_MAX:,} {key.replace('_', ' ')}."
    for key in ("consensus_rule", "mail_templates"):
        if data.get(key) is not None and not isinstance(data.get(key), Mapping):
            errors[key] = f"“{key}” must be an object."
    if len(fields["consent_text"]) > Study.CONSENT_MAX:
        errors["consent_text"] = f"Keep the consent text under {Study.CONSENT_MAX:,} characters."
    if not errors:
        errors = study_errors(**{k: v for k, v in fields.items()
                                 if k not in ("prefill_previous", "consent_text")})
    if errors:
        raise ValidationFailed(errors)
    return fields


def _text(item: Mapping[str, Any], key: str, errors: dict[str, str], where: str = "") -> str:
    """The text at `key` ("" when absent); a non-text value is an error naming the field."""
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[f"{where}{key}"] = f"{where}{key} must be text, not {_json_type(value)}."
        return ""
    return value


def _json_type(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _mapping(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    return dict(data.get(key) or {})


def _templates(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    templates = _mapping(data, "mail_templates")
    bad = [k for k, v in templates.items() if not isinstance(v, Mapping) or not all(
        isinstance(v.get(part, ""), str) for part in ("subject", "body"))]
    if bad:
        raise ValidationFailed({"mail_templates": "Each mail template is an object with text "
                                                  f"“subject” and “body” ({', '.join(bad)})."})
    return templates


def _criterion_values(item: Mapping[str, Any], where: str, errors: dict[str, str]) -> dict:
    values: dict[str, Any] = {k: item[k] for k in CRITERION_KEYS if k in item}
    values.pop("translations", None)
    for key in ("name", "question", "help", "kind"):
        values[key] = _text(item, key, errors, where)
    if not isinstance(values.get("four_step", False), bool):
        errors[f"{where}four_step"] = f"{where}four_step must be true or false."
    for key in ("scale_min", "scale_max"):
        value = values.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            errors[f"{where}{key}"] = f"{where}{key} must be a whole number."
    weight = values.setdefault("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        errors[f"{where}weight"] = f"{where}weight must be a number."
    labels = values.get("scale_labels")
    if labels is not None and (not isinstance(labels, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items())):
        errors[f"{where}scale_labels"] = (f"{where}scale_labels must be an object of point "
                                          "→ label texts, e.g. {\"-3\": \"very negative\"}.")
    return values


def _seed_values(item: Mapping[str, Any], where: str, errors: dict[str, str]) -> dict:
    values: dict[str, Any] = {k: _text(item, k, errors, where) for k in ("text", "unit", "scale")}
    values["scale"] = values["scale"] or "uni"
    realization = item.get("realization")
    if realization is not None and (isinstance(realization, bool)
                                    or not isinstance(realization, int | float)
                                    or not math.isfinite(realization)):
        errors[f"{where}realization"] = f"{where}realization must be a number."
        realization = None
    values["realization"] = None if realization is None else float(realization)
    return values


def _add_items(study: Study, data: Mapping[str, Any]) -> None:
    """Add every option, criterion and seed question, or raise with every problem found."""
    errors: dict[str, str] = {}
    for n, item in enumerate(data.get("options") or [], start=1):
        where = f"options[{n}]."
        values = {k: _text(item, k, errors, where) for k in ("title", "description")}
        _collect(errors, where, questions.add_option, study, **values, commit=False)
    for n, item in enumerate(data.get("criteria") or [], start=1):
        where = f"criteria[{n}]."
        values = _criterion_values(item, where, errors)
        if not any(k.startswith(where) for k in errors):
            _collect(errors, where, questions.add_criterion, study, values, commit=False)
    for n, item in enumerate(data.get("seed_questions") or [], start=1):
        where = f"seed_questions[{n}]."
        values = _seed_values(item, where, errors)
        if not any(k.startswith(where) for k in errors):
            _collect(errors, where, questions.add_seed, study, values, commit=False)
    if errors:
        raise ValidationFailed(errors)
    db.session.flush()


def _add_translations(study: Study, data: Mapping[str, Any]) -> None:
    """Give the study and each item its texts in the other languages, or raise naming each."""
    errors: dict[str, str] = {}
    study.translations = translations.checked(Study, data.get("translations"), "", errors)
    for key, items in (("options", study.options), ("criteria", study.criteria),
                       ("seed_questions", study.seed_questions)):
        for n, (item, given) in enumerate(zip(items, data.get(key) or [], strict=True), start=1):
            item.translations = translations.checked(type(item), given.get("translations"),
                                                     f"{key}[{n}].", errors)
    if errors:
        raise ValidationFailed(errors)


def _rule(data: Mapping[str, Any], study: Study) -> dict[str, Any]:
    """The checked consensus rule ({} when none), its errors named ``consensus_rule.kind`` …"""
    rule = _mapping(data, "consensus_rule")
    if not rule:
        return {}
    try:
        return consensus.validate_rule(rule, study)
    except ValidationFailed as exc:
        raise ValidationFailed({f"consensus_rule.{k}": f"consensus_rule.{k}: {v}"
                                for k, v in exc.errors.items()}) from exc


def _collect(errors: dict[str, str], where: str, function, *args, **kwargs) -> None:
    """Run one service call; its field errors join `errors` under `where`."""
    try:
        with db.session.begin_nested():
            function(*args, **kwargs)
    except ValidationFailed as exc:
        errors.update({f"{where}{k}": f"{where.rstrip('.')}: {v}"
                       for k, v in exc.errors.items()})
