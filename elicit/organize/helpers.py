"""Small helpers shared by the organizer views (refusals and owned objects: `elicit.web`)."""

from __future__ import annotations

from flask import g, render_template, request

from elicit.organize.forms import ActionForm


def upload_bytes(form_field) -> bytes:
    """The bytes of an uploaded file (size bounded by MAX_CONTENT_LENGTH)."""
    return form_field.data.read()


def confirm_first(*, title: str, message: str, button: str, cancel: str, here: str = ""):
    """The confirmation page of an irreversible button, or None once it is confirmed.

    The button posts once without `confirm`: this page answers, saying what will
    happen, with a form that posts the same URL again with ``confirm=yes``. It
    works without JavaScript; nothing is changed before the second post.
    """
    if request.form.get("confirm") == "yes":
        return None
    return render_template("organize/confirm.html", study=g.study, here=here, title=title,
                           message=message, button=button, cancel=cancel,
                           target=request.path, form=ActionForm())
