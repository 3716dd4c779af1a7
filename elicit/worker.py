"""What an RQ worker calls for each elicit job (the app layer: it may build the app).

Jobs are queued by name as ``elicit.worker.perform`` (see
`elicit.services.jobs.backends.PERFORM`).
"""

from __future__ import annotations

from flask import Flask, has_app_context

from elicit.services.jobs import runner

_worker_app: Flask | None = None


def perform(job_id: str) -> None:
    """Run one job in an app context.

    `flask worker` provides the context; a bare `rq worker` gets an app built
    once from the environment, as `wsgi.py` builds it.
    """
    global _worker_app
    if has_app_context():
        runner.run_job(job_id)
        return
    if _worker_app is None:
        from elicit import create_app  # only a bare `rq worker` needs it, once

        _worker_app = create_app()
    with _worker_app.app_context():
        runner.run_job(job_id)
