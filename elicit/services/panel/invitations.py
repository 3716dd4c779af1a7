"""Revoke and reissue an expert's personal link."""

from __future__ import annotations

from elicit.errors import Conflict
from elicit.extensions import db
from elicit.models import Invitation
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common import tokens
from elicit.services.panel.changes import cancel_pending_mail


def revoke_invitation(invitation: Invitation, *, actor_id: int | None = None) -> Invitation:
    """Revoke a personal link: it and any browser session opened with it stop working (410).

    E-mails still waiting to carry the link are dropped. The row keeps its place:
    `reissue_invitation` gives the expert a new link afterwards.
    """
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = utcnow()
    cancelled = cancel_pending_mail(invitation_id=invitation.id)
    audit.record("invitation.revoke", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=invitation.expert.study_id, obj=invitation,
                 details={"expert": invitation.expert.pseudonym,
                          "round": invitation.round.number, "cancelled_emails": cancelled})
    db.session.commit()
    return invitation


def reissue_invitation(invitation: Invitation, *, actor_id: int | None = None) -> Invitation:
    """Replace a link (live or revoked) with a new one: a fresh nonce, so the old link dies.

    The expert's saved answers stay; only the way in changes. The new link
    counts as not sent yet, so "Send invitations not yet sent" includes it.

    :raise Conflict: when the round is closed or the expert was withdrawn
    """
    if not invitation.round.is_open:
        raise Conflict("The round is closed: its links can no longer be reissued.")
    if invitation.expert.is_withdrawn:
        raise Conflict(f"{invitation.expert.name} was withdrawn from the study: their link "
                       "cannot be reissued.")
    was_revoked = invitation.revoked_at is not None
    nonce = tokens.new_nonce()
    invitation.token_nonce = nonce
    invitation.token_hash = tokens.hash_token(tokens.token_for(nonce))
    invitation.revoked_at = None
    invitation.sent_at = None
    cancelled = cancel_pending_mail(invitation_id=invitation.id)
    audit.record("invitation.reissue", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=invitation.expert.study_id, obj=invitation,
                 details={"expert": invitation.expert.pseudonym,
                          "round": invitation.round.number, "was_revoked": was_revoked,
                          "cancelled_emails": cancelled})
    db.session.commit()
    return invitation
