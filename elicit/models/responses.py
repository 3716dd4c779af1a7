"""What experts answer: a response per round, its judgments and seed answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elicit.extensions import db
from elicit.models.base import created_at_column, in_values, utcnow

RATIONALE_MAX = 2000


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    # The expert withdrew from the study: the answers are kept but count nowhere.
    WITHDRAWN = "withdrawn"


class Response(db.Model):
    """One expert's answers in one round (unique per pair).

    The expert and round keys use the default NO ACTION: an expert or round
    that has answers cannot be deleted by accident; purging a whole study
    removes responses explicitly first.
    """

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), nullable=False, index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=ResponseStatus.DRAFT)
    # Number of submissions so far; each is kept in ResponseRevision.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Fingerprint of the consent text agreed to (None: the text before it was recorded).
    consent_digest: Mapped[str | None] = mapped_column(String(64))
    # What the answer rows cannot hold: answers typed but refused, kept as typed
    # ({"typed": {field: text}, "problems": {question: message}}), and a revision
    # saved as a draft after a submission ({"answers": AnswerSet.to_json()}).
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    expert: Mapped[Expert] = relationship()  # noqa: F821
    round: Mapped[Round] = relationship()  # noqa: F821
    judgments: Mapped[list[Judgment]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    comments: Mapped[list[OptionComment]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    seed_answers: Mapped[list[SeedAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    revisions: Mapped[list[ResponseRevision]] = relationship(
        back_populates="response", order_by="ResponseRevision.version",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    __table_args__ = (
        UniqueConstraint("expert_id", "round_id"),
        CheckConstraint(in_values("status", tuple(ResponseStatus)), name="status_known"),
        CheckConstraint("version >= 0", name="version_nonnegative"),
        CheckConstraint("status != 'submitted' OR submitted_at IS NOT NULL",
                        name="submitted_has_time"),
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    def __repr__(self) -> str:
        return f"<Response {self.id} expert={self.expert_id} round={self.round_id} {self.status}>"


class Judgment(db.Model):
    """An answer on one option × criterion.

    Probabilities are stored as fractions in [0, 1]; scale answers as the
    integer point in `value`. An abstention carries no value at all, which
    keeps "I don't know" distinct from a missing row.
    """

    __tablename__ = "judgments"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), nullable=False
    )
    option_id: Mapped[int] = mapped_column(ForeignKey("options.id"), nullable=False, index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criteria.id"), nullable=False, index=True
    )
    value: Mapped[float | None] = mapped_column(Float)
    lowest: Mapped[float | None] = mapped_column(Float)
    best: Mapped[float | None] = mapped_column(Float)
    highest: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    abstained: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    response: Mapped[Response] = relationship(back_populates="judgments")
    option: Mapped[Option] = relationship()  # noqa: F821
    criterion: Mapped[Criterion] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("response_id", "option_id", "criterion_id"),
        CheckConstraint(
            "abstained = false OR (value IS NULL AND lowest IS NULL AND best IS NULL"
            " AND highest IS NULL AND confidence IS NULL)",
            name="abstained_empty",
        ),
        CheckConstraint("value IS NULL OR (value >= -1000 AND value <= 1000)", name="value_range"),
        CheckConstraint("lowest IS NULL OR (lowest >= 0 AND lowest <= 1)", name="lowest_range"),
        CheckConstraint("highest IS NULL OR (highest >= 0 AND highest <= 1)",
                        name="highest_range"),
        CheckConstraint("best IS NULL OR (best >= 0 AND best <= 1)", name="best_range"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0.5 AND confidence <= 1)",
                        name="confidence_range"),
        CheckConstraint(
            "lowest IS NULL OR best IS NULL OR highest IS NULL"
            " OR (lowest <= best AND best <= highest)",
            name="idea_ordered",
        ),
    )

    def __repr__(self) -> str:
        return f"<Judgment r={self.response_id} o={self.option_id} c={self.criterion_id}>"


class OptionComment(db.Model):
    """An expert's rationale and self-rated expertise for one option."""

    __tablename__ = "option_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), nullable=False
    )
    option_id: Mapped[int] = mapped_column(ForeignKey("options.id"), nullable=False, index=True)
    rationale: Mapped[str] = mapped_column(Text, nullable=False, default="")
    expertise: Mapped[int | None] = mapped_column(Integer)

    response: Mapped[Response] = relationship(back_populates="comments")

    __table_args__ = (
        UniqueConstraint("response_id", "option_id"),
        CheckConstraint("expertise IS NULL OR (expertise BETWEEN 1 AND 5)", name="expertise_range"),
        CheckConstraint(f"length(rationale) <= {RATIONALE_MAX}", name="rationale_length"),
    )


class SeedAnswer(db.Model):
    """An expert's 5 %, 50 % and 95 % quantiles for a calibration question."""

    __tablename__ = "seed_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("seed_questions.id"), nullable=False, index=True
    )
    q05: Mapped[float | None] = mapped_column(Float)
    q50: Mapped[float | None] = mapped_column(Float)
    q95: Mapped[float | None] = mapped_column(Float)
    abstained: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    response: Mapped[Response] = relationship(back_populates="seed_answers")
    question: Mapped[SeedQuestion] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint(
            "q05 IS NULL OR q50 IS NULL OR q95 IS NULL OR (q05 < q50 AND q50 < q95)",
            name="quantiles_ordered",
        ),
        CheckConstraint(
            "abstained = false OR (q05 IS NULL AND q50 IS NULL AND q95 IS NULL)",
            name="abstained_empty",
        ),
    )


class ResponseRevision(db.Model):
    """A frozen copy of a response at each submission: revisions never overwrite history."""

    __tablename__ = "response_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    submitted_at: Mapped[datetime] = created_at_column()
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)

    response: Mapped[Response] = relationship(back_populates="revisions")

    __table_args__ = (
        UniqueConstraint("response_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )
