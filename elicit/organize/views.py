"""Organizer pages: studies (list, create, import, overview, settings, clone, delete).

Each area has its own module and blueprint, nested under this one so every
endpoint is `organize.…`: questions, panel, rounds, team, audit.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required

from elicit.auth.decorators import study_role
from elicit.models import Role
from elicit.organize import (
    audit_views,
    panel_views,
    preview_views,
    question_views,
    round_views,
    settings_views,
    team_views,
    theme_views,
    translation_views,
)
from elicit.organize.forms import ActionForm, ConfirmTitleForm, JsonUploadForm, StudyForm
from elicit.organize.helpers import upload_bytes
from elicit.services.accounts import access
from elicit.services.mail import outbox
from elicit.services.panel import experts
from elicit.services.rounds import lifecycle
from elicit.services.studies import builder, consensus, definition, finished
from elicit.services.studies import counts as studies
from elicit.web import action, refusals_onto, status_for

bp = Blueprint("organize", __name__)
for child in (question_views.bp, settings_views.bp, panel_views.bp, round_views.bp,
              team_views.bp, audit_views.bp, translation_views.bp,
              preview_views.bp, theme_views.bp):
    bp.register_blueprint(child)


@bp.app_context_processor
def _study_roles() -> dict:
    """`manages(study)` for templates: whether the signed-in user may change the study.

    The study navigation shows analysts only what they may open (no tab that answers 403).
    """
    def manages(study) -> bool:
        return current_user.is_authenticated \
            and access.role_on(current_user, study.id) in access.MANAGE_ROLES

    return {"manages": manages}


@bp.get("/")
def index():
    """Send people where they belong."""
    if current_user.is_authenticated:
        return redirect(url_for("organize.list_studies"))
    return render_template("organize/home.html")


@bp.get("/studies")
@login_required
def list_studies():
    """List the studies the user belongs to."""
    mine = access.studies_for(current_user)
    return render_template("organize/studies_list.html", studies=mine,
                           expert_counts=studies.expert_counts(s.id for s, _ in mine))


@bp.route("/studies/new", methods=["GET", "POST"])
@login_required
def new_study():
    """Create a draft study owned by the current user."""
    form = StudyForm(languages=["en"])
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            study = builder.create_study(current_user, **_study_values(form))
        if attempt.ok:
            flash("Study created. Add options, criteria and the panel next.", "info")
            return redirect(url_for("organize.questions.show_questions", study_id=study.id))
    status = status_for(form, attempt)
    return render_template("organize/study_form.html", form=form, study=None), status


@bp.route("/studies/import", methods=["GET", "POST"])
@login_required
def import_study():
    """Create a study from an exported JSON definition."""
    form = JsonUploadForm()
    attempt = refusals_onto(form, fallback="file")
    if form.validate_on_submit():
        try:
            data = json.loads(upload_bytes(form.file).decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.file.errors = ["The file is not valid JSON."]
        except RecursionError:
            form.file.errors = ["The file nests its values too deeply to be a study definition."]
        else:
            with attempt:
                study = definition.import_definition(current_user, data, source="import")
            if attempt.ok:
                given = data.get("title") if isinstance(data, dict) else None
                flash("Study imported as a draft." if study.title == (given or "").strip()
                      else f"Study imported as a draft, as “{study.title}”: you already have "
                           "a study with that title.", "info")
                return redirect(url_for("organize.show_study", study_id=study.id))
    status = status_for(form, attempt)
    return render_template("organize/study_import.html", form=form), status


@bp.get("/studies/<int:study_id>")
@study_role()
def show_study(study_id: int):
    """Show a study: status, rounds, questions at a glance, consensus rule, next steps."""
    role = access.role_on(current_user, study_id)
    manage, current = role in access.MANAGE_ROLES, g.study.current_round
    open_round = lifecycle.open_round(g.study)
    return render_template(
        "organize/study_show.html", study=g.study, role=role, manage=manage,
        counts=studies.round_counts(g.study), open_round=open_round,
        pending=outbox.pending_counts(open_round) if open_round else {},
        rule=consensus.describe(g.study.consensus_rule), action=ActionForm(),
        is_finished=finished.is_finished(g.study), can_finish=finished.can_finish(g.study),
        links=experts.links_for_round(current) if manage and current is not None else [])


@bp.route("/studies/<int:study_id>/edit", methods=["GET", "POST"])
@study_role(access.MANAGE_ROLES)
def edit_study(study_id: int):
    """Edit the title, briefing, languages and anchoring setting."""
    form = StudyForm(obj=g.study, main_language=g.study.main_language)
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            builder.update_study(g.study, actor_id=current_user.id, **_study_values(form))
        if attempt.ok:
            flash("Study saved.", "info")
            return redirect(url_for("organize.show_study", study_id=study_id))
    status = status_for(form, attempt)
    return render_template("organize/study_form.html", form=form, study=g.study), status


@bp.post("/studies/<int:study_id>/finish")
@study_role(access.MANAGE_ROLES)
@action(back="organize.show_study")
def finish_study(study_id: int):
    """Finish the study after its last round: read-only, results kept."""
    finished.finish(g.study, actor_id=current_user.id)
    flash("The study is finished: it is read-only now; results and downloads stay available.",
          "info")
    return redirect(url_for("organize.show_study", study_id=study_id))


@bp.post("/studies/<int:study_id>/reopen")
@study_role(access.MANAGE_ROLES)
@action(back="organize.show_study")
def reopen_study(study_id: int):
    """Make a finished study writable again."""
    finished.reopen(g.study, actor_id=current_user.id)
    flash("The study is open again: you can edit it and launch another round.", "info")
    return redirect(url_for("organize.show_study", study_id=study_id))


@bp.post("/studies/<int:study_id>/clone")
@study_role(access.MANAGE_ROLES)
def clone_study(study_id: int):
    """Copy the study's definition into a new draft study."""
    copy = definition.clone_study(g.study, current_user)
    flash(f"Created “{copy.title}”: same questions, no panel and no answers.", "info")
    return redirect(url_for("organize.show_study", study_id=copy.id))


@bp.get("/studies/<int:study_id>/export.json")
@study_role(access.MANAGE_ROLES)
def export_study(study_id: int):
    """Download the study definition as JSON (includes seed realizations)."""
    body = json.dumps(definition.export_definition(g.study), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="study-{study_id}.json"'})


@bp.route("/studies/<int:study_id>/delete", methods=["GET", "POST"])
@study_role([Role.OWNER])
def delete_study(study_id: int):
    """Delete the study after its title was typed (soft: it can be restored until purged)."""
    form = ConfirmTitleForm()
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            builder.soft_delete_study(g.study, confirm_title=form.confirm_title.data,
                                      actor_id=current_user.id)
        if attempt.ok:
            flash(f"“{g.study.title}” was deleted. An administrator can restore it with "
                  f"`flask study restore {study_id}` until it is purged.", "info")
            return redirect(url_for("organize.list_studies"))
    status = status_for(form, attempt)
    return render_template("organize/study_delete.html", form=form, study=g.study), status


def _study_values(form: StudyForm) -> dict:
    main = form.main_language.data
    others = [lang for lang in form.languages.data or [] if lang != main]
    return {"title": form.title.data, "briefing": form.briefing.data or "",
            "consent_text": form.consent_text.data or "",
            "languages": [main, *others], "anchoring": form.anchoring.data,
            "prefill_previous": bool(form.prefill_previous.data)}
