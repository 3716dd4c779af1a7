"""`flask --app wsgi …` commands; each parses arguments and calls one service."""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from elicit.errors import DomainError
from elicit.extensions import db
from elicit.models import Study, User
from elicit.services import accounts, api_tokens, demo, panel, rounds

users_cli = AppGroup("users", help="Manage organizer and analyst accounts.")
tokens_cli = AppGroup("tokens", help="Personal API tokens.")
round_cli = AppGroup("round", help="Launch and close Delphi rounds.")


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(demo_command)
    app.cli.add_command(links_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(round_cli)
    app.cli.add_command(tokens_cli)


def _find_study(handle: str) -> Study:
    """A study by id or slug; exits with status 2 when unknown."""
    query = select(Study).where(Study.deleted_at.is_(None))
    if handle.isdigit():
        study = db.session.scalar(query.where(Study.id == int(handle)))
    else:
        study = db.session.scalar(query.where(Study.slug == handle))
    if study is None:
        raise click.UsageError(f"No study with id or slug {handle!r}.")
    return study


def _links_payload(study: Study) -> list[dict]:
    round_ = study.current_round
    if round_ is None:
        return []
    return [{"name": link.name, "email": link.email, "link": link.link,
             "submitted": link.submitted, "status": link.status}
            for link in panel.links_for_round(round_)]


@click.command("demo")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
@click.option("--if-empty", is_flag=True,
              help="Load only into a database without studies (what `make run` uses).")
def demo_command(as_json: bool, if_empty: bool) -> None:
    """Load the demo study (idempotent) and print the organizer login and expert links."""
    if if_empty and not demo.database_is_empty() and demo.find_demo() is None:
        click.echo("The database already holds studies; the demo was not loaded.")
        return
    info = demo.load_demo()
    experts = _links_payload(info.study)
    if as_json:
        click.echo(json.dumps({
            "study": {"id": info.study.id, "title": info.study.title},
            "organizer": {"email": info.organizer_email, "password": info.organizer_password},
            "experts": [{k: e[k] for k in ("name", "email", "link", "submitted")}
                        for e in experts],
        }, indent=2, ensure_ascii=False))
        return
    base = current_app.config["BASE_URL"]
    click.echo(("Loaded" if info.created else "Already loaded") + f": {info.study.title}")
    click.echo(f"\nOrganizer login  {base}/login")
    click.echo(f"  e-mail:   {info.organizer_email}\n  password: {info.organizer_password}")
    click.echo(f"\nResults          {base}/studies/{info.study.id}/results")
    click.echo("\nExpert links (personal; open one in a private window):")
    for e in experts:
        state = "submitted" if e["submitted"] else "not answered yet"
        click.echo(f"  {e['name']:<20} {state:<17} {e['link']}")


@click.command("links")
@with_appcontext
@click.argument("study")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def links_command(study: str, as_json: bool) -> None:
    """Print each expert's personal link for the study's current round."""
    found = _find_study(study)
    payload = _links_payload(found)
    if as_json:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not payload:
        raise click.ClickException("No round has been launched for this study yet.")
    for e in payload:
        click.echo(f"{e['name']}\t{e['email']}\t{e['status']}\t{e['link']}")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when omitted (preferred: keeps it out of shell history).")
def users_create(email: str, name: str, password: str) -> None:
    """Create an organizer or analyst account."""
    try:
        user = accounts.create_user(email, password, name)
    except DomainError as exc:
        raise click.ClickException(_message(exc)) from exc
    click.echo(f"Created account {user.email}.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def tokens_create(email: str, name: str) -> None:
    """Create a personal API token for an account and print it once."""
    user = db.session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    try:
        _, secret = api_tokens.issue_token(user, name)
    except DomainError as exc:
        raise click.ClickException(_message(exc)) from exc
    click.echo(secret)


@round_cli.command("launch")
@click.argument("study")
def round_launch(study: str) -> None:
    """Open the study's next round and invite the whole panel."""
    try:
        round_ = rounds.launch_next_round(_find_study(study))
    except DomainError as exc:
        raise click.ClickException(_message(exc)) from exc
    click.echo(f"Round {round_.number} is open.")


@round_cli.command("close")
@click.argument("study")
def round_close(study: str) -> None:
    """Close the study's open round."""
    try:
        round_ = rounds.close_round(_find_study(study))
    except DomainError as exc:
        raise click.ClickException(_message(exc)) from exc
    click.echo(f"Round {round_.number} is closed.")


def _message(exc: DomainError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return " ".join(errors.values())
    return str(exc)
