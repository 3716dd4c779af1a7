"""Study builder: options, criteria and seed questions, with safe-edit refusals shown."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.models import Criterion, Option, SeedQuestion
from elicit.organize.forms import ActionForm, CriterionForm, CsvUploadForm, OptionForm, SeedForm
from elicit.organize.helpers import confirm_first, upload_bytes
from elicit.services.accounts import access
from elicit.services.studies import csv_import, questions, safe_edits, seed_advice
from elicit.web import Attempt, action, owned, refusals_onto, status_for

bp = Blueprint("questions", __name__, url_prefix="/studies/<int:study_id>")
manage = study_role(access.MANAGE_ROLES)


BACK = "organize.questions.show_questions"


def _back():
    return redirect(url_for(BACK, study_id=g.study.id))


def _confirm_removal(what: str):
    """The confirmation page before removing `what`, or None once confirmed."""
    return confirm_first(title=f"Remove {what}?", here="questions",
                         message=f"Remove {what} from the study? Its text and settings are "
                                 "deleted (the audit log records the removal).",
                         button="Remove", cancel=url_for(BACK, study_id=g.study.id))


def _render(template: str, form, attempt: Attempt, **context):
    status = status_for(form, attempt)
    return render_template(template, form=form, study=g.study, **context), status


@bp.get("/questions")
@manage
def show_questions(study_id: int):
    """List options, criteria and seed questions, marking those already answered."""
    return render_template(
        "organize/questions.html", study=g.study, option_form=OptionForm(formdata=None),
        answered={"options": safe_edits.answered_option_ids(g.study),
                  "criteria": safe_edits.answered_criterion_ids(g.study),
                  "seeds": safe_edits.answered_seed_ids(g.study)},
        seed_warning=seed_advice.seed_question_warning(g.study),
        action=ActionForm())


@bp.post("/options")
@manage
def add_option(study_id: int):
    """Add an option."""
    form = OptionForm()
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            questions.add_option(g.study, title=form.title.data,
                                 description=form.description.data, actor_id=current_user.id)
        if attempt.ok:
            flash("Option added.", "info")
            return _back()
    return _render("organize/item_form.html", form, attempt, what="option", item=None)


@bp.route("/options/<int:option_id>/edit", methods=["GET", "POST"])
@manage
def edit_option(study_id: int, option_id: int):
    """Reword an option (refused once it is answered)."""
    option = owned(Option, option_id, study=g.study)
    form = OptionForm(obj=option)
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            questions.update_option(option, title=form.title.data,
                                    description=form.description.data, actor_id=current_user.id)
        if attempt.ok:
            flash("Option saved.", "info")
            return _back()
    return _render("organize/item_form.html", form, attempt, what="option", item=option)


@bp.post("/options/<int:option_id>/<any(delete, retire, reinstate):verb>")
@manage
@action(back=BACK)
def change_option(study_id: int, option_id: int, verb: str):
    """Remove, retire or reinstate an option."""
    option = owned(Option, option_id, study=g.study)
    if verb == "delete" and option.id not in safe_edits.answered_option_ids(g.study):
        page = _confirm_removal(f"the option “{option.title}”")
        if page is not None:
            return page
    act = {"delete": questions.remove_option, "retire": questions.retire_option,
           "reinstate": questions.reinstate_option}[verb]
    act(option, actor_id=current_user.id)
    flash({"delete": "Option removed.", "retire": "Option retired: it is not asked again.",
           "reinstate": "Option reinstated for the next round."}[verb], "info")
    return _back()


@bp.route("/criteria/new", methods=["GET", "POST"])
@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@manage
def edit_criterion(study_id: int, criterion_id: int | None = None):
    """Add or edit a criterion (probability, IDEA four-step or labelled scale)."""
    criterion = owned(Criterion, criterion_id, study=g.study) if criterion_id else None
    form = CriterionForm(data=_criterion_data(criterion))
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            if criterion is None:
                questions.add_criterion(g.study, form.values(), actor_id=current_user.id)
            else:
                questions.update_criterion(criterion, form.values(), actor_id=current_user.id)
        if attempt.ok:
            flash("Criterion saved.", "info")
            return _back()
    return _render("organize/criterion_form.html", form, attempt, item=criterion)


def _criterion_data(criterion: Criterion | None) -> dict:
    if criterion is None:
        return {"weight": 1.0}
    labels = "\n".join(f"{k}: {v}" for k, v in sorted(
        (criterion.scale_labels or {}).items(), key=lambda kv: int(kv[0])))
    return {"name": criterion.name, "question": criterion.question, "help": criterion.help,
            "kind": criterion.kind,
            "four_step": criterion.four_step, "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max, "scale_labels": labels,
            "weight": criterion.weight}


@bp.post("/criteria/<int:criterion_id>/delete")
@manage
@action(back=BACK)
def delete_criterion(study_id: int, criterion_id: int):
    """Remove a criterion nobody has answered (after confirming)."""
    criterion = owned(Criterion, criterion_id, study=g.study)
    answered = criterion.id in safe_edits.answered_criterion_ids(g.study)
    page = None if answered else _confirm_removal(f"the criterion “{criterion.name}”")
    if page is not None:  # an answered one goes straight to the service's refusal
        return page
    questions.remove_criterion(criterion, actor_id=current_user.id)
    flash("Criterion removed.", "info")
    return _back()


@bp.route("/seeds/new", methods=["GET", "POST"])
@bp.route("/seeds/<int:seed_id>/edit", methods=["GET", "POST"])
@manage
def edit_seed(study_id: int, seed_id: int | None = None):
    """Add or edit a calibration question and its true value."""
    seed = owned(SeedQuestion, seed_id, study=g.study) if seed_id else None
    form = SeedForm(obj=seed)
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            if seed is None:
                questions.add_seed(g.study, form.values(), actor_id=current_user.id)
            else:
                questions.update_seed(seed, form.values(), actor_id=current_user.id)
        if attempt.ok:
            flash("Calibration question saved.", "info")
            return _back()
    return _render("organize/item_form.html", form, attempt, what="calibration question",
                   item=seed)


@bp.post("/seeds/<int:seed_id>/delete")
@manage
@action(back=BACK)
def delete_seed(study_id: int, seed_id: int):
    """Remove a calibration question nobody has answered (after confirming)."""
    seed = owned(SeedQuestion, seed_id, study=g.study)
    answered = seed.id in safe_edits.answered_seed_ids(g.study)
    page = None if answered else _confirm_removal(f"the calibration question “{seed.text[:80]}”")
    if page is not None:
        return page
    questions.remove_seed(seed, actor_id=current_user.id)
    flash("Calibration question removed.", "info")
    return _back()


@bp.route("/<any(options, seeds):what>/import", methods=["GET", "POST"])
@manage
def import_csv(study_id: int, what: str):
    """Add options or calibration questions from a CSV file (all rows or none)."""
    form = CsvUploadForm()
    attempt = refusals_onto(form, fallback="file")
    if form.validate_on_submit():
        load = csv_import.import_options_csv if what == "options" else csv_import.import_seeds_csv
        with attempt:
            count = load(g.study, upload_bytes(form.file), actor_id=current_user.id)
        if attempt.ok:
            flash(f"Imported {count} row(s).", "info")
            return _back()
    return _render("organize/questions_import.html", form, attempt, what=what)
