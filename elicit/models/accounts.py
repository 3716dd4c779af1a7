"""Organizer and analyst accounts, and their roles on studies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
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
from elicit.models.base import created_at_column, in_values


class Role(StrEnum):
    OWNER = "owner"
    ORGANIZER = "organizer"
    ANALYST = "analyst"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    EMAIL_MAX = 254
    NAME_MAX = 200
    PASSWORD_MAX = 1024  # characters typed; argon2 hashes any length, a bound keeps it cheap

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Bumped on password change: every session carrying an older value ends.
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = created_at_column()

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: a password change invalidates old sessions
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped[User] = relationship(back_populates="memberships")
    study: Mapped[Study] = relationship(back_populates="memberships")  # noqa: F821

    __table_args__ = (
        UniqueConstraint("user_id", "study_id"),
        CheckConstraint(in_values("role", tuple(Role)), name="role_known"),
    )

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} study={self.study_id} {self.role}>"


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    NAME_MAX = 100

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} {self.name!r}>"


class AccountTokenPurpose(StrEnum):
    INVITE = "invite"  # a new account's first password, from a team invitation
    RESET = "reset"  # "Forgot password"


class AccountToken(db.Model):
    """A single-use, expiring set-password link; only its SHA-256 is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[str] = mapped_column(String(10), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(in_values("purpose", tuple(AccountTokenPurpose)), name="purpose_known"),
    )

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} user={self.user_id} {self.purpose}>"


class EndedSession(db.Model):
    """A signed-out browser session: its cookie is refused from then on.

    Sessions live in signed cookies; a copied cookie would keep working after
    *Sign out* without this list. Only SHA-256 of the session key is stored;
    rows older than the session lifetime are pruned (the cookie expired anyway).
    """

    __tablename__ = "ended_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    ended_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_ended_sessions_ended_at", "ended_at"),)

    def __repr__(self) -> str:
        return f"<EndedSession user={self.user_id} {self.ended_at}>"
