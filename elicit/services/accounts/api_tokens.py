"""Personal API tokens: issue, authenticate, revoke."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from elicit.errors import NotFound, ValidationFailed
from elicit.extensions import db
from elicit.models import ApiToken, User
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common.tokens import hash_token

PREFIX = "elk_"


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the secret (shown once)."""
    name = name.strip()
    if not name or len(name) > ApiToken.NAME_MAX:
        raise ValidationFailed({"name": "Give the token a name of 1 to "
                                        f"{ApiToken.NAME_MAX} characters."})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", actor_type="user", actor_id=user.id, obj=token,
                 details={"name": name})
    db.session.commit()
    return token, secret


def user_for_token(secret: str) -> User | None:
    """The active user owning a live token, else None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoke", actor_type="user", actor_id=user.id, obj=token)
    db.session.commit()


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, live ones first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())
    ))
