"""Deprecated path kept for one release: jobs queued in Redis before the move name it.

Remove once no queue holds ``elicit.services.job_backends.perform`` (see docs/operations/jobs.md).
"""

from elicit.worker import perform  # noqa: F401
