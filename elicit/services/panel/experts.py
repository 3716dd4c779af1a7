"""The expert panel: adding experts, their invitations and personal links."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import (
    Expert,
    Invitation,
    Response,
    ResponseStatus,
    Round,
    RoundStatus,
    Study,
)
from elicit.services import audit
from elicit.services.accounts.users import normalise_email
from elicit.services.common import emails, tokens


@dataclass(frozen=True)
class ExpertLink:
    name: str
    email: str
    link: str
    status: str  # invited | draft | submitted

    @property
    def submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


def add_expert(study: Study, *, name: str, email: str, affiliation: str = "",
               group: str = "", language: str = "en", expertise: int | None = None,
               actor_id: int | None = None, record: bool = True) -> Expert:
    """Add one expert to the study's panel (the caller commits).

    `record=False` leaves the audit event to the caller (a bulk import writes one).
    """
    email = normalise_email(email)
    if not name.strip():
        raise ValidationFailed({"name": "Enter the expert's name."})
    if problem := emails.email_problem(email):
        raise ValidationFailed({"email": problem})
    taken = db.session.scalar(
        select(Expert.id).where(Expert.study_id == study.id, Expert.email == email)
    )
    if taken is not None:
        raise Conflict(f"{email} is already on this panel.")
    expert = Expert(study=study, number=next_number(study.id), name=name.strip(), email=email,
                    affiliation=affiliation.strip(), group=group.strip(), language=language,
                    expertise=expertise)
    db.session.add(expert)
    db.session.flush()
    if record:
        audit.record("expert.add", actor_type="user" if actor_id else "system", actor_id=actor_id,
                     study_id=study.id, obj=expert, details={"group": expert.group})
    return expert


def next_number(study_id: int) -> int:
    """The number (pseudonym) the next expert of the study gets: one past the highest ever."""
    return (db.session.scalar(select(func.max(Expert.number))
                              .where(Expert.study_id == study_id)) or 0) + 1


def invite_panel(round_: Round) -> list[Invitation]:
    """Create a personal invitation for every panel member who lacks one (caller commits).

    Withdrawn experts are not invited again.
    """
    invited = set(db.session.scalars(
        select(Invitation.expert_id).where(Invitation.round_id == round_.id)
    ))
    created = []
    for expert in round_.study.experts:
        if expert.id in invited or expert.is_withdrawn:
            continue
        nonce = tokens.new_nonce()
        invitation = Invitation(expert=expert, round=round_, token_nonce=nonce,
                                token_hash=tokens.hash_token(tokens.token_for(nonce)))
        db.session.add(invitation)
        created.append(invitation)
    db.session.flush()
    return created


def link_for(invitation: Invitation) -> str:
    """The absolute personal link of an invitation."""
    # Built from the URL map, not url_for: the CLI has no request to build from.
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("respond.open_link", {"token": tokens.token_for(invitation.token_nonce)})
    return current_app.config["BASE_URL"].rstrip("/") + path


def links_for_round(round_: Round) -> list[ExpertLink]:
    """Each invited expert's name, e-mail, link and answer status in the round."""
    rows = db.session.execute(
        select(Invitation, Expert, Response.status)
        .join(Expert, Expert.id == Invitation.expert_id)
        .outerjoin(Response, (Response.expert_id == Expert.id)
                   & (Response.round_id == Invitation.round_id))
        .where(Invitation.round_id == round_.id, Invitation.revoked_at.is_(None))
        .order_by(Expert.id)
    ).all()
    return [ExpertLink(name=expert.name, email=expert.email, link=link_for(invitation),
                       status=status or "invited")
            for invitation, expert, status in rows]


def add_one_expert(study: Study, *, actor_id: int, **fields) -> Expert:
    """Add an expert from the panel page; invited at once if a round is open."""
    expert = add_expert(study, actor_id=actor_id, **fields)
    open_round = next((r for r in study.rounds if r.status == RoundStatus.OPEN), None)
    if open_round is not None:
        invite_panel(open_round)
    db.session.commit()
    return expert


def pseudonyms(study_id: int) -> dict[int, str]:
    """Stable pseudonyms E001, E002, … by order of joining the panel (numbers never reused)."""
    rows = db.session.execute(
        select(Expert.id, Expert.number).where(Expert.study_id == study_id)
    )
    return {expert_id: f"E{number:03d}" for expert_id, number in rows}
