"""Expert pages: open a personal link, consent, answer, review, submit, download."""

from __future__ import annotations

import hmac
import json

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale

from elicit.errors import InvalidLink, RoundClosed, ValidationFailed
from elicit.extensions import limiter
from elicit.i18n import expert_locale, study_locales
from elicit.respond.forms import (
    ConsentForm,
    LanguageForm,
    answers_from_form,
    build_answer_form,
    form_data_from_answers,
    hidden_values,
)
from elicit.services.responses import answering, feedback, own_export, theme_feedback
from elicit.services.responses.rules import (
    count_answered,
    first_unanswered,
    options_in_round,
    validate_answers,
)

bp = Blueprint("respond", __name__)

SESSION_KEY = "respond"
LANG_KEY = "respond_lang"


@bp.after_request
def no_referrer(response):
    """Personal pages never leak their address to other sites, nor sit in caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>", methods=["GET", "HEAD"])
# Per address, counting only failed look-ups: guessing is slowed down, while a
# room full of experts behind one address can still open their links at once.
@limiter.limit("30 per minute", deduct_when=lambda response: response.status_code in (404, 410))
def open_link(token: str):
    """Exchange a personal link for a session and drop the token from the URL.

    Opening the link changes nothing stored: mail scanners open every link.
    """
    try:
        invitation = answering.invitation_for_token(token)
    except InvalidLink as exc:
        return _invalid_link(exc)
    session[SESSION_KEY] = {"id": invitation.id, "h": invitation.token_hash}
    if not answering.accepts_answers(invitation.round):
        _use_expert_locale(invitation)
        return render_template("respond/round_closed.html", expired=True,
                               has_answers=answering.response_for(invitation) is not None
                               ), 410
    return redirect(url_for("respond.show_form", _anchor=_resume_anchor(invitation)), code=303)


def _resume_anchor(invitation) -> str | None:
    """Where a returning expert left off: the first option of a draft still unanswered."""
    response = answering.response_for(invitation)
    if response is None or response.consent_at is None or response.is_submitted:
        return None
    study = invitation.expert.study
    option = first_unanswered(study, options_in_round(study, invitation.round),
                              answering.current_answers(response))
    return f"option-{option.id}" if option is not None and response.judgments else None


def _invitation():
    """The live invitation of this browser session, or an error page."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or not isinstance(held.get("id"), int):
        abort(404)
    try:
        invitation = answering.invitation_by_id(held["id"])
    except InvalidLink as exc:
        session.pop(SESSION_KEY, None)
        abort(exc.status)  # 410 when revoked, else 404
    if not hmac.compare_digest(str(held.get("h", "")).encode(), invitation.token_hash.encode()):
        session.pop(SESSION_KEY, None)  # the link was reissued: old sessions end too
        abort(410)
    g.invitation = invitation
    _use_expert_locale(invitation)
    return invitation


def _use_expert_locale(invitation) -> None:
    g.preferred_locale = expert_locale(invitation.expert.study.languages,
                                       invitation.expert.language, session.get(LANG_KEY))


def _invalid_link(exc: InvalidLink):
    return render_template("respond/link_invalid.html"), exc.status  # 410 when revoked, else 404


@bp.get("/respond")
def show_form():
    """Show the briefing and consent, then the questions with saved answers and feedback."""
    invitation = _invitation()
    response = answering.response_for(invitation)
    if response is None or response.consent_at is None:
        if not answering.accepts_answers(invitation.round):
            return render_template("respond/round_closed.html", expired=True,
                                   has_answers=False), 410
        return render_template("respond/consent.html", study=invitation.expert.study,
                               invitation=invitation, form=ConsentForm(),
                               languages=study_locales(invitation.expert.study.languages))
    stored = answering.current_answers(response)
    study, options = invitation.expert.study, options_in_round(invitation.expert.study,
                                                               invitation.round)
    if not answering.accepts_answers(invitation.round):
        return _render_review(response, stored, form=None, read_only=True)
    form = build_answer_form(study, options, formdata=None,
                             data=form_data_from_answers(study, stored))
    return _render_form(form, response=response, saved_answers=stored)


@bp.post("/respond/consent")
def give_consent():
    """Record consent and go on to the questions."""
    invitation = _invitation()
    form = ConsentForm()
    if not (form.validate_on_submit() and form.consent.data):
        return render_template("respond/consent.html", study=invitation.expert.study,
                               invitation=invitation, form=form, consent_missing=True), 400
    try:
        answering.record_consent(invitation)
    except RoundClosed:
        return render_template("respond/round_closed.html"), 409
    return redirect(url_for("respond.show_form"), code=303)


@bp.post("/respond")
def save_form():
    """Save a draft, show the review page, or submit; errors re-show what was typed."""
    invitation = _invitation()
    study = invitation.expert.study
    options = options_in_round(study, invitation.round)
    form = build_answer_form(study, options)
    action = request.form.get("action", "draft")
    response = answering.response_for(invitation)
    if response is None or response.consent_at is None:
        return redirect(url_for("respond.show_form"), code=303)
    if not answering.accepts_answers(invitation.round):
        return render_template("respond/round_closed.html", has_answers=True), 409
    if not form.validate_on_submit():
        return _render_form(form, response=response), 422
    answers = answers_from_form(study, options, form)
    if action == "edit":
        return _render_form(form, response=response)
    try:
        if action == "review":
            return _review(invitation, response, answers, form)
        answering.save_answers(invitation, answers, submit=action == "submit")
    except ValidationFailed as exc:
        return _render_form(form, response=response, errors=exc.errors), 422
    except RoundClosed:
        return render_template("respond/round_closed.html", has_answers=True), 409
    if action == "submit":
        return redirect(url_for("respond.show_done"), code=303)
    anchor = action.removeprefix("reveal-") if action.startswith("reveal-") else ""
    return redirect(url_for("respond.show_form", saved=1,
                            _anchor=f"option-{anchor}" if anchor.isdigit() else None), code=303)


def _review(invitation, response, answers, form):
    """Check the answers, keep a draft of them, and list them for a last look."""
    errors = validate_answers(invitation.expert.study, answers, complete=False,
                              options=options_in_round(invitation.expert.study,
                                                       invitation.round))
    if errors:
        raise ValidationFailed(errors)
    # Read what the page needs before the draft is written: nothing after the commit
    # touches the database (on SQLite a POST's next query would take the write lock again).
    context = _page_context(response, answers)
    if not response.is_submitted:
        context["response"] = answering.save_answers(invitation, answers, submit=False)
    return _render_review(context["response"], answers, form=form, read_only=False,
                          context=context)


@bp.get("/respond/done")
def show_done():
    """Confirm the submission and say what happens next."""
    invitation = _invitation()
    response = answering.response_for(invitation)
    if response is None or not response.is_submitted:
        return redirect(url_for("respond.show_form"), code=303)
    return render_template("respond/done.html", study=invitation.expert.study,
                           response=response)


@bp.get("/respond/answers.<fmt>")
def download_answers(fmt: str):
    """Download the expert's own answers and submitted versions as JSON or CSV."""
    invitation = _invitation()
    if fmt not in ("json", "csv"):
        abort(404)
    data = own_export.own_answers(invitation, answering.response_for(invitation))
    name = f"my-answers-round-{invitation.round.number}.{fmt}"
    if fmt == "json":
        body, mimetype = json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    else:
        body, mimetype = own_export.own_answers_csv(data), "text/csv"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/respond/language")
def choose_language():
    """Switch the language of the expert's pages (among the study's languages)."""
    invitation = _invitation()
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in study_locales(
            invitation.expert.study.languages):
        session[LANG_KEY] = form.lang.data
    return redirect(url_for("respond.show_form"), code=303)


def _page_context(response, saved_answers):
    invitation = g.invitation
    study = invitation.expert.study
    options = options_in_round(study, invitation.round)
    answered, total = count_answered(study, options, saved_answers)
    panel_feedback = feedback.feedback_for(invitation, options)
    revealed = feedback.revealed_options(study.anchoring, study.criteria, options,
                                         saved_answers) if panel_feedback else set()
    shown = theme_feedback.shown_themes(invitation.round, str(get_locale() or "en")[:2])
    theme_feedback.apply(panel_feedback, shown)
    return {"study": study, "round": invitation.round, "options": options, "shown": shown,
            "response": response, "answered": answered, "total": total,
            "feedback": panel_feedback, "revealed": revealed,
            "languages": study_locales(study.languages)}


def _render_form(form, *, response, errors: dict[str, str] | None = None, saved_answers=None):
    if saved_answers is None:
        saved_answers = answering.current_answers(response)
    return render_template("respond/form.html", form=form, errors=errors or {},
                           saved=request.args.get("saved") == "1",
                           **_page_context(response, saved_answers))


def _render_review(response, answers, *, form, read_only: bool, context=None):
    context = context or _page_context(response, answers)
    missing = validate_answers(context["study"], answers, complete=True,
                               options=context["options"])
    return render_template("respond/review.html", answers=answers, missing=missing,
                           hidden=hidden_values(form) if form is not None else [],
                           read_only=read_only, **context)
