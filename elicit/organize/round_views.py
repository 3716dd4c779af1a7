"""Delphi rounds: launch (with deadline and consensus retirement), close, overview."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.organize.forms import ActionForm, DeadlineForm, LaunchForm
from elicit.organize.helpers import confirm_first
from elicit.services.accounts import access
from elicit.services.mail import outbox
from elicit.services.results import judgments_frame
from elicit.services.rounds import lifecycle, overview
from elicit.services.studies import consensus, translations
from elicit.services.studies import counts as studies
from elicit.web import action, refusals_onto, status_for

bp = Blueprint("rounds", __name__, url_prefix="/studies/<int:study_id>/rounds")


@bp.route("/launch", methods=["GET", "POST"])
@study_role(access.MANAGE_ROLES)
def launch_round(study_id: int):
    """Open the next round: same questions, optionally without options that reached consensus."""
    form = LaunchForm()
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            translations.require_complete(
                g.study, confirmed=form.accept_missing_translations.data)
            round_ = lifecycle.launch_next_round(
                g.study, actor_id=current_user.id, closes_at=form.closes_at.data,
                retire_consensus=form.retire_consensus.data,
                send_invitations=form.send_invitations.data,
                remind_days=form.remind_days.data or [])
        if attempt.ok:
            if form.send_invitations.data:  # after the commit: a job sends them
                outbox.send_in_background(
                    study_id, user_id=current_user.id,
                    url=url_for("organize.panel.show_outbox", study_id=study_id))
            flash(f"Round {round_.number} is open.", "info")
            return redirect(url_for("organize.rounds.show_round", study_id=study_id,
                                    number=round_.number))
    last = g.study.rounds[-1] if g.study.rounds else None
    report = overview.consensus_report(g.study, last) if last is not None else None
    status = status_for(form, attempt)
    asked = [o for o in g.study.options if o.retired_after_round is None]
    all_met = bool(report and asked and set(asked) <= set(report.met_options))
    return render_template("organize/round_launch.html", form=form, study=g.study, last=last,
                           report=report, all_met=all_met,
                           open_round=lifecycle.open_round(g.study),
                           missing=translations.missing(g.study)), status


@bp.post("/close")
@study_role(access.MANAGE_ROLES)
@action(back="organize.show_study")
def close_round(study_id: int):
    """Close the open round now, after confirming."""
    open_round = lifecycle.open_round(g.study)
    if open_round is not None:
        page = confirm_first(
            title=f"Close round {open_round.number} now?", here="rounds",
            message=f"Experts can no longer answer or revise round {open_round.number}; drafts "
                    "not submitted stay out of the results.",
            button=f"Close round {open_round.number}",
            cancel=url_for("organize.rounds.show_round", study_id=study_id,
                           number=open_round.number))
        if page is not None:
            return page
    round_ = lifecycle.close_round(g.study, actor_id=current_user.id)
    flash(f"Round {round_.number} is closed.", "info")
    return redirect(url_for("organize.rounds.show_round", study_id=study_id,
                            number=round_.number))


@bp.post("/deadline")
@study_role(access.MANAGE_ROLES)
@action(back="organize.show_study")
def set_deadline(study_id: int):
    """Change or clear the open round's deadline."""
    form = DeadlineForm()
    round_ = lifecycle.open_round(g.study)
    if round_ is None or not form.validate():
        flash("Give a date and time such as 2026-12-01 17:00, with a round open.", "error")
    else:
        lifecycle.set_deadline(round_, form.closes_at.data, actor_id=current_user.id,
                               remind_days=form.remind_days.data or [])
        flash("Deadline and reminders saved.", "info")
    return redirect(url_for("organize.show_study", study_id=study_id))


@bp.get("/<int:number>")
@study_role()
def show_round(study_id: int, number: int):
    """A round's overview: responses over time, dispersion per option, consensus."""
    round_ = lifecycle.round_by_number(g.study, number)
    if round_ is None:
        abort(404)
    counts = next(c for c in studies.round_counts(g.study) if c.round.id == round_.id)
    return render_template(
        "organize/round_show.html", study=g.study, round=round_, counts=counts,
        timeline=overview.responses_over_time(round_),
        dispersion=overview.dispersion(g.study, judgments_frame(round_)),
        report=overview.consensus_report(g.study, round_),
        rule=consensus.describe(g.study.consensus_rule),
        manage=access.role_on(current_user, study_id) in access.MANAGE_ROLES,
        pending=outbox.pending_counts(round_), action=ActionForm(),
        deadline_form=DeadlineForm(formdata=None, obj=round_,
                                   remind_days=[r.days_before for r in round_.reminders]))
