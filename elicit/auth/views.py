"""Sign in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from elicit.auth.forms import LoginForm
from elicit.extensions import limiter
from elicit.services import accounts

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That e-mail and password do not match an account."


def _login_account_key() -> str:
    return "login:" + accounts.normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str:
    if target and urlsplit(target).netloc == "" and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("organize.list_studies")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_login_account_key)
def login():
    """Sign an organizer or analyst in."""
    if current_user.is_authenticated:
        return redirect(url_for("organize.list_studies"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            session.clear()  # a fresh session: no fixation across sign-in
            login_user(user)
            return redirect(next_url)
        flash(LOGIN_FAILED, "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
