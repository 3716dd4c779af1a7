"""The scheduler's tick: close the rounds whose deadline has passed, send due reminders.

One tick is a few indexed queries. It runs every SCHEDULER_INTERVAL seconds
in a thread of every web process and `flask worker` (`elicit.scheduler`),
from `flask round tick`, or from a test with a frozen `now`. Every closing
and every reminder is claimed in the database (a conditional UPDATE), so
however many processes and machines tick at the same moment, each happens
exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from elicit.services.mail import outbox
from elicit.services.rounds import lifecycle, reminders


@dataclass(frozen=True)
class Closed:
    """A round this process closed at its deadline."""

    study_id: int
    round_number: int


@dataclass(frozen=True)
class TickReport:
    closed: list[Closed]
    reminded: list[reminders.Sent]


def tick(now: datetime) -> TickReport:
    """Do what has fallen due at `now`: close rounds first, then send reminders.

    The e-mails a reminder queues are delivered afterwards by a ``mail`` job
    (a thread of this process, or RQ with REDIS_URL), as for a click on
    "Remind all".
    """
    closed = [Closed(r.study_id, r.number) for r in lifecycle.close_due_rounds(now)]
    reminded = reminders.send_due(now)
    for study_id in sorted({sent.study_id for sent in reminded if sent.queued}):
        try:
            outbox.send_in_background(study_id)
        except Exception:  # noqa: BLE001 - queued mail waits for the next job or send-pending
            current_app.logger.exception("could not start the mail job of study %s", study_id)
    return TickReport(closed=closed, reminded=reminded)
