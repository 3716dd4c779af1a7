"""OpenAPI 3 document generated from the API's own route declarations."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import request

from elicit.errors import ValidationFailed

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["status", "title"],
        "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                       "detail": {"type": ["string", "null"]},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "Refused values: the field (e.g. "
                                                 "options[2].title) and why"}},
    }},
}


ERROR_TEXTS = {
    400: "Bad request", 401: "Missing or invalid token", 403: "Your role may not do this",
    404: "Not found or not yours", 409: "Conflicts with existing data",
    413: "The request body is larger than MAX_CONTENT_LENGTH",
    500: "The background computation failed",
}


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    response: dict[str, Any]
    parameters: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    request_body: dict[str, Any] | None = None
    errors: tuple[int, ...] = (400, 401, 404)
    accepted: dict[str, Any] | None = None  # the 202 body of work left to a background job


class ApiSpec:
    """Collects operations as routes are declared and renders the document."""

    def __init__(self, title: str, version: str) -> None:
        self.title = title
        self.version = version
        self.operations: list[Operation] = []

    def operation(self, path: str, *, summary: str, response: dict[str, Any],
                  parameters: list[dict[str, Any]] | None = None, method: str = "get",
                  status: int = 200, request_body: dict[str, Any] | None = None,
                  errors: tuple[int, ...] = (400, 401, 404),
                  accepted: dict[str, Any] | None = None) -> Callable[[Callable], Callable]:
        """Record an operation; the Flask route is declared separately.

        An operation with query parameters refuses the undocumented ones (400
        naming them), so a typo is not silently ignored.
        """
        def decorator(view: Callable) -> Callable:
            self.operations.append(Operation(path, method, summary, response, parameters or [],
                                             status, request_body, errors, accepted))
            names = {p["name"] for p in parameters or () if p.get("in") == "query"}
            if not names:
                return view

            @wraps(view)
            def checked(*args: Any, **kwargs: Any) -> Any:
                unknown = [n for n in request.args if n not in names
                           and not ("w{position}" in names and re.fullmatch(r"w\d+", n))]
                if unknown:
                    raise ValidationFailed({n: f"{n or '(empty name)'}: unknown query parameter; "
                                               f"this endpoint takes {', '.join(sorted(names))}"
                                            for n in unknown[:5]})
                return view(*args, **kwargs)
            return checked
        return decorator

    def document(self, server_url: str) -> dict[str, Any]:
        """The OpenAPI 3.1 document."""
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            entry: dict[str, Any] = {
                "summary": op.summary,
                "parameters": [*_path_parameters(op.path), *op.parameters],
                "responses": {
                    str(op.status): {"description": "Created" if op.status == 201 else "OK",
                                     "content": {"application/json": {"schema": op.response}}},
                    **{str(code): _error_response(ERROR_TEXTS[code]) for code in op.errors},
                },
            }
            if op.accepted is not None:
                entry["responses"]["202"] = {
                    "description": "Accepted: a background job is computing it; request the "
                                   "same URL again (after Retry-After seconds) until 200",
                    "content": {"application/json": {"schema": op.accepted}}}
            if op.request_body is not None:
                entry["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": op.request_body}}}
            paths.setdefault(op.path, {})[op.method] = entry
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version},
            "servers": [{"url": server_url}],
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http",
                                                              "scheme": "bearer"}},
                           "schemas": {"Error": ERROR_SCHEMA}},
            "paths": paths,
        }


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "integer"}}
            for n in names]


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
