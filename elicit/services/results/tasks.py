"""The results package's background tasks: ``results``, ``robustness``, ``export``, ``themes``.

Each is registered with `jobs.task` (imported by `create_app`) and receives the
job's parameters and a `progress(fraction, message)` callback; what it returns
is the job's result.
"""

from __future__ import annotations

from typing import Any

from elicit.services import jobs
from elicit.services.common.progress import N_
from elicit.services.jobs import Progress
from elicit.services.results import background, themes


@jobs.task("results")
def compute_results(parameters: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Compute a round's results and charts into the shared results cache."""
    return background.compute(parameters)


@jobs.task("robustness")
def compute_robustness(parameters: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Fill the cache with a round's Cooke robustness tables (leave one out)."""
    return background.compute_robustness(parameters)


@jobs.task("export")
def build_export(parameters: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Write a large raw-judgments workbook to instance/exports/ for download."""
    progress(0.0, N_("Reading the judgments"))
    return background.build_export(parameters, jobs.current_job_id() or "export")


@jobs.task("themes")
def compute_themes(parameters: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Group a round's rationales into themes per option, into the results cache."""
    return themes.compute(parameters)
