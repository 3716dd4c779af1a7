"""A study and what experts are asked in it: options, criteria, seed questions, rounds."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql import true

import elicit.richtext as richtext
from elicit.extensions import db
from elicit.models.base import created_at_column, in_values


class StudyStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class AnchoringMode(StrEnum):
    """When later rounds show the panel's feedback to an expert."""

    BEFORE = "before"  # beside the question, before the expert answers
    AFTER = "after"  # only once the expert has given a new estimate


class CriterionKind(StrEnum):
    PROBABILITY = "probability"
    SCALE = "scale"


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Study(db.Model):
    __tablename__ = "studies"
    # Limits, declared once: forms, services and the API's JSON schemas import them.
    TITLE_MAX = 300
    BRIEFING_MAX = 50_000
    SLUG_MAX = 80
    ITEMS_MAX = 5_000  # options, criteria or seed questions in one definition
    MAIL_SUBJECT_MAX = 300

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable handle for scripts and the demo loader; unique when present.
    slug: Mapped[str | None] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    briefing: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The briefing and consent text as sanitized HTML, rendered once when the text is saved
    # (see `_render_texts`): expert pages read it and never run the Markdown parser.
    briefing_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The study's own consent statement (Markdown), shown above the consent box; optional.
    consent_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    consent_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The texts in the study's other languages: {"fr": {"title": ..., "briefing": ...,
    # "briefing_html": ..., "consent_text": ..., "consent_html": ..., "mail_templates": {...}}}.
    # The main language (languages[0]) lives in the columns above.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=lambda: ["en"])
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=StudyStatus.DRAFT)
    anchoring: Mapped[str] = mapped_column(String(10), nullable=False, default=AnchoringMode.AFTER)
    # Round 2 and later: the form starts with the expert's own previous answers.
    prefill_previous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                                   server_default=true())
    consensus_rule: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # {"invitation": {"subject": ..., "body": ...}, "reminder": {...}}; defaults when absent.
    mail_templates: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at_column()
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    options: Mapped[list[Option]] = relationship(
        back_populates="study", order_by="Option.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="study", order_by="Criterion.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    seed_questions: Mapped[list[SeedQuestion]] = relationship(
        back_populates="study", order_by="SeedQuestion.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="study", order_by="Round.number", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    experts: Mapped[list[Expert]] = relationship(  # noqa: F821
        back_populates="study", order_by="Expert.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821
        back_populates="study", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(in_values("status", tuple(StudyStatus)), name="status_known"),
        CheckConstraint(in_values("anchoring", tuple(AnchoringMode)), name="anchoring_known"),
    )

    CONSENT_MAX = 20_000
    RENDERED = {"briefing": "briefing_html", "consent_text": "consent_html"}

    @validates("briefing", "consent_text")
    def _render_text(self, key: str, value: str | None) -> str | None:
        setattr(self, self.RENDERED[key], richtext.render(value))
        return value

    @validates("translations")
    def _render_translations(self, key: str, value: dict[str, Any] | None) -> dict[str, Any]:
        rendered: dict[str, Any] = {}
        for lang, texts in (value or {}).items():
            texts = dict(texts)
            for source, html in self.RENDERED.items():
                if texts.get(source):
                    texts[html] = richtext.render(texts[source])
                else:
                    texts.pop(html, None)
            rendered[lang] = texts
        return rendered

    @property
    def main_language(self) -> str:
        return self.languages[0] if self.languages else "en"

    @property
    def current_round(self) -> Round | None:
        """The latest round that is not a draft, else the latest round."""
        started = [r for r in self.rounds if r.status != RoundStatus.DRAFT]
        if started:
            return started[-1]
        return self.rounds[-1] if self.rounds else None

    def __repr__(self) -> str:
        return f"<Study {self.id} {self.title!r}>"


class Option(db.Model):
    __tablename__ = "options"
    TITLE_MAX = 300
    DESCRIPTION_MAX = 5_000

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # {"fr": {"title": ..., "description": ...}}: the texts in the study's other languages.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # Set when the option leaves the questionnaire (e.g. consensus reached):
    # it is asked up to and including this round, never after.
    retired_after_round: Mapped[int | None] = mapped_column(Integer)

    study: Mapped[Study] = relationship(back_populates="options")

    __table_args__ = (
        UniqueConstraint("study_id", "position"),
        UniqueConstraint("study_id", "title"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    def __repr__(self) -> str:
        return f"<Option {self.id} {self.title!r}>"


class Criterion(db.Model):
    __tablename__ = "criteria"
    NAME_MAX = 120
    QUESTION_MAX = 2_000
    LABEL_MAX = 120
    WEIGHT_LIMIT = 100  # weights lie in [-WEIGHT_LIMIT, WEIGHT_LIMIT]
    SCALE_SPAN_MAX = 100  # scale_max - scale_min
    SCALE_BOUND = 10_000  # |scale_min|, |scale_max|

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # A hint shown under the question (what to consider, how to read the scale).
    help: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # {"fr": {"name": ..., "question": ..., "help": ..., "scale_labels": {"-3": ...}}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    HELP_MAX = 2_000
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # Probability criteria: ask the IDEA four-step instead of one percentage.
    four_step: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    scale_min: Mapped[int | None] = mapped_column(Integer)
    scale_max: Mapped[int | None] = mapped_column(Integer)
    # {"-3": "Very harmful", ...}: labels for some or all scale points.
    scale_labels: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    weight: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)

    study: Mapped[Study] = relationship(back_populates="criteria")

    __table_args__ = (
        UniqueConstraint("study_id", "position"),
        UniqueConstraint("study_id", "name"),
        CheckConstraint(in_values("kind", tuple(CriterionKind)), name="kind_known"),
        CheckConstraint(
            "kind != 'scale' OR (scale_min IS NOT NULL AND scale_max IS NOT NULL"
            " AND scale_min < scale_max AND scale_max - scale_min <= 100)",
            name="scale_bounds",
        ),
        CheckConstraint("kind = 'probability' OR four_step = false", name="four_step_probability"),
        CheckConstraint("weight >= -100 AND weight <= 100", name="weight_range"),
    )

    @property
    def is_probability(self) -> bool:
        return self.kind == CriterionKind.PROBABILITY

    def scale_points(self) -> list[tuple[int, str]]:
        """Each point of a scale criterion with its label ('' when unlabelled)."""
        if self.scale_min is None or self.scale_max is None:
            return []
        labels = self.scale_labels or {}
        return [(v, labels.get(str(v), "")) for v in range(self.scale_min, self.scale_max + 1)]

    def __repr__(self) -> str:
        return f"<Criterion {self.id} {self.name!r} {self.kind}>"


class SeedQuestion(db.Model):
    __tablename__ = "seed_questions"
    TEXT_MAX = 2_000
    UNIT_MAX = 60

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    unit: Mapped[str] = mapped_column(String(UNIT_MAX), nullable=False, default="")
    # {"fr": {"text": ..., "unit": ...}}: the texts in the study's other languages.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # 'uni' or 'log': the background measure of Cooke's information score.
    scale: Mapped[str] = mapped_column(String(3), nullable=False, default="uni")
    # Known to organizers only; never sent to experts.
    realization: Mapped[float | None] = mapped_column(Float)

    study: Mapped[Study] = relationship(back_populates="seed_questions")

    __table_args__ = (
        UniqueConstraint("study_id", "position"),
        CheckConstraint(in_values("scale", ("uni", "log")), name="scale_known"),
        CheckConstraint("scale != 'log' OR realization IS NULL OR realization > 0",
                        name="log_positive"),
    )

    def __repr__(self) -> str:
        return f"<SeedQuestion {self.id} {self.text[:30]!r}>"


class Round(db.Model):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=RoundStatus.DRAFT)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    # Bumped by every submission: results cached under an older value are stale.
    data_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    study: Mapped[Study] = relationship(back_populates="rounds")
    reminders: Mapped[list[RoundReminder]] = relationship(  # noqa: F821
        back_populates="round", order_by="RoundReminder.days_before.desc()",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    __table_args__ = (
        UniqueConstraint("study_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(in_values("status", tuple(RoundStatus)), name="status_known"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def __repr__(self) -> str:
        return f"<Round {self.study_id}#{self.number} {self.status}>"
