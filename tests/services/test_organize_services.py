"""Organizer services below the pages: outbox claiming and queueing, purge, CSV reading."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, OutboxMessage, Response, Study
from elicit.models.base import utcnow
from elicit.services.common.csv_rows import read_rows
from elicit.services.mail import outbox
from elicit.services.panel import importer
from elicit.services.studies import builder
from tests.factories import make_study, make_user, submit_scores


@pytest.fixture(autouse=True)
def _outbox_in_tmp(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")


def test_queue_skips_duplicates_and_submitted_experts(app):
    with app.app_context():
        study = make_study()
        round_ = study.rounds[0]
        submit_scores(study, 1, [[(0.5, 1)] * 3])
        assert outbox.queue(round_, "invitation", actor_id=None) == 2
        assert outbox.queue(round_, "invitation", actor_id=None) == 0  # already pending
        assert outbox.send_pending().sent == 2
        assert outbox.queue(round_, "invitation", actor_id=None) == 0  # already sent
        assert outbox.queue(round_, "reminder", actor_id=None) == 2


def test_a_claimed_message_is_not_sent_twice(app):
    with app.app_context():
        study = make_study()
        outbox.queue(study.rounds[0], "invitation", actor_id=None)
        first = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
        assert outbox._claim(first.id, 0, utcnow()) is True
        assert outbox._claim(first.id, 0, utcnow()) is False  # a second worker loses
        assert outbox.send_pending().sent == 2  # the claimed one waits for its back-off


def test_purge_erases_answers_but_keeps_the_audit_trail(app):
    with app.app_context():
        study = make_study(make_user())
        submit_scores(study, 1, [[(0.5, 1)] * 3])
        study_id = study.id
        with pytest.raises(Conflict):
            builder.purge_study(study)
        with pytest.raises(ValidationFailed):
            builder.soft_delete_study(study, confirm_title="nope", actor_id=None)
        builder.soft_delete_study(study, confirm_title=" Test study ", actor_id=None)
        builder.purge_study(builder.deleted_study(study_id))
        assert db.session.get(Study, study_id) is None
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        actions = set(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.study_id == study_id)))
        assert {"study.delete", "study.purge", "response.submit"} <= actions or \
            {"study.delete", "study.purge"} <= actions


def test_csv_reader_handles_bom_semicolons_and_reports_encoding():
    report = read_rows("\ufeffName;EMAIL\nA;a@example.org\n\n".encode(),
                       required=("name", "email"), optional=())
    assert report.errors == [] and report.rows == [(2, {"name": "A", "email": "a@example.org"})]
    latin = read_rows("name,email\nRené,r@example.org\n".encode("latin-1"),
                      required=("name", "email"), optional=())
    assert "not UTF-8" in str(latin.errors[0])
    empty = read_rows(b"", required=("name",), optional=())
    assert "empty" in str(empty.errors[0])


def test_panel_check_does_not_write(app):
    with app.app_context():
        study = make_study(launch=False)
        report = importer.check_panel_csv(study, b"name,email\nA,a@example.org\n")
        assert report.errors == [] and len(report.rows) == 1
        assert len(db.session.get(Study, study.id).experts) == 3
