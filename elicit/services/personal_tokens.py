"""The personal API tokens an account holds (issuing and revoking: `api_tokens`)."""

from __future__ import annotations

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import ApiToken, User


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, live ones first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())
    ))
