"""Study definitions as JSON (the demo file's shape): export, create, import a panel.

Written for the API's write endpoints and the reproducibility bundle. The
organizer side is writing `services/study_io.py` and `services/panel_import.py`
concurrently; once they land, `create_study` and `import_panel` should become
thin calls into them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError, StatementError

from elicit.errors import Conflict, DomainError, ValidationFailed
from elicit.extensions import db
from elicit.models import Criterion, Membership, Option, Role, SeedQuestion, Study, User
from elicit.services import audit
from elicit.services.panel import experts

CRITERION_FIELDS = ("name", "kind", "question", "four_step", "weight", "scale_min",
                    "scale_max", "scale_labels")
SEED_FIELDS = ("text", "unit", "scale", "realization")
MAX_ITEMS = 500


def study_definition(study: Study) -> dict[str, Any]:
    """The study's definition: what was asked and how consensus is read (no panel)."""
    return {
        "slug": study.slug, "title": study.title, "languages": study.languages,
        "anchoring": study.anchoring, "consensus_rule": study.consensus_rule,
        "briefing": study.briefing,
        "options": [{"title": o.title, "description": o.description,
                     "retired_after_round": o.retired_after_round} for o in study.options],
        "criteria": [{f: getattr(c, f) for f in CRITERION_FIELDS} for c in study.criteria],
        "seed_questions": [{f: getattr(q, f) for f in SEED_FIELDS}
                           for q in study.seed_questions],
        "rounds": [{"number": r.number, "status": r.status} for r in study.rounds],
    }


def _text(data: Mapping[str, Any], key: str, *, required: bool = False,
          limit: int = 300) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise ValidationFailed({key: f"'{key}' must be text of 1 to {limit} characters."
                                if required else f"'{key}' must be text."})
    return value.strip()


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS \
            or not all(isinstance(i, Mapping) for i in items):
        raise ValidationFailed({key: f"'{key}' must be a list of objects."})
    return items


def create_study(owner: User, data: Any) -> Study:
    """Create a draft study from its JSON definition, owned by `owner`; one transaction."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"body": "Send the study definition as a JSON object."})
    study = Study(title=_text(data, "title", required=True),
                  briefing=_text(data, "briefing", limit=100_000),
                  languages=data.get("languages") or ["en"],
                  anchoring=data.get("anchoring", "after"),
                  consensus_rule=data.get("consensus_rule") or {})
    if not (isinstance(study.languages, list) and study.languages
            and all(isinstance(x, str) and 0 < len(x) <= 8 for x in study.languages)):
        raise ValidationFailed({"languages": "'languages' must be a list of language codes."})
    if not isinstance(study.consensus_rule, Mapping):
        raise ValidationFailed({"consensus_rule": "'consensus_rule' must be an object."})
    if study.anchoring not in ("before", "after"):
        raise ValidationFailed({"anchoring": "'anchoring' must be 'before' or 'after'."})
    for position, item in enumerate(_items(data, "options"), start=1):
        study.options.append(Option(position=position, title=_text(item, "title", required=True),
                                    description=_text(item, "description", limit=10_000)))
    for position, item in enumerate(_items(data, "criteria"), start=1):
        fields = {f: item[f] for f in CRITERION_FIELDS if f in item}
        if fields.get("kind") not in ("probability", "scale"):
            raise ValidationFailed({"criteria": "Each criterion needs kind 'probability' "
                                                "or 'scale'."})
        study.criteria.append(Criterion(position=position, **fields))
    for position, item in enumerate(_items(data, "seed_questions"), start=1):
        study.seed_questions.append(SeedQuestion(position=position,
                                                 **{f: item[f] for f in SEED_FIELDS
                                                    if f in item}))
    db.session.add(study)
    db.session.add(Membership(user=owner, study=study, role=Role.OWNER))
    try:
        db.session.flush()
    except (IntegrityError, StatementError) as exc:
        db.session.rollback()
        raise Conflict("The definition breaks a rule (duplicate titles or names, or a "
                       "criterion's scale or weight out of range).") from exc
    audit.record("study.create", actor_type="user", actor_id=owner.id, study_id=study.id,
                 obj=study, details={"source": "api"})
    db.session.commit()
    return study


def import_panel(study: Study, rows: Iterable[Any], *, actor_id: int) -> int:
    """Add experts (name, email[, affiliation, group, language]); all or nothing."""
    added = 0
    try:
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                raise ValidationFailed({"experts": f"Expert {n} must be an object."})
            experts.add_expert(study, name=str(row.get("name", "")),
                             email=str(row.get("email", "")),
                             affiliation=str(row.get("affiliation", "")),
                             group=str(row.get("group", "")),
                             language=str(row.get("language", "en")), actor_id=actor_id)
            added += 1
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return added
