"""Job routes: the progress page, its JSON, and a finished export's file."""

from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, send_from_directory
from flask_login import current_user, login_required

from elicit.errors import NotFound
from elicit.jobs.pages import job_page, status_json
from elicit.models import Job, JobStatus
from elicit.services import jobs
from elicit.services.results import background

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
JOB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def visible_job(job_id: str) -> Job:
    """The job if the signed-in user may see it; 404 for everyone else."""
    if not JOB_ID.match(job_id):
        abort(404)
    try:
        return jobs.job_for(current_user, job_id)
    except NotFound:
        abort(404)


@bp.get("/<job_id>")
@login_required
def show_job(job_id: str):
    """Show a job's progress; the page refreshes itself until the job is done."""
    return job_page(visible_job(job_id))


@bp.get("/<job_id>.json")
def show_job_json(job_id: str):
    """A job's status, progress, message and result URL (polled by progress.js)."""
    if not current_user.is_authenticated:
        return jsonify(error="Sign in to see this job."), 401
    response = jsonify(status_json(visible_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<job_id>/download")
@login_required
def download_job(job_id: str):
    """Download the file a finished export job built."""
    job = visible_job(job_id)
    result = job.result or {}
    if job.status != JobStatus.FINISHED or not result.get("file"):
        abort(404)
    response = send_from_directory(background.exports_dir(), result["file"], as_attachment=True,
                                   download_name=result.get("filename") or result["file"])
    response.headers["Cache-Control"] = "no-store"
    return response
