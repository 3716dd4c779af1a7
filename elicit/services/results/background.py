"""Results of large rounds: computed by a background job, never inside a request.

A page asks `results_or_job`: small rounds (at most RESULTS_INLINE_MAX_ROWS
submitted judgment rows) and results already in the cache come back at once;
otherwise a ``results`` job is queued (or the one already running is found)
and the page answers 202 with a progress page. The job puts the results (and
the charts) into the results cache, shared through Redis in RQ mode, so the
same URL then answers 200.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app

import analysis
from elicit.extensions import db
from elicit.models import Job, JobStatus, Round, Study
from elicit.models.base import utcnow
from elicit.services import jobs
from elicit.services.common import progress
from elicit.services.common.progress import N_
from elicit.services.results import cache, calibration, charts, dashboard, exports, frames
from elicit.services.results.dashboard import RoundResults
from elicit.services.results.params import ResultParams, find_round


def job_parameters(study: Study, params: ResultParams, *, url: str | None = None
                   ) -> dict[str, Any]:
    """The parameters of a ``results`` job; the data version makes new answers a new job."""
    round_ = find_round(study, params.round)
    return {"study_id": study.id, "round": params.round, "method": params.method,
            "weights": [list(w) for w in params.weights], "groups": list(params.groups),
            "data_version": round_.data_version if round_ else None,
            "resamples": current_app.config["RESULTS_RESAMPLES"], "url": url}


def params_from(parameters: dict[str, Any]) -> ResultParams:
    """The `ResultParams` stored in a job's parameters."""
    return ResultParams(round=int(parameters["round"]), method=str(parameters["method"]),
                        weights=tuple((str(n), float(w)) for n, w in parameters["weights"]),
                        groups=tuple(str(g) for g in parameters["groups"]))


def needs_job(study: Study, params: ResultParams) -> bool:
    """Whether these results are too big to compute in a request and not cached yet."""
    round_ = find_round(study, params.round) if params.round else None
    if round_ is None:
        return False
    limit = int(current_app.config["RESULTS_INLINE_MAX_ROWS"])
    return frames.judgment_count(round_) > limit and not dashboard.results_ready(study, params)


def results_or_job(study: Study, params: ResultParams, *, url: str,
                   user_id: int | None) -> RoundResults | Job | None:
    """The results if they can be had now; otherwise the job computing them.

    A job that failed a moment ago is returned as it is (its error shown)
    rather than started again on every reload; after JOBS_RETRY_FAILED_AFTER
    seconds a reload tries again.
    """
    if not needs_job(study, params):
        return with_charts(study, params, user_id=user_id) if params.round else None
    parameters = job_parameters(study, params, url=url)
    last = jobs.latest("results", parameters, study_id=study.id)
    if last is not None and last.status == JobStatus.FAILED and _recent(last):
        return last
    if last is not None and last.status == JobStatus.FINISHED \
            and dashboard.results_ready(study, params):
        return dashboard.round_results(study, params)
    job = jobs.enqueue("results", parameters=parameters, study_id=study.id, user_id=user_id)
    if job.status == JobStatus.FINISHED and dashboard.results_ready(study, params):
        return dashboard.round_results(study, params)  # the sync backend ran it already
    return job


def with_charts(study: Study, params: ResultParams, *, user_id: int | None
                ) -> RoundResults | None:
    """The results of a small round now; their charts drawn with them by a ``results`` job.

    On the first computation the results are computed in the request and a
    ``results`` job is queued: it finds them in the cache and draws the charts
    (in a thread, or an RQ worker), so the page answers without waiting for
    matplotlib and the image requests find the pictures drawn
    (`drawn_chart`). A large round's job computes both (`compute`).
    """
    if dashboard.results_ready(study, params):
        return dashboard.round_results(study, params)
    outcome = dashboard.round_results(study, params)
    if outcome is not None:
        jobs.enqueue("results", parameters=job_parameters(study, params), study_id=study.id,
                     user_id=user_id)
    return outcome


def drawn_chart(study: Study, params: ResultParams, name: str) -> analysis.Chart | None:
    """A dashboard chart from the cache, waiting while the results job still draws it.

    Waits at most CHARTS_WAIT_SECONDS and only while that job is queued or
    running; otherwise (no job, or the cache lost the entry) it draws here.
    """
    key = charts.chart_key(study, params, name)
    deadline = time.monotonic() + float(current_app.config["CHARTS_WAIT_SECONDS"])
    parameters = job_parameters(study, params)
    while (found := cache.backend().get(key)) is None and time.monotonic() < deadline:
        drawing = jobs.latest("results", parameters, study_id=study.id)
        if drawing is None or drawing.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            break
        db.session.rollback()  # end the read transaction: see the job's next state
        time.sleep(0.1)
    if found is None:
        return charts.round_chart(study, params, name)
    return found or None  # False: this chart does not apply to these results


def _recent(job: Job) -> bool:
    finished = job.finished_at
    if finished is None or jobs.retry_at_once(job):
        return False
    if finished.tzinfo is None:  # SQLite hands back naive UTC times
        from datetime import UTC

        finished = finished.replace(tzinfo=UTC)
    wait = timedelta(seconds=float(current_app.config["JOBS_RETRY_FAILED_AFTER"]))
    return utcnow() - finished < wait


def compute(parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``results`` task's work: fill the results and charts cache; return the page URL."""
    study = db.session.get(Study, int(parameters["study_id"]))
    if study is None or study.deleted_at is not None:
        raise LookupError(f"study {parameters['study_id']} no longer exists")
    params = params_from(parameters)
    with progress.stage(0.0, 0.9):
        outcome = dashboard.round_results(study, params)
    progress.report(0.9, N_("Drawing the charts"))
    if outcome is not None:
        charts.round_charts(study, params)
    return {"url": parameters.get("url"), "options": len(outcome.table) if outcome else 0}


def robustness_needs_job(round_: Round) -> bool:
    """Whether the round's Cooke robustness tables are too big for a request and not cached."""
    limit = int(current_app.config["ROBUSTNESS_INLINE_MAX_ANSWERS"])
    return (calibration.seed_answer_count(round_) > limit
            and not calibration.robustness_ready(round_))


def robustness_or_job(round_: Round, *, url: str, user_id: int | None
                      ) -> calibration.Robustness | Job | None:
    """The round's robustness tables if they can be had now; otherwise the job computing them.

    Small rounds are computed at once; a job that failed a moment ago is
    returned as it is rather than started again on every reload.
    """
    if not robustness_needs_job(round_):
        return calibration.robustness(round_)
    parameters = {"study_id": round_.study_id, "round": round_.number,
                  "data_version": round_.data_version, "url": url}
    last = jobs.latest("robustness", parameters, study_id=round_.study_id)
    if last is not None and last.status == JobStatus.FAILED and _recent(last):
        return last
    job = jobs.enqueue("robustness", parameters=parameters, study_id=round_.study_id,
                       user_id=user_id)
    if job.status == JobStatus.FINISHED and calibration.robustness_ready(round_):
        return calibration.robustness(round_)  # the sync backend ran it already
    return job


def compute_robustness(parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``robustness`` task's work: fill the cache with the round's robustness tables."""
    study = db.session.get(Study, int(parameters["study_id"]))
    if study is None or study.deleted_at is not None:
        raise LookupError(f"study {parameters['study_id']} no longer exists")
    round_ = next((r for r in study.rounds if r.number == int(parameters["round"])), None)
    if round_ is None:
        raise LookupError(f"study {study.id} has no round {parameters['round']}")
    found = calibration.robustness(round_)
    return {"url": parameters.get("url"),
            "removals": 0 if found is None else len(found.questions) + len(found.experts)}


def export_needs_job(study: Study, round_number: int | None) -> bool:
    """Whether a raw-judgment workbook of these rounds is too big to build in a request."""
    limit = int(current_app.config["EXPORTS_INLINE_MAX_ROWS"])
    rounds = [r for r in study.rounds if round_number is None or r.number == round_number]
    return sum(frames.judgment_count(r) for r in rounds) > limit


def exports_dir() -> Path:
    """Where export jobs leave their files (EXPORTS_DIR; instance/exports by default).

    With RQ workers on other machines this must be a shared folder.
    """
    return Path(current_app.config["EXPORTS_DIR"])


def build_export(parameters: dict[str, Any], job_id: str) -> dict[str, Any]:
    """The ``export`` task's work: write the raw judgments workbook to `exports_dir()`."""
    study = db.session.get(Study, int(parameters["study_id"]))
    if study is None or study.deleted_at is not None:
        raise LookupError(f"study {parameters['study_id']} no longer exists")
    number = parameters.get("round")
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{job_id}.xlsx"
    partial = folder / (stored + ".part")
    with partial.open("wb") as handle:
        for chunk in exports.raw_xlsx(study, number):
            handle.write(chunk)
    partial.replace(folder / stored)  # the link never leads to half a file
    _remove_old_exports(folder)
    suffix = f"-round{number}" if number else ""
    return {"file": stored, "filename": f"study{study.id}-judgments{suffix}.xlsx"}


def _remove_old_exports(folder: Path) -> None:
    """Delete export files older than EXPORTS_KEEP_DAYS (their download links then 404)."""
    import time

    cutoff = time.time() - float(current_app.config["EXPORTS_KEEP_DAYS"]) * 86400
    for path in folder.glob("*.xlsx*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # another worker cleaned it first
