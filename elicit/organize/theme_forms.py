"""Forms of the theme review: the study setting and one option's themes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from elicit.models import ThemeReview
from elicit.organize.forms import LANGUAGE_NAMES, Form
from elicit.services.results.theme_review import ThemeEdit

DISPLAY_CHOICES = [("off", "No: experts see the flat list of rationales only"),
                   ("beside", "Yes, beside the flat list of rationales"),
                   ("instead", "Yes, instead of the flat list (where themes are approved)")]


class ThemeSettingForm(Form):
    experts_see = RadioField("Show approved themes to experts in the next round?",
                             choices=DISPLAY_CHOICES, default="off")


def review_form(count: int, languages: list[str], prefix: str, data=None) -> FlaskForm:
    """A form with, per computed theme i: a label per language, a merge target, hide quote.

    `prefix` (one per option) keeps each option's fields apart on the review page.
    """

    class ThemeReviewForm(Form):
        def edits(self) -> list[ThemeEdit]:
            out = []
            for i in range(count):
                target = self[f"t{i}_merge"].data
                out.append(ThemeEdit(
                    index=i, labels={lang: self[f"t{i}_label_{lang}"].data or ""
                                     for lang in languages},
                    merge_into=int(target) if target else None,
                    hide_quote=bool(self[f"t{i}_hide"].data)))
            return out

    for i in range(count):
        for lang in languages:
            setattr(ThemeReviewForm, f"t{i}_label_{lang}", StringField(
                f"Label ({LANGUAGE_NAMES.get(lang, lang)})",
                validators=[Optional(), Length(max=ThemeReview.LABEL_MAX)]))
        setattr(ThemeReviewForm, f"t{i}_merge", SelectField(
            "Merge into", choices=[("", "Keep as its own theme")] + [
                (str(j), f"Theme {j + 1}") for j in range(count) if j != i], default=""))
        setattr(ThemeReviewForm, f"t{i}_hide", BooleanField("Hide the quote from experts"))
    return ThemeReviewForm(data=data, prefix=prefix)  # a POST's own fields win over `data`
