"""Account pages: create and revoke personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from elicit.account.forms import RevokeForm, TokenForm
from elicit.errors import NotFound
from elicit.services.accounts import api_tokens
from elicit.web import refusals_onto

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return render_template("account/tokens_list.html", form=form, revoke_form=RevokeForm(),
                           tokens=api_tokens.tokens_of(current_user),
                           secret=secret), status


@bp.get("/tokens")
@login_required
def list_tokens():
    """List the signed-in user's API tokens with a form to create one."""
    return _page(TokenForm())


@bp.post("/tokens")
@login_required
def create_token():
    """Create a token and show its secret once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    with refusals_onto(form, fallback="name") as attempt:
        _, secret = api_tokens.issue_token(current_user, form.name.data)
    if not attempt.ok:
        return _page(form, status=400)
    response = render_template("account/tokens_list.html", form=TokenForm(formdata=None),
                               revoke_form=RevokeForm(),
                               tokens=api_tokens.tokens_of(current_user), secret=secret)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        api_tokens.revoke_token(current_user, token_id)
    except NotFound:
        abort(404)
    flash("The token is revoked; programs using it can no longer call the API.", "info")
    return redirect(url_for("account.list_tokens"))
