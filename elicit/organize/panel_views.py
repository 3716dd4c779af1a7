"""The panel: experts and their status per round, CSV import, invitations and reminders."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

import elicit.input_guard as input_guard
from elicit.auth.decorators import study_role
from elicit.models import Expert, Invitation
from elicit.organize.forms import (
    LANGUAGE_NAMES,
    ActionForm,
    CsvUploadForm,
    ExpertForm,
    WithdrawForm,
)
from elicit.organize.helpers import confirm_first, upload_bytes
from elicit.services import jobs
from elicit.services.accounts import access
from elicit.services.mail import outbox
from elicit.services.panel import changes, experts, importer, invitations
from elicit.services.panel import status as panel_status
from elicit.services.rounds import lifecycle
from elicit.web import UNPROCESSABLE, action, owned, refusals_onto, status_for

bp = Blueprint("panel", __name__, url_prefix="/studies/<int:study_id>/panel")
manage = study_role(access.MANAGE_ROLES)
BACK = "organize.panel.show_panel"


def _back():
    return redirect(url_for(BACK, study_id=g.study.id))


def _expert_form(posted: bool = False, expert: Expert | None = None) -> ExpertForm:
    """The add or edit form (bound to the request when `posted`), in the study's languages."""
    if posted:
        form = ExpertForm()
    elif expert is not None:
        form = ExpertForm(formdata=None, obj=expert,
                          expertise=str(expert.expertise) if expert.expertise else "")
    else:
        form = ExpertForm(formdata=None)
    form.language.choices = [(code, LANGUAGE_NAMES.get(code, code))
                             for code in g.study.languages]
    return form


def _page(form=None, status: int = 200):
    chosen = input_guard.query_int("round")
    round_ = (lifecycle.round_by_number(g.study, chosen) if chosen else None) \
        or g.study.current_round
    statuses = panel_status.expert_statuses(round_) if round_ is not None else []
    links = {i.id: experts.link_for(i) for i in (s.invitation for s in statuses)
             if i is not None and i.revoked_at is None}
    open_round = lifecycle.open_round(g.study)
    return render_template(
        "organize/panel.html", study=g.study, round=round_, statuses=statuses, links=links,
        groups=panel_status.group_overview(statuses), form=form or _expert_form(),
        action=ActionForm(), open_round=open_round, language_names=LANGUAGE_NAMES,
        answered=changes.answered_ids(g.study.id),
        pending=outbox.pending_counts(open_round) if open_round else {}), status


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
            experts.add_one_expert(g.study, actor_id=current_user.id, **form.values())
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
    if not count:
        flash(f"Nothing to send: no expert is waiting for {'an' if kind == 'invitation' else 'a'}"
              f" {kind}.", "info")
        return _back()
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
    """Revoke an expert's link (after confirming), or replace it with a new one."""
    invitation = owned(Invitation, invitation_id, study=g.study, via="expert")
    if verb == "revoke":
        name = invitation.expert.name
        page = confirm_first(
            title=f"Revoke the link of {name}?", here="panel",
            message=f"{name}'s personal link for round {invitation.round.number} stops working "
                    "at once, and so does any page they have open (their saved answers stay). "
                    "You can then issue a new link.",
            button=f"Revoke the link of {name}", cancel=url_for(BACK, study_id=study_id))
        if page is not None:
            return page
        invitations.revoke_invitation(invitation, actor_id=current_user.id)
        flash(f"Link of {name} revoked. Use “New link” to give them a new one.", "info")
    else:
        invitations.reissue_invitation(invitation, actor_id=current_user.id)
        flash(f"New link issued for {invitation.expert.name}; the old one no longer works. "
              "Send it with “Send invitation now”.", "info")
    return _back()


@bp.post("/invitations/<int:invitation_id>/send")
@manage
@action(back=BACK)
def send_invitation(study_id: int, invitation_id: int):
    """E-mail one expert their invitation now (again, if it was sent before)."""
    invitation = owned(Invitation, invitation_id, study=g.study, via="expert")
    outbox.queue_one(invitation, actor_id=current_user.id)
    _send_in_background(study_id)
    flash(f"Invitation to {invitation.expert.name} queued; it is being sent now.", "info")
    return _back()


@bp.route("/experts/<int:expert_id>/edit", methods=["GET", "POST"])
@manage
def edit_expert(study_id: int, expert_id: int):
    """Change an expert's name, e-mail, affiliation, group, language or expertise."""
    expert = owned(Expert, expert_id, study=g.study)
    posted = request.method == "POST"
    form = _expert_form(posted=posted, expert=expert)
    attempt = refusals_onto(form)
    if posted and form.validate():
        with attempt:
            changes.update_expert(expert, actor_id=current_user.id, **form.values())
        if attempt.ok:
            flash(f"{expert.name}'s details saved.", "info")
            return _back()
    return render_template("organize/expert_form.html", study=g.study, expert=expert,
                           form=form, action=ActionForm(),
                           answered=changes.has_answered(expert)), status_for(form, attempt)


@bp.post("/experts/<int:expert_id>/remove")
@manage
@action(back=BACK)
def remove_expert(study_id: int, expert_id: int):
    """Take an expert who never answered off the panel, after confirming."""
    expert = owned(Expert, expert_id, study=g.study)
    page = confirm_first(
        title=f"Remove {expert.name} from the panel?", here="panel",
        message=f"{expert.name} has not answered yet. They leave the panel and their "
                "personal links stop working.",
        button=f"Remove {expert.name}", cancel=url_for(BACK, study_id=study_id))
    if page is not None:
        return page
    name = expert.name
    changes.remove_expert(expert, actor_id=current_user.id)
    flash(f"{name} removed from the panel.", "info")
    return _back()


@bp.route("/experts/<int:expert_id>/withdraw", methods=["GET", "POST"])
@manage
def withdraw_expert(study_id: int, expert_id: int):
    """Withdraw an expert: links revoked, answers kept but out of every analysis from now on."""
    expert = owned(Expert, expert_id, study=g.study)
    if request.method == "POST" and expert.withdrawn_at is not None:
        flash(f"{expert.name} was already withdrawn; nothing changed.", "error")
        return _back()
    form = WithdrawForm()
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            changes.withdraw_expert(expert, reason=form.reason.data, actor_id=current_user.id)
        if attempt.ok:
            flash(f"{expert.name} is withdrawn; their answers no longer count anywhere.", "info")
            return _back()
    return render_template("organize/expert_withdraw.html", study=g.study, expert=expert,
                           form=form), status_for(form, attempt)
