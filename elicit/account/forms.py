"""Forms of the account pages."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from elicit.fields import BaseForm
from elicit.models import ApiToken


class TokenForm(BaseForm):
    """Name a new personal API token."""

    name = StringField("What is the token for?",
                       validators=[DataRequired(), Length(max=ApiToken.NAME_MAX)])


class RevokeForm(BaseForm):
    """A CSRF-protected revoke button."""
