"""Operations commands: backup and restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from elicit.cli.common import refusals_as_click_errors
from elicit.extensions import db
from elicit.services import backup as backup_service


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@refusals_as_click_errors
def backup_command(target: Path) -> None:
    """Write a consistent copy of the database to TARGET (safe while serving)."""
    backup_service.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    click.echo(f"Backup written to {target}.")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@refusals_as_click_errors
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup in SOURCE (stop the web server first)."""
    if not yes:
        click.confirm("This replaces every study, answer and account in the database. "
                      "Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()
    backup_service.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    click.echo(f"Restored from {source}.")


COMMANDS = [backup_command, restore_command]
