"""The audit trail: append events (inside the caller's transaction), read and export them.

`record` (one event) and `record_each` (a bulk import's events) are the only writers;
nothing here changes or deletes an event.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from elicit.extensions import db
from elicit.models import AuditEvent, Study, User
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


# Reading -----------------------------------------------------------------------------------

PAGE_SIZE = 100
CSV_COLUMNS = ["id", "time_utc", "actor", "action", "object", "details"]


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    actor: str

    @property
    def object_label(self) -> str:
        e = self.event
        return f"{e.object_type} {e.object_id}" if e.object_type else ""

    @property
    def details_text(self) -> str:
        return json.dumps(self.event.details, ensure_ascii=False, sort_keys=True, default=str)


def _actor_names(events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_type == "user" and e.actor_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def _entries(events: list[AuditEvent]) -> list[Entry]:
    names = _actor_names(events)
    out = []
    for e in events:
        if e.actor_type == "user":
            actor = names.get(e.actor_id, f"user {e.actor_id}")
        elif e.actor_type == "expert":
            actor = f"expert {e.actor_id}"
        else:
            actor = "system"
        out.append(Entry(e, actor))
    return out


def page(study: Study, number: int = 1) -> tuple[list[Entry], int]:
    """One page of the study's events, newest first, and the number of pages."""
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.study_id == study.id))
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    events = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.study_id == study.id)
        .order_by(AuditEvent.id.desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return _entries(events), pages


def export_csv(study: Study) -> str:
    """The whole trail of a study as CSV, oldest first."""
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.study_id == study.id)
                                     .order_by(AuditEvent.id)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in _entries(events):
        e = entry.event
        writer.writerow([e.id, e.created_at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor,
                         e.action, entry.object_label, _safe(entry.details_text)])
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
