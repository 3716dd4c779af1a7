"""Study settings fixed before launch or shared by every round: consensus rule, mail texts."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from elicit.auth.decorators import study_role
from elicit.organize.forms import ConsensusRuleForm, MailTemplatesForm
from elicit.services.accounts import access
from elicit.services.studies import builder, consensus, mail_texts
from elicit.web import refusals_onto, status_for

bp = Blueprint("settings", __name__, url_prefix="/studies/<int:study_id>")


@bp.route("/consensus", methods=["GET", "POST"])
@study_role(access.MANAGE_ROLES)
def edit_consensus(study_id: int):
    """Choose the consensus and stopping rule (between rounds: a protocol change, with a reason)."""
    form = ConsensusRuleForm(data=g.study.consensus_rule or None)
    form.criterion.choices = [(c.name, c.name) for c in g.study.criteria]
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            builder.set_consensus_rule(g.study, form.values(), actor_id=current_user.id,
                                       reason=form.reason.data or "")
        if attempt.ok:
            flash("Consensus rule saved.", "info")
            return redirect(url_for("organize.show_study", study_id=study_id))
    status = status_for(form, attempt)
    return render_template("organize/consensus_form.html", form=form, study=g.study,
                           launched=builder.launched(g.study),
                           open_round=next((r for r in g.study.rounds if r.is_open), None),
                           changes=consensus.protocol_changes(g.study),
                           current=consensus.describe(g.study.consensus_rule)), status


@bp.route("/mail", methods=["GET", "POST"])
@study_role(access.MANAGE_ROLES)
def edit_mail(study_id: int):
    """Edit the invitation and reminder texts (empty = the default text)."""
    own = g.study.mail_templates or {}
    form = MailTemplatesForm(data={f"{kind}_{part}": own.get(kind, {}).get(part, "")
                                   for kind in mail_texts.KINDS
                                   for part in ("subject", "body")})
    attempt = refusals_onto(form)
    if form.validate_on_submit():
        with attempt:
            builder.set_mail_templates(g.study, form.values(), actor_id=current_user.id)
        if attempt.ok:
            flash("E-mail texts saved.", "info")
            return redirect(url_for("organize.show_study", study_id=study_id))
    status = status_for(form, attempt)
    return render_template("organize/mail_form.html", form=form, study=g.study,
                           template_fields=mail_texts.TEMPLATE_FIELDS,
                           defaults={k: mail_texts.default_text(k)
                                     for k in mail_texts.KINDS}), status
