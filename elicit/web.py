"""How the HTML pages answer a service's refusal, and the one load-or-404 helper.

Three shapes of page, one helper each:

- a **form page** re-shows the form with the refusal next to its fields
  (`refusals_onto`, then `status_for`: 422 when refused);
- a **button action** (POST, then redirect) flashes the refusal and goes back
  (`action`);
- an **object of a study** named in the URL is loaded or answered with 404
  (`owned`).

The API answers refusals as JSON in `elicit.errorpages`; the CLI in
`elicit.cli.common`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from types import TracebackType
from typing import Any, TypeVar

from flask import abort, flash, redirect, url_for
from flask_wtf import FlaskForm

from elicit.errors import DomainError, NotFound
from elicit.extensions import db
from elicit.models import Study

UNPROCESSABLE = 422
Model = TypeVar("Model")


class Attempt:
    """A service call made for a form: `ok` until the service refuses (see `refusals_onto`)."""

    def __init__(self, form: FlaskForm | None, fallback: str | None) -> None:
        self.form = form
        self.fallback = fallback
        self.error: DomainError | None = None

    @property
    def ok(self) -> bool:
        """Whether the call went through (nothing was refused)."""
        return self.error is None

    def __enter__(self) -> Attempt:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        if not isinstance(exc, DomainError):
            return False
        self.error = exc
        show_refusal(exc, self.form, fallback=self.fallback)
        return True


def refusals_onto(form: FlaskForm | None, *, fallback: str | None = None) -> Attempt:
    """Put a service's refusal on `form`; the returned attempt's `ok` says whether it went through.

    Use it as a context manager around the service call::

        form = StudyForm(obj=g.study)
        attempt = refusals_onto(form)
        if form.validate_on_submit():
            with attempt:
                builder.update_study(...)
            if attempt.ok:
                return redirect(...)
        return render_template(...), status_for(form, attempt)

    (``with refusals_onto(form) as attempt:`` does the same where the page is
    only rendered after a POST.) A `DomainError` raised inside is swallowed and
    shown with `show_refusal`; any other exception goes through.
    """
    return Attempt(form, fallback)


def show_refusal(exc: DomainError, form: FlaskForm | None = None, *,
                 fallback: str | None = None) -> None:
    """Show a refusal: each message next to the form field it names, else as a notice.

    A message naming a field the form lacks goes under the `fallback` field when
    one is given (an upload's per-line errors sit under the file field); a
    message naming no field (a conflict, say) is flashed.
    """
    for name, message in exc.messages.items():
        field = _field(form, name)
        if field is None and name:
            field = _field(form, fallback)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


def _field(form: FlaskForm | None, name: str | None):
    if form is None or not name or name not in form:
        return None
    return form[name]


def status_for(form: FlaskForm, attempt: Attempt | None = None) -> int:
    """422 when the form's own checks or the service (`attempt`) refused what was sent, else 200."""
    refused = attempt is not None and not attempt.ok
    return UNPROCESSABLE if form.errors or refused else 200


def action(back: str, *, keep: Iterable[str] = ("study_id",)) -> Callable:
    """Decorate a button's view (POST, then redirect): a refusal is flashed, then we go `back`.

    `back` is the endpoint to return to; it receives the view's arguments named in
    `keep`. The view itself only does its work and redirects where success leads;
    a `DomainError` it lets out is flashed (one notice per message) and the browser
    is sent to `back`. A `NotFound` is not a refusal to show but a missing object:
    it answers 404, so ids reveal nothing.

    :raise 404: when the service says the object acted on does not exist
    """
    names = tuple(keep)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            try:
                return view(*args, **kwargs)
            except NotFound:
                abort(404)
            except DomainError as exc:
                show_refusal(exc)
                return redirect(url_for(back, **{k: kwargs[k] for k in names}))

        return wrapped

    return decorator


def owned(model: type[Model], object_id: int, *, study: Study, via: str | None = None) -> Model:
    """The `model` row `object_id` when it belongs to `study`.

    `via` names the relationship that leads to the study when the row has no
    `study_id` of its own (an invitation belongs to a study through its expert).

    :raise 404: if no such row exists
    :raise 404: if it belongs to another study (ids reveal nothing across studies)
    """
    found = db.session.get(model, object_id)
    holder = getattr(found, via) if found is not None and via else found
    if holder is None or holder.study_id != study.id:
        abort(404)
    return found
