"""Who works on a study: owners invite co-organizers and analysts by e-mail.

`invite_member` creates the account when none uses the address (its first
password comes through a set-password link that `elicit.services.mail.accounts`
e-mails); `add_member` gives an existing account a role.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from elicit.errors import Conflict, NotFound, ValidationFailed
from elicit.extensions import db
from elicit.models import AccountTokenPurpose, Membership, Role, Study, User
from elicit.services import audit
from elicit.services.accounts import passwords
from elicit.services.accounts.users import hash_password, normalise_email

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Invite:
    membership: Membership
    new_account: bool
    secret: str | None  # the set-password link's secret, for a new account only


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


def invite_member(study: Study, *, email: str, role: str, name: str = "",
                  actor_id: int) -> Invite:
    """Give `email` a role on the study, creating the account if none uses it (caller commits).

    A new account gets an unusable random password and a set-password link
    (single use, ACCOUNT_INVITE_HOURS); an existing one simply joins the team.

    :raise ValidationFailed: a malformed address, an unknown role or a name too long
    :raise Conflict: the account is already on the team
    """
    role_ = _role(role)
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > User.EMAIL_MAX:
        raise ValidationFailed({"email": "Enter an e-mail address such as name@example.org."})
    name = name.strip()
    if len(name) > User.NAME_MAX:
        raise ValidationFailed({"name": f"Keep the name under {User.NAME_MAX} characters."})
    user = db.session.scalar(select(User).where(User.email == email))
    secret = None
    if user is None:
        user = User(email=email, name=name,
                    password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
        db.session.flush()
        audit.record("user.create", actor_type="user", actor_id=actor_id, obj=user,
                     study_id=study.id, details={"email": email, "invited": True})
        _, secret = passwords.issue_link(user, AccountTokenPurpose.INVITE)
    elif db.session.scalar(select(Membership.id).where(Membership.study_id == study.id,
                                                       Membership.user_id == user.id)):
        raise Conflict(f"{user.email} is already on this study's team.")
    membership = Membership(user=user, study=study, role=role_)
    db.session.add(membership)
    db.session.flush()
    audit.record("member.add", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=membership, details={"email": user.email, "role": role_.value,
                                          "new_account": secret is not None})
    return Invite(membership=membership, new_account=secret is not None, secret=secret)
