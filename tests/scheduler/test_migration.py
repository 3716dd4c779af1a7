"""Migration 0012_i17d (round reminders) keeps every existing study and round, both ways."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from elicit import config, create_app
from elicit.extensions import db

ROWS = {"studies": "SELECT id, title, status FROM studies ORDER BY id",
        "rounds": "SELECT id, study_id, number, status, closes_at FROM rounds ORDER BY id"}


def _snapshot(conn) -> dict:
    return {name: [tuple(r) for r in conn.execute(text(sql))] for name, sql in ROWS.items()}


def test_existing_rounds_migrate_without_loss_and_back(tmp_path):
    app = create_app({**config.testing_settings(),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO studies (id, title, briefing, languages, status, anchoring, "
                "consensus_rule, created_at, mail_templates) VALUES (1, 'Old study', '', "
                "'[\"en\"]', 'active', 'after', '{}', '2026-11-01 10:00:00', '{}')"))
            conn.execute(text(
                "INSERT INTO rounds (id, study_id, number, status, closes_at, created_at, "
                "data_version) VALUES (1, 1, 1, 'closed', NULL, '2026-11-01 10:00:00', 3), "
                "(2, 1, 2, 'open', '2026-12-24 17:00:00', '2026-11-20 10:00:00', 0)"))
        with db.engine.connect() as conn:
            before = _snapshot(conn)
        upgrade(revision="0012_i17d")
        with db.engine.connect() as conn:
            assert _snapshot(conn) == before
            assert conn.execute(text("SELECT count(*) FROM round_reminders")).scalar() == 0
        downgrade(revision="0004")
        with db.engine.connect() as conn:
            assert _snapshot(conn) == before
        assert "round_reminders" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
