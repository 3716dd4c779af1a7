"""Migration 0006_i17b: existing panels keep their pseudonyms; the new statuses are allowed."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.fixture
def old_database(tmp_path):
    """An app on a SQLite file migrated only up to 0004, with a study of three experts."""
    from flask_migrate import upgrade

    from elicit import create_app
    from elicit.config import testing_settings
    from elicit.extensions import db

    app = create_app({**testing_settings(),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO studies (id, title, briefing, languages, status, anchoring, "
                "consensus_rule, created_at) VALUES (1, 'Old', '', '[\"en\"]', 'active', "
                "'after', '{}', '2026-01-01')"))
            for expert_id in (5, 9, 12):  # gaps in the ids, as after deletions
                conn.execute(text(
                    "INSERT INTO experts (id, study_id, name, email, affiliation, \"group\", "
                    "language, created_at) VALUES (:id, 1, :name, :email, '', '', 'en', "
                    "'2026-01-01')"), {"id": expert_id, "name": f"E {expert_id}",
                                        "email": f"e{expert_id}@example.org"})
            conn.execute(text("INSERT INTO rounds (id, study_id, number, status, data_version, "
                              "created_at) VALUES (1, 1, 1, 'open', 1, '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO invitations (id, expert_id, round_id, token_hash, token_nonce, "
                "created_at) VALUES (1, 5, 1, 'h', 'n', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO options (id, study_id, position, title, description) "
                "VALUES (1, 1, 1, 'O', '')"))
            conn.execute(text(
                "INSERT INTO criteria (id, study_id, position, name, question, kind, four_step, "
                "weight, scale_labels) VALUES (1, 1, 1, 'L', '', 'probability', 0, 1, '{}')"))
            conn.execute(text(
                "INSERT INTO responses (id, expert_id, round_id, status, version, created_at, "
                "updated_at, submitted_at) VALUES (1, 5, 1, 'submitted', 1, '2026-01-01', "
                "'2026-01-01', '2026-01-02')"))
            conn.execute(text(
                "INSERT INTO judgments (response_id, option_id, criterion_id, value, abstained) "
                "VALUES (1, 1, 1, 0.5, 0)"))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_existing_experts_keep_their_pseudonyms_and_new_statuses_are_allowed(old_database):
    from flask_migrate import downgrade, upgrade

    from elicit.extensions import db
    from elicit.services.panel import experts

    with old_database.app_context():
        upgrade(revision="0006_i17b")
        assert experts.pseudonyms(1) == {5: "E001", 9: "E002", 12: "E003"}
        assert experts.next_number(1) == 4
        with db.engine.begin() as conn:
            columns = {c["name"] for c in db.inspect(conn).get_columns("experts")}
            assert {"number", "withdrawn_at", "withdrawn_reason"} <= columns
            for table in ("invitations", "responses", "judgments"):  # nothing cascaded away
                assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 1
            conn.execute(text("UPDATE responses SET status = 'withdrawn'"))
            conn.execute(text(
                "INSERT INTO outbox_messages (study_id, kind, to_address, subject, body, status, "
                "attempts, last_error, created_at) VALUES (NULL, 'password_reset', "
                "'a@example.org', 's', 'b', 'pending', 0, '', '2026-01-01')"))
        downgrade(revision="0004")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT status FROM responses")).scalar() == "draft"
            assert conn.execute(text("SELECT COUNT(*) FROM judgments")).scalar() == 1
            assert conn.execute(text("SELECT COUNT(*) FROM invitations")).scalar() == 1
            assert conn.execute(text("SELECT COUNT(*) FROM outbox_messages")).scalar() == 0
