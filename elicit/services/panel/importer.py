"""Import a panel of experts from CSV or JSON: all rows checked, nothing written until clean.

`import_panel` reads a CSV upload (organizer page, `flask panel import`);
`import_rows` takes already-parsed objects (``POST /api/v1/studies/{id}/panel``).
Both check each row with the same rules and add the experts the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Expert, RoundStatus, Study
from elicit.services import audit
from elicit.services.accounts.users import normalise_email
from elicit.services.common import emails
from elicit.services.common.csv_rows import CsvReport, RowError, read_rows
from elicit.services.panel import experts
from elicit.services.studies import finished

REQUIRED = ("name", "email")
OPTIONAL = ("affiliation", "group", "language", "expertise")


@dataclass(frozen=True)
class PanelImport:
    report: CsvReport
    imported: int

    @property
    def skipped(self) -> int:
        return len(self.report.bad_lines)


def check_panel_csv(study: Study, data: bytes) -> CsvReport:
    """Parse and check every row; `report.rows` keeps only the good ones."""
    return check_rows(study, read_rows(data, required=REQUIRED, optional=OPTIONAL))


def check_rows(study: Study, report: CsvReport) -> CsvReport:
    """Check every row of `report`; bad ones move to `report.errors`."""
    taken = set(db.session.scalars(select(Expert.email).where(Expert.study_id == study.id)))
    languages = set(study.languages) & set(current_app.config["LANGUAGES"]) or {"en"}
    seen: dict[str, int] = {}
    good = []
    for line, row in report.rows:
        problems = _row_problems(row, languages)
        email = normalise_email(row["email"])
        if email in taken:
            problems.append(f"{email} is already on the panel")
        elif email in seen:
            problems.append(f"{email} also appears on line {seen[email]}")
        seen.setdefault(email, line)
        if problems:
            report.errors.extend(RowError(line, p) for p in problems)
        else:
            good.append((line, row))
    report.rows = good
    report.errors.sort(key=lambda e: e.line)
    return report


def _row_problems(row: dict[str, str], languages: set[str]) -> list[str]:
    problems = []
    if not row["name"]:
        problems.append("the name is empty")
    elif len(row["name"]) > Expert.NAME_MAX:
        problems.append(f"the name is longer than {Expert.NAME_MAX} characters")
    if emails.email_problem(normalise_email(row["email"])):
        problems.append(f"“{row['email']}” is not an e-mail address")
    if len(row.get("affiliation", "")) > Expert.AFFILIATION_MAX:
        problems.append(f"the affiliation is longer than {Expert.AFFILIATION_MAX} characters")
    if len(row.get("group", "")) > Expert.GROUP_MAX:
        problems.append(f"the group is longer than {Expert.GROUP_MAX} characters")
    language = row.get("language") or ""
    if language and language.lower() not in languages:
        problems.append(f"language “{language}” is not one of the study's "
                        f"({', '.join(sorted(languages))})")
    expertise = row.get("expertise") or ""
    if expertise and expertise not in ("1", "2", "3", "4", "5"):
        problems.append(f"expertise “{expertise}” is not a whole number from 1 to 5")
    return problems


def import_panel(study: Study, data: bytes, *, only_valid: bool = False,
                 actor_id: int | None = None) -> PanelImport:
    """Add every expert of the CSV in one transaction.

    With errors, nothing is imported (ValidationFailed lists each line) unless
    `only_valid`, which imports the good rows and reports the rest.
    """
    report = check_panel_csv(study, data)
    header_broken = any(e.line == 1 for e in report.errors)
    if report.errors and (not only_valid or header_broken):
        raise ValidationFailed(report.error_dict())
    return _add_rows(study, report, actor_id)


def import_rows(study: Study, rows: Any, *, actor_id: int | None = None) -> PanelImport:
    """Add experts from JSON objects (name, email[, affiliation, group, language,
    expertise]); all or nothing.

    :raise ValidationFailed: one entry per bad object (``expert 3``), nothing added.
    """
    if not isinstance(rows, list):
        raise ValidationFailed({"experts": "“experts” must be a list of objects."})
    report = CsvReport()
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            report.errors.append(RowError(n, "must be an object with name and email"))
            continue
        wrong = sorted(k for k, v in row.items() if k in REQUIRED + OPTIONAL
                       and not isinstance(v, str) and not (k == "expertise" and _whole(v)))
        unknown = sorted(k for k in row if k not in REQUIRED + OPTIONAL)
        if wrong or unknown:
            report.errors.extend(RowError(n, f"“{k}” must be text") for k in wrong)
            report.errors.extend(RowError(n, f"unknown field “{k}”") for k in unknown)
            continue
        report.rows.append((n, {k: str(row.get(k, "")).strip() for k in REQUIRED + OPTIONAL}))
    check_rows(study, report)
    if report.errors:
        raise ValidationFailed(report.error_dict("expert"))
    return _add_rows(study, report, actor_id)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _add_rows(study: Study, report: CsvReport, actor_id: int | None) -> PanelImport:
    # Every row was checked in bulk by `check_rows` (one query for the e-mails already on
    # the panel): insert them together, one flush, not a query and a flush per row.
    finished.refuse_if_finished(study)  # a bulk INSERT passes no ORM flush guard
    default_language = study.languages[0] if study.languages else "en"
    first = experts.next_number(study.id)  # pseudonyms E001…: stored, never reused
    db.session.execute(insert(Expert), [
        {"study_id": study.id, "number": first + i, "name": row["name"].strip(),
         "email": normalise_email(row["email"]),
         "affiliation": row.get("affiliation", "").strip(), "group": row.get("group", "").strip(),
         "language": (row.get("language") or default_language).lower(),
         "expertise": int(row["expertise"]) if row.get("expertise") else None}
        for i, (_, row) in enumerate(report.rows)])
    db.session.expire(study, ["experts"])
    open_round = next((r for r in study.rounds if r.status == RoundStatus.OPEN), None)
    if open_round is not None:  # joining mid-round: a link for the open round too
        experts.invite_panel(open_round)
    audit.record("panel.import", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=study,
                 details={"imported": len(report.rows), "skipped_lines": sorted(report.bad_lines)})
    db.session.commit()
    return PanelImport(report=report, imported=len(report.rows))
