"""Set-password links: single use, expiring, stored only as a SHA-256 of the secret.

A team invitation gives a new account its first password through such a link
(ACCOUNT_INVITE_HOURS); "Forgot password" sends one to an existing account
(PASSWORD_RESET_MINUTES). Using a link sets the password, ends every session of
the account and spends every other link of the account.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from elicit.errors import InvalidLink, ValidationFailed
from elicit.extensions import db
from elicit.models import AccountToken, AccountTokenPurpose, User
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.accounts.users import MIN_PASSWORD_LENGTH, hash_password, normalise_email
from elicit.services.common.tokens import hash_token

_SECRET_BYTES = 32  # 256 bits, URL-safe base64 (43 characters)


def lifetime(purpose: AccountTokenPurpose) -> timedelta:
    """How long a link of `purpose` works (ACCOUNT_INVITE_HOURS, PASSWORD_RESET_MINUTES)."""
    if purpose == AccountTokenPurpose.INVITE:
        return timedelta(hours=float(current_app.config["ACCOUNT_INVITE_HOURS"]))
    return timedelta(minutes=float(current_app.config["PASSWORD_RESET_MINUTES"]))


def issue_link(user: User, purpose: AccountTokenPurpose,
               now: datetime | None = None) -> tuple[AccountToken, str]:
    """Add a set-password link for `user` (caller commits); return it and its secret."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    token = AccountToken(user=user, purpose=purpose, token_hash=hash_token(secret),
                         created_at=now, expires_at=now + lifetime(purpose))
    db.session.add(token)
    db.session.flush()
    return token, secret


def link_path(secret: str) -> str:
    """The absolute URL of the set-password page for `secret` (built without a request)."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("auth.set_password", {"token": secret})
    return current_app.config["BASE_URL"].rstrip("/") + path


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC


def token_for(secret: str, now: datetime | None = None) -> AccountToken:
    """The live link behind `secret`.

    :raise InvalidLink: 'invalid' (unknown), 'used' or 'expired' (the last two answer 410)
    """
    if not secret or len(secret) > 100:
        raise InvalidLink()
    digest = hash_token(secret)
    token = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise InvalidLink()
    if token.used_at is not None:
        raise InvalidLink("used")
    if _aware(token.expires_at) <= (now or utcnow()) or not token.user.active:
        raise InvalidLink("expired")
    return token


def set_password(secret: str, new: str, now: datetime | None = None) -> User:
    """Set the password through a link; the link and the account's other links are spent.

    Every session of the account ends (session version bumped).

    :raise InvalidLink: see `token_for`
    :raise ValidationFailed: a password shorter than MIN_PASSWORD_LENGTH
    """
    now = now or utcnow()
    token = token_for(secret, now)
    if len(new) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    if len(new) > User.PASSWORD_MAX:
        raise ValidationFailed({"new_password": f"Use at most {User.PASSWORD_MAX} characters."})
    user = token.user
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.execute(update(AccountToken).where(AccountToken.user_id == user.id,
                                                  AccountToken.used_at.is_(None))
                       .values(used_at=now))
    audit.record("user.password_link", actor_type="user", actor_id=user.id, obj=user,
                 details={"purpose": token.purpose})
    db.session.commit()
    return user


def start_reset(email: str, now: datetime | None = None) -> tuple[User, str] | None:
    """A reset link for the active account using `email`, else None (caller commits).

    The caller answers the same either way, so the form reveals no account.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return None
    _, secret = issue_link(user, AccountTokenPurpose.RESET, now)
    audit.record("user.password_reset_requested", actor_type="system", obj=user)
    return user, secret
