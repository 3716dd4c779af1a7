"""The append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from elicit.extensions import db
from elicit.models.base import created_at_column


class AuditEvent(db.Model):
    """Who did what, when, to which object.

    Deliberately without foreign keys: the trail must outlive the rows it
    describes, and nothing may rewrite it when they are deleted.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = created_at_column()
    actor_type: Mapped[str] = mapped_column(String(10), nullable=False)  # user|expert|system
    actor_id: Mapped[int | None] = mapped_column(Integer)
    study_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    __table_args__ = (Index("ix_audit_events_study_created", "study_id", "created_at"),)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"
