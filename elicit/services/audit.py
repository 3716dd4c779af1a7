"""Append events to the audit trail (inside the caller's transaction)."""

from __future__ import annotations

from typing import Any

from elicit.extensions import db
from elicit.models import AuditEvent


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
