"""Expert pages: open a personal link, consent, answer, review, submit, download."""

from __future__ import annotations

import hmac
import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from elicit.errors import InvalidLink, RoundClosed, ValidationFailed
from elicit.extensions import limiter
from elicit.i18n import CHOSEN_KEY, EXPERT_PATHS, expert_locale, study_locales
from elicit.respond.forms import (
    ConsentForm,
    LanguageForm,
    build_answer_form,
    form_data_from_answers,
    hidden_values,
    problem_lines,
    read_answer_form,
    show_typed,
)
from elicit.services.responses import answering, drafts, feedback, own_export, theme_feedback
from elicit.services.responses.rules import (
    count_answered,
    first_unanswered,
    options_in_round,
    validate_answers,
)

bp = Blueprint("respond", __name__)

SESSION_KEY = "respond"
LANG_KEY = CHOSEN_KEY


@bp.after_request
def no_referrer(response):
    """Personal pages never leak their address to other sites, nor sit in caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def language_choices():
    """The languages the switch offers: the study's once a link is known, else every one."""
    def expert_languages() -> list[str]:
        invitation = g.get("invitation")
        if invitation is None:
            return list(current_app.config["LANGUAGES"])
        return study_locales(invitation.expert.study.languages)
    return {"expert_languages": expert_languages}


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
                               languages=study_locales(invitation.expert.study.languages),
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
        abort(make_response(_invalid_link(exc, open_page=True)))  # 410 when revoked, else 404
    if not hmac.compare_digest(str(held.get("h", "")).encode(), invitation.token_hash.encode()):
        session.pop(SESSION_KEY, None)  # the link was reissued: old sessions end too
        abort(make_response(_invalid_link(InvalidLink("revoked"), open_page=True)))
    g.invitation = invitation
    _use_expert_locale(invitation)
    return invitation


def _use_expert_locale(invitation) -> None:
    g.preferred_locale = expert_locale(invitation.expert.study.languages,
                                       invitation.expert.language, session.get(LANG_KEY))


def _invalid_link(exc: InvalidLink, open_page: bool = False):
    """The page of a link that does not work: 410 when revoked or replaced, else 404.

    Opening a link says nothing of whether it existed; a page the expert already
    had open (`open_page`) may say that its link was replaced or withdrawn.
    """
    revoked = open_page and exc.status == 410
    return render_template("respond/link_invalid.html", revoked=revoked,
                           languages=current_app.config["LANGUAGES"]), exc.status


@bp.get("/respond")
def show_form():
    """Show the briefing and consent, then the questions with saved answers and feedback."""
    invitation = _invitation()
    response = answering.response_for(invitation)
    study = invitation.expert.study
    if response is None or response.consent_at is None:
        if not answering.accepts_answers(invitation.round):
            return render_template("respond/round_closed.html", expired=True,
                                   has_answers=False), 410
        carried = answering.carried_consent(invitation)
        if carried is None:
            return render_template("respond/consent.html", study=study,
                                   invitation=invitation, form=ConsentForm(),
                                   languages=study_locales(study.languages))
        response = answering.record_consent(invitation, carried_from=carried)
    if not answering.accepts_answers(invitation.round):
        return _render_review(response, answering.current_answers(response), form=None,
                              read_only=True)
    options = options_in_round(study, invitation.round)
    state = drafts.draft_state(response)
    prefilled = None
    if study.prefill_previous and _untouched(response, state):
        prefilled = feedback.previous_answers(invitation, options)
    form = build_answer_form(study, options, formdata=None,
                             data=form_data_from_answers(study, prefilled or state.answers))
    show_typed(form, state.typed, state.problems)
    return _render_form(form, response=response, saved_answers=state.answers,
                        errors=state.problems, prefilled=prefilled is not None,
                        revision=state.unsubmitted_revision)


def _consented_response(invitation):
    """The response once consent is given (or carried over from an earlier round), else None."""
    response = answering.response_for(invitation)
    if response is not None and response.consent_at is not None:
        return response
    carried = answering.carried_consent(invitation)
    if carried is None or not answering.accepts_answers(invitation.round):
        return None
    return answering.record_consent(invitation, carried_from=carried)


def _untouched(response, state: drafts.DraftState) -> bool:
    """True while nothing was saved in this round (the form may start from round N-1)."""
    answers = state.answers
    return (response.version == 0 and not state.problems and not answers.judgments
            and not answers.seeds and not any(answers.rationales.values())
            and not any(v is not None for v in answers.expertise.values()))


@bp.post("/respond/consent")
def give_consent():
    """Record consent and go on to the questions."""
    invitation = _invitation()
    form = ConsentForm()
    if not (form.validate_on_submit() and form.consent.data):
        return render_template("respond/consent.html", study=invitation.expert.study,
                               invitation=invitation, form=form, consent_missing=True,
                               languages=study_locales(invitation.expert.study.languages)
                               ), 400
    try:
        answering.record_consent(invitation)
    except RoundClosed:
        return render_template("respond/round_closed.html"), 409
    return redirect(url_for("respond.show_form"), code=303)


@bp.post("/respond")
def save_form():
    """Save a draft, show the review page, or submit; problems are shown all at once."""
    invitation = _invitation()
    study = invitation.expert.study
    options = options_in_round(study, invitation.round)
    form = build_answer_form(study, options)
    action = request.form.get("action", "draft")
    response = _consented_response(invitation)
    if response is None:
        return redirect(url_for("respond.show_form"), code=303)
    if not answering.accepts_answers(invitation.round):
        return render_template("respond/round_closed.html", has_answers=True), 409
    answers, refused, typed = read_answer_form(study, options, form)
    if "csrf_token" in form.errors:
        return _render_form(form, response=response,
                            errors={"form": " ".join(form.errors["csrf_token"])}), 422
    problems = {**validate_answers(study, answers, complete=action == "submit",
                                   options=options), **refused}
    if action == "edit":
        return _render_form(form, response=response, errors=problems)
    try:
        if action == "submit":
            if problems:
                return _render_form(form, response=response, errors=problems), 422
            answering.save_answers(invitation, answers, submit=True)
            return redirect(url_for("respond.show_done"), code=303)
        if action == "review" and not problems:
            return _review(invitation, response, answers, form, typed)
        outcome = drafts.save_draft(invitation, answers, refused=refused, typed=typed)
    except ValidationFailed as exc:
        return _render_form(form, response=response, errors=exc.errors), 422
    except RoundClosed:
        return render_template("respond/round_closed.html", has_answers=True), 409
    if action == "review":  # refused: the valid answers are kept, the page says what to fix
        return _render_form(form, response=response, errors=outcome.problems,
                            outcome=outcome), 422
    anchor = action.removeprefix("reveal-") if action.startswith("reveal-") else ""
    return redirect(url_for("respond.show_form", saved=1,
                            _anchor=f"option-{anchor}" if anchor.isdigit() else None), code=303)


@bp.post("/respond/autosave")
def autosave():
    """Save a draft in the background (the form's script); answer with what was kept."""
    invitation = _invitation()
    study = invitation.expert.study
    options = options_in_round(study, invitation.round)
    response = _consented_response(invitation)
    if response is None:
        return {"error": _("Give your consent before answers are saved.")}, 409
    form = build_answer_form(study, options)
    answers, refused, typed = read_answer_form(study, options, form)
    if "csrf_token" in form.errors:
        return {"error": " ".join(form.errors["csrf_token"])}, 400
    try:
        outcome = drafts.save_draft(invitation, answers, refused=refused, typed=typed)
    except RoundClosed:
        return {"error": _("This round is closed and no longer accepts answers.")}, 409
    except ValidationFailed as exc:
        return {"error": " ".join(exc.errors.values())}, 422
    return {"answered": outcome.answered, "total": outcome.total,
            "problems": len(outcome.problems),
            "message": _draft_message(outcome.answered, outcome.total, len(outcome.problems))}


def _draft_message(answered: int, total: int, problems: int) -> str:
    text = _("Draft saved: %(done)s of %(total)s questions answered.", done=answered,
             total=total)
    if problems:
        text += " " + ngettext(
            "%(num)d answer needs attention: it is kept as you typed it and marked.",
            "%(num)d answers need attention: they are kept as you typed them and marked.",
            problems)
    return text


def _review(invitation, response, answers, form, typed):
    """Keep a draft of the answers and list them for a last look."""
    # Read what the page needs before the draft is written: nothing after the commit
    # touches the database (on SQLite a POST's next query would take the write lock again).
    context = _page_context(response, answers)
    if response.is_submitted:  # a revision in progress: a draft beside the submitted answers
        drafts.save_draft(invitation, answers, refused={}, typed=typed)
    else:
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
                           response=response,
                           languages=study_locales(invitation.expert.study.languages))


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
    """Switch the language of the expert's pages: the study's languages, or any without a link.

    Works on every expert page, the error pages of a dead link included; it
    returns to the expert page it was posted from.
    """
    held = session.get(SESSION_KEY)
    try:
        invitation = answering.invitation_by_id(held["id"]) if isinstance(held, dict) and \
            isinstance(held.get("id"), int) else None
    except InvalidLink:
        invitation = None
    offered = (study_locales(invitation.expert.study.languages) if invitation is not None
               else current_app.config["LANGUAGES"])
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in offered:
        session[LANG_KEY] = form.lang.data
    back = form.next.data or ""
    if not (back.startswith(EXPERT_PATHS) and "//" not in back and "\\" not in back):
        back = url_for("respond.show_form")
    return redirect(back, code=303)


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


def _render_form(form, *, response, errors: dict[str, str] | None = None, saved_answers=None,
                 prefilled: bool = False, revision: bool | None = None, outcome=None):
    if saved_answers is None:
        state = drafts.draft_state(response)
        saved_answers = state.answers
        revision = state.unsubmitted_revision if revision is None else revision
    context = _page_context(response, saved_answers)
    errors = errors or {}
    return render_template(
        "respond/form.html", form=form, errors=errors, saved=request.args.get("saved") == "1",
        problem_lines=problem_lines(context["study"], context["options"], errors),
        prefilled=prefilled, revision=bool(revision), outcome=outcome, **context)


def _render_review(response, answers, *, form, read_only: bool, context=None):
    context = context or _page_context(response, answers)
    missing = validate_answers(context["study"], answers, complete=True,
                               options=context["options"])
    return render_template("respond/review.html", answers=answers, missing=missing,
                           hidden=hidden_values(form) if form is not None else [],
                           read_only=read_only, **context)
