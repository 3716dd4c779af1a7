"""JSON API under /api/v1/, authenticated by personal bearer tokens.

A service's refusal (`DomainError`) needs no handling here: `elicit.errorpages`
answers it under /api/ as the JSON error of its status (ValidationFailed 400,
Conflict 409, ...). The views only give a lookup's 404 its own wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from elicit import input_guard
from elicit.api import schemas
from elicit.api.spec import ApiSpec
from elicit.errors import Forbidden, NotFound, ValidationFailed
from elicit.extensions import csrf
from elicit.models import Job, JobStatus, Role
from elicit.services import jobs, results
from elicit.services.accounts import access, api_tokens
from elicit.services.panel import importer
from elicit.services.panel import status as panel_status
from elicit.services.results import background, exports
from elicit.services.studies import definition
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
    """
    try:
        return access.study_for(g.api_user, study_id, roles)
    except NotFound:
        abort(404, "No such study among yours.")
    except Forbidden:
        abort(403, "Your role on this study may not do this.")


def _study_json(study, role) -> dict:
    return {"id": study.id, "title": study.title, "status": study.status, "role": role.value,
            "rounds": [{"number": r.number, "status": r.status} for r in study.rounds],
            "options": [_option_json(o) for o in study.options]}


def _option_json(option) -> dict:
    return {"id": option.id, "title": option.title, "description": option.description,
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
        abort(400, "Send a JSON object with Content-Type: application/json.")
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
    study = _study(study_id)
    return jsonify([{
        "number": c.round.number, "status": c.round.status, "invited": c.invited,
        "drafts": c.drafts, "submitted": c.submitted, "data_version": c.round.data_version,
        "opened_at": c.round.opened_at.isoformat() if c.round.opened_at else None,
        "closed_at": c.round.closed_at.isoformat() if c.round.closed_at else None,
    } for c in round_counts(study)])


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
