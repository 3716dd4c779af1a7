"""Migration 0011_i22 (rationale themes) keeps existing studies and adds two tables."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text


def test_existing_studies_migrate_without_loss(app_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = app_factory(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="0004")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO studies (id, title, briefing, languages, status, anchoring, "
                "consensus_rule, mail_templates, created_at) VALUES (7, 'Old study', '', "
                "'[\"en\", \"fr\"]', 'active', 'after', '{}', '{}', '2026-01-01 00:00:00')"))
        upgrade(revision="0011_i22")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM studies")).scalar() == "Old study"
            assert conn.execute(text("SELECT count(*) FROM theme_settings")).scalar() == 0
        assert {"theme_settings", "theme_reviews"} <= set(inspect(engine).get_table_names())
        downgrade(revision="0004")
        assert "theme_reviews" not in set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM studies")).scalar() == "Old study"
        engine.dispose()
