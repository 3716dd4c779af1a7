"""Invitation and reminder texts: defaults in templates/mail/, overridable per study.

Texts use `{field}` names filled by plain substitution (never Jinja:
organizers' text must not be able to run template code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from jinja2 import TemplateNotFound

from elicit.errors import ValidationFailed
from elicit.models import Study
from elicit.services.common import emails

KINDS = ("invitation", "reminder")
TEMPLATE_FIELDS = {
    "name": "the expert's name",
    "study": "the study's title",
    "round": "the round number",
    "link": "the expert's personal link (required)",
    "deadline": "when the round closes, or 'no fixed deadline'",
}
_FIELD = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


NO_DEADLINE = {"en": "no fixed deadline", "fr": "pas de date limite fixe"}


def default_text(kind: str, lang: str = "en") -> MailText:
    """The shipped text of `kind` in `lang`: templates/mail/<kind>[.<lang>].txt, else English.

    The first line is "Subject: …".
    """
    env = current_app.jinja_env
    try:
        source = env.loader.get_source(env, f"mail/{kind}.{lang}.txt")[0]
    except TemplateNotFound:
        source = env.loader.get_source(env, f"mail/{kind}.txt")[0]
    first, _, body = source.partition("\n")
    return MailText(subject=first.removeprefix("Subject:").strip(), body=body.lstrip("\n"))


def text_for(templates: dict | None, kind: str, lang: str = "en") -> MailText:
    """The study's own text of `kind`, else the default in `lang`."""
    own = (templates or {}).get(kind)
    if own and own.get("subject") and own.get("body"):
        return MailText(subject=own["subject"], body=own["body"])
    return default_text(kind, lang)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each `{field}` with its value."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def validate_templates(templates: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Keep the non-empty texts; raise ValidationFailed on unknown fields or a missing link."""
    errors: dict[str, str] = {}
    clean: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        own = templates.get(kind) or {}
        subject, body = (own.get("subject") or "").strip(), (own.get("body") or "").strip()
        if not subject and not body:
            continue
        if not subject or not body:
            errors[f"{kind}_subject" if not subject else f"{kind}_body"] = \
                "Give both a subject and a text, or leave both empty for the default."
            continue
        if len(subject) > Study.MAIL_SUBJECT_MAX:
            errors[f"{kind}_subject"] = (f"Keep the subject under {Study.MAIL_SUBJECT_MAX} "
                                         "characters.")
        elif problem := emails.header_problem(subject):
            errors[f"{kind}_subject"] = problem  # a line break would start a new header
        for field, text in ((f"{kind}_subject", subject), (f"{kind}_body", body)):
            unknown = sorted({m for m in _FIELD.findall(text) if m not in TEMPLATE_FIELDS})
            if unknown:
                known = ", ".join("{" + p + "}" for p in TEMPLATE_FIELDS)
                errors[field] = ("Unknown field(s) " + ", ".join("{" + u + "}" for u in unknown)
                                 + f"; use {known}.")
        if "{link}" not in body:
            message = "The text must contain {link}, the personal link."
            field = f"{kind}_body"
            errors[field] = f"{errors[field]} {message}" if field in errors else message
        clean[kind] = {"subject": subject, "body": body}
    if errors:
        raise ValidationFailed(errors)
    return clean
