"""A study's definition as JSON (export, import, clone) and options / seeds from CSV."""

from __future__ import annotations

import math
from typing import Any

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Membership, Role, Study, User
from elicit.services import audit
from elicit.services.common.csv_rows import RowError, read_rows
from elicit.services.studies import consensus, mail_texts, questions
from elicit.services.studies.builder import study_errors

FORMAT = "elicit-study"
VERSION = 1
CRITERION_KEYS = ("name", "question", "kind", "four_step", "scale_min", "scale_max",
                  "scale_labels", "weight")


def export_study(study: Study) -> dict[str, Any]:
    """The definition of a study (no panel, no answers), ready for `json.dumps`."""
    return {
        "format": FORMAT, "version": VERSION,
        "title": study.title, "briefing": study.briefing, "languages": list(study.languages),
        "anchoring": study.anchoring, "consensus_rule": dict(study.consensus_rule or {}),
        "mail_templates": dict(study.mail_templates or {}),
        "options": [{"title": o.title, "description": o.description} for o in study.options],
        "criteria": [{k: getattr(c, k) for k in CRITERION_KEYS} for c in study.criteria],
        "seed_questions": [{"text": q.text, "unit": q.unit, "scale": q.scale,
                            "realization": q.realization} for q in study.seed_questions],
    }


def import_study(owner: User, data: Any, *, title: str | None = None,
                 source: str = "import") -> Study:
    """Create a new draft study from an exported definition, in one transaction."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationFailed({"file": "This is not an elicit study definition "
                                        f"(expected \"format\": \"{FORMAT}\")."})
    if data.get("version") != VERSION:
        raise ValidationFailed({"file": f"Unsupported version {data.get('version')!r}."})
    fields = {"title": title or str(data.get("title") or ""),
              "briefing": str(data.get("briefing") or ""),
              "languages": [str(x) for x in data.get("languages") or ["en"]],
              "anchoring": str(data.get("anchoring") or "after")}
    if errors := study_errors(**fields):
        raise ValidationFailed(errors)
    study = Study(**fields, mail_templates=mail_texts.validate_templates(
        _mapping(data.get("mail_templates"), "mail_templates")))
    db.session.add(study)
    db.session.add(Membership(user=owner, study=study, role=Role.OWNER))
    db.session.flush()
    try:
        _add_items(study, data)
        rule = _mapping(data.get("consensus_rule"), "consensus_rule")
        study.consensus_rule = consensus.validate_rule(rule, study) if rule else {}
    except ValidationFailed:
        db.session.rollback()
        raise
    audit.record("study.create", actor_type="user", actor_id=owner.id, study_id=study.id,
                 obj=study, details={"source": source, "options": len(study.options),
                                     "criteria": len(study.criteria)})
    db.session.commit()
    return study


def _mapping(value: Any, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed({name: f"“{name}” must be an object."})
    return value


def _items(data: dict, key: str) -> list[dict]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed({key: f"“{key}” must be a list of objects."})
    return items


def _add_items(study: Study, data: dict) -> None:
    for n, item in enumerate(_items(data, "options"), start=1):
        _prefixed(f"options[{n}]", questions.add_option, study,
                  title=str(item.get("title") or ""),
                  description=str(item.get("description") or ""), commit=False)
    for n, item in enumerate(_items(data, "criteria"), start=1):
        values = {k: item.get(k) for k in CRITERION_KEYS if k in item}
        values.setdefault("weight", 1.0)
        _prefixed(f"criteria[{n}]", questions.add_criterion, study, values, commit=False)
    for n, item in enumerate(_items(data, "seed_questions"), start=1):
        values = {k: item.get(k) for k in ("text", "unit", "scale", "realization")}
        if values["realization"] is not None and not isinstance(values["realization"],
                                                                int | float):
            raise ValidationFailed({f"seed_questions[{n}]": "realization must be a number"})
        _prefixed(f"seed_questions[{n}]", questions.add_seed, study, values, commit=False)
    db.session.flush()


def _prefixed(where: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValidationFailed as exc:
        raise ValidationFailed({f"{where}.{k}": f"{where}: {v}"
                                for k, v in exc.errors.items()}) from exc


def clone_study(study: Study, owner: User) -> Study:
    """A new draft study with the same definition (no panel, no rounds, no answers)."""
    title = f"Copy of {study.title}"[:300]
    return import_study(owner, export_study(study), title=title, source=f"clone of {study.id}")


# CSV ------------------------------------------------------------------------------------

def import_options_csv(study: Study, data: bytes, *, actor_id: int) -> int:
    """Add options from a CSV with columns title, description; all or nothing."""
    report = read_rows(data, required=("title",), optional=("description",))
    return _import_rows(study, report, "options", actor_id, lambda row: questions.add_option(
        study, title=row["title"], description=row.get("description", ""),
        actor_id=actor_id, commit=False))


def import_seeds_csv(study: Study, data: bytes, *, actor_id: int) -> int:
    """Add seed questions from a CSV with columns text, unit, scale, realization."""
    report = read_rows(data, required=("text",), optional=("unit", "scale", "realization"))

    def add(row: dict[str, str]) -> None:
        values: dict[str, Any] = {"text": row["text"], "unit": row.get("unit", ""),
                                  "scale": (row.get("scale") or "uni").lower()}
        raw = row.get("realization", "")
        if raw:
            try:
                values["realization"] = float(raw.replace(",", "."))
            except ValueError:
                raise ValidationFailed({"realization": f"“{raw}” is not a number"}) from None
            if not math.isfinite(values["realization"]):
                raise ValidationFailed({"realization": f"“{raw}” is not an ordinary number"})
        questions.add_seed(study, values, actor_id=actor_id, commit=False)

    return _import_rows(study, report, "seed questions", actor_id, add)


def _import_rows(study: Study, report, what: str, actor_id: int, add) -> int:
    for line, row in report.rows:
        try:
            with db.session.begin_nested():
                add(row)
        except ValidationFailed as exc:
            report.errors.extend(_row_errors(line, exc))
    if report.errors:
        db.session.rollback()
        report.errors.sort(key=lambda e: e.line)
        raise ValidationFailed(report.error_dict())
    audit.record("study.import_csv", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=study, details={"what": what, "rows": len(report.rows)})
    db.session.commit()
    return len(report.rows)


def _row_errors(line: int, exc: ValidationFailed) -> list[RowError]:
    return [RowError(line, message) for message in exc.errors.values()]
