"""A study's audit trail: read and export only (no route edits or deletes events)."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template

import elicit.input_guard as input_guard
from elicit.auth.decorators import study_role
from elicit.services import audit
from elicit.services.accounts import access

bp = Blueprint("audit", __name__, url_prefix="/studies/<int:study_id>/audit")


@bp.get("")
@study_role(access.MANAGE_ROLES)
def show_audit(study_id: int):
    """Every recorded action on the study, newest first, 100 per page."""
    number = input_guard.query_int("page", 1)
    entries, pages = audit.page(g.study, number)
    return render_template("organize/audit.html", study=g.study, entries=entries,
                           page=min(max(1, number), pages), pages=pages)


@bp.get("/export.csv")
@study_role(access.MANAGE_ROLES)
def export_audit(study_id: int):
    """Download the whole trail as CSV."""
    return Response(audit.export_csv(g.study), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="audit-study-{study_id}.csv"'})
