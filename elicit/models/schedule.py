"""Reminders planned for a round, each claimed once by whichever process sends it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elicit.extensions import db
from elicit.models.base import in_values


class RoundReminder(db.Model):
    """A reminder e-mail planned `days_before` the round's deadline.

    One row per round and offset (the unique key): the scheduler claims it
    with a conditional UPDATE on `done_at`, so it goes out once however many
    processes tick at the same moment.
    """

    __tablename__ = "round_reminders"
    DAYS_MAX = 60
    OUTCOMES = ("sent", "skipped")

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    days_before: Mapped[int] = mapped_column(Integer, nullable=False)
    # closes_at - days_before; None while the round has no deadline.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(10))
    queued: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    round: Mapped[Round] = relationship(back_populates="reminders")  # noqa: F821

    __table_args__ = (
        UniqueConstraint("round_id", "days_before"),
        CheckConstraint(f"days_before BETWEEN 1 AND {DAYS_MAX}", name="days_range"),
        CheckConstraint("outcome IS NULL OR " + in_values("outcome", OUTCOMES),
                        name="outcome_known"),
    )

    def __repr__(self) -> str:
        return f"<RoundReminder round={self.round_id} -{self.days_before}d {self.outcome}>"
