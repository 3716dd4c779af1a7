"""Migration 0005_i17a: existing studies keep every text and get their briefing HTML."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from elicit import config, create_app
from elicit.extensions import db


def test_existing_study_migrates_without_loss(tmp_path):
    app = create_app({**config.testing_settings(),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO studies (id, title, briefing, languages, status, anchoring,"
                " consensus_rule, mail_templates, created_at) VALUES (1, 'Old study',"
                " 'Read **this** <script>x()</script>', :langs, 'active', 'after', '{}',"
                " :mail, '2026-01-01 00:00:00')"),
                {"langs": json.dumps(["en", "fr"]),
                 "mail": json.dumps({"invitation": {"subject": "S {study}",
                                                    "body": "B {link}"}})})
            conn.execute(text("INSERT INTO options (id, study_id, position, title, description)"
                              " VALUES (1, 1, 1, 'Keep', 'As is')"))
            conn.execute(text("INSERT INTO criteria (id, study_id, position, name, question,"
                              " kind, four_step, scale_min, scale_max, scale_labels, weight)"
                              " VALUES (1, 1, 1, 'Impact', 'How much?', 'scale', 0, -3, 3,"
                              " :labels, 1.0)"), {"labels": json.dumps({"-3": "Bad"})})
        upgrade(revision="0005_i17a")
        with db.engine.connect() as conn:
            study = conn.execute(text("SELECT title, briefing, briefing_html, consent_text,"
                                      " translations, mail_templates, languages"
                                      " FROM studies")).one()
            option = conn.execute(text("SELECT title, description, translations"
                                       " FROM options")).one()
            criterion = conn.execute(text("SELECT question, help, scale_labels, translations"
                                          " FROM criteria")).one()
        assert study.title == "Old study"
        assert study.briefing == "Read **this** <script>x()</script>"
        assert study.briefing_html == "<p>Read <strong>this</strong> </p>\n"
        assert study.consent_text == "" and json.loads(study.translations) == {}
        assert json.loads(study.mail_templates)["invitation"]["body"] == "B {link}"
        assert json.loads(study.languages) == ["en", "fr"]
        assert tuple(option)[:2] == ("Keep", "As is") and json.loads(option.translations) == {}
        assert criterion.question == "How much?" and criterion.help == ""
        assert json.loads(criterion.scale_labels) == {"-3": "Bad"}
        downgrade(revision="0004")  # and back: the old columns are untouched
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT briefing FROM studies")).scalar() == \
                "Read **this** <script>x()</script>"
        db.engine.dispose()
