"""E-mails to organizer and analyst accounts: team invitations and password resets.

They go through the same outbox as expert e-mails (queued in the transaction
that causes them, delivered after it). A team invitation belongs to its
study's e-mail log, which shows no message text; a password reset belongs to
no study.
"""

from __future__ import annotations

from flask import current_app

from elicit.extensions import db
from elicit.models import AccountTokenPurpose, OutboxMessage, Role, Study, User
from elicit.services.accounts import passwords, team
from elicit.services.studies import mail_texts

ROLE_NAMES = {Role.OWNER: "owner", Role.ORGANIZER: "co-organizer", Role.ANALYST: "analyst"}


def _queue(kind: str, user: User, values: dict[str, str], study_id: int | None) -> OutboxMessage:
    text = mail_texts.default_text(kind)
    message = OutboxMessage(study_id=study_id, kind=kind, to_address=user.email,
                            subject=mail_texts.fill(text.subject, values)[:Study.MAIL_SUBJECT_MAX],
                            body=mail_texts.fill(text.body, values))
    db.session.add(message)
    return message


def invite_to_team(study: Study, *, email: str, role: str, name: str = "",
                   actor: User) -> team.Invite:
    """Give `email` a role on the study and e-mail them: a set-password link for a new account.

    One transaction: the account (if new), the membership, the link and the e-mail.
    """
    invite = team.invite_member(study, email=email, role=role, name=name, actor_id=actor.id)
    user = invite.membership.user
    hours = passwords.lifetime(AccountTokenPurpose.INVITE).total_seconds() / 3600
    values = {"name": user.name or user.email, "inviter": actor.name or actor.email,
              "study": study.title, "role": ROLE_NAMES[Role(invite.membership.role)],
              "link": passwords.link_path(invite.secret) if invite.secret else "",
              "login": _login_url(), "hours": f"{hours:g}"}
    _queue("account_invite" if invite.new_account else "team_added", user, values, study.id)
    db.session.commit()
    return invite


def request_reset(email: str) -> bool:
    """E-mail a reset link when an active account uses `email`; whether one was queued."""
    found = passwords.start_reset(email)
    if found is None:
        db.session.rollback()
        return False
    user, secret = found
    minutes = passwords.lifetime(AccountTokenPurpose.RESET).total_seconds() / 60
    _queue("password_reset", user, {"name": user.name or user.email,
                                    "link": passwords.link_path(secret),
                                    "minutes": f"{minutes:g}"}, None)
    db.session.commit()
    return True


def _login_url() -> str:
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build("auth.login", {})
