"""The audit trail: append events (inside the caller's transaction), read and export them.

`record` (one event) and `record_each` (a bulk import's events) are the only writers;
nothing here changes or deletes an event.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from elicit.extensions import db
from elicit.models import (
    AuditEvent,
    Criterion,
    Expert,
    Invitation,
    Option,
    Response,
    Round,
    SeedQuestion,
    Study,
    User,
)
from elicit.models.base import utcnow


def record(
    action: str,
    *,
    actor_type: str,
    actor_id: int | None = None,
    study_id: int | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit persists it."""
    event = AuditEvent(
        action=action,
        actor_type=actor_type,
        actor_id=actor_id,
        study_id=study_id,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details=details or {},
    )
    db.session.add(event)
    return event


def record_each(action: str, object_type: str, object_ids: list[int], *, actor_type: str,
                actor_id: int | None, study_id: int | None,
                details: list[dict[str, Any]]) -> None:
    """One event per object in one batched INSERT (a bulk import), in the caller's transaction."""
    now = utcnow()
    db.session.execute(insert(AuditEvent), [
        {"action": action, "actor_type": actor_type, "actor_id": actor_id,
         "study_id": study_id, "object_type": object_type, "object_id": object_id,
         "details": detail, "created_at": now}
        for object_id, detail in zip(object_ids, details, strict=True)])


# Reading: one line per moment, in words ------------------------------------------------
#
# Who is the organizer's name (their e-mail when they gave none), the expert's pseudonym
# (E001…, as in every export) or "system"; objects are named by what people see (round
# numbers, option titles, pseudonyms), never by a database id. Events of the same action by
# the same person within the same second (one e-mail per expert, say) make one line.

PAGE_SIZE = 100
CSV_COLUMNS = ["time_utc", "who", "what", "object", "details", "action", "events"]

# action -> what happened, in words; details are worded by `_details`.
WHAT = {
    "study.create": "Created the study", "study.update": "Edited the study",
    "study.consensus_rule": "Changed the consensus rule",
    "study.mail_templates": "Edited the e-mail texts", "study.import_csv": "Imported questions",
    "study.delete": "Deleted the study", "study.restore": "Restored the study",
    "study.purge": "Purged the study", "study.finish": "Finished the study",
    "option.add": "Added an option", "option.update": "Edited an option",
    "option.remove": "Removed an option", "option.retire": "Retired an option",
    "option.reinstate": "Reinstated an option", "criterion.add": "Added a criterion",
    "criterion.update": "Edited a criterion", "criterion.remove": "Removed a criterion",
    "seed.add": "Added a calibration question", "seed.update": "Edited a calibration question",
    "seed.remove": "Removed a calibration question", "expert.add": "Added an expert",
    "panel.import": "Imported the panel", "invitation.revoke": "Revoked a link",
    "invitation.reissue": "Issued a new link", "round.launch": "Launched a round",
    "round.close": "Closed a round", "round.deadline": "Changed the deadline",
    "round.reminder_sent": "Sent the planned reminder",
    "round.reminder_skipped": "Skipped a planned reminder",
    "mail.queue_invitation": "Queued invitations", "mail.queue_reminder": "Queued reminders",
    "mail.sent": "E-mail delivered", "mail.failed": "E-mail delivery failed",
    "mail.retry": "Queued failed e-mails again", "response.consent": "Gave consent",
    "response.save_draft": "Saved a draft", "response.submit": "Submitted answers",
    "response.revise": "Revised answers", "response.resubmit_unchanged": "Submitted again",
    "member.add": "Added a team member", "member.role": "Changed a member's role",
    "member.remove": "Removed a team member", "job.enqueue": "Started a background job",
    "job.finish": "Background job finished", "job.fail": "Background job failed",
}


@dataclass(frozen=True)
class Line:
    """One line of the log: one event, or several of one action by one person at one moment."""

    time: datetime
    who: str
    action: str
    what: str
    parts: tuple[tuple[str, str], ...]  # (object, details) of each event

    @property
    def events(self) -> int:
        return len(self.parts)

    @property
    def object(self) -> str:
        return ", ".join(dict.fromkeys(obj for obj, _ in self.parts if obj))

    @property
    def details(self) -> str:
        """The details; per object when the events' details differ."""
        distinct = list(dict.fromkeys(details for _, details in self.parts))
        if len(distinct) == 1:
            return distinct[0]
        return " | ".join(f"{obj}: {details}" for obj, details in self.parts if details)


class _Names:
    """What people call the objects of one study's events (looked up once per page)."""

    def __init__(self, study_id: int, events: list[AuditEvent]) -> None:
        def ids(kind: str) -> set[int]:
            return {e.object_id for e in events if e.object_type == kind and e.object_id}

        def lookup(*columns, where) -> dict:
            return {row[0]: row[1:] for row in db.session.execute(select(*columns).where(where))}

        users = {e.actor_id for e in events if e.actor_type == "user" and e.actor_id}
        self.users = {i: (name or email) for i, (name, email) in lookup(
            User.id, User.name, User.email, where=User.id.in_(users)).items()}
        # The same pseudonyms as panel.experts.pseudonyms: each expert's stored number
        # (E001… by order of joining, never reused after a removal).
        self.experts = {i: f"E{n:03d}" for i, n in db.session.execute(
            select(Expert.id, Expert.number).where(Expert.study_id == study_id))}
        self.rounds = {i: n for i, (n,) in lookup(Round.id, Round.number,
                                                   where=Round.id.in_(ids("round"))).items()}
        self.responses = lookup(Response.id, Response.expert_id, Round.number,
                                where=Response.id.in_(ids("response")) & (
                                    Round.id == Response.round_id))
        self.invitations = lookup(Invitation.id, Invitation.expert_id, Round.number,
                                  where=Invitation.id.in_(ids("invitation")) & (
                                      Round.id == Invitation.round_id))
        self.titles = {("option", i): t for i, (t,) in lookup(
            Option.id, Option.title, where=Option.id.in_(ids("option"))).items()}
        self.titles |= {("criterion", i): t for i, (t,) in lookup(
            Criterion.id, Criterion.name, where=Criterion.id.in_(ids("criterion"))).items()}
        self.titles |= {("seedquestion", i): f"calibration question {p}" for i, (p,) in lookup(
            SeedQuestion.id, SeedQuestion.position,
            where=SeedQuestion.id.in_(ids("seedquestion"))).items()}

    def who(self, event: AuditEvent) -> str:
        if event.actor_type == "user":
            return self.users.get(event.actor_id, "a deleted account")
        if event.actor_type == "expert":
            return self.experts.get(event.actor_id, "a removed expert")
        return "system"

    def expert(self, expert_id: Any) -> str:
        return self.experts.get(expert_id, "a removed expert")

    def object(self, event: AuditEvent) -> str:
        kind, key, details = event.object_type, event.object_id, event.details or {}
        if kind == "round":
            number = self.rounds.get(key, details.get("number") or details.get("round"))
            return f"Round {number}" if number else "a round"
        if kind in ("response", "invitation"):
            expert_id, number = (self.responses if kind == "response"
                                 else self.invitations).get(key, (None, None))
            noun = "answers" if kind == "response" else "link"
            return f"Round {number} {noun} of {self.expert(expert_id)}" if number else noun
        if kind == "outboxmessage":
            return f"{details.get('kind', '')} e-mail to {self.expert(details.get('expert_id'))}"
        if kind == "expert":
            return self.expert(key)
        if (kind, key) in self.titles:
            return self.titles[kind, key]
        named = _first_text(details, ("title", "name", "text"))
        return named or {"study": "the study", "membership": details.get("email", "")}.get(
            kind, kind)


def _first_text(details: dict, keys: tuple[str, ...]) -> str:
    for where in (details, details.get("after") or {}, details.get("before") or {}):
        if isinstance(where, dict):
            for key in keys:
                if where.get(key):
                    return str(where[key])
    return ""


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in value.items())
    return str(value)


def _details(details: dict, names: _Names, kind: str = "") -> str:
    """The details in words: changes as `field: before → after`, ids as pseudonyms.

    Empty values are left out; so are the kind and expert of an e-mail (its object says
    them) and database ids.
    """
    parts = []
    before, after = details.get("before"), details.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        parts += [f"{k.replace('_', ' ')}: {_value(before.get(k))} → {_value(after.get(k))}"
                  for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    elif before is not None or after is not None:
        parts.append(f"{_value(before)} → {_value(after)}" if before is not None
                     and after is not None else _value(after if after is not None else before))
    for key, value in details.items():
        if key in ("before", "after", "job", "number", "round") or value in (None, "", []) \
                or (kind == "outboxmessage" and key in ("kind", "expert_id")):
            continue
        if key == "expert_id":
            parts.append(f"expert {names.expert(value)}")
        elif key.endswith("_id"):
            continue  # database ids mean nothing to a reader
        else:
            parts.append(f"{key.replace('_', ' ')}: {_value(value)}")
    return "; ".join(parts)


def _lines(study_id: int, events: list[AuditEvent]) -> list[Line]:
    names = _Names(study_id, events)
    lines: list[Line] = []
    for e in events:
        line = Line(time=e.created_at.replace(microsecond=0), who=names.who(e), action=e.action,
                    what=WHAT.get(e.action, e.action),
                    parts=((names.object(e), _details(e.details or {}, names, e.object_type)),))
        last = lines[-1] if lines else None
        if last and (last.time, last.who, last.action) == (line.time, line.who, line.action):
            lines[-1] = Line(last.time, last.who, last.action, last.what, last.parts + line.parts)
        else:
            lines.append(line)
    return lines


def page(study: Study, number: int = 1) -> tuple[list[Line], int]:
    """One page of the study's log, newest first, and the number of pages."""
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.study_id == study.id))
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    events = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.study_id == study.id)
        .order_by(AuditEvent.id.desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    # Grouped oldest first (a line lists its objects in the order they happened), shown newest
    # first.
    return _lines(study.id, events[::-1])[::-1], pages


def export_csv(study: Study) -> str:
    """The study's whole log as CSV, oldest first, one line per moment as on the page."""
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.study_id == study.id)
                                     .order_by(AuditEvent.id)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for line in _lines(study.id, events):
        writer.writerow([line.time.strftime("%Y-%m-%d %H:%M:%S"), *(_safe(text) for text in (
            line.who, line.what, line.object, line.details)), line.action, line.events])
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
