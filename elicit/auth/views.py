"""Sign in and out; change, forget and set the password; sign out everywhere."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from elicit.auth.forms import ForgotPasswordForm, LoginForm, PasswordChangeForm, SetPasswordForm
from elicit.errors import InvalidLink
from elicit.extensions import limiter
from elicit.services.accounts import passwords, users
from elicit.services.mail import account_mail, outbox
from elicit.web import refusals_onto, status_for

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "That e-mail and password do not match an account."


def _login_account_key() -> str:
    return "login:" + users.normalise_email(request.form.get("email", ""))


def _reset_account_key() -> str:
    return "reset:" + users.normalise_email(request.form.get("email", ""))


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
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            _start_session(user)
            return redirect(next_url)
        flash(LOGIN_FAILED, "error")
    return render_template("auth/login.html", form=form)


def _start_session(user) -> None:
    """A fresh session (no fixation across sign-in) with its own key, signed in."""
    session.clear()
    session["key"] = users.new_session_key()
    login_user(user)


@bp.post("/logout")
def logout():
    """Sign out and end this session server-side: a copied cookie stops working."""
    if current_user.is_authenticated:
        users.end_session(current_user._get_current_object(), session.get("key"))
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change the password: every other session of this account ends."""
    form = PasswordChangeForm()
    attempt = refusals_onto(form, fallback="current_password")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with attempt:
            users.change_password(user, current=form.current_password.data,
                                  new=form.new_password.data)
        if attempt.ok:
            _start_session(user)  # this browser stays in, under the new session version
            flash("Password changed. Every other session has been signed out.", "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), status_for(form, attempt)


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    """Sign out everywhere, this browser included."""
    users.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"))


RESET_SENT = ("If an account uses this address, we have sent it a link to choose a new "
              "password. Check your inbox (and spam folder).")


@bp.route("/password/forgot", methods=["GET", "POST"])
# Per address and per account: nobody can flood an inbox or probe many accounts.
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit("3 per 15 minutes", methods=["POST"], key_func=_reset_account_key)
def forgot_password():
    """E-mail a single-use link to choose a new password (the same answer for any address)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if account_mail.request_reset(form.email.data):
            outbox.send_in_background(None)  # after the commit: a job sends it
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_forgot.html", form=form), status_for(form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", deduct_when=lambda response: response.status_code in (404, 410))
def set_password(token: str):
    """Choose a password through a set-password link (team invitation or reset); single use."""
    try:
        link = passwords.token_for(token)
    except InvalidLink as exc:
        return render_template("auth/password_link_invalid.html"), exc.status
    form = SetPasswordForm()
    attempt = refusals_onto(form, fallback="new_password")
    if form.validate_on_submit():
        with attempt:
            user = passwords.set_password(token, form.new_password.data)
        if attempt.ok:
            logout_user()
            _start_session(user)  # a fresh session with its own key (i18's sign-out list)
            flash("Your password is set. You are signed in.", "info")
            return redirect(url_for("organize.list_studies"))
    return render_template("auth/password_set.html", form=form, user=link.user,
                           invite=link.purpose == "invite"), status_for(form, attempt)
