"""The study's team: owners invite co-organizers and analysts by e-mail and change roles."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.models import Role
from elicit.organize.forms import ActionForm, MemberForm, RoleForm
from elicit.services.accounts import access, team
from elicit.services.mail import account_mail, outbox
from elicit.web import UNPROCESSABLE, action, refusals_onto

bp = Blueprint("team", __name__, url_prefix="/studies/<int:study_id>/team")
owner_only = study_role([Role.OWNER])


def _page(form=None, status: int = 200):
    role = access.role_on(current_user, g.study.id)
    return render_template("organize/team.html", study=g.study, members=team.members(g.study),
                           form=form or MemberForm(formdata=None), role_form=RoleForm,
                           is_owner=role == Role.OWNER, action=ActionForm()), status


@bp.get("")
@study_role(access.MANAGE_ROLES)
def show_team(study_id: int):
    """Who works on this study, with which role."""
    return _page()


@bp.post("")
@owner_only
def add_member(study_id: int):
    """Invite someone by e-mail: a new account gets a set-password link, an existing one a note."""
    form = MemberForm()
    if form.validate_on_submit():
        with refusals_onto(form) as attempt:
            invite = account_mail.invite_to_team(
                g.study, email=form.email.data, role=form.role.data, name=form.name.data,
                actor=current_user._get_current_object())
        if attempt.ok:
            outbox.send_in_background(study_id, user_id=current_user.id,
                                      url=url_for("organize.panel.show_outbox",
                                                  study_id=study_id))
            email = invite.membership.user.email
            flash(f"{email} invited as {form.role.data}: we e-mailed them a link to choose a "
                  "password." if invite.new_account else
                  f"{email} now has the role {form.role.data} and was told by e-mail.", "info")
            return redirect(url_for("organize.team.show_team", study_id=study_id))
    return _page(form, UNPROCESSABLE)


@bp.post("/<int:membership_id>/<any(role, remove):verb>")
@owner_only
@action(back="organize.team.show_team")
def change_member(study_id: int, membership_id: int, verb: str):
    """Change a member's role or take them off the team (an unknown membership is a 404)."""
    found = team.membership(g.study, membership_id)
    if verb == "remove":
        team.remove_member(found, actor_id=current_user.id)
    else:
        form = RoleForm()
        if not form.validate_on_submit():
            flash("Choose owner, organizer or analyst.", "error")
            return redirect(url_for("organize.team.show_team", study_id=study_id))
        team.change_role(found, role=form.role.data, actor_id=current_user.id)
    flash("Team updated.", "info")
    return redirect(url_for("organize.team.show_team", study_id=study_id))
