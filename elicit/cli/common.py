"""Helpers shared by the command modules."""

from __future__ import annotations

import click
from sqlalchemy import select

from elicit.errors import DomainError
from elicit.extensions import db
from elicit.models import Study


def find_study(handle: str) -> Study:
    """A study by id or slug; a usage error (exit 2) when unknown."""
    query = select(Study).where(Study.deleted_at.is_(None))
    if handle.isdigit():
        study = db.session.scalar(query.where(Study.id == int(handle)))
    else:
        study = db.session.scalar(query.where(Study.slug == handle))
    if study is None:
        raise click.UsageError(f"No study with id or slug {handle!r}.")
    return study


def message(exc: DomainError) -> str:
    """The text a person should read for a refused operation."""
    errors = getattr(exc, "errors", None)
    if errors:
        return " ".join(errors.values())
    return str(exc)
