"""JSON API under /api/v1/, authenticated by personal bearer tokens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, request

from elicit.api.spec import ApiSpec
from elicit.errors import Forbidden, NotFound
from elicit.extensions import csrf
from elicit.results.views import METHODS
from elicit.services import access, api_tokens, results

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens only: no cookie ever authenticates an API call
spec = ApiSpec("elicit API", "1")

NUMBER_OR_NULL = {"type": ["number", "null"]}
STUDY_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "status", "role", "rounds", "options"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "status": {"type": "string"},
        "role": {"type": "string", "enum": ["owner", "organizer", "analyst"]},
        "rounds": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "integer"}, "status": {"type": "string"}}}},
        "options": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}}}},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["method", "round", "options", "provenance"],
    "properties": {
        "method": {"type": "string"}, "round": {"type": ["integer", "null"]},
        "options": {"type": "array", "items": {
            "type": "object",
            "required": ["option", "rank", "score", "low", "high", "p_first", "p_top3"],
            "properties": {"option": {"type": "string"}, "rank": {"type": "integer"},
                           "score": NUMBER_OR_NULL, "low": NUMBER_OR_NULL,
                           "high": NUMBER_OR_NULL, "p_first": NUMBER_OR_NULL,
                           "p_top3": NUMBER_OR_NULL}}},
        "provenance": {"type": ["object", "null"]},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
}


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


def _study(study_id: int):
    try:
        return access.study_for(g.api_user, study_id)
    except (NotFound, Forbidden):
        abort(404, "No such study among yours.")


def _study_json(study, role) -> dict:
    return {"id": study.id, "title": study.title, "status": study.status, "role": role.value,
            "rounds": [{"number": r.number, "status": r.status} for r in study.rounds],
            "options": [{"id": o.id, "title": o.title} for o in study.options]}


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API."""
    return jsonify(spec.document(current_app.config["BASE_URL"].rstrip("/") + "/api/v1"))


@bp.get("/studies")
@spec.operation("/studies", summary="List the studies you belong to",
                response={"type": "array", "items": STUDY_SCHEMA})
@token_required
def list_studies():
    """List the caller's studies."""
    return jsonify([_study_json(s, role) for s, role in access.studies_for(g.api_user)])


@bp.get("/studies/<int:study_id>")
@spec.operation("/studies/{study_id}", summary="One study", response=STUDY_SCHEMA)
@token_required
def show_study(study_id: int):
    """One of the caller's studies."""
    study = _study(study_id)
    return jsonify(_study_json(study, access.role_on(g.api_user, study_id)))


@bp.get("/studies/<int:study_id>/results")
@spec.operation(
    "/studies/{study_id}/results", summary="Ranked recommendations of a round",
    response=RESULTS_SCHEMA,
    parameters=[
        {"name": "round", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "method", "in": "query",
         "schema": {"type": "string", "enum": list(METHODS), "default": "mean"}},
    ])
@token_required
def show_results(study_id: int):
    """The ranking of a round by the chosen aggregation method."""
    study = _study(study_id)
    method = request.args.get("method", "mean")
    if method not in METHODS:
        abort(400, f"method must be one of {', '.join(METHODS)}.")
    round_ = study.current_round
    if "round" in request.args:
        number = request.args.get("round", type=int)
        round_ = next((r for r in study.rounds if r.number == number), None)
        if round_ is None:
            abort(404, "No such round.")
    ranking = results.rank_round(round_, method=method) if round_ is not None else None
    if ranking is None:
        return jsonify({"method": method, "round": round_.number if round_ else None,
                        "options": [], "provenance": None})
    return jsonify(ranking.to_dict())
