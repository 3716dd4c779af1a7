"""The scheduler loop: a daemon thread in each serving process ticks `rounds.scheduler`.

Why a thread and not cron: `make run` is gunicorn alone, with no cron and no
Redis, and a deadline must still close its round. Every web process starts
the thread on its first request (gunicorn workers start lazily and serve
/healthz probes at once), and every `flask worker` starts one when it
starts. Several tickers are harmless: each closing and reminder is claimed
in the database, so it happens once. SCHEDULER_INTERVAL=0 turns the loop
off; `flask round tick` does one tick from cron instead.
"""

from __future__ import annotations

import os
import threading

from flask import Flask

from elicit.extensions import db
from elicit.services.common import clock
from elicit.services.rounds import scheduler

EXTENSION_KEY = "elicit.scheduler"
_lock = threading.Lock()


class Ticker(threading.Thread):
    """Tick every `interval` seconds until stopped; the first tick comes at once."""

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(name="elicit-scheduler", daemon=True)
        self.app = app
        self.interval = interval
        self.pid = os.getpid()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            tick_once(self.app)
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


def tick_once(app: Flask) -> scheduler.TickReport | None:
    """One tick in a fresh app context; failures are logged, never raised (the loop goes on)."""
    with app.app_context():
        try:
            report = scheduler.tick(clock.now())
        except Exception:  # noqa: BLE001 - e.g. the database restarting: try again next tick
            app.logger.exception("scheduler tick failed")
            db.session.rollback()
            return None
        finally:
            db.session.remove()
        for closed in report.closed:
            app.logger.info("scheduler closed round %s of study %s at its deadline",
                            closed.round_number, closed.study_id)
        for sent in report.reminded:
            app.logger.info("scheduler sent the %s-day reminder of round %s of study %s "
                            "(%s e-mails)", sent.days_before, sent.round_number,
                            sent.study_id, sent.queued)
        return report


def ensure_started(app: Flask) -> Ticker | None:
    """Start this process's ticker unless it runs already (or SCHEDULER_INTERVAL is 0).

    Checked by process id: a forked child does not inherit its parent's thread.
    """
    interval = float(app.config["SCHEDULER_INTERVAL"] or 0)
    if interval <= 0:
        return None
    found = app.extensions.get(EXTENSION_KEY)
    if found is not None and found.pid == os.getpid() and found.is_alive():
        return found
    with _lock:
        found = app.extensions.get(EXTENSION_KEY)
        if found is not None and found.pid == os.getpid() and found.is_alive():
            return found
        ticker = Ticker(app, interval)
        app.extensions[EXTENSION_KEY] = ticker
        ticker.start()
        return ticker


def stop(app: Flask) -> None:
    """Stop this process's ticker, if any (tests)."""
    ticker = app.extensions.pop(EXTENSION_KEY, None)
    if ticker is not None:
        ticker.stop()
        ticker.join(timeout=10)
