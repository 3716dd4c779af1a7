"""Organizer forms (Flask-WTF, CSRF on). Rules needing the database live in services."""

from __future__ import annotations

import re

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from elicit.fields import BaseForm, NumberField
from elicit.models import Criterion, Expert, Option, SeedQuestion, Study, User

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# A scale point as typed: ASCII digits only ("²" and "٣" pass str.isdigit but not int()).
_POINT = re.compile(r"^[+-]?[0-9]{1,6}$")


def _blank(value):
    """Text fields absent from the posted form read as '' rather than None."""
    return "" if value is None else value


class Form(BaseForm):
    """Base form: text fields always hold a string; junk refused by `BaseForm`."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class in (StringField, TextAreaField, EmailField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), _blank]
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StudyForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=Study.TITLE_MAX)])
    briefing = TextAreaField("Briefing (Markdown)", validators=[Length(max=Study.BRIEFING_MAX)],
                             render_kw={"rows": 14})
    languages = MultiCheckboxField("Languages experts may answer in",
                                   choices=list(LANGUAGE_NAMES.items()),
                                   validators=[DataRequired("Choose at least one language.")])
    anchoring = RadioField("When experts see the panel's feedback in later rounds", choices=[
        ("after", "After giving a new estimate (less anchoring)"),
        ("before", "Beside the question, before answering")], default="after")


class OptionForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=Option.TITLE_MAX)])
    description = TextAreaField("Description", validators=[Length(max=Option.DESCRIPTION_MAX)],
                                render_kw={"rows": 3})


class CriterionForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=Criterion.NAME_MAX)])
    question = TextAreaField("Question shown to experts",
                             validators=[Length(max=Criterion.QUESTION_MAX)],
                             render_kw={"rows": 2})
    kind = RadioField("Kind", choices=[("probability", "Probability (0–100 %)"),
                                       ("scale", "Labelled scale")], default="probability")
    four_step = BooleanField("Ask the IDEA four-step (lowest, highest, best guess, confidence)")
    scale_min = IntegerField("Lowest point", validators=[Optional()])
    scale_max = IntegerField("Highest point", validators=[Optional()])
    scale_labels = TextAreaField(
        "Labels, one per line as “point: label”", render_kw={"rows": 4},
        description="For example “-3: Very harmful”. Points without a label show the number.")
    weight = NumberField("Weight in the multi-criteria score", validators=[InputRequired()],
                         minimum=-Criterion.WEIGHT_LIMIT, maximum=Criterion.WEIGHT_LIMIT)

    def validate_scale_labels(self, field) -> None:
        # ValidationError, not ValueError: WTForms 3 lets a ValueError through (a 500).
        self.parsed_labels: dict[str, str] = {}
        for n, line in enumerate(field.data.splitlines(), start=1):
            if not line.strip():
                continue
            point, sep, label = line.partition(":")
            if not sep or not _POINT.match(point.strip()) or not label.strip():
                raise ValidationError(f"Line {n}: write “point: label”, e.g. "
                                      "“-3: Very harmful”.")
            key = str(int(point))
            if key in self.parsed_labels:
                raise ValidationError(f"Line {n}: point {key} already has a label "
                                      f"(“{self.parsed_labels[key]}”); give each point one.")
            self.parsed_labels[key] = label.strip()

    def values(self) -> dict:
        return {"name": self.name.data, "question": self.question.data, "kind": self.kind.data,
                "four_step": self.four_step.data, "scale_min": self.scale_min.data,
                "scale_max": self.scale_max.data,
                "scale_labels": getattr(self, "parsed_labels", {}), "weight": self.weight.data}


class SeedForm(Form):
    text = TextAreaField("Question",
                         validators=[DataRequired(), Length(max=SeedQuestion.TEXT_MAX)],
                         render_kw={"rows": 2})
    unit = StringField("Unit", validators=[Length(max=SeedQuestion.UNIT_MAX)])
    scale = RadioField("Scale", choices=[("uni", "Uniform"), ("log", "Logarithmic")],
                       default="uni")
    realization = NumberField("True value (never shown to experts)")

    def values(self) -> dict:
        return {"text": self.text.data, "unit": self.unit.data, "scale": self.scale.data,
                "realization": self.realization.data}


class ConsensusRuleForm(Form):
    kind = RadioField("Rule", choices=[
        ("iqr", "Interquartile range at most the threshold"),
        ("agreement", "Share of experts within a tolerance of the median at least the threshold"),
        ("stability", "Median and IQR changed by at most the threshold since the last round")],
        validators=[DataRequired()])
    criterion = SelectField("On the criterion", choices=[])
    threshold = NumberField("Threshold", validators=[InputRequired()])
    tolerance = NumberField("Tolerance (agreement rule only)")

    def values(self) -> dict:
        rule = {"kind": self.kind.data, "criterion": self.criterion.data,
                "threshold": self.threshold.data}
        if self.kind.data == "agreement":
            rule["tolerance"] = self.tolerance.data
        return rule


class MailTemplatesForm(Form):
    invitation_subject = StringField("Invitation subject",
                                     validators=[Length(max=Study.MAIL_SUBJECT_MAX)])
    invitation_body = TextAreaField("Invitation text", render_kw={"rows": 10})
    reminder_subject = StringField("Reminder subject",
                                   validators=[Length(max=Study.MAIL_SUBJECT_MAX)])
    reminder_body = TextAreaField("Reminder text", render_kw={"rows": 8})

    def values(self) -> dict:
        return {kind: {"subject": getattr(self, f"{kind}_subject").data,
                       "body": getattr(self, f"{kind}_body").data}
                for kind in ("invitation", "reminder")}


class ConfirmTitleForm(Form):
    confirm_title = StringField("Type the study's title to confirm", validators=[DataRequired()],
                                render_kw={"autocomplete": "off"})


class CsvUploadForm(Form):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
    only_valid = BooleanField("If some rows are bad, import the good rows anyway")


class JsonUploadForm(Form):
    file = FileField("Study definition (.json)", validators=[FileRequired("Choose a file.")])


class ExpertForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=Expert.NAME_MAX)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=Expert.EMAIL_MAX)])
    affiliation = StringField("Affiliation", validators=[Length(max=Expert.AFFILIATION_MAX)])
    group = StringField("Stakeholder group", validators=[Length(max=Expert.GROUP_MAX)])
    language = SelectField("Language", choices=list(LANGUAGE_NAMES.items()))


class LaunchForm(Form):
    closes_at = DateTimeLocalField("Closes at (UTC, optional)", validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")
    send_invitations = BooleanField("E-mail the invitations now", default=True)
    retire_consensus = BooleanField("Stop asking options that reached consensus last round",
                                    default=True)


class DeadlineForm(Form):
    closes_at = DateTimeLocalField("Closes at (UTC; empty for no deadline)",
                                   validators=[Optional()], format="%Y-%m-%dT%H:%M")


class MemberForm(Form):
    email = EmailField("Account e-mail", validators=[DataRequired(), Length(max=User.EMAIL_MAX)])
    role = SelectField("Role", choices=[("organizer", "Organizer (manages the study)"),
                                        ("analyst", "Analyst (reads results)"),
                                        ("owner", "Owner (also manages the team)")])


class RoleForm(Form):
    role = SelectField("Role", choices=[("owner", "Owner"), ("organizer", "Organizer"),
                                        ("analyst", "Analyst")])


class ActionForm(Form):
    """A button that posts: CSRF only."""


