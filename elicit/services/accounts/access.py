"""Who may see which study: object-level role checks used by every route."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from elicit.errors import Forbidden, NotFound
from elicit.extensions import db
from elicit.models import Membership, Role, Study, User

READ_ROLES = (Role.OWNER, Role.ORGANIZER, Role.ANALYST)
MANAGE_ROLES = (Role.OWNER, Role.ORGANIZER)


def role_on(user: User, study_id: int) -> Role | None:
    """Return the user's role on the study, or None."""
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.study_id == study_id
        )
    )
    return Role(role) if role else None


def study_for(user: User, study_id: int, roles: Iterable[Role] = READ_ROLES) -> Study:
    """Return the study if `user` holds one of `roles` on it.

    Raises NotFound when the user has no role at all (so ids of other teams'
    studies reveal nothing) and Forbidden when the role is too weak.
    """
    study = db.session.get(Study, study_id)
    if study is None or study.deleted_at is not None:
        raise NotFound("study")
    role = role_on(user, study_id)
    if role is None:
        raise NotFound("study")
    if role not in tuple(roles):
        raise Forbidden(f"role {role} may not do this")
    return study


def studies_for(user: User) -> list[tuple[Study, Role]]:
    """Every live study the user belongs to, newest first, with the role.

    Options and rounds come along in one query each (the list page and the
    API show them), not one query per study.
    """
    rows = db.session.execute(
        select(Study, Membership.role)
        .join(Membership, Membership.study_id == Study.id)
        .where(Membership.user_id == user.id, Study.deleted_at.is_(None))
        .order_by(Study.created_at.desc(), Study.id.desc())
        .options(selectinload(Study.options), selectinload(Study.rounds))
    ).all()
    return [(study, Role(role)) for study, role in rows]
