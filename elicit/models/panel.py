"""The expert panel of a study and their personal invitations per round."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elicit.extensions import db
from elicit.models.base import created_at_column


class Expert(db.Model):
    __tablename__ = "experts"
    NAME_MAX = 200
    EMAIL_MAX = 254
    AFFILIATION_MAX = 300
    GROUP_MAX = 80
    WITHDRAWN_REASON_MAX = 500

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # The expert's number in the study (pseudonym E001, E002, …): given once, never reused,
    # so removing an expert who never answered renames no one.
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), nullable=False)
    affiliation: Mapped[str] = mapped_column(String(AFFILIATION_MAX), nullable=False,
                                             default="")
    # Stakeholder category, used for stratified results.
    group: Mapped[str] = mapped_column(String(GROUP_MAX), nullable=False, default="")
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    expertise: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
    # Withdrawn from the study: their answers leave every analysis from then on (kept, not
    # deleted; their responses carry the status 'withdrawn').
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[str] = mapped_column(String(WITHDRAWN_REASON_MAX), nullable=False,
                                                  default="")

    study: Mapped[Study] = relationship(back_populates="experts")  # noqa: F821
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("study_id", "email"),
        Index("ix_experts_study_id_number", "study_id", "number", unique=True),
        CheckConstraint("expertise IS NULL OR (expertise BETWEEN 1 AND 5)", name="expertise_range"),
    )

    @property
    def pseudonym(self) -> str:
        return f"E{self.number:03d}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def __repr__(self) -> str:
        return f"<Expert {self.id} study={self.study_id}>"


class Invitation(db.Model):
    """An expert's personal link for one round.

    Only a SHA-256 hash of the token is stored; the token itself is derived
    from the app's secret key and `token_nonce` (see services/tokens.py), so a
    database dump alone reveals no working link.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    token_nonce: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    expert: Mapped[Expert] = relationship(back_populates="invitations")
    round: Mapped[Round] = relationship()  # noqa: F821

    __table_args__ = (UniqueConstraint("expert_id", "round_id"),)

    def __repr__(self) -> str:
        return f"<Invitation expert={self.expert_id} round={self.round_id}>"
