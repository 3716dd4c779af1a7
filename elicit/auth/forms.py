"""Sign-in and account forms."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from elicit.fields import BaseForm
from elicit.models import User


class LoginForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=User.EMAIL_MAX)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=User.PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(BaseForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=User.PASSWORD_MAX)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password (at least 10 characters)",
                                 validators=[DataRequired(), Length(min=10, max=1024)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again",
                            validators=[DataRequired(), EqualTo("new_password",
                                                                "The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})


class ForgotPasswordForm(BaseForm):
    email = EmailField("E-mail of your account",
                       validators=[DataRequired(), Length(max=User.EMAIL_MAX)],
                       render_kw={"autocomplete": "username"})


class SetPasswordForm(BaseForm):
    new_password = PasswordField("New password (at least 10 characters)",
                                 validators=[DataRequired(), Length(min=10, max=1024)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again",
                            validators=[DataRequired(), EqualTo("new_password",
                                                                "The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
