"""Expert pages: open a personal link, consent, answer, submit."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from elicit.errors import InvalidLink, RoundClosed, ValidationFailed
from elicit.respond.forms import (
    ConsentForm,
    answers_from_form,
    build_answer_form,
    form_data_from_answers,
)
from elicit.services import answers as answer_service

bp = Blueprint("respond", __name__)

SESSION_KEY = "invitation_id"


@bp.after_request
def no_referrer(response):
    """Personal pages never leak their address to other sites."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>", methods=["GET", "HEAD"])
def open_link(token: str):
    """Exchange a personal link for a session and drop the token from the URL.

    Opening the link changes nothing stored: mail scanners open every link.
    """
    try:
        invitation = answer_service.invitation_for_token(token)
    except InvalidLink as exc:
        return _invalid_link(exc)
    session[SESSION_KEY] = invitation.id
    return redirect(url_for("respond.show_form"), code=303)


def _invitation():
    """The live invitation of this browser session, or an error page."""
    invitation_id = session.get(SESSION_KEY)
    if not isinstance(invitation_id, int):
        abort(404)
    try:
        g.invitation = answer_service.invitation_by_id(invitation_id)
    except InvalidLink as exc:
        session.pop(SESSION_KEY, None)
        abort(410 if exc.reason == "revoked" else 404)
    g.preferred_locale = g.invitation.expert.language
    return g.invitation


def _invalid_link(exc: InvalidLink):
    code = 410 if exc.reason == "revoked" else 404
    return render_template("respond/link_invalid.html"), code


@bp.get("/respond")
def show_form():
    """Show the briefing and consent, then the answer form with any saved answers."""
    invitation = _invitation()
    study = invitation.expert.study
    response = answer_service.response_for(invitation)
    if response is None or response.consent_at is None:
        return render_template("respond/consent.html", study=study, invitation=invitation,
                               form=ConsentForm())
    stored = answer_service.current_answers(response)
    form = build_answer_form(study, formdata=None, data=form_data_from_answers(study, stored))
    return _render_form(form, response=response)


@bp.post("/respond/consent")
def give_consent():
    """Record consent and go on to the questions."""
    invitation = _invitation()
    form = ConsentForm()
    if not (form.validate_on_submit() and form.consent.data):
        return render_template("respond/consent.html", study=invitation.expert.study,
                               invitation=invitation, form=form, consent_missing=True), 400
    try:
        answer_service.record_consent(invitation)
    except RoundClosed:
        return render_template("respond/round_closed.html"), 409
    return redirect(url_for("respond.show_form"), code=303)


@bp.post("/respond")
def save_form():
    """Save a draft or submit; on any error re-show the form with what was typed."""
    invitation = _invitation()
    study = invitation.expert.study
    form = build_answer_form(study)
    submit = request.form.get("action") == "submit"
    response = answer_service.response_for(invitation)
    if response is None or response.consent_at is None:
        return redirect(url_for("respond.show_form"), code=303)
    if not form.validate_on_submit():
        return _render_form(form, response=response, errors={}), 422
    try:
        answer_service.save_answers(invitation, answers_from_form(study, form), submit=submit)
    except ValidationFailed as exc:
        return _render_form(form, response=response, errors=exc.errors), 422
    except RoundClosed:
        return render_template("respond/round_closed.html"), 409
    if submit:
        return redirect(url_for("respond.show_done"), code=303)
    return redirect(url_for("respond.show_form", saved=1), code=303)


@bp.get("/respond/done")
def show_done():
    """Confirm the submission and say what happens next."""
    invitation = _invitation()
    response = answer_service.response_for(invitation)
    if response is None or not response.is_submitted:
        return redirect(url_for("respond.show_form"), code=303)
    return render_template("respond/done.html", study=invitation.expert.study,
                           response=response)


def _render_form(form, *, response, errors: dict[str, str] | None = None):
    return render_template("respond/form.html", form=form, study=g.invitation.expert.study,
                           round=g.invitation.round, response=response, errors=errors or {},
                           saved=request.args.get("saved") == "1")
