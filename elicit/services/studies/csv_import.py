"""Options and calibration questions added from an organizer's CSV upload, all or nothing.

Every row is checked first and all problems are reported at once, each with its
line; options are then inserted in bulk (one executemany and batched audit
events), so a file at the documented maximum imports in about a second.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import insert, select

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Option, Study
from elicit.services import audit
from elicit.services.common.csv_rows import RowError, read_rows
from elicit.services.studies import finished, questions


def import_options_csv(study: Study, data: bytes, *, actor_id: int) -> int:
    """Add options from a CSV with columns title, description; all or nothing."""
    report = read_rows(data, required=("title",), optional=("description",))
    # Checked and inserted in bulk: titles against a set (not each against every option)
    # and one flush, so 6,000 rows take a second, not the worker's whole timeout.
    existing = {o.title for o in study.options}
    seen: dict[str, int] = {}
    for line, row in report.rows:
        title = row["title"].strip()
        errors = questions.option_errors(row["title"], row.get("description", ""))
        report.errors += [RowError(line, message) for message in errors.values()]
        if not errors and title in existing:
            report.errors.append(RowError(line, f"An option called “{title}” already exists."))
        elif not errors and title in seen:
            report.errors.append(RowError(line, f"“{title}” also appears on line {seen[title]}."))
        seen.setdefault(title, line)
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        raise ValidationFailed(report.error_dict())
    finished.refuse_if_finished(study)  # a bulk INSERT passes no ORM flush guard
    questions.refuse_while_answering(study, "option")
    first = questions.next_position(Option, study)
    rows = [{"study_id": study.id, "position": first + n, "title": row["title"].strip(),
             "description": row.get("description", "").strip()}
            for n, (_, row) in enumerate(report.rows)]
    db.session.execute(insert(Option), rows)  # one executemany
    ids = db.session.scalars(select(Option.id).where(
        Option.study_id == study.id, Option.position >= first).order_by(Option.position)).all()
    audit.record_each("option.add", "option", list(ids), actor_type="user", actor_id=actor_id,
                      study_id=study.id, details=[{"after": {"title": r["title"]}} for r in rows])
    db.session.expire(study, ["options"])
    audit.record("study.import_csv", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=study, details={"what": "options", "rows": len(report.rows)})
    db.session.commit()
    return len(report.rows)


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
