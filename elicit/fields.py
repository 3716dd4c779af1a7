"""Form fields shared by the blueprints."""

from __future__ import annotations

import re

from wtforms import StringField
from wtforms.validators import ValidationError

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
