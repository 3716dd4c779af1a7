"""Organizer commands: panel import, round launch/close/close-due, mail, study admin."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import Expert, OutboxMessage, Round, Study
from elicit.models.base import utcnow
from tests.factories import make_study, make_user


@pytest.fixture(autouse=True)
def _outbox_in_tmp(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")


@pytest.fixture
def study_id(app):
    with app.app_context():
        return make_study(make_user(), launch=False, slug="arctic").id


def test_panel_import_exit_codes(app, runner, study_id, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nA,a@example.org\n,b@example.org\nC,nope\n", encoding="utf-8")
    result = runner.invoke(args=["panel", "import", "arctic", str(bad)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "Line 3: the name is empty" in result.output and "Line 4:" in result.output
    result = runner.invoke(args=["panel", "import", "arctic", str(bad), "--only-valid"])
    assert result.exit_code == 0 and "Imported 1 expert(s)" in result.output
    with app.app_context():
        assert db.session.scalar(select(Expert).where(Expert.email == "a@example.org"))
    assert runner.invoke(args=["panel", "import", "nosuch", str(bad)]).exit_code == 2
    assert runner.invoke(args=["panel", "import", "arctic", "missing.csv"]).exit_code == 2


def test_round_launch_with_mail_then_send_pending(app, runner, study_id):
    result = runner.invoke(args=["round", "launch", "arctic", "--mail",
                                 "--closes-at", (utcnow() + timedelta(days=3))
                                 .strftime("%Y-%m-%d %H:%M")])
    assert result.exit_code == 0 and "Round 1 is open." in result.output
    again = runner.invoke(args=["round", "launch", "arctic"])
    assert again.exit_code == 1 and "already open" in again.output
    sent = runner.invoke(args=["mail", "send-pending"])
    assert sent.exit_code == 0 and "sent 3, failed 0" in sent.output
    files = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 3
    links = json.loads(runner.invoke(args=["links", "arctic", "--json"]).output)
    bodies = "".join(f.read_text() for f in files)
    assert all(link["link"] in bodies for link in links)
    assert "sent 0" in runner.invoke(args=["mail", "send-pending"]).output  # nothing twice


def test_round_close_and_close_due(app, runner, study_id):
    refused = runner.invoke(args=["round", "close", "arctic"])
    assert refused.exit_code == 1 and refused.output == "Error: No round is open.\n"
    runner.invoke(args=["round", "launch", "arctic"])
    assert "No round was due" in runner.invoke(args=["round", "close-due"]).output
    with app.app_context():
        round_ = db.session.scalar(select(Round))
        round_.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["round", "close-due"])
    assert result.exit_code == 0 and "Closed round 1" in result.output
    with app.app_context():
        assert db.session.scalar(select(Round)).status == "closed"


def test_study_export_import_restore_purge(app, runner, study_id, tmp_path):
    exported = runner.invoke(args=["study", "export", "arctic"])
    assert exported.exit_code == 0
    path = tmp_path / "study.json"
    path.write_text(exported.output, encoding="utf-8")
    result = runner.invoke(args=["study", "import", str(path), "--owner", "owner@example.org"])
    assert result.exit_code == 0, result.output
    new_id = int(result.output.split()[2].rstrip(":"))
    again = runner.invoke(args=["study", "export", str(new_id)])
    original = json.loads(exported.output)
    # The owner already has a study of that title: the import is marked as a copy.
    assert json.loads(again.output) == {**original, "title": original["title"] + " (copy)"}
    assert "(copy)" in result.output
    assert runner.invoke(args=["study", "import", str(path), "--owner",
                               "nobody@example.org"]).exit_code == 2
    assert runner.invoke(args=["study", "purge", str(study_id), "--yes"]).exit_code == 1
    with app.app_context():
        runner.invoke(args=["round", "launch", "arctic"])
        study = db.session.get(Study, study_id)
        study.deleted_at = utcnow()
        db.session.commit()
    assert runner.invoke(args=["study", "restore", str(study_id)]).exit_code == 0
    with app.app_context():
        study = db.session.get(Study, study_id)
        study.deleted_at = utcnow()
        db.session.commit()
    assert runner.invoke(args=["study", "purge", str(study_id), "--yes"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Study, study_id) is None
        assert db.session.scalar(select(OutboxMessage)) is None


def test_send_pending_exits_1_when_a_message_fails_for_good(app, runner, study_id,
                                                            monkeypatch):
    from elicit.services.mail import delivery, outbox

    runner.invoke(args=["round", "launch", "arctic", "--mail"])

    def broken(_message):
        raise delivery.DeliveryError("550 mailbox unavailable")

    monkeypatch.setattr(delivery, "deliver", broken)
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 1)
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 1 and "failed 3" in result.output
