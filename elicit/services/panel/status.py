"""Where each expert stands in a round, and the response rate per stakeholder group."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

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
from elicit.services.panel.experts import pseudonyms

# In the order an expert moves through them; "bounced" replaces "invited" when mail failed.
STATUSES = ("not sent", "invited", "bounced", "opened", "draft", "submitted")
# Shown per expert, outside the counts: a revoked link counts as "not sent" (a new link
# can be issued); a withdrawn expert has left the panel and counts nowhere.
REVOKED, WITHDRAWN = "revoked", "withdrawn"


@dataclass(frozen=True)
class ExpertStatus:
    expert: Expert
    invitation: Invitation | None
    status: str
    last_error: str = ""


@dataclass
class GroupCounts:
    group: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def response_rate(self) -> float:
        return self.counts["submitted"] / self.total if self.total else 0.0


def expert_statuses(round_: Round) -> list[ExpertStatus]:
    """Each panel member's status in the round, with their invitation (revoked ones too)."""
    invitations = {i.expert_id: i for i in db.session.scalars(
        select(Invitation).where(Invitation.round_id == round_.id))}
    responses = dict(db.session.execute(
        select(Response.expert_id, Response.status).where(Response.round_id == round_.id)).all())
    latest_mail = {}
    for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.invitation_id.in_(
                [i.id for i in invitations.values()] or [-1]))
            .order_by(OutboxMessage.id)):
        latest_mail[message.invitation_id] = message
    rows = []
    for expert in round_.study.experts:
        invitation = invitations.get(expert.id)
        mail = latest_mail.get(invitation.id) if invitation else None
        status = WITHDRAWN if expert.is_withdrawn else _status(
            invitation, responses.get(expert.id), mail)
        rows.append(ExpertStatus(expert, invitation, status,
                                 last_error=mail.last_error if mail else ""))
    return rows


def _status(invitation: Invitation | None, response: str | None,
            mail: OutboxMessage | None) -> str:
    if response == WITHDRAWN:
        return WITHDRAWN
    if invitation is not None and invitation.revoked_at is not None:
        return REVOKED
    if invitation is None:
        return "not sent"
    if response in ("draft", "submitted"):
        return response
    if invitation.opened_at is not None:
        return "opened"
    if mail is not None and mail.status == OutboxStatus.FAILED:
        return "bounced"
    if invitation.sent_at is not None:
        return "invited"
    return "not sent"


def group_overview(statuses: list[ExpertStatus]) -> list[GroupCounts]:
    """Counts of each status per stakeholder group, plus an 'All experts' row last."""
    groups: dict[str, GroupCounts] = {}
    total = GroupCounts("All experts")
    for row in statuses:
        if row.status == WITHDRAWN or row.expert.is_withdrawn:
            continue
        status = "not sent" if row.status == REVOKED else row.status
        name = row.expert.group or "(no group)"
        groups.setdefault(name, GroupCounts(name)).counts[status] += 1
        total.counts[status] += 1
    return [groups[name] for name in sorted(groups)] + [total]


def response_status(round_: Round) -> list[dict[str, Any]]:
    """Each invited expert's answer status in the round, under pseudonyms."""
    names = pseudonyms(round_.study_id)
    rows = db.session.execute(
        select(Expert.id, Expert.group, Response.status, Response.submitted_at)
        .join(Invitation, (Invitation.expert_id == Expert.id)
              & (Invitation.round_id == round_.id))
        .outerjoin(Response, (Response.expert_id == Expert.id)
                   & (Response.round_id == round_.id))
        .order_by(Expert.id)
    ).all()
    return [{"expert": names[expert_id], "group": group or "", "status": status or "invited",
             "submitted_at": when.isoformat() if when and status == ResponseStatus.SUBMITTED
             else None}
            for expert_id, group, status, when in rows]
