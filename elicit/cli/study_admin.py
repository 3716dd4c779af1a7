"""Study definition commands: export, import, restore and purge."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from elicit.cli.common import find_study, refusals_as_click_errors
from elicit.extensions import db
from elicit.models import User
from elicit.services.accounts.users import normalise_email
from elicit.services.studies import builder, definition

study_cli = AppGroup("study", help="Export, import, restore and purge studies.")


@study_cli.command("export")
@click.argument("study")
def study_export(study: str) -> None:
    """Print the study definition as JSON (options, criteria, seeds, rule, mail texts)."""
    click.echo(json.dumps(definition.export_definition(find_study(study)), indent=2,
                          ensure_ascii=False))


@study_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", required=True, help="E-mail of the account that will own it.")
@refusals_as_click_errors
def study_import(file: Path, owner: str) -> None:
    """Create a draft study from an exported JSON definition."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(owner)))
    if user is None:
        raise click.UsageError(f"No account for {owner}.")
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{file} is not valid JSON: {exc}") from exc
    except RecursionError:
        raise click.ClickException(f"{file} nests its values too deeply.") from None
    created = definition.import_definition(user, data, source="cli")
    click.echo(f"Created study {created.id}: {created.title}")


@study_cli.command("restore")
@click.argument("study_id", type=int)
@refusals_as_click_errors
def study_restore(study_id: int) -> None:
    """Bring back a deleted study."""
    builder.restore_study(builder.deleted_study(study_id))
    click.echo(f"Study {study_id} restored.")


@study_cli.command("purge")
@click.argument("study_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@refusals_as_click_errors
def study_purge(study_id: int, yes: bool) -> None:
    """Erase a deleted study and all its answers for good (the audit trail stays)."""
    study = builder.deleted_study(study_id)
    if not yes:
        click.confirm(f"Erase “{study.title}” and every answer in it?", abort=True)
    builder.purge_study(study)
    click.echo(f"Study {study_id} purged.")


COMMANDS = [study_cli]
