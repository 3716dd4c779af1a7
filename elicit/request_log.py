"""Structured request logs: one JSON line per request, with id and duration.

Personal links carry a secret in the path (`/r/<token>`): it is replaced by
`[redacted]` before anything is logged. Query strings and bodies are never
logged, so answers never reach the logs.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Flask, Response, g, request

logger = logging.getLogger("elicit.request")
_TOKEN_PATH = re.compile(r"^/r/[^/]+")


def redact_path(path: str) -> str:
    """The request path with any link token removed."""
    return _TOKEN_PATH.sub("/r/[redacted]", path)


def _start() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) \
        else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.pop("request_started", None)
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    response.headers["X-Request-Id"] = g.get("request_id", "")
    logger.info(json.dumps({
        "event": "request", "request_id": g.get("request_id"), "method": request.method,
        "path": redact_path(request.path), "status": response.status_code,
        "duration_ms": duration_ms,
    }))
    return response


def register(app: Flask) -> None:
    """Log every request once it has a response."""
    app.before_request(_start)
    app.after_request(_finish)
    if not logger.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
