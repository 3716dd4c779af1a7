"""The migrations create exactly the schema the models describe (no drift)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from elicit.extensions import db


def test_migrated_schema_matches_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migration_created_every_table(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_sqlite_connections_use_wal_and_a_busy_timeout(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_migrations_form_one_line():
    """One head: branches written in parallel are chained before they land, so every
    database upgrades through the same order (`flask db upgrade` needs no "heads")."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    folder = Path(__file__).resolve().parents[2] / "migrations"
    config = Config()
    config.set_main_option("script_location", str(folder))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads
