"""The panel: experts and their status per round, CSV import, invitations and reminders."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from elicit import input_guard
from elicit.auth.decorators import study_role
from elicit.models import Invitation
from elicit.organize.forms import LANGUAGE_NAMES, ActionForm, CsvUploadForm, ExpertForm
from elicit.organize.helpers import upload_bytes
from elicit.services import jobs
from elicit.services.accounts import access
from elicit.services.mail import outbox
from elicit.services.panel import experts, importer, invitations
from elicit.services.panel import status as panel_status
from elicit.services.rounds import lifecycle
from elicit.web import UNPROCESSABLE, action, owned, refusals_onto, status_for

bp = Blueprint("panel", __name__, url_prefix="/studies/<int:study_id>/panel")
manage = study_role(access.MANAGE_ROLES)
BACK = "organize.panel.show_panel"


def _back():
    return redirect(url_for(BACK, study_id=g.study.id))


def _expert_form(posted: bool = False) -> ExpertForm:
    """The add-expert form (bound to the request when `posted`), in the study's languages."""
    form = ExpertForm() if posted else ExpertForm(formdata=None)
    form.language.choices = [(code, LANGUAGE_NAMES.get(code, code))
                             for code in g.study.languages]
    return form


def _page(form=None, status: int = 200):
    chosen = input_guard.query_int("round")
    round_ = (lifecycle.round_by_number(g.study, chosen) if chosen else None) \
        or g.study.current_round
    statuses = panel_status.expert_statuses(round_) if round_ is not None else []
    links = {i.id: experts.link_for(i) for i in (s.invitation for s in statuses) if i is not None}
    return render_template(
        "organize/panel.html", study=g.study, round=round_, statuses=statuses, links=links,
        groups=panel_status.group_overview(statuses), form=form or _expert_form(),
        action=ActionForm(), open_round=lifecycle.open_round(g.study)), status


@bp.get("")
@manage
def show_panel(study_id: int):
    """Each expert's status in a round, with counts per stakeholder group."""
    return _page()


@bp.post("/experts")
@manage
def add_expert(study_id: int):
    """Add one expert (invited at once when a round is open)."""
    form = _expert_form(posted=True)
    if form.validate_on_submit():
        with refusals_onto(form) as attempt:
            experts.add_one_expert(g.study, actor_id=current_user.id, name=form.name.data,
                                   email=form.email.data, affiliation=form.affiliation.data,
                                   group=form.group.data, language=form.language.data)
        if attempt.ok:
            flash(f"{form.name.data} added to the panel.", "info")
            return _back()
    return _page(form, UNPROCESSABLE)


@bp.route("/import", methods=["GET", "POST"])
@manage
def import_panel(study_id: int):
    """Import experts from CSV: every bad row is reported; nothing is added until clean."""
    form = CsvUploadForm()
    attempt = refusals_onto(form, fallback="file")
    if form.validate_on_submit():
        with attempt:
            result = importer.import_panel(g.study, upload_bytes(form.file),
                                           only_valid=form.only_valid.data,
                                           actor_id=current_user.id)
        if attempt.ok:
            flash(f"Imported {result.imported} expert(s)"
                  + (f"; skipped {result.skipped} bad row(s)." if result.skipped else "."),
                  "info")
            for error in result.report.errors:
                flash(str(error), "error")
            return _back()
    status = status_for(form, attempt)
    return render_template("organize/panel_import.html", form=form, study=g.study), status


@bp.post("/<any(invitation, reminder):kind>")
@manage
@action(back=BACK)
def queue_mail(study_id: int, kind: str):
    """Queue invitations (not yet sent) or reminders (everyone who has not submitted)."""
    round_ = lifecycle.open_round(g.study)
    if round_ is None:
        flash("No round is open: launch one first.", "error")
        return _back()
    count = outbox.queue(round_, kind, actor_id=current_user.id)
    _send_in_background(study_id)
    flash(f"{count} {kind}(s) queued; they are being sent now.", "info")
    return _back()


@bp.post("/retry")
@manage
def retry_failed(study_id: int):
    """Queue every failed e-mail of the study again."""
    count = outbox.retry_failed(g.study.id, actor_id=current_user.id)
    _send_in_background(study_id)
    flash(f"{count} failed e-mail(s) queued again.", "info")
    return _back()


@bp.get("/outbox")
@manage
def show_outbox(study_id: int):
    """The study's e-mails with their delivery status and last error."""
    return render_template("organize/outbox.html", study=g.study,
                           messages=outbox.messages_for(g.study.id),
                           job=jobs.latest_of_kind("mail", study_id))


def _send_in_background(study_id: int) -> None:
    """Start the job that delivers the study's queued e-mails (after the commit)."""
    outbox.send_in_background(study_id, user_id=current_user.id,
                              url=url_for("organize.panel.show_outbox", study_id=study_id))


@bp.post("/invitations/<int:invitation_id>/<any(revoke, reissue):verb>")
@manage
@action(back=BACK)
def change_link(study_id: int, invitation_id: int, verb: str):
    """Revoke an expert's link, or replace it with a new one."""
    invitation = owned(Invitation, invitation_id, study=g.study, via="expert")
    act = invitations.revoke_invitation if verb == "revoke" else invitations.reissue_invitation
    act(invitation, actor_id=current_user.id)
    flash("Link revoked." if verb == "revoke" else "New link issued; the old one no "
          "longer works.", "info")
    return _back()
