"""Small helpers shared by the organizer views: errors onto forms, owned objects."""

from __future__ import annotations

from flask import abort, flash, g
from flask_wtf import FlaskForm

from elicit.errors import DomainError, ValidationFailed
from elicit.extensions import db
from elicit.models import Study

UNPROCESSABLE = 422


def show_errors(form: FlaskForm | None, exc: DomainError, fallback: str | None = None) -> None:
    """Put a service's field errors next to the fields; anything else becomes a notice.

    Errors naming no field of the form go to the `fallback` field when given
    (an upload's per-line errors sit under the file field).
    """
    g.refused = True
    if isinstance(exc, ValidationFailed):
        for name, message in exc.errors.items():
            field = getattr(form, name, None) if form is not None else None
            if field is None and fallback is not None:
                field = getattr(form, fallback)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
            else:
                flash(message, "error")
        return
    flash(str(exc), "error")


def owned(model, object_id: int, study: Study):
    """The `model` row `object_id` if it belongs to `study`, else 404."""
    found = db.session.get(model, object_id)
    if found is None or found.study_id != study.id:
        abort(404)
    return found


def upload_bytes(form_field) -> bytes:
    """The bytes of an uploaded file (size bounded by MAX_CONTENT_LENGTH)."""
    return form_field.data.read()


def status_for(form: FlaskForm) -> int:
    """422 when the form or the service refused what was sent, else 200."""
    return UNPROCESSABLE if form.errors or g.get("refused") else 200
