"""Rationale themes as an organizer approved them, and whether experts see them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from elicit.extensions import db
from elicit.models.base import in_values, utcnow


class ThemeDisplay(StrEnum):
    """What experts see of the previous round's rationales."""

    OFF = "off"  # the flat list only (the default)
    BESIDE = "beside"  # approved themes beside the flat list
    INSTEAD = "instead"  # approved themes instead of the flat list


class ThemeSetting(db.Model):
    """A study's choice of what experts see in later rounds; absent means OFF."""

    __tablename__ = "theme_settings"

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"),
                                          primary_key=True)
    experts_see: Mapped[str] = mapped_column(String(10), nullable=False,
                                             default=ThemeDisplay.OFF)

    __table_args__ = (
        CheckConstraint(in_values("experts_see", tuple(ThemeDisplay)), name="experts_see_known"),
    )

    def __repr__(self) -> str:
        return f"<ThemeSetting study={self.study_id} {self.experts_see}>"


class ThemeResult(db.Model):
    """A round's computed themes (`results.themes.compute`), kept so every process sees them.

    One row per round, replaced when the themes are computed again; ``result``
    holds them as JSON for the round's ``data_version`` at the time.
    """

    __tablename__ = "theme_results"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                  default=utcnow)

    def __repr__(self) -> str:
        return f"<ThemeResult round={self.round_id} v{self.data_version}>"


class ThemeReview(db.Model):
    """An option's themes of one round, as approved (renamed, merged, quotes hidden).

    ``themes`` is a list of ``{"labels": {lang: text}, "experts": [pseudonyms],
    "size", "leaning", "p_value", "keywords", "quote": text or None}``; a hidden
    quote is None. Experts see labels, size, leaning and quote, never names.
    """

    __tablename__ = "theme_reviews"
    LABEL_MAX = 120

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("options.id", ondelete="CASCADE"),
                                           nullable=False)
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    data_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                  default=utcnow)

    __table_args__ = (UniqueConstraint("round_id", "option_id"),)

    def __repr__(self) -> str:
        return f"<ThemeReview round={self.round_id} option={self.option_id}>"
