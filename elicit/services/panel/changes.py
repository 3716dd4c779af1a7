"""Change the panel after the fact: edit an expert, remove one who never answered, withdraw one.

A withdrawal deletes nothing: the expert's responses keep every answer but take
the status ``withdrawn``, which no analysis, export, API call or report reads
(they all read submitted responses only); each round whose submitted answers
change has its `data_version` bumped so no cached result outlives the change.
The audit log keeps who withdrew the expert, when and why.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import (
    Expert,
    Invitation,
    OutboxMessage,
    OutboxStatus,
    Response,
    ResponseStatus,
    Round,
)
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.accounts.users import normalise_email

# A plain shape check; deliverability is the mail server's business.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EDITABLE = ("name", "email", "affiliation", "group", "language", "expertise")


def _actor(actor_id: int | None) -> dict[str, Any]:
    return {"actor_type": "user" if actor_id else "system", "actor_id": actor_id}


def check_expert_fields(study_languages: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """Clean an expert's fields; raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    clean = {
        "name": str(values.get("name") or "").strip(),
        "email": normalise_email(str(values.get("email") or "")),
        "affiliation": str(values.get("affiliation") or "").strip(),
        "group": str(values.get("group") or "").strip(),
        "language": str(values.get("language") or "").strip().lower(),
        "expertise": values.get("expertise"),
    }
    if not clean["name"]:
        errors["name"] = "Enter the expert's name."
    elif len(clean["name"]) > Expert.NAME_MAX:
        errors["name"] = f"Keep the name under {Expert.NAME_MAX} characters."
    if not EMAIL.match(clean["email"]) or len(clean["email"]) > Expert.EMAIL_MAX:
        errors["email"] = "Enter an e-mail address such as name@example.org."
    if len(clean["affiliation"]) > Expert.AFFILIATION_MAX:
        errors["affiliation"] = f"Keep the affiliation under {Expert.AFFILIATION_MAX} characters."
    if len(clean["group"]) > Expert.GROUP_MAX:
        errors["group"] = f"Keep the group under {Expert.GROUP_MAX} characters."
    languages = [code for code in study_languages if code in current_app.config["LANGUAGES"]]
    if clean["language"] not in (languages or ["en"]):
        errors["language"] = "Choose one of the study's languages."
    expertise = clean["expertise"]
    if expertise in ("", None):
        clean["expertise"] = None
    elif isinstance(expertise, bool) or str(expertise) not in ("1", "2", "3", "4", "5"):
        errors["expertise"] = "Choose a self-rated expertise from 1 to 5, or none."
    else:
        clean["expertise"] = int(expertise)
    if errors:
        raise ValidationFailed(errors)
    return clean


def update_expert(expert: Expert, *, actor_id: int | None, **values: Any) -> Expert:
    """Change an expert's name, e-mail, affiliation, group, language or expertise.

    E-mails still waiting in the outbox follow a new address. The audit event
    names the changed fields (with before and after for group, language and
    expertise, which stratify results).
    """
    clean = check_expert_fields(expert.study.languages, values)
    if clean["email"] != expert.email and db.session.scalar(select(Expert.id).where(
            Expert.study_id == expert.study_id, Expert.email == clean["email"],
            Expert.id != expert.id)) is not None:
        raise ValidationFailed({"email": f"{clean['email']} is already on this panel."})
    changed = [field for field in EDITABLE if getattr(expert, field) != clean[field]]
    if not changed:
        return expert
    details: dict[str, Any] = {"expert": expert.pseudonym, "changed": changed}
    for field in ("group", "language", "expertise"):
        if field in changed:
            details[field] = {"before": getattr(expert, field), "after": clean[field]}
    for field in changed:
        setattr(expert, field, clean[field])
    if "email" in changed:
        db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.expert_id == expert.id,
                   OutboxMessage.status == OutboxStatus.PENDING)
            .values(to_address=expert.email))
    audit.record("expert.edit", study_id=expert.study_id, obj=expert, details=details,
                 **_actor(actor_id))
    db.session.commit()
    return expert


def has_answered(expert: Expert) -> bool:
    """Whether the expert saved anything (a draft counts) in any round."""
    return db.session.scalar(
        select(Response.id).where(Response.expert_id == expert.id).limit(1)) is not None


def remove_expert(expert: Expert, *, actor_id: int | None) -> None:
    """Take an expert who never answered off the panel (their links die with them).

    :raise Conflict: when the expert has saved answers: withdraw them instead
    """
    if has_answered(expert):
        raise Conflict(f"{expert.name} has already answered: withdraw them instead, which "
                       "keeps their answers out of every analysis without deleting them.")
    audit.record("expert.remove", study_id=expert.study_id, obj=expert,
                 details={"expert": expert.pseudonym, "group": expert.group},
                 **_actor(actor_id))
    db.session.delete(expert)
    db.session.commit()


def withdraw_expert(expert: Expert, *, reason: str, actor_id: int | None) -> Expert:
    """Withdraw an expert: links revoked, answers kept but out of every analysis from now on.

    :raise ValidationFailed: without a reason (the audit log keeps it)
    :raise Conflict: when the expert already withdrew
    """
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the expert is withdrawn (kept in the "
                                          "audit log)."})
    if len(reason) > Expert.WITHDRAWN_REASON_MAX:
        raise ValidationFailed({"reason": "Keep the reason under "
                                          f"{Expert.WITHDRAWN_REASON_MAX} characters."})
    if expert.is_withdrawn:
        raise Conflict(f"{expert.name} was already withdrawn.")
    now = utcnow()
    expert.withdrawn_at, expert.withdrawn_reason = now, reason
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.expert_id == expert.id, Invitation.revoked_at.is_(None))):
        invitation.revoked_at = now
    rounds = []
    responses = db.session.execute(
        select(Response, Round.number).join(Round, Round.id == Response.round_id)
        .where(Response.expert_id == expert.id).order_by(Round.number)).all()
    for response, number in responses:
        rounds.append({"round": number, "status_before": response.status})
        if response.status == ResponseStatus.SUBMITTED:
            db.session.execute(Round.__table__.update().where(Round.id == response.round_id)
                               .values(data_version=Round.data_version + 1))
        response.status = ResponseStatus.WITHDRAWN
    cancelled = cancel_pending_mail(expert_id=expert.id)
    audit.record("expert.withdraw", study_id=expert.study_id, obj=expert,
                 details={"expert": expert.pseudonym, "reason": reason, "rounds": rounds,
                          "cancelled_emails": cancelled}, **_actor(actor_id))
    db.session.commit()
    return expert


def cancel_pending_mail(*, expert_id: int | None = None,
                        invitation_id: int | None = None) -> int:
    """Drop e-mails not sent yet to an expert (or for one link); returns how many.

    Used when what they carry is dead (a revoked link, a withdrawn expert);
    the caller's audit event records the count.
    """
    if expert_id is None and invitation_id is None:
        raise ValueError("name the expert or the invitation whose e-mails to cancel")
    where = [OutboxMessage.status == OutboxStatus.PENDING]
    if expert_id is not None:
        where.append(OutboxMessage.expert_id == expert_id)
    if invitation_id is not None:
        where.append(OutboxMessage.invitation_id == invitation_id)
    return db.session.execute(delete(OutboxMessage).where(*where)).rowcount


def answered_ids(study_id: int) -> set[int]:
    """Ids of the study's experts who saved anything in any round (they can only be withdrawn)."""
    return set(db.session.scalars(
        select(Response.expert_id).join(Expert, Expert.id == Response.expert_id)
        .where(Expert.study_id == study_id).distinct()))
