"""JSON API under /api/v1/, authenticated by personal bearer tokens.

A service's refusal (`DomainError`) needs no handling here: `elicit.errorpages`
answers it under /api/ as the JSON error of its status (ValidationFailed 400,
Conflict 409, ...). The views only give a lookup's 404 its own wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

import elicit.input_guard as input_guard
from elicit.api import schemas
from elicit.api.spec import ApiSpec
from elicit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from elicit.extensions import csrf
from elicit.models import Job, JobStatus, Role, RoundStatus
from elicit.services import jobs, results, studies
from elicit.services.accounts import access, api_tokens
from elicit.services.panel import importer
from elicit.services.panel import status as panel_status
from elicit.services.results import background, exports, rationales
from elicit.services.results import themes as round_themes
from elicit.services.rounds import lifecycle
from elicit.services.studies import definition, translations
from elicit.services.studies.counts import round_counts

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens only: no cookie ever authenticates an API call
spec = ApiSpec("elicit API", "1")

MAX_PER_PAGE = 5000
ROUND_QUERY = {"name": "round", "in": "query",
               "schema": {"type": "integer", "minimum": 1, "maximum": input_guard.DB_INT_MAX}}
RESULT_PARAMETERS = [
    {**ROUND_QUERY, "description": "Round number; default the current round."},
    {"name": "method", "in": "query",
     "schema": {"type": "string", "enum": list(results.METHOD_LABELS), "default": "mean"},
     "description": "Aggregation method ('cooke' needs calibration questions)."},
    {"name": "group", "in": "query", "style": "form", "explode": True,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Expert groups to include (repeat the argument); default all."},
    {"name": "w{position}", "in": "query", "schema": {"type": "number"},
     "description": "Weight of the scale criterion at that position, e.g. w2=1.5."},
]


def token_required(view: Callable) -> Callable:
    """Authenticate by `Authorization: Bearer <token>`; cookies are ignored."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        user = api_tokens.user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            abort(401, "Send a personal API token as 'Authorization: Bearer <token>'.")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapped


def _study(study_id: int, roles: Iterable[Role] = access.READ_ROLES):
    """One of the caller's studies, on which they hold one of `roles`.

    :raise 404: if the caller is on no study with this id (ids reveal nothing)
    :raise 403: if the caller's role on it may not do this
    :raise 409: for a write to a finished (read-only) study
    """
    try:
        study = access.study_for(g.api_user, study_id, roles)
    except NotFound:
        abort(404, "No such study among yours.")
    except Forbidden:
        abort(403, "Your role on this study may not do this.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        studies.finished.refuse_if_finished(study)  # 409 with the read-only message
    return study


def _study_json(study, role) -> dict:
    return {"id": study.id, "title": study.title, "status": study.status, "role": role.value,
            "rounds": [{"number": r.number, "status": r.status} for r in study.rounds],
            "options": [_option_json(o) for o in study.options],
            "languages": list(study.languages), "translations": translations.exported(study)}


def _option_json(option) -> dict:
    return {"id": option.id, "title": option.title, "description": option.description,
            "translations": translations.exported(option),
            "position": option.position, "retired_after_round": option.retired_after_round}


def _round(study, number):
    """The study's round `number` (the current one when None; None when there is none yet).

    :raise 404: if the study has no such round
    """
    try:
        return results.find_round(study, number)
    except NotFound:
        abort(404, "No such round.")


def _json_body(schema: dict) -> dict:
    """The request's JSON object, checked against the schema the OpenAPI document shows."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "The body must be a JSON object, sent with "
                                        "Content-Type: application/json."})
    error = best_match(Draft202012Validator(schema).iter_errors(body))
    if error is not None:
        where = _field_name(error.absolute_path)
        raise ValidationFailed({where: f"{where}: {_schema_message(error)}"})
    return body


def _field_name(path) -> str:
    """A JSON Schema error's path as the services name fields: ``options[2].title``."""
    name = ""
    for part in path:
        name += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name or "body"


def _schema_message(error) -> str:
    """What was wrong, without echoing a long value back."""
    limits = {"maxLength": "is longer than {} characters", "minLength": "is shorter than {} "
              "characters", "maxItems": "has more than {} items", "minimum": "is below {}",
              "maximum": "is above {}"}
    if error.validator in limits:
        return limits[error.validator].format(error.validator_value)
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    return error.message if len(error.message) <= 200 else error.message[:200] + "…"


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API."""
    return jsonify(spec.document(current_app.config["BASE_URL"].rstrip("/") + "/api/v1"))


@bp.get("/studies")
@spec.operation("/studies", summary="List the studies you belong to",
                response={"type": "array", "items": schemas.STUDY_SCHEMA})
@token_required
def list_studies():
    """List the caller's studies."""
    return jsonify([_study_json(s, role) for s, role in access.studies_for(g.api_user)])


@bp.post("/studies")
@spec.operation("/studies", method="post", status=201, errors=(400, 401, 409, 413),
                summary="Create a draft study from its JSON definition (you become owner)",
                request_body=schemas.STUDY_DEFINITION_SCHEMA, response=schemas.STUDY_SCHEMA)
@token_required
def create_study():
    """Create a study from a definition like the demo's JSON (refused: 400 or 409)."""
    study = definition.import_definition(
        g.api_user, _json_body(schemas.STUDY_DEFINITION_SCHEMA), source="api")
    return jsonify(_study_json(study, Role.OWNER)), 201


@bp.get("/studies/<int:study_id>")
@spec.operation("/studies/{study_id}", summary="One study", response=schemas.STUDY_SCHEMA)
@token_required
def show_study(study_id: int):
    """One of the caller's studies."""
    study = _study(study_id)
    return jsonify(_study_json(study, access.role_on(g.api_user, study_id)))


@bp.get("/studies/<int:study_id>/rounds")
@spec.operation("/studies/{study_id}/rounds", summary="Rounds with response counts",
                response={"type": "array", "items": schemas.ROUND_DETAIL_SCHEMA})
@token_required
def list_rounds(study_id: int):
    """Each round's status, invitations, drafts, submissions and data version."""
    return jsonify([_round_json(c) for c in round_counts(_study(study_id))])


def _round_json(counts) -> dict:
    round_ = counts.round
    return {"number": round_.number, "status": round_.status, "invited": counts.invited,
            "drafts": counts.drafts, "submitted": counts.submitted,
            "data_version": round_.data_version,
            "opened_at": round_.opened_at.isoformat() if round_.opened_at else None,
            "closed_at": round_.closed_at.isoformat() if round_.closed_at else None,
            "closes_at": round_.closes_at.isoformat() if round_.closes_at else None}


def _counts_of(study, number: int):
    found = next((c for c in round_counts(study) if c.round.number == number), None)
    if found is None:
        abort(404, "No such round.")
    return found


@bp.get("/studies/<int:study_id>/rounds/<int:number>")
@spec.operation("/studies/{study_id}/rounds/{number}", summary="One round's status and counts",
                response=schemas.ROUND_DETAIL_SCHEMA)
@token_required
def show_round(study_id: int, number: int):
    """One round's status, deadline, invitations, drafts and submissions."""
    return jsonify(_round_json(_counts_of(_study(study_id), number)))


@bp.post("/studies/<int:study_id>/rounds/launch")
@spec.operation("/studies/{study_id}/rounds/launch", method="post", status=201,
                errors=(400, 401, 403, 404, 409, 413),
                summary="Launch the next round (organizers; the page's rules and audit event)",
                request_body=schemas.ROUND_LAUNCH_SCHEMA, response=schemas.ROUND_DETAIL_SCHEMA)
@token_required
def launch_round(study_id: int):
    """Open round N+1 like the Launch page: same checks, same audit event (409 when refused)."""
    study = _study(study_id, access.MANAGE_ROLES)
    body = _json_body(schemas.ROUND_LAUNCH_SCHEMA)
    round_ = lifecycle.launch_next_round(
        study, actor_id=g.api_user.id, closes_at=_deadline(body.get("closes_at")),
        retire_consensus=bool(body.get("retire_consensus")),
        send_invitations=bool(body.get("send_invitations")))
    return jsonify(_round_json(_counts_of(study, round_.number))), 201


def _deadline(text: str | None) -> datetime | None:
    if text in (None, ""):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({"closes_at": "closes_at: must be an ISO 8601 date and time, "
                                             "e.g. 2026-12-01T17:00:00Z"}) from None


@bp.post("/studies/<int:study_id>/rounds/<int:number>/close")
@spec.operation("/studies/{study_id}/rounds/{number}/close", method="post",
                errors=(401, 403, 404, 409),
                summary="Close the open round (organizers; the page's rules and audit event)",
                response=schemas.ROUND_DETAIL_SCHEMA)
@token_required
def close_round(study_id: int, number: int):
    """Close round `number` if it is the open one, like the Close button (409 otherwise)."""
    study = _study(study_id, access.MANAGE_ROLES)
    counts = _counts_of(study, number)
    if counts.round.status != RoundStatus.OPEN:
        raise Conflict(f"Round {number} is not open (it is {counts.round.status}).")
    lifecycle.close_round(study, actor_id=g.api_user.id)
    return jsonify(_round_json(_counts_of(study, number)))


@bp.get("/studies/<int:study_id>/options/<int:option_id>/rationales")
@spec.operation("/studies/{study_id}/options/{option_id}/rationales",
                summary="An option's rationales by stance (pseudonyms, as on its page)",
                response=schemas.RATIONALES_SCHEMA, parameters=RESULT_PARAMETERS)
@token_required
def list_rationales(study_id: int, option_id: int):
    """The option's anonymised rationales, grouped by stance as the option page shows them."""
    study = _study(study_id)
    option = next((o for o in study.options if o.id == option_id), None)
    if option is None:
        abort(404, "No such option in this study.")
    try:
        params = results.parse_params(study, request.args)
    except NotFound:
        abort(404, "No such round.")
    detail = rationales.option_detail(study, params, option)
    return jsonify({"option": _option_json(option), "round": params.round or None,
                    "criterion": detail.criterion, "median": detail.median,
                    "rationales": [{"stance": stance, "expert": r.expert, "group": r.group,
                                    "value": r.value, "text": r.text, "dissent": r.dissent}
                                   for stance, items in detail.groups.items()
                                   for r in items]})


@bp.get("/studies/<int:study_id>/options")
@spec.operation("/studies/{study_id}/options", summary="The options experts rate",
                response={"type": "array", "items": schemas.OPTION_SCHEMA})
@token_required
def list_options(study_id: int):
    """The study's options in questionnaire order."""
    return jsonify([_option_json(o) for o in _study(study_id).options])


@bp.get("/studies/<int:study_id>/responses")
@spec.operation("/studies/{study_id}/responses", parameters=[ROUND_QUERY],
                summary="Response status of each expert (pseudonyms) in a round",
                response=schemas.RESPONSES_SCHEMA)
@token_required
def list_responses(study_id: int):
    """Who has answered in a round, under pseudonyms."""
    study = _study(study_id)
    round_ = _round(study, request.args.get("round"))
    if round_ is None:
        abort(404, "The study has no rounds yet.")
    return jsonify({"round": round_.number, "experts": panel_status.response_status(round_)})


@bp.get("/studies/<int:study_id>/results")
@spec.operation("/studies/{study_id}/results", summary="Ranked recommendations of a round",
                response=schemas.RESULTS_SCHEMA, parameters=RESULT_PARAMETERS,
                accepted=schemas.JOB_ACCEPTED_SCHEMA, errors=(400, 401, 404, 500))
@token_required
def show_results(study_id: int):
    """The ranking of a round with the chosen method, weights and groups.

    A large round not yet computed answers 202 while a background job works.
    """
    study = _study(study_id)
    try:
        params = results.parse_params(study, request.args)
        outcome = background.results_or_job(study, params, url=None, user_id=g.api_user.id)
    except NotFound:  # a ValidationFailed answers 400 by itself
        abort(404, "No such round.")
    if isinstance(outcome, Job):
        return _job_accepted(outcome)
    if outcome is None:
        return jsonify({"method": params.method, "round": params.round or None,
                        "options": [], "provenance": None})
    return jsonify(outcome.to_dict())


def _job_accepted(job: Job):
    """202 with the job's progress (500 when it failed); the client asks again."""
    if job.status == JobStatus.FAILED:
        abort(500, f"The analysis failed: {job.error}")
    body = {key: value for key, value in jobs.status_of(job).items()
            if key in ("id", "kind", "status", "progress", "message")}
    response = jsonify({"job": body})
    response.status_code = 202
    response.headers["Retry-After"] = "2"
    return response


@bp.get("/studies/<int:study_id>/themes")
@spec.operation("/studies/{study_id}/themes", summary="Rationale themes of a round",
                response=schemas.THEMES_SCHEMA,
                parameters=[{**ROUND_QUERY, "description": "Round number; default the "
                             "current round."}],
                accepted=schemas.JOB_ACCEPTED_SCHEMA, errors=(400, 401, 404, 500))
@token_required
def show_themes(study_id: int):
    """Each option's rationales grouped into themes (experts under pseudonyms).

    Themes are computed by a background job: 202 while it works, then 200.
    """
    study = _study(study_id)
    raw = request.args.get("round", "")
    if raw and not raw.isdigit():
        raise ValidationFailed({"round": "Give a round number (1, 2, …)."})
    round_ = _round(study, int(raw) if raw else None)
    if round_ is None:
        abort(404, "The study has no rounds yet.")
    found = round_themes.themes_or_job(round_, user_id=g.api_user.id)
    if isinstance(found, Job):
        return _job_accepted(found)
    return jsonify(round_themes.to_dict(found))


@bp.get("/studies/<int:study_id>/judgments")
@spec.operation(
    "/studies/{study_id}/judgments", summary="Raw judgments (pseudonymised), paginated",
    response=schemas.JUDGMENTS_PAGE_SCHEMA,
    parameters=[{**ROUND_QUERY, "description": "Only this round; default all rounds."},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                           "maximum": input_guard.DB_INT_MAX}},
                {"name": "per_page", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}}])
@token_required
def list_judgments(study_id: int):
    """One page of the tidy judgments, in round, expert, option, criterion order."""
    study = _study(study_id)
    chosen = input_guard.query_int("round")
    if chosen is not None:
        _round(study, chosen)
    page = input_guard.query_int("page", 1)
    per_page = input_guard.query_int("per_page", 1000, highest=MAX_PER_PAGE)
    total, rows = exports.judgments_page(study, chosen, page, per_page)
    following = None
    if page * per_page < total:
        args = {"page": page + 1, "per_page": per_page, **({"round": chosen} if chosen else {})}
        # From BASE_URL, never the request's Host: a client following `next` sends its token.
        following = current_app.config["BASE_URL"].rstrip("/") + url_for(
            "api.list_judgments", study_id=study_id, **args)
    return jsonify({"page": page, "per_page": per_page, "total": total, "next": following,
                    "judgments": rows})


@bp.get("/studies/<int:study_id>/seed-answers")
@spec.operation(
    "/studies/{study_id}/seed-answers",
    summary="Calibration (seed) answers (pseudonymised), abstentions and withdrawals marked",
    response=schemas.SEED_ANSWERS_SCHEMA,
    parameters=[{**ROUND_QUERY, "description": "Only this round; default all rounds."}])
@token_required
def list_seed_answers(study_id: int):
    """The study's calibration answers, in round, expert, question order."""
    study = _study(study_id)
    number = request.args.get("round") or None
    chosen = _round(study, number).number if number is not None else None
    return jsonify(exports.seeds_json(study, chosen))


@bp.post("/studies/<int:study_id>/panel")
@spec.operation("/studies/{study_id}/panel", method="post", status=201,
                errors=(400, 401, 403, 404, 409, 413),
                summary="Add experts to the panel (organizers; all or nothing)",
                request_body=schemas.PANEL_IMPORT_SCHEMA, response=schemas.PANEL_IMPORTED_SCHEMA)
@token_required
def import_panel(study_id: int):
    """Import panel members from a JSON list (refused: 400 or 409, nothing added)."""
    study = _study(study_id, access.MANAGE_ROLES)
    experts = _json_body(schemas.PANEL_IMPORT_SCHEMA).get("experts")
    added = importer.import_rows(study, experts, actor_id=g.api_user.id).imported
    return jsonify({"added": added, "panel_size": len(study.experts)}), 201
