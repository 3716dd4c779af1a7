"""The progress page of a job, shared by /jobs/<id> and the pages that answer 202."""

from __future__ import annotations

from flask import Response, abort, make_response, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from elicit.errors import ValidationFailed
from elicit.models import Job, JobStatus, Study
from elicit.services import jobs
from elicit.services.common.progress import N_
from elicit.services.results import ResultParams, RoundResults, background

TITLES = {"results": N_("Computing the results"),
          "robustness": N_("Testing the robustness of the weights"),
          "export": N_("Building the download"),
          "themes": N_("Grouping the rationales into themes"),
          "mail": N_("Sending e-mails")}
STATES = {JobStatus.QUEUED: N_("Waiting for a worker"), JobStatus.RUNNING: N_("Working"),
          JobStatus.FINISHED: N_("Done"), JobStatus.FAILED: N_("Failed")}


def result_url(job: Job) -> str | None:
    """Where a finished job leads: its file's download, or the page its task named."""
    if job.status != JobStatus.FINISHED:
        return None
    result = job.result or {}
    if result.get("file"):
        return url_for("jobs.download_job", job_id=job.id)
    return result.get("url")


def status_json(job: Job) -> dict:
    """The job's state for progress.js, its texts in the reader's language."""
    body = jobs.status_of(job)
    body.update(message=gettext(job.message) if job.message else "",
                state=gettext(STATES[JobStatus(job.status)]), result_url=result_url(job),
                status_url=url_for("jobs.show_job_json", job_id=job.id))
    return body


def job_page(job: Job, *, next_url: str | None = None, status: int = 200):
    """Render the progress page; `next_url` is where to go when done (and what to reload)."""
    done = job.status in (JobStatus.FINISHED, JobStatus.FAILED)
    back = url_for("organize.show_study", study_id=job.study_id) if job.study_id \
        else url_for("organize.index")
    return render_template(
        "jobs/job_show.html", job=job, title=gettext(TITLES.get(job.kind, "Working")),
        state=gettext(STATES[JobStatus(job.status)]), percent=int(job.progress * 100),
        message=gettext(job.message) if job.message else "", done=done,
        result_url=result_url(job), next_url=next_url or "",
        refresh_url=next_url or url_for("jobs.show_job", job_id=job.id),
        status_url=url_for("jobs.show_job_json", job_id=job.id), back_url=back), status


def this_url() -> str:
    """The URL of the current request, query included (what a 202 page reloads)."""
    return request.script_root + request.full_path.rstrip("?")


def results_or_job_page(study: Study, params: ResultParams) -> RoundResults | None:
    """The round's results, or abort with the progress page of the job computing them.

    The page answers 202 while the job runs (500 when it failed); the same URL
    answers with the results once the job has filled the cache.
    """
    try:
        found = background.results_or_job(study, params, url=this_url(),
                                           user_id=current_user.id)
    except ValidationFailed as exc:
        abort(400, exc.text)
    abort_with_progress(found)
    return found


def abort_with_progress(found: object) -> None:
    """When `found` is a job, answer its progress page: 202 while it runs, 500 if it failed."""
    if isinstance(found, Job):
        status = 500 if found.status == JobStatus.FAILED else 202
        abort(make_response(job_page(found, next_url=this_url(), status=status)))


def export_job_page(study: Study, round_number: int | None) -> Response:
    """Queue (or find) the job building a large raw-judgments workbook; its progress page."""
    job = jobs.enqueue("export", parameters={"study_id": study.id, "round": round_number,
                                             "format": "xlsx",
                                             "data_version": _versions(study, round_number)},
                       study_id=study.id, user_id=current_user.id)
    return make_response(job_page(job, status=202))


def _versions(study: Study, round_number: int | None) -> list[int]:
    return [r.data_version for r in study.rounds
            if round_number is None or r.number == round_number]
