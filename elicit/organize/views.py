"""Organizer pages: the list of studies and a study's overview."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user, login_required

from elicit.auth.decorators import study_role
from elicit.services import access, panel, studies

bp = Blueprint("organize", __name__)


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
    return render_template("organize/studies_list.html", studies=access.studies_for(current_user))


@bp.get("/studies/<int:study_id>")
@study_role()
def show_study(study_id: int):
    """Show a study: options, criteria, rounds and response counts."""
    role = access.role_on(current_user, study_id)
    counts = studies.round_counts(g.study)
    current = g.study.current_round
    links = []
    if role in access.MANAGE_ROLES and current is not None:
        links = panel.links_for_round(current)
    return render_template("organize/study_show.html", study=g.study, role=role,
                           counts=counts, links=links)
