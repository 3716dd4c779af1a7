"""Panel commands: import experts from CSV."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from elicit.cli.common import find_study, refusals_as_click_errors
from elicit.services.panel import importer

panel_cli = AppGroup("panel", help="Manage a study's expert panel.")


@panel_cli.command("import")
@click.argument("study")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--only-valid", is_flag=True,
              help="Import the good rows even if some rows are bad (they are listed).")
@refusals_as_click_errors(heading="Nothing was imported.")
def panel_import_command(study: str, file: Path, only_valid: bool) -> None:
    """Add the experts of FILE.csv (name,email[,affiliation,group,language,expertise])."""
    found = find_study(study)
    result = importer.import_panel(found, file.read_bytes(), only_valid=only_valid)
    for error in result.report.errors:
        click.echo(f"skipped {error}", err=True)
    click.echo(f"Imported {result.imported} expert(s) into “{found.title}”.")


COMMANDS = [panel_cli]
