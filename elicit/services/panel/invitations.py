"""Revoke and reissue an expert's personal link."""

from __future__ import annotations

from elicit.errors import Conflict
from elicit.extensions import db
from elicit.models import Invitation
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common import tokens


def revoke_invitation(invitation: Invitation, *, actor_id: int | None = None) -> Invitation:
    """Revoke a personal link: it and any browser session opened with it stop working (410)."""
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = utcnow()
    audit.record("invitation.revoke", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=invitation.expert.study_id, obj=invitation)
    db.session.commit()
    return invitation


def reissue_invitation(invitation: Invitation, *, actor_id: int | None = None) -> Invitation:
    """Replace a link with a new one: a fresh nonce, so the old link and its sessions die.

    The expert's saved answers stay; only the way in changes.
    """
    if not invitation.round.is_open:
        raise Conflict("The round is closed: its links can no longer be reissued.")
    nonce = tokens.new_nonce()
    invitation.token_nonce = nonce
    invitation.token_hash = tokens.hash_token(tokens.token_for(nonce))
    invitation.revoked_at = None
    invitation.sent_at = None
    audit.record("invitation.reissue", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=invitation.expert.study_id, obj=invitation)
    db.session.commit()
    return invitation
