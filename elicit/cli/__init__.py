"""`flask --app wsgi …` commands, one module per area; each calls services."""

from __future__ import annotations

from flask import Flask

from elicit.cli import accounts, mail, ops, panel, results, study, study_admin, worker


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    for module in (study, accounts, ops, results, panel, mail, study_admin, worker):
        for command in module.COMMANDS:
            app.cli.add_command(command)
