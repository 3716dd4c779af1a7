"""HTTP error responses: pages for people, JSON for the API.

A service's refusal (`DomainError`) that reaches the top of an API request is
answered here, as the JSON error of its `status`; elsewhere each page shape has
its own helper (`elicit.web`).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable, default_exceptions

from elicit.errors import DomainError
from elicit.extensions import db

TITLES = {
    400: "The request could not be read",
    401: "Please sign in",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "Not allowed",
    410: "This link is no longer valid",
    413: "The upload is too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "Temporarily unavailable",
}


# A refusal that names its fields is about what was sent, not about reading it.
REFUSAL_TITLES = {400: "Some values were refused", 409: "Conflicts with existing data"}


def refusal_title(code: int, fields: list[str], default: str) -> str:
    """A refusal's title naming the refused fields ("Invalid value for page")."""
    if code != 400 or not fields:
        return REFUSAL_TITLES.get(code, default)
    if len(fields) == 1:
        return f"Invalid value for {fields[0]}"
    shown = ", ".join(fields[:3]) + (f" and {len(fields) - 3} more" if len(fields) > 3 else "")
    return f"Invalid values for {shown}"


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def handle_http_error(error: HTTPException):
    """Render an HTTP error as a page or a JSON object."""
    code = error.code or 500
    title = TITLES.get(code, error.name)
    # Keep the exception's own headers (Allow on 405, Retry-After on 429…).
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if _wants_json():
        return jsonify({"error": {"status": code, "title": title,
                                  "detail": error.description}}), code, headers
    return render_template("errors/error.html", code=code, title=title,
                           description=error.description), code, headers


def handle_refusal(error: DomainError):
    """Under /api/, answer a service's refusal as the JSON error of its status and text.

    Any other page has its own way of showing refusals (`elicit.web`): one that
    escapes it here is not expected, so it goes on as an unhandled exception
    (a 500 page, as before this handler existed).
    """
    if not _wants_json():
        raise error
    response, code, headers = handle_http_error(default_exceptions[error.status](error.text))
    fields = {name: message for name, message in error.messages.items() if name}
    if fields:
        body = response.get_json()
        body["error"].update(title=refusal_title(code, list(fields), body["error"]["title"]),
                             fields=fields)
        response = jsonify(body)
    return response, code, headers


def handle_database_down(_error: OperationalError):
    """A database outage answers 503, not a stack trace."""
    db.session.rollback()
    return handle_http_error(ServiceUnavailable(
        "The database is not reachable right now. Your answers were not lost: "
        "please try again in a minute."))


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_refusal)
    app.register_error_handler(OperationalError, handle_database_down)
