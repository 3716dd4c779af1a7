"""Forms of the account pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from elicit.models import ApiToken


class TokenForm(FlaskForm):
    """Name a new personal API token."""

    name = StringField("What is the token for?",
                       validators=[DataRequired(), Length(max=ApiToken.NAME_MAX)])


class RevokeForm(FlaskForm):
    """A CSRF-protected revoke button."""
