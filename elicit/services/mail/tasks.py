"""The mail package's background task: ``mail`` (deliver a study's queued e-mails).

Registered with `jobs.task` (imported by `create_app`).
"""

from __future__ import annotations

import time
from datetime import UTC
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import OutboxMessage, OutboxStatus
from elicit.models.base import utcnow
from elicit.services import jobs
from elicit.services.common.progress import N_
from elicit.services.jobs import Progress
from elicit.services.mail import outbox


@jobs.task("mail")
def send_mail(parameters: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Deliver a study's queued e-mails: up to MAIL_JOB_ATTEMPTS passes with back-off.

    A failed delivery stays on its outbox message (attempts, last error); the
    next pass retries it once its back-off has passed, if that is within
    MAIL_JOB_MAX_WAIT seconds. Messages still due later are left for the next
    job or `flask mail send-pending`.
    """
    # None: the account e-mails that belong to no study (password resets).
    study_id = None if parameters.get("study_id") is None else int(parameters["study_id"])
    passes = max(int(current_app.config["MAIL_JOB_ATTEMPTS"]), 1)
    budget = float(current_app.config["MAIL_JOB_MAX_WAIT"])
    touched: set[int] = set()
    sent = 0
    for attempt in range(passes):
        def step(done: int, total: int, attempt: int = attempt) -> None:
            share = (attempt + (done / total if total else 1.0)) / passes
            progress(share, N_("Sending e-mails"))

        with jobs.writing():  # claims update what was just read: BEGIN IMMEDIATE on SQLite
            report = outbox.send_pending(study_id=study_id, account_mail=study_id is None,
                                         on_progress=step)
        touched.update(report.message_ids)
        sent += report.sent
        wait = _seconds_until_next_retry(study_id)
        if wait is None or attempt == passes - 1 or wait > budget:
            break
        budget -= wait
        progress((attempt + 1) / passes, N_("Waiting to retry failed e-mails"))
        time.sleep(max(wait, 0.0))
    recipients = _recipients(touched)
    return {"url": parameters.get("url"), "sent": sent,
            "failed": sum(r["status"] == OutboxStatus.FAILED for r in recipients),
            "pending": sum(r["status"] == OutboxStatus.PENDING for r in recipients),
            "recipients": recipients}


def _seconds_until_next_retry(study_id: int | None) -> float | None:
    """Seconds until the study's next pending message is due; None when none waits."""
    db.session.rollback()  # see what the passes just committed
    mine = OutboxMessage.study_id.is_(None) if study_id is None \
        else OutboxMessage.study_id == study_id
    pending = (mine, OutboxMessage.status == OutboxStatus.PENDING)
    unclaimed = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        *pending, OutboxMessage.next_attempt_at.is_(None)))
    due = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(*pending))
    db.session.rollback()  # no read transaction may outlive this look (SQLite snapshots)
    if unclaimed:
        return 0.0  # queued while this job was sending: due now
    if due is None:
        return None
    if due.tzinfo is None:  # SQLite hands back naive UTC times
        due = due.replace(tzinfo=UTC)
    return max((due - utcnow()).total_seconds(), 0.0)


def _recipients(message_ids: set[int]) -> list[dict[str, Any]]:
    """Per-recipient delivery status of the messages a job handled."""
    if not message_ids:
        return []
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.id.in_(sorted(message_ids))).order_by(OutboxMessage.id))
    return [{"message": m.id, "to": m.to_address, "kind": m.kind, "status": m.status,
             "attempts": m.attempts, "error": m.last_error} for m in messages]
