"""Analyst pages: the results dashboard, one option in depth, calibration."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.errors import NotFound, ValidationFailed
from elicit.jobs.pages import abort_with_progress, results_or_job_page, this_url
from elicit.models import Job, Option
from elicit.results.downloads import bp as downloads_bp
from elicit.services import results
from elicit.services.accounts import access
from elicit.services.results import background, calibration, rationales
from elicit.services.results import charts as result_charts
from elicit.services.results import themes as round_themes
from elicit.web import owned

bp = Blueprint("results", __name__)
bp.register_blueprint(downloads_bp)


def chosen_params(study) -> results.ResultParams:
    """The analyst's choices from the query string; 400/404 when they are wrong."""
    try:
        return results.parse_params(study, request.args)
    except ValidationFailed as exc:
        abort(400, exc.text)
    except NotFound:
        abort(404, "No such round.")


def page_context(study, params) -> dict:
    """What every results page needs for its controls and links."""
    round_ = results.find_round(study, params.round) if params.round else None
    return {"study": study, "round": round_, "params": params,
            "query": params.query_args(study), "methods": results.available_methods(study),
            "groups": results.study_groups(study),
            "scale_criteria": [c for c in study.criteria if c.kind == "scale"],
            "weights": dict(params.weights),
            "option_ids": {o.title: o.id for o in study.options},
            "can_manage": access.role_on(current_user, study.id) in access.MANAGE_ROLES}


@bp.get("/studies/<int:study_id>/results")
@study_role()
def show_results(study_id: int):
    """Show the ranked recommendations of a round with their uncertainty."""
    params = chosen_params(g.study)
    outcome = results_or_job_page(g.study, params)  # large rounds: 202 and a progress page
    context = page_context(g.study, params)
    charts = result_charts.round_chart_tables(g.study, params) if outcome else {}
    return render_template("results/results_show.html", results=outcome, charts=charts,
                           ranking=outcome.ranking if outcome else None,
                           submitted=results.submitted_count(context["round"])
                           if context["round"] else 0,
                           rule=outcome.rule_text if outcome else "", **context)


@bp.get("/studies/<int:study_id>/results/charts/<name>.svg")
@study_role()
def show_chart(study_id: int, name: str):
    """Serve one dashboard chart as an SVG image (from the cached results)."""
    params = chosen_params(g.study)
    if background.needs_job(g.study, params):
        abort(404)  # the dashboard's job has not filled the cache yet
    try:
        outcome = results.round_results(g.study, params) if params.round else None
    except ValidationFailed as exc:
        abort(400, exc.text)
    chart = background.drawn_chart(g.study, params, name) if outcome else None
    if chart is None:
        abort(404)
    return _svg(chart.svg)


@bp.get("/studies/<int:study_id>/results/options/<int:option_id>/charts/<int:index>.svg")
@study_role()
def show_option_chart(study_id: int, option_id: int, index: int):
    """Serve one distribution chart of an option as an SVG image."""
    detail = rationales.option_detail(g.study, chosen_params(g.study),
                                      owned(Option, option_id, study=g.study))
    if not 0 <= index < len(detail.distributions):
        abort(404)
    return _svg(detail.distributions[index].svg)


def _svg(text: str) -> Response:
    response = Response(text, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/studies/<int:study_id>/results/options/<int:option_id>")
@study_role()
def show_option(study_id: int, option_id: int):
    """Show one option's judgments and the experts' rationales by stance."""
    params = chosen_params(g.study)
    option = owned(Option, option_id, study=g.study)
    try:
        detail = rationales.option_detail(g.study, params, option)
    except NotFound:
        abort(404, "This study has no round with answers yet.")
    context = page_context(g.study, params)
    computed, job = round_themes.state(context["round"])
    return render_template("results/option_show.html", detail=detail,
                           themes=computed.for_option(detail.title) if computed else None,
                           themes_job=job, language=str(get_locale() or "en")[:2],
                           **context)


@bp.post("/studies/<int:study_id>/results/themes")
@study_role()
def compute_themes(study_id: int):
    """Queue the job grouping a round's rationales into themes; show its progress.

    The round is ?round=N (default: the current one); when done the job leads
    back to the option page (?option=ID) or the organizer's review page.
    """
    params = chosen_params(g.study)
    round_ = results.find_round(g.study, params.round) if params.round else None
    if round_ is None:
        abort(404, "No such round.")
    option_id = request.args.get("option", "")
    if option_id.isdigit():
        option = owned(Option, int(option_id), study=g.study)
        back = url_for(".show_option", study_id=study_id, option_id=option.id,
                       **params.query_args(g.study))
    else:
        back = url_for("organize.themes.review_themes", study_id=study_id,
                       round=round_.number)
    found = round_themes.themes_or_job(round_, user_id=current_user.id, url=back)
    if isinstance(found, Job):
        return redirect(url_for("jobs.show_job", job_id=found.id))
    return redirect(back)  # already computed for the round's current answers


def _calibration_round(study, params):
    """The chosen round, or 404 when the study has no seed questions with known answers."""
    round_ = results.find_round(study, params.round) if params.round else None
    if round_ is None or not calibration.has_seed_questions(round_):
        abort(404, "This study has no calibration questions with known answers.")
    return round_


@bp.get("/studies/<int:study_id>/results/calibration")
@study_role()
def show_calibration(study_id: int):
    """Show each expert's calibration, information and Cooke weight, under pseudonyms."""
    params = chosen_params(g.study)
    round_ = _calibration_round(g.study, params)
    try:
        outcome = calibration.calibrate(round_)
    except ValueError as exc:
        abort(400, f"The calibration questions cannot be scored yet: {exc}")
    return render_template("results/calibration_show.html", calibration=outcome,
                           **page_context(g.study, params))


@bp.get("/studies/<int:study_id>/results/calibration/robustness")
@study_role()
def show_robustness(study_id: int):
    """Show Cooke's decision maker with one calibration question, or one expert, left out.

    Large rounds are computed by a background job: 202 and a progress page
    until the tables are ready.
    """
    params = chosen_params(g.study)
    round_ = _calibration_round(g.study, params)
    try:
        found = background.robustness_or_job(round_, url=this_url(), user_id=current_user.id)
    except ValueError as exc:
        abort(400, f"The calibration questions cannot be scored yet: {exc}")
    abort_with_progress(found)
    return render_template("results/robustness_show.html", robustness=found,
                           **page_context(g.study, params))
