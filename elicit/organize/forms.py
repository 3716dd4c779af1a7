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
from elicit.services.rounds import reminders

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
    main_language = SelectField("Main language", choices=list(LANGUAGE_NAMES.items()),
                                default="en")
    consent_text = TextAreaField(
        "Consent statement (Markdown, optional)", render_kw={"rows": 4},
        validators=[Length(max=Study.CONSENT_MAX)],
        description="What experts agree to, shown above the consent box. Leave empty for the "
                    "standard statement.")
    anchoring = RadioField("When experts see the panel's feedback in later rounds", choices=[
        ("after", "After giving a new estimate (less anchoring)"),
        ("before", "Beside the question, before answering")], default="after")
    prefill_previous = BooleanField(
        "Round 2 and later: fill in each expert's own previous answers, to keep or change",
        default=True)


class OptionForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=Option.TITLE_MAX)])
    description = TextAreaField("Description", validators=[Length(max=Option.DESCRIPTION_MAX)],
                                render_kw={"rows": 3})


class CriterionForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=Criterion.NAME_MAX)])
    question = TextAreaField("Question shown to experts",
                             validators=[Length(max=Criterion.QUESTION_MAX)],
                             render_kw={"rows": 2})
    help = TextAreaField("Help shown under the question (optional)",
                         validators=[Length(max=Criterion.HELP_MAX)], render_kw={"rows": 2})
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
        return {"name": self.name.data, "question": self.question.data, "help": self.help.data,
                "kind": self.kind.data,
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
    reason = TextAreaField("Why the rule changes (a protocol change, given in the methods "
                           "report)", render_kw={"rows": 3})

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


EXPERTISE_CHOICES = [("", "Not given"), *((str(n), str(n)) for n in range(1, 6))]
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_shape(form, field) -> None:
    """A plain check of an address's shape (name@domain.tld), with a message naming the field."""
    if field.data and not _EMAIL_SHAPE.match(field.data.strip()):
        raise ValidationError("Enter an e-mail address such as name@example.org.")


class ExpertForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=Expert.NAME_MAX)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=Expert.EMAIL_MAX),
                                             email_shape])
    affiliation = StringField("Affiliation", validators=[Length(max=Expert.AFFILIATION_MAX)])
    group = StringField("Stakeholder group", validators=[Length(max=Expert.GROUP_MAX)])
    language = SelectField("Language", choices=list(LANGUAGE_NAMES.items()))
    expertise = SelectField("Self-rated expertise (1 to 5)", choices=EXPERTISE_CHOICES,
                            default="")

    def values(self) -> dict:
        return {"name": self.name.data, "email": self.email.data,
                "affiliation": self.affiliation.data, "group": self.group.data,
                "language": self.language.data, "expertise": self.expertise.data or None}


class WithdrawForm(Form):
    reason = TextAreaField("Why is the expert withdrawn? (kept in the audit log)",
                           validators=[DataRequired("Say why the expert is withdrawn."),
                                       Length(max=Expert.WITHDRAWN_REASON_MAX)],
                           render_kw={"rows": 3})


def _remind_choices() -> list[tuple[int, str]]:
    return [(d, "1 day before the deadline" if d == 1 else f"{d} days before the deadline")
            for d in reminders.CHOICES]


def remind_days_field() -> MultiCheckboxField:
    return MultiCheckboxField("Remind those who have not submitted", coerce=int,
                              choices=_remind_choices(), validate_choice=True)


class LaunchForm(Form):
    closes_at = DateTimeLocalField("Closes at (UTC, optional)", validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")
    remind_days = remind_days_field()
    send_invitations = BooleanField("E-mail the invitations now", default=True)
    retire_consensus = BooleanField("Stop asking options that reached consensus last round",
                                    default=True)
    accept_missing_translations = BooleanField(
        "Launch with the missing translations: those texts are shown in the main language")


class DeadlineForm(Form):
    closes_at = DateTimeLocalField("Closes at (UTC; empty for no deadline)",
                                   validators=[Optional()], format="%Y-%m-%dT%H:%M")
    remind_days = remind_days_field()


class MemberForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=User.EMAIL_MAX),
                                             email_shape])
    name = StringField("Name (for a new account, optional)",
                       validators=[Length(max=User.NAME_MAX)])
    # The least privilege first and by default.
    role = SelectField("Role", choices=[("analyst", "Analyst (reads results)"),
                                        ("organizer", "Co-organizer (manages the study)"),
                                        ("owner", "Owner (also manages the team)")],
                       default="analyst")


class RoleForm(Form):
    role = SelectField("Role", choices=[("owner", "Owner"), ("organizer", "Organizer"),
                                        ("analyst", "Analyst")])


class ActionForm(Form):
    """A button that posts: CSRF only."""


