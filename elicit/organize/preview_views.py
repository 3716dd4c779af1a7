"""Preview as an expert: the whole questionnaire in each study language; nothing is stored.

The pages are the expert's own templates (briefing, consent statement, every
question, the review page), filled from the study as it stands; answers typed
here are checked with the expert's rules and shown back, never written.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, g, render_template, request, url_for

from elicit.auth.decorators import study_role
from elicit.i18n import study_locales
from elicit.organize.forms import LANGUAGE_NAMES
from elicit.respond.forms import answers_from_form, build_answer_form, hidden_values
from elicit.services.accounts import access
from elicit.services.responses.inputs import AnswerSet
from elicit.services.responses.rules import count_answered, options_in_round, validate_answers

bp = Blueprint("preview", __name__, url_prefix="/studies/<int:study_id>/preview")

# Stands in for the expert's response: a draft that was never saved.
UNSAVED = SimpleNamespace(is_submitted=False, version=0)


@bp.get("")
@study_role(access.MANAGE_ROLES)
def show_preview(study_id: int):
    """Show the questionnaire as an expert reading `?lang=` sees it."""
    context = _context()
    form = build_answer_form(g.study, context["options"], formdata=None)
    return render_template("respond/form.html", form=form, errors={}, saved=False,
                           **context, **_counts(context, AnswerSet()))


@bp.post("")
@study_role(access.MANAGE_ROLES)
def check_preview(study_id: int):
    """Check the typed answers as the expert's form would, and show the review page."""
    context = _context()
    options = context["options"]
    form = build_answer_form(g.study, options)
    if not form.validate_on_submit():
        return render_template("respond/form.html", form=form, errors={}, saved=False,
                               **context, **_counts(context, AnswerSet())), 422
    answers = answers_from_form(g.study, options, form)
    errors = validate_answers(g.study, answers, complete=False, options=options)
    if errors or request.form.get("action") == "edit":
        return render_template("respond/form.html", form=form, errors=errors, saved=False,
                               **context, **_counts(context, answers)), 422 if errors else 200
    missing = validate_answers(g.study, answers, complete=True, options=options)
    return render_template("respond/review.html", answers=answers, missing=missing,
                           hidden=hidden_values(form), read_only=False, **context)


def _context() -> dict:
    """The expert pages' context for the study and the language asked for."""
    study = g.study
    offered = study_locales(study.languages)
    lang = request.args.get("lang") or offered[0]
    if lang not in offered:
        abort(404)
    g.preferred_locale = lang
    # The open round as it is, else the next one to launch (retired options left out).
    started = [r for r in study.rounds if r.status != "draft"]
    open_round = started[-1] if started and started[-1].is_open else None
    if open_round is not None:
        number, options = open_round.number, options_in_round(study, open_round)
    else:
        number = started[-1].number + 1 if started else 1
        options = [o for o in study.options if o.retired_after_round is None]
    return {"study": study, "round": SimpleNamespace(number=number), "options": options,
            "response": UNSAVED, "feedback": None, "revealed": set(), "languages": offered,
            "preview": {"lang": lang, "names": LANGUAGE_NAMES,
                        "action": url_for("organize.preview.check_preview",
                                          study_id=study.id, lang=lang)}}


def _counts(context: dict, answers: AnswerSet) -> dict:
    answered, total = count_answered(context["study"], context["options"], answers)
    return {"answered": answered, "total": total}
