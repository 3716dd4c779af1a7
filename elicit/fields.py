"""Form fields shared by the blueprints."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from elicit.services.common.text import text_problem

# A text field without its own Length bound still holds at most this much.
TEXT_MAX_DEFAULT = 100_000


class BaseForm(FlaskForm):
    """Base of every form: junk in any field is refused next to that field, never a 500.

    After the field's own validators, every posted value is checked once here:
    NUL and other control characters, lone surrogates (`text_problem`), line
    breaks in a one-line field (anything but a text area) and text beyond
    TEXT_MAX_DEFAULT when the field sets no length of its own. The
    message goes on the field, the page answers 422 and shows what was typed.
    Forms added later inherit it, so their fields are covered without listing them.
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            problem = _junk(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def _junk(field) -> str | None:
    bounded = any(isinstance(v, Length) and v.max not in (None, -1) for v in field.validators)
    single_line = isinstance(field, StringField) and not isinstance(field, TextAreaField)
    for raw in field.raw_data or ():
        if not isinstance(raw, str):
            continue
        if text_problem(raw):  # NUL, other control characters, lone surrogates
            return _("Remove the invisible control characters.")
        if single_line and ("\r" in raw or "\n" in raw):  # e.g. a title becomes a mail subject
            return _("Keep this on one line.")
        if not bounded and len(raw) > TEXT_MAX_DEFAULT:
            return _("Keep this under %(n)s characters.", n=f"{TEXT_MAX_DEFAULT:,}")
    return None

# ASCII digits only: WTForms' FloatField accepts NaN, Infinity, 1e309, "1_000"
# and non-ASCII digits, none of which an expert means.
_NUMBER = re.compile(r"^[+-]?([0-9]{1,15}([.,][0-9]{0,12})?|[.,][0-9]{1,12})$")


def parse_number(text: str) -> float:
    """Parse a plain decimal number (comma or point); raise ValueError otherwise."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(text)
    return float(cleaned.replace(",", "."))


class NumberField(StringField):
    """A text box holding a plain decimal number; keeps what was typed on error.

    `data` is the parsed float (or None when empty); the raw text stays in
    `raw_data` so a page re-rendered after an error shows exactly what the
    person typed.
    """

    def __init__(self, label=None, validators=None, *, minimum: float | None = None,
                 maximum: float | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.maximum = maximum
        self.number: float | None = None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.number is None:
            return ""
        return f"{self.number:g}"

    def process_data(self, value) -> None:
        self.number = None if value is None else float(value)
        self.data = self.number

    def process_formdata(self, valuelist) -> None:
        self.number = None
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.number = parse_number(valuelist[0])
        except ValueError:
            self.process_errors.append("Enter a number such as 42 or 12.5.")
            return
        self.data = self.number

    def pre_validate(self, form) -> None:
        if self.number is None:
            return
        if self.minimum is not None and self.number < self.minimum:
            raise ValidationError(f"Enter a value of at least {self.minimum:g}.")
        if self.maximum is not None and self.number > self.maximum:
            raise ValidationError(f"Enter a value of at most {self.maximum:g}.")
