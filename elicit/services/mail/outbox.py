"""Invitation and reminder e-mails: queued in the request's transaction, sent after it.

A request (or CLI command) writes `OutboxMessage` rows in the same transaction
as what caused them; nothing is sent inside it. Delivery happens afterwards,
either in a background ``mail`` job started after the commit
(`send_in_background`, on by default) or by `flask mail send-pending`.
Each message is claimed with a conditional UPDATE, so two workers never send
it twice; a failure is recorded on the message (and so per expert) and
retried with back-off (MAIL_RETRY_BACKOFF, doubling) until
`MAX_ATTEMPTS`, after which it is `failed` ("bounced" on the panel page) and
can be retried by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from elicit.errors import Conflict
from elicit.extensions import db
from elicit.models import (
    Invitation,
    Job,
    OutboxMessage,
    OutboxStatus,
    Response,
    ResponseStatus,
    Round,
    RoundStatus,
    Study,
)
from elicit.models.base import utcnow
from elicit.services import audit, jobs
from elicit.services.mail import delivery
from elicit.services.panel import experts
from elicit.services.studies import mail_texts, translations

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    retry_later: int
    message_ids: tuple[int, ...] = ()  # the messages this pass tried


def _backoff() -> timedelta:
    """The first pause before a retry (MAIL_RETRY_BACKOFF seconds), doubled after each failure."""
    return timedelta(seconds=float(current_app.config["MAIL_RETRY_BACKOFF"]))


def _live_invitations(round_: Round) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.round_id == round_.id,
                                 Invitation.revoked_at.is_(None)).order_by(Invitation.id)))


def _submitted(round_: Round) -> set[int]:
    return set(db.session.scalars(select(Response.expert_id).where(
        Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)))


def _already_queued(round_: Round, kind: str) -> set[int]:
    return set(db.session.scalars(
        select(OutboxMessage.invitation_id)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(Invitation.round_id == round_.id, OutboxMessage.kind == kind,
               OutboxMessage.status == OutboxStatus.PENDING)))


def _message(invitation: Invitation, kind: str) -> OutboxMessage:
    expert, round_ = invitation.expert, invitation.round
    study = expert.study
    lang = translations.language_for(study, expert.language)  # the panel's language for them
    text = mail_texts.text_for(translations.mail_templates(study, lang), kind, lang)
    deadline = (round_.closes_at.strftime("%Y-%m-%d %H:%M UTC") if round_.closes_at
                else mail_texts.NO_DEADLINE.get(lang, mail_texts.NO_DEADLINE["en"]))
    values = {"name": expert.name, "study": translations.text(study, "title", lang),
              "round": str(round_.number),
              "link": experts.link_for(invitation), "deadline": deadline}
    return OutboxMessage(study_id=study.id, expert_id=expert.id, invitation_id=invitation.id,
                         kind=kind, to_address=expert.email,
                         subject=mail_texts.fill(text.subject, values)[:Study.MAIL_SUBJECT_MAX],
                         body=mail_texts.fill(text.body, values))


def queue(round_: Round, kind: str, *, actor_id: int | None, commit: bool = True) -> int:
    """Queue `kind` ('invitation' or 'reminder') for every live invitation that needs it.

    Invitations go to everyone not yet sent one; reminders to everyone who has
    not submitted. Returns how many messages were queued.
    """
    if round_.status != RoundStatus.OPEN:
        raise Conflict(f"Round {round_.number} is not open; nothing to send.")
    queued, submitted = _already_queued(round_, kind), _submitted(round_)
    count = 0
    for invitation in _live_invitations(round_):
        if invitation.id in queued or invitation.expert_id in submitted:
            continue
        if kind == "invitation" and invitation.sent_at is not None:
            continue
        db.session.add(_message(invitation, kind))
        count += 1
    audit.record(f"mail.queue_{kind}", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=round_.study_id, obj=round_,
                 details={"round": round_.number, "queued": count})
    if commit:
        db.session.commit()
    return count


def queue_one(invitation: Invitation, *, actor_id: int | None) -> OutboxMessage:
    """Queue an invitation e-mail to one expert now, sent before or not ("Send invitation now").

    :raise Conflict: the round is not open, the link is revoked, the expert withdrew or
        already submitted, or an invitation to them is already waiting to be sent
    """
    round_, expert = invitation.round, invitation.expert
    if round_.status != RoundStatus.OPEN:
        raise Conflict(f"Round {round_.number} is not open; nothing to send.")
    if expert.is_withdrawn:
        raise Conflict(f"{expert.name} was withdrawn from the study.")
    if invitation.revoked_at is not None:
        raise Conflict(f"The link of {expert.name} is revoked: issue a new link first.")
    if expert.id in _submitted(round_):
        raise Conflict(f"{expert.name} has already submitted round {round_.number}.")
    if invitation.id in _already_queued(round_, "invitation"):
        raise Conflict(f"An invitation to {expert.name} is already waiting to be sent.")
    message = _message(invitation, "invitation")
    db.session.add(message)
    db.session.flush()
    audit.record("mail.queue_invitation", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=round_.study_id, obj=round_,
                 details={"round": round_.number, "queued": 1, "expert": expert.pseudonym})
    db.session.commit()
    return message


def pending_counts(round_: Round) -> dict[str, int]:
    """How many invitations and reminders `queue` would send now (0: "Nothing to send")."""
    if round_.status != RoundStatus.OPEN:
        return {"invitation": 0, "reminder": 0}
    submitted = _submitted(round_)
    live = [i for i in _live_invitations(round_) if i.expert_id not in submitted]
    counts = {}
    for kind in ("invitation", "reminder"):
        queued = _already_queued(round_, kind)
        counts[kind] = sum(1 for i in live if i.id not in queued
                           and (kind == "reminder" or i.sent_at is None))
    return counts


def retry_failed(study_id: int, *, actor_id: int | None) -> int:
    """Put the study's failed messages back in the queue; returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.study_id == study_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None))
    audit.record("mail.retry", actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study_id, details={"messages": result.rowcount})
    db.session.commit()
    return result.rowcount


def send_pending(*, limit: int = 200, study_id: int | None = None,
                 now: datetime | None = None, account_mail: bool = False,
                 on_progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Deliver due pending messages, committing after each one.

    `study_id` limits the pass to one study's messages, `account_mail` to the
    messages of no study (password resets). `on_progress(done, total)` is called
    after each message's commit (a job's progress bar), never inside a transaction.
    """
    now = now or utcnow()
    query = (select(OutboxMessage.id, OutboxMessage.attempts)
             .where(OutboxMessage.status == OutboxStatus.PENDING,
                    or_(OutboxMessage.next_attempt_at.is_(None),
                        OutboxMessage.next_attempt_at <= now))
             .order_by(OutboxMessage.id).limit(limit))
    if study_id is not None:
        query = query.where(OutboxMessage.study_id == study_id)
    elif account_mail:
        query = query.where(OutboxMessage.study_id.is_(None))
    sent = failed = later = 0
    due = db.session.execute(query).all()
    tried: list[int] = []
    for done, (message_id, attempts) in enumerate(due, start=1):
        if not _claim(message_id, attempts, now):
            if on_progress is not None:
                on_progress(done, len(due))
            continue  # another worker has it
        tried.append(message_id)
        message = db.session.get(OutboxMessage, message_id)
        try:
            delivery.deliver(message)
        except delivery.DeliveryError as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                failed += 1
            else:
                message.next_attempt_at = now + _backoff() * 2 ** (message.attempts - 1)
                later += 1
            _record(message, "mail.failed", error=message.last_error)
        else:
            message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, ""
            invitation = db.session.get(Invitation, message.invitation_id) \
                if message.invitation_id else None
            if invitation is not None and invitation.sent_at is None:
                invitation.sent_at = now
            sent += 1
            _record(message, "mail.sent")
        db.session.commit()
        if on_progress is not None:
            on_progress(done, len(due))
    return SendReport(sent=sent, failed=failed, retry_later=later, message_ids=tuple(tried))


def _claim(message_id: int, attempts: int, now: datetime) -> bool:
    """Take the message for this worker (attempts + 1) unless someone else did."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.attempts == attempts,
               OutboxMessage.status == OutboxStatus.PENDING)
        .values(attempts=attempts + 1, next_attempt_at=now + _backoff() * 2 ** attempts))
    db.session.commit()
    return result.rowcount == 1


def _record(message: OutboxMessage, action: str, **details) -> None:
    audit.record(action, actor_type="system", study_id=message.study_id, obj=message,
                 details={"kind": message.kind, "expert_id": message.expert_id, **details})


def send_in_background(study_id: int | None, *, user_id: int | None = None,
                       url: str | None = None) -> Job | None:
    """Start (or join) the ``mail`` job delivering the study's queued e-mails.

    `study_id` None delivers the account e-mails that belong to no study (password
    resets). Called after the transaction that queued them has committed. With
    MAIL_SEND_AFTER_RESPONSE off nothing starts: `flask mail send-pending`
    delivers instead.
    """
    if not current_app.config["MAIL_SEND_AFTER_RESPONSE"]:
        return None
    return jobs.enqueue("mail", parameters={"study_id": study_id, "url": url},
                        study_id=study_id, user_id=user_id)


def messages_for(study_id: int, limit: int = 200) -> list[OutboxMessage]:
    """The study's latest messages, newest first."""
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.study_id == study_id)
        .order_by(OutboxMessage.id.desc()).limit(limit)))
