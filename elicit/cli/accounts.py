"""Account commands: users and API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from elicit.cli.common import refusals_as_click_errors
from elicit.extensions import db
from elicit.models import User
from elicit.services.accounts import api_tokens, users

users_cli = AppGroup("users", help="Manage organizer and analyst accounts.")
tokens_cli = AppGroup("tokens", help="Personal API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when omitted (preferred: keeps it out of shell history).")
@refusals_as_click_errors
def users_create(email: str, name: str, password: str) -> None:
    """Create an organizer or analyst account."""
    user = users.create_user(email, password, name)
    click.echo(f"Created account {user.email}.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@refusals_as_click_errors
def tokens_create(email: str, name: str) -> None:
    """Create a personal API token for an account and print it once."""
    user = db.session.scalar(select(User).where(User.email == users.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    _, secret = api_tokens.issue_token(user, name)
    click.echo(secret)


COMMANDS = [users_cli, tokens_cli]
