"""Mail commands: the outbox worker."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from elicit.extensions import db
from elicit.services.mail import outbox

mail_cli = AppGroup("mail", help="Deliver queued invitation and reminder e-mails.")


@mail_cli.command("send-pending")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many messages per pass.")
@click.option("--loop", "interval", type=click.IntRange(5, 3600), default=None,
              help="Keep running, one pass every INTERVAL seconds (a worker process).")
def send_pending(limit: int, interval: int | None) -> None:
    """Send the e-mails waiting in the outbox; failures are retried later.

    Exit status 1 when a message failed for good in this pass.
    """
    while True:
        report = outbox.send_pending(limit=limit)
        click.echo(f"sent {report.sent}, failed {report.failed}, "
                   f"to retry later {report.retry_later}")
        if interval is None:
            break
        db.session.remove()
        time.sleep(interval)
    if report.failed:
        raise click.ClickException(f"{report.failed} message(s) failed for good; see the "
                                   "study's e-mail log, fix the address and retry.")


COMMANDS = [mail_cli]
