"""Downloads of a study's results: raw data, aggregated tables, report, bundle.

A blueprint nested in `results` (endpoints `results.downloads.*`).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from flask_login import current_user

import elicit.input_guard as input_guard
from elicit.auth.decorators import study_role
from elicit.errors import NotFound, ValidationFailed
from elicit.jobs.pages import abort_with_progress, export_job_page, results_or_job_page, this_url
from elicit.services import results
from elicit.services.accounts import access
from elicit.services.results import background, exports, report, stats_files
from elicit.services.results import charts as result_charts
from elicit.services.results import themes as round_themes

bp = Blueprint("downloads", __name__, url_prefix="/studies/<int:study_id>/downloads")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
FORMATS = {"csv": CSV, "xlsx": XLSX, "json": JSON}
# The judgments also come as files statistics packages open (wide or long layout)
STATS_FORMATS = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


def _attachment(body, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(body) if not isinstance(body, bytes | str)
                        else body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _format(formats: dict[str, str] = FORMATS) -> str:
    fmt = request.args.get("format", "csv")
    if fmt not in formats:
        abort(400, f"format must be one of {', '.join(formats)}.")
    return fmt


def _params() -> results.ResultParams:
    try:
        return results.parse_params(g.study, request.args)
    except ValidationFailed as exc:
        abort(400, exc.text)
    except NotFound:
        abort(404, "No such round.")


def _outcome(params: results.ResultParams) -> results.RoundResults:
    outcome = results_or_job_page(g.study, params)  # large rounds: 202 and a progress page
    if outcome is None:
        abort(404, "No submitted answers in this round yet.")
    return outcome


@bp.get("/judgments")
@study_role()
def download_judgments(study_id: int):
    """Download the raw judgments (pseudonymised), all rounds or `?round=N`."""
    fmt = _format(FORMATS | STATS_FORMATS)
    number = input_guard.query_int("round")
    if number is not None and not any(r.number == number for r in g.study.rounds):
        abort(404, "No such round.")
    if fmt in STATS_FORMATS:
        layout = request.args.get("layout", "wide")
        if layout not in stats_files.LAYOUTS:
            abort(400, f"layout must be one of {', '.join(stats_files.LAYOUTS)}.")
        name = f"study{study_id}-judgments-{layout}{f'-round{number}' if number else ''}.{fmt}"
        return _attachment(stats_files.judgments_file(g.study, fmt, layout, number),
                           STATS_FORMATS[fmt], name)
    if fmt == "xlsx" and background.export_needs_job(g.study, number):
        return export_job_page(g.study, number)  # a big workbook is built by a job
    suffix = f"-round{number}" if number else ""
    name = f"study{study_id}-judgments{suffix}.{fmt}"
    body = {"csv": exports.raw_csv, "json": exports.raw_json,
            "xlsx": exports.raw_xlsx}[fmt](g.study, number)
    return _attachment(body, FORMATS[fmt], name)


@bp.get("/themes")
@study_role()
def download_themes(study_id: int):
    """Download the round's rationale themes table (?format=csv|xlsx|json&round=N).

    Not computed yet: the progress page of the job computing them (202).
    """
    fmt, params = _format(), _params()
    round_ = results.find_round(g.study, params.round) if params.round else None
    if round_ is None:
        abort(404, "The study has no rounds yet.")
    found = round_themes.themes_or_job(round_, user_id=current_user.id, url=this_url())
    abort_with_progress(found)
    name = f"study{study_id}-round{round_.number}-themes"
    if fmt == "json":
        from flask import json

        return _attachment(json.dumps(round_themes.to_dict(found)), JSON, name + ".json")
    body = round_themes.table_xlsx(found) if fmt == "xlsx" else round_themes.table_csv(found)
    return _attachment(body, FORMATS[fmt], f"{name}.{fmt}")


@bp.get("/seed-answers")
@study_role()
def download_seed_answers(study_id: int):
    """Download the calibration (seed) answers (pseudonymised), all rounds or `?round=N`."""
    fmt = _format()
    number = request.args.get("round", type=int)
    if number is not None and not any(r.number == number for r in g.study.rounds):
        abort(404, "No such round.")
    suffix = f"-round{number}" if number else ""
    name = f"study{study_id}-seed-answers{suffix}.{fmt}"
    if fmt == "json":
        from flask import json

        return _attachment(json.dumps(exports.seeds_json(g.study, number)), JSON, name)
    body = {"csv": exports.seeds_csv, "xlsx": exports.seeds_xlsx}[fmt](g.study, number)
    return _attachment(body, FORMATS[fmt], name)


@bp.get("/identities.csv")
@study_role(access.MANAGE_ROLES)
def download_identities(study_id: int):
    """Download who is behind each pseudonym (organizers only)."""
    return _attachment(exports.identities_csv(g.study), CSV,
                       f"study{study_id}-identities.csv")


@bp.get("/results")
@study_role()
def download_results(study_id: int):
    """Download the aggregated results of a round with the chosen parameters."""
    fmt = _format()
    params = _params()
    outcome = _outcome(params)
    name = f"study{study_id}-round{params.round}-{params.method}-results"
    if fmt == "json":
        from flask import json

        return _attachment(json.dumps(exports.results_json(outcome)), JSON, name + ".json")
    if fmt == "xlsx":
        return _attachment(exports.results_xlsx(outcome), XLSX, name + ".xlsx")
    table = request.args.get("table", "ranking")
    if table not in exports.result_tables(outcome):
        abort(404, f"No table {table!r} in these results.")
    return _attachment(exports.results_csv(outcome, table), CSV, f"{name}-{table}.csv")


@bp.get("/report")
@study_role()
def show_report(study_id: int):
    """Show the methods report (print it to PDF from the browser)."""
    params = _params()
    outcome = results_or_job_page(g.study, params)
    return render_template("results/report_show.html", study=g.study, params=params,
                           charts=result_charts.round_charts(g.study, params) if outcome else {},
                           round=report.round_for(g.study, params), results=outcome,
                           method_label=results.METHOD_LABELS[params.method],
                           report_themes=round_themes.state(report.round_for(g.study, params))[0],
                           **report.report_context(g.study, params, outcome))


@bp.get("/bundle.zip")
@study_role()
def download_bundle(study_id: int):
    """Download the reproducibility bundle (tidy CSV, study JSON, the analysis command)."""
    params = _params()
    outcome = _outcome(params)
    return _attachment(report.bundle(g.study, params, outcome), "application/zip",
                       f"study{study_id}-round{params.round}-{params.method}-bundle.zip")
