"""Helpers shared by the command modules."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask import current_app
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


def refusals_as_click_errors(command: Callable | None = None, *,
                             heading: str | None = None) -> Callable:
    """End a command the service refused as a click error: the message on stderr, exit status 1.

    Put it last, just above the function (below the click decorators)::

        @study_cli.command("restore")
        @click.argument("study_id", type=int)
        @refusals_as_click_errors
        def study_restore(study_id): ...

    The error reads the refusal's messages in one line; with a `heading`, the
    heading comes first and then each message on a line of its own.
    """
    def decorator(function: Callable) -> Callable:
        @wraps(function)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except DomainError as exc:
                text = exc.text if heading is None \
                    else heading + "\n" + "\n".join(exc.messages.values())
                raise click.ClickException(text) from exc

        return wrapped

    return decorator if command is None else decorator(command)


def public_base_url() -> str:
    """The site's public address (BASE_URL) for printed links.

    When BASE_URL was given nowhere (settings file, environment, overrides)
    the links use the default address; say so on stderr, with the way out.
    """
    app = current_app
    base = str(app.config["BASE_URL"]).rstrip("/")
    if "BASE_URL" not in app.extensions.get("elicit.settings_given", frozenset()):
        click.echo(f"note: BASE_URL is not set, so these links use the default {base}; set it "
                   f"in the environment or in {app.config['SETTINGS_FILE']} "
                   "(BASE_URL=https://your.site).", err=True)
    return base
