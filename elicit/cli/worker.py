"""`flask worker`: an RQ worker that runs elicit's background jobs in an app context."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

import elicit.scheduler as scheduler
from elicit.services import jobs
from elicit.services.jobs import backends


def make_worker(app, queue_names: list[str], *, name: str | None = None):
    """An RQ worker on `queue_names` that runs each job inside an app context.

    It does not fork: the app (and its database pool) is built once, and each
    job gets a fresh app context, hence a fresh database session.
    """
    from rq import Queue, SimpleWorker

    class AppWorker(SimpleWorker):
        def execute_job(self, job, queue):
            with app.app_context():
                return super().execute_job(job, queue)

    connection = backends.redis_connection(app.config)
    queues = [Queue(q, connection=connection) for q in queue_names]
    return AppWorker(queues, connection=connection, name=name)


@click.command("worker")
@click.option("--queue", "queue_names", multiple=True,
              help="Listen on this queue (repeatable); default: every elicit queue.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: RQ picks one).")
@with_appcontext
def worker_command(queue_names: tuple[str, ...], burst: bool, name: str | None) -> None:
    """Run background jobs from Redis (needs REDIS_URL): results, exports, e-mail."""
    app = current_app._get_current_object()
    chosen = list(queue_names) or jobs.queue_names(app.config)
    try:
        worker = make_worker(app, chosen, name=name)
    except RuntimeError as exc:  # no Redis configured
        raise click.ClickException(str(exc)) from exc
    click.echo(f"elicit worker on {', '.join(chosen)}", err=True)
    if not burst:  # a lasting worker also ticks the scheduler (deadlines, reminders)
        scheduler.ensure_started(app)
    worker.work(burst=burst, with_scheduler=False)


COMMANDS = [worker_command]
