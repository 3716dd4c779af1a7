"""The study's texts in its other languages: one page per language, and the gap list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.errors import ValidationFailed
from elicit.organize.forms import LANGUAGE_NAMES, ActionForm
from elicit.services.accounts import access
from elicit.services.studies import translations

bp = Blueprint("translations", __name__, url_prefix="/studies/<int:study_id>/translations")


@bp.get("")
@study_role(access.MANAGE_ROLES)
def show_translations(study_id: int):
    """List the study's languages and every text still missing in each."""
    return render_template("organize/translations.html", study=g.study,
                           missing=translations.missing(g.study), names=LANGUAGE_NAMES)


@bp.route("/<lang>", methods=["GET", "POST"])
@study_role(access.MANAGE_ROLES)
def edit_translations(study_id: int, lang: str):
    """Type the study's texts in `lang`, each beside its main-language original."""
    if lang not in (g.study.languages or [])[1:]:
        abort(404)
    form, errors, typed = ActionForm(), {}, None
    if request.method == "POST" and form.validate_on_submit():
        typed = request.form.to_dict()
        try:
            given = translations.save(g.study, lang, typed, actor_id=current_user.id)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(f"{given} texts in {LANGUAGE_NAMES.get(lang, lang)} saved.", "info")
            return redirect(url_for("organize.translations.show_translations",
                                    study_id=study_id), code=303)
    elif request.method == "POST":
        errors = {"form": "The form expired; please send it again."}
        typed = request.form.to_dict()
    entries = translations.entries(g.study, lang)
    values = {e.key: (typed.get(e.key, "") if typed is not None else e.value) for e in entries}
    return render_template("organize/translations_form.html", study=g.study, lang=lang,
                           name=LANGUAGE_NAMES.get(lang, lang), entries=entries, values=values,
                           errors=errors, form=form,
                           main=LANGUAGE_NAMES.get(g.study.main_language)), 422 if errors else 200
