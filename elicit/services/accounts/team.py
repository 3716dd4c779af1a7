"""Who works on a study: owners invite co-organizers and analysts by their account e-mail."""

from __future__ import annotations

from sqlalchemy import func, select

from elicit.errors import Conflict, NotFound, ValidationFailed
from elicit.extensions import db
from elicit.models import Membership, Role, Study, User
from elicit.services import audit
from elicit.services.accounts.users import normalise_email


def members(study: Study) -> list[Membership]:
    """The study's memberships, owners first."""
    order = {Role.OWNER: 0, Role.ORGANIZER: 1, Role.ANALYST: 2}
    rows = db.session.scalars(select(Membership).where(Membership.study_id == study.id))
    return sorted(rows, key=lambda m: (order[Role(m.role)], m.user.email))


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed({"role": "Choose owner, organizer or analyst."}) from None


def add_member(study: Study, *, email: str, role: str, actor_id: int) -> Membership:
    """Give an existing account a role on the study."""
    role_ = _role(role)
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise ValidationFailed({"email": "No account uses this e-mail address. Ask an "
                                         "administrator to create it (flask users create), "
                                         "then add it here."})
    if db.session.scalar(select(Membership.id).where(Membership.study_id == study.id,
                                                     Membership.user_id == user.id)):
        raise Conflict(f"{user.email} is already on this study's team.")
    membership = Membership(user=user, study=study, role=role_)
    db.session.add(membership)
    db.session.flush()
    audit.record("member.add", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=membership, details={"email": user.email, "role": role_.value})
    db.session.commit()
    return membership


def membership(study: Study, membership_id: int) -> Membership:
    """One of the study's memberships (NotFound for another study's)."""
    found = db.session.get(Membership, membership_id)
    if found is None or found.study_id != study.id:
        raise NotFound("membership")
    return found


def _owner_count(study: Study) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.study_id == study.id, Membership.role == Role.OWNER))


def change_role(found: Membership, *, role: str, actor_id: int) -> Membership:
    """Change a member's role; a study always keeps at least one owner."""
    role_ = _role(role)
    if found.role == Role.OWNER and role_ != Role.OWNER and _owner_count(found.study) == 1:
        raise Conflict("A study needs at least one owner: make someone else owner first.")
    before = found.role
    found.role = role_
    audit.record("member.role", actor_type="user", actor_id=actor_id, study_id=found.study_id,
                 obj=found, details={"email": found.user.email, "before": before,
                                     "after": role_.value})
    db.session.commit()
    return found


def remove_member(found: Membership, *, actor_id: int) -> None:
    """Take a member off the team; the last owner cannot be removed."""
    if found.role == Role.OWNER and _owner_count(found.study) == 1:
        raise Conflict("A study needs at least one owner: make someone else owner first.")
    audit.record("member.remove", actor_type="user", actor_id=actor_id, study_id=found.study_id,
                 obj=found, details={"email": found.user.email, "role": found.role})
    db.session.delete(found)
    db.session.commit()
