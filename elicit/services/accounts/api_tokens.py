"""Personal API tokens: issue, authenticate, revoke."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from elicit.errors import NotFound, ValidationFailed
from elicit.extensions import db
from elicit.models import ApiToken, User
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common import sql
from elicit.services.common.tokens import hash_token

PREFIX = "elk_"
# `last_used_at` is a hint for the token list, not an access log: written at most this often.
LAST_USE_EVERY = timedelta(minutes=1)
log = logging.getLogger(__name__)


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
    _record_use(token)
    return token.user


def _record_use(token: ApiToken) -> None:
    """Note the token's last use, throttled, in its own transaction; never fail the call.

    Authentication is part of every API read: writing inside the read's
    transaction made concurrent reads fail on SQLite (see `sql.write_transaction`).
    """
    now = utcnow()
    last = token.last_used_at
    if last is not None and (last if last.tzinfo else last.replace(tzinfo=UTC)) > now - \
            LAST_USE_EVERY:
        return
    token_id = token.id
    try:
        with sql.write_transaction():
            db.session.get(ApiToken, token_id).last_used_at = now
    except OperationalError:
        log.warning("could not record the last use of API token %s", token_id, exc_info=True)


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
