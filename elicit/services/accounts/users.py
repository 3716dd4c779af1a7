"""Organizer and analyst accounts: creation, password checks, session loading."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import EndedSession, User
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common import emails

# argon2id with the library's RFC 9106 "low memory" defaults.
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the e-mail is unknown (same time as a real check).

    Made on first use, not at import: hashing costs about 0.15 s of CPU and every
    `flask` command and gunicorn worker would pay it.
    """
    return _hasher.hash("not a real password, only for timing")


MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    """Trim and lower-case an e-mail address."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Return an argon2id hash of `password`."""
    return _hasher.hash(password)


def create_user(email: str, password: str, name: str = "") -> User:
    """Create an account; raise Conflict if the e-mail is taken."""
    email = normalise_email(email)
    if problem := emails.email_problem(email):
        raise ValidationFailed({"email": problem})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            {"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."}
        )
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"An account for {email} already exists.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor_type="system", obj=user, details={"email": email})
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, else None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    candidate_hash = user.password_hash if user is not None else _dummy_hash()
    try:
        _hasher.verify(candidate_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def new_session_key() -> str:
    """A random key naming one signed-in browser session (kept in its cookie)."""
    return secrets.token_urlsafe(32)


def _key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def load_session_user(session_id: str, session_key: str | None = None) -> User | None:
    """Flask-Login loader: `id:session_version`, stale versions are logged out.

    A session without a key, or whose key was signed out, is refused too.
    """
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit() or not session_key:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    if db.session.get(EndedSession, _key_hash(session_key)) is not None:
        return None
    return user


def end_session(user: User, session_key: str | None) -> None:
    """Sign this browser session out for good: its cookie is refused from now on."""
    if session_key:
        db.session.merge(EndedSession(key_hash=_key_hash(session_key), user_id=user.id))
    lifetime = current_app.permanent_session_lifetime + timedelta(days=1)
    db.session.execute(delete(EndedSession).where(EndedSession.ended_at < utcnow() - lifetime))
    audit.record("user.logout", actor_type="user", actor_id=user.id, obj=user)
    db.session.commit()


def change_password(user: User, *, current: str, new: str) -> User:
    """Set a new password after checking the current one; every other session ends."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise ValidationFailed({"current_password": "That is not your current password."}) \
            from None
    if len(new) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    if new == current:
        raise ValidationFailed({"new_password": "Choose a different password."})
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("user.password", actor_type="user", actor_id=user.id, obj=user)
    db.session.commit()
    return user


def end_all_sessions(user: User) -> User:
    """Sign the user out everywhere (every browser, including this one)."""
    user.session_version += 1
    audit.record("user.logout_everywhere", actor_type="user", actor_id=user.id, obj=user)
    db.session.commit()
    return user
