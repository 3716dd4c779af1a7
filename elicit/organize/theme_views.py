"""The organizer's review of rationale themes before experts see them in the next round."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.models import Option, RoundStatus
from elicit.organize.theme_forms import ThemeSettingForm, review_form
from elicit.services.accounts import access
from elicit.services.results import theme_review
from elicit.services.results import themes as round_themes
from elicit.services.rounds import lifecycle
from elicit.web import action, owned, refusals_onto

bp = Blueprint("themes", __name__, url_prefix="/studies/<int:study_id>/themes")


def chosen_round(study):
    """The round named by ?round=N, else the latest closed round, else the current one."""
    raw = request.args.get("round", "")
    if raw:
        round_ = lifecycle.round_by_number(study, int(raw)) if raw.isdigit() else None
        if round_ is None:
            abort(404, "No such round.")
        return round_
    closed = [r for r in study.rounds if r.status == RoundStatus.CLOSED]
    return closed[-1] if closed else study.current_round


def _languages(study) -> list[str]:
    return [lang for lang in (study.languages or ["en"]) if lang in theme_review.LANGUAGES] \
        or ["en"]


def _forms(study, round_, computed, posted_option: int | None = None):
    forms = {}
    for option in study.options:
        found = computed.for_option(option.title) if computed else None
        if not found or not found.themes:
            continue
        data = {f"t{i}_label_{lang}": t.labels.get(lang, "")
                for i, t in enumerate(found.themes) for lang in _languages(study)}
        forms[option.id] = review_form(len(found.themes), _languages(study), f"o{option.id}",
                                       data=None if option.id == posted_option else data)
    return forms


def _page(round_, computed, job, forms, status: int = 200):
    setting = ThemeSettingForm(data={"experts_see": theme_review.experts_see(g.study)})
    return render_template("organize/themes_review.html", study=g.study, round=round_,
                           computed=computed, job=job, forms=forms, setting_form=setting,
                           approved=theme_review.reviews(round_) if round_ else {},
                           languages=_languages(g.study), here="themes"), status


@bp.get("")
@study_role(access.MANAGE_ROLES)
def review_themes(study_id: int):
    """Show a round's computed themes per option, to rename, merge, hide quotes and approve."""
    round_ = chosen_round(g.study)
    computed, job = round_themes.state(round_)
    return _page(round_, computed, job, _forms(g.study, round_, computed))


@bp.post("/options/<int:option_id>")
@study_role(access.MANAGE_ROLES)
def approve_themes(study_id: int, option_id: int):
    """Approve one option's themes with the organizer's changes."""
    option = owned(Option, option_id, study=g.study)
    round_ = chosen_round(g.study)
    if round_ is None:
        abort(404)
    computed, job = round_themes.state(round_)
    forms = _forms(g.study, round_, computed, posted_option=option.id)
    form = forms.get(option.id)
    if form is None:
        flash("This option has no computed themes to approve yet.", "error")
        return redirect(url_for(".review_themes", study_id=study_id, round=round_.number))
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            theme_review.approve(round_, option, form.edits(), actor_id=current_user.id)
        if attempt.ok:
            flash(f"Themes of “{option.title}” approved.", "info")
            return redirect(url_for(".review_themes", study_id=study_id, round=round_.number)
                            + f"#option-{option.id}")
    return _page(round_, computed, job, forms, status=422)


@bp.post("/options/<int:option_id>/withdraw")
@study_role(access.MANAGE_ROLES)
@action("organize.themes.review_themes")
def withdraw_themes(study_id: int, option_id: int):
    """Take back the approval of one option's themes."""
    option = owned(Option, option_id, study=g.study)
    round_ = chosen_round(g.study)
    if round_ is None:
        abort(404)
    theme_review.withdraw(round_, option, actor_id=current_user.id)
    flash(f"Experts no longer see the themes of “{option.title}”.", "info")
    return redirect(url_for(".review_themes", study_id=study_id, round=round_.number))


@bp.post("/setting")
@study_role(access.MANAGE_ROLES)
def save_setting(study_id: int):
    """Choose whether experts see approved themes in the next round."""
    form = ThemeSettingForm()
    with refusals_onto(form) as attempt:
        if form.validate_on_submit():
            theme_review.set_experts_see(g.study, form.experts_see.data,
                                         actor_id=current_user.id)
    if attempt.ok and not form.errors:
        flash("Saved.", "info")
    elif form.errors:
        flash("Choose one of the options.", "error")
    return redirect(url_for(".review_themes", study_id=study_id,
                            round=request.args.get("round") or None))
