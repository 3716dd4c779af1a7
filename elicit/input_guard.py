"""The input boundary for query strings and JSON bodies: junk is refused before any view.

Form fields are checked by `elicit.fields.BaseForm` (the message goes next to
the field); CSV cells by `services.common.csv_rows`. Here, once per request:

- every query parameter (name and value): NUL, control characters, lone
  surrogates (`services.common.text.text_problem`);
- a JSON body (any request whose content type says JSON): it must decode
  without exhausting the parser's stack, nest at most `MAX_JSON_DEPTH`
  levels and hold no refused character in any key or string.

Pages answer 400 with the parameter named; the API answers 400 with the
field named in the error's `fields` map (a `ValidationFailed`).
"""

from __future__ import annotations

import json
import re

from flask import Flask, abort, request

from elicit.errors import ValidationFailed
from elicit.services.common.text import MAX_JSON_DEPTH, walk_problem


def _refuse(field: str, problem: str, *, kind: str) -> None:
    if request.path.startswith("/api/"):
        raise ValidationFailed({field: f"{field} {problem}."})
    abort(400, f"The {kind} “{field}” {problem}.")


def check_request() -> None:
    """Refuse a request whose query string or JSON body holds junk (before the view)."""
    for name, value in request.args.items(multi=True):
        found = walk_problem(name, "") or walk_problem(value, name)
        if found:
            _refuse(found[0] or "query parameter", found[1], kind="query parameter")
    if not request.is_json or not request.content_length:
        return
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError:
        _refuse("body", f"is nested too deeply to read (at most {MAX_JSON_DEPTH} levels)",
                kind="body")
    except ValueError:
        return  # not JSON at all: the view answers that in its own words
    found = walk_problem(body, "")
    if found:
        _refuse(found[0] or "body", found[1], kind="field")


# The largest value an INTEGER column holds on both databases.
DB_INT_MAX = 2**31 - 1
_WHOLE = re.compile(r"^[0-9]{1,10}$")


def query_int(name: str, default: int | None = None, *, lowest: int = 1,
              highest: int = DB_INT_MAX) -> int | None:
    """A whole-number query parameter (`default` when absent or empty).

    Anything else — text, a sign, a fraction, non-ASCII digits, a value
    beyond `highest` (by default the database integer range) — is refused
    with 400 naming the parameter, before it can reach a query.
    """
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if not _WHOLE.match(raw) or not lowest <= int(raw) <= highest:
        _refuse(name, f"must be a whole number from {lowest} to {highest}",
                kind="query parameter")
    return int(raw)


def register(app: Flask) -> None:
    """Install the check before every view."""
    app.before_request(check_request)
