"""Import a panel of experts from CSV: all rows checked, nothing written until clean."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import Expert, RoundStatus, Study
from elicit.services import audit
from elicit.services.accounts.users import normalise_email
from elicit.services.common.csv_rows import CsvReport, RowError, read_rows
from elicit.services.panel import experts

REQUIRED = ("name", "email")
OPTIONAL = ("affiliation", "group", "language", "expertise")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PanelImport:
    report: CsvReport
    imported: int

    @property
    def skipped(self) -> int:
        return len(self.report.bad_lines)


def check_panel_csv(study: Study, data: bytes) -> CsvReport:
    """Parse and check every row; `report.rows` keeps only the good ones."""
    report = read_rows(data, required=REQUIRED, optional=OPTIONAL)
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
    elif len(row["name"]) > 200:
        problems.append("the name is longer than 200 characters")
    if not _EMAIL.match(normalise_email(row["email"])) or len(row["email"]) > 254:
        problems.append(f"“{row['email']}” is not an e-mail address")
    if len(row.get("affiliation", "")) > 300:
        problems.append("the affiliation is longer than 300 characters")
    if len(row.get("group", "")) > 80:
        problems.append("the group is longer than 80 characters")
    language = row.get("language") or ""
    if language and language.lower() not in languages:
        problems.append(f"language “{language}” is not one of the study's "
                        f"({', '.join(sorted(languages))})")
    expertise = row.get("expertise") or ""
    if expertise and (not expertise.isdigit() or not 1 <= int(expertise) <= 5):
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
    default_language = study.languages[0] if study.languages else "en"
    for _, row in report.rows:
        expert = experts.add_expert(
            study, name=row["name"], email=row["email"], affiliation=row.get("affiliation", ""),
            group=row.get("group", ""), language=(row.get("language") or default_language).lower(),
            actor_id=actor_id, record=False)
        if row.get("expertise"):
            expert.expertise = int(row["expertise"])
    open_round = next((r for r in study.rounds if r.status == RoundStatus.OPEN), None)
    if open_round is not None:  # joining mid-round: a link for the open round too
        experts.invite_panel(open_round)
    audit.record("panel.import", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=study,
                 details={"imported": len(report.rows), "skipped_lines": sorted(report.bad_lines)})
    db.session.commit()
    return PanelImport(report=report, imported=len(report.rows))
