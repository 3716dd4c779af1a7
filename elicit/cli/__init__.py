"""`flask --app wsgi …` commands, one module per area; each calls services."""

from __future__ import annotations

from flask import Flask

from elicit.cli import accounts, ops, study


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    for module in (study, accounts, ops):
        for command in module.COMMANDS:
            app.cli.add_command(command)
