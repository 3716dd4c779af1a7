"""E-mails waiting to be sent: written in the same transaction as what caused them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elicit.extensions import db
from elicit.models.base import created_at_column, in_values


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # retries exhausted or permanent failure (bounce)


# invitation and reminder go to experts; the others to organizer and analyst accounts.
MAIL_KINDS = ("invitation", "reminder", "account_invite", "team_added", "password_reset")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for account e-mails (team invitations, password resets): they belong to no
    # study's e-mail log, which co-organizers can read.
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    # Indexed: the panel page looks up each invitation's latest message, and
    # deleting an invitation must find its messages without a table scan.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # one of MAIL_KINDS
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = created_at_column()
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    expert: Mapped[Expert | None] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(in_values("status", tuple(OutboxStatus)), name="status_known"),
        CheckConstraint(in_values("kind", MAIL_KINDS), name="kind_known"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
