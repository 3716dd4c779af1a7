"""Background-job infrastructure: queue, run and follow jobs (no domain tasks in here).

Order inside the package: ``queue -> backends -> runner -> registry``, with
``settings`` and ``process`` as leaves. Domain packages register their tasks
with `task("kind")` in their own ``tasks`` module; `create_app` imports them.
"""

from elicit.services.jobs.queue import (
    LOST,
    enqueue,
    job_for,
    latest,
    latest_of_kind,
    retry_at_once,
    settle,
    status_of,
)
from elicit.services.jobs.registry import Progress, task
from elicit.services.jobs.runner import ProgressWriter, current_job_id, run_job, writing
from elicit.services.jobs.settings import backend_name, queue_name, queue_names, redis_url

__all__ = [
    "LOST", "Progress", "ProgressWriter", "backend_name", "current_job_id", "enqueue",
    "job_for", "latest", "latest_of_kind", "queue_name", "queue_names", "redis_url",
    "retry_at_once", "run_job", "settle", "status_of", "task", "writing",
    # submodules
    "backends", "process", "queue", "registry", "runner", "settings",
]
