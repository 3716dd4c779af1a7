"""Deliver one e-mail: as an .eml file in instance/outbox/ (default) or over SMTP."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_mail import Message

from elicit.extensions import mail
from elicit.models import OutboxMessage
from elicit.services.common import emails


class DeliveryError(Exception):
    """The transport refused or failed; the message may be retried."""


def outbox_dir() -> Path:
    """Where the `outbox` backend writes its files (MAIL_OUTBOX_DIR; instance/outbox by default)."""
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


def deliver(message: OutboxMessage) -> None:
    """Send `message` with the configured MAIL_BACKEND; raise DeliveryError on failure.

    The last line of defence against header injection: a recipient that is not
    a plain address, or a subject with a line break (a study title pasted with
    one), is refused here whatever let it through.
    """
    problem = emails.email_problem(message.to_address) or emails.header_problem(message.subject)
    if problem:
        raise DeliveryError(f"Refused to send: {problem}")
    email = Message(subject=message.subject, recipients=[message.to_address],
                    body=message.body, sender=current_app.config["MAIL_DEFAULT_SENDER"])
    backend = current_app.config["MAIL_BACKEND"]
    try:
        if backend == "smtp":
            mail.send(email)
        elif backend == "outbox":
            folder = outbox_dir()
            folder.mkdir(parents=True, exist_ok=True)
            # Named by ids only: an address or other text never becomes part of a path.
            path = folder / f"{message.id:06d}-{message.kind}-{message.expert_id or 0}.eml"
            path.write_bytes(email.as_bytes())
        else:
            raise DeliveryError(f"Unknown MAIL_BACKEND {backend!r} (use outbox or smtp).")
    except DeliveryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded and retried
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
