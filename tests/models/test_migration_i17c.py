"""Migration 0007_i17c: existing studies and responses move over without loss, and back."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from elicit import config, create_app


def test_existing_studies_and_responses_migrate_without_loss(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({**config.testing_settings(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO studies (id, title, briefing, languages, status, anchoring, "
            "consensus_rule, mail_templates, created_at) VALUES (1, 'Old study', 'Brief', "
            "'[\"en\"]', 'active', 'after', '{}', '{}', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO rounds (id, study_id, number, status, data_version, "
                          "created_at) VALUES (1, 1, 1, 'open', 1, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO experts (id, study_id, name, email, affiliation, \"group\", language, "
            "created_at) VALUES (1, 1, 'A', 'a@example.org', '', '', 'en', "
            "'2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO responses (id, expert_id, round_id, status, version, consent_at, "
            "created_at, updated_at) VALUES (1, 1, 1, 'draft', 0, '2026-01-02 00:00:00', "
            "'2026-01-01 00:00:00', '2026-01-02 00:00:00')"))
    with app.app_context():
        upgrade(revision="0007_i17c")
    with engine.connect() as conn:
        study = conn.execute(text("SELECT title, briefing, anchoring, prefill_previous "
                                  "FROM studies")).one()
        assert tuple(study) == ("Old study", "Brief", "after", 1)  # pre-filling on
        response = conn.execute(text("SELECT consent_at, draft, consent_digest "
                                     "FROM responses")).one()
        assert response[0].startswith("2026-01-02") and response[1:] == (None, None)
    with app.app_context():
        downgrade(revision="0004")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM studies")).scalar() == "Old study"
        assert conn.execute(text("SELECT count(*) FROM responses")).scalar() == 1
    engine.dispose()
    with app.app_context():
        from elicit.extensions import db

        db.engine.dispose()
