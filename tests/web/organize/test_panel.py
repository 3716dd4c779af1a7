"""Panel: add and import experts, status per round and group, invitations and reminders."""

from __future__ import annotations

import email
import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from elicit.extensions import db, mail
from elicit.models import AuditEvent, Expert, Invitation, OutboxMessage, Study
from elicit.models.base import utcnow
from elicit.services.mail import outbox
from tests.factories import submit_scores

BAD_CSV = """name,email,affiliation,group,language,expertise
Good One,good1@example.org,Uni,academia,en,3
,noname@example.org,,academia,en,
Bad Mail,not-an-address,,government,en,
Twice,good1@example.org,,government,en,
Wrong Lang,wl@example.org,,government,de,
Too Expert,te@example.org,,government,en,9
Already,expert1@example.org,,,en,
Short row,short@example.org
Good Two,good2@example.org,Ministry,government,,
"""


def _upload(client, sid, text, **extra):
    return client.post(f"/studies/{sid}/panel/import", data={
        "file": (io.BytesIO(text.encode()), "panel.csv"), **extra},
        content_type="multipart/form-data")


def _experts(app, sid) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Expert.email).where(Expert.study_id == sid)
                                       .order_by(Expert.id)))


def test_csv_full_of_bad_rows_reports_each_and_imports_nothing(app, client, owner):
    sid = owner["study"]
    response = _upload(client, sid, BAD_CSV)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in page
    assert 'id="error-summary" tabindex="-1"' in page and "js/error-summary.js" in page
    for line, reason in [(3, "name is empty"), (4, "not an e-mail address"),
                         (5, "also appears on line 2"), (6, "language “de”"),
                         (7, "whole number from 1 to 5"), (8, "already on the panel"),
                         (9, "2 fields where the header has 6")]:
        assert f"Line {line}: " in page and reason in page, (line, reason)
    assert "Line 2:" not in page and "Line 10:" not in page
    assert len(_experts(app, sid)) == 3


def test_csv_import_only_good_rows_when_asked(app, client, owner):
    sid = owner["study"]
    response = _upload(client, sid, BAD_CSV, only_valid="y")
    assert response.status_code == 302
    assert _experts(app, sid)[3:] == ["good1@example.org", "good2@example.org"]
    with app.app_context():
        study = db.session.get(Study, sid)
        good2 = study.experts[-1]
        assert (good2.group, good2.language) == ("government", "en")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.import"))
        assert event.details == {"imported": 2, "skipped_lines": [3, 4, 5, 6, 7, 8, 9]}


def test_csv_with_a_wrong_header_is_refused_even_with_only_valid(app, client, owner):
    response = _upload(client, owner["study"], "nom,courriel\nA,a@example.org\n",
                       only_valid="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Missing column(s) name, email" in page


def test_add_expert_during_an_open_round_invites_them(app, client, owner):
    sid = owner["study"]
    response = client.post(f"/studies/{sid}/panel/experts", data={
        "name": "Dana Late", "email": "Dana@Example.org", "affiliation": "", "group": "C",
        "language": "en"})
    assert response.status_code == 302
    with app.app_context():
        expert = db.session.scalar(select(Expert).where(Expert.email == "dana@example.org"))
        assert len(expert.invitations) == 1
    again = client.post(f"/studies/{sid}/panel/experts", data={
        "name": "Dana", "email": "dana@example.org", "language": "en"})
    assert again.status_code == 422 and "already on this panel" in again.get_data(as_text=True)
    assert 'value="Dana"' in again.get_data(as_text=True)


def test_status_per_expert_and_group(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = db.session.get(Study, sid)
        submit_scores(study, 1, [[(0.5, 1)] * 3])  # expert 1 (group A) submits
    page = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert "submitted" in page and "not sent" in page
    # group A: experts 1 and 3; one submitted → 50 %; group B: 0 %; all: 33 %
    assert ">50 %<" in page and ">0 %<" in page and ">33 %<" in page


def test_invitations_are_sent_after_the_response_with_a_working_link(app, client, owner,
                                                                     tmp_path):
    sid = owner["study"]
    response = client.post(f"/studies/{sid}/panel/invitation")
    assert response.status_code == 302
    response.close()  # the test client runs call_on_close hooks here
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 3
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "expert1@example.org"
    body = message.get_payload(decode=True).decode()
    link = next(w for w in body.split() if w.startswith("http://localhost/r/"))
    client.post("/logout")
    opened = client.get(link.removeprefix("http://localhost"))
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/respond")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.sent_at.is_not(None))) == 3


def test_remind_all_who_have_not_submitted_is_one_click(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        submit_scores(db.session.get(Study, sid), 1, [[(0.5, 1)] * 3])
    client.post(f"/studies/{sid}/panel/reminder").close()
    with app.app_context():
        reminders = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "reminder")))
        assert sorted(m.to_address for m in reminders) == ["expert2@example.org",
                                                         "expert3@example.org"]
        assert all(m.status == "sent" for m in reminders)
        assert "Reminder" in reminders[0].subject


def test_failed_delivery_shows_bounced_and_can_be_retried(app, client, owner, monkeypatch):
    sid = owner["study"]
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    client.post(f"/studies/{sid}/panel/invitation")
    app.config["MAIL_BACKEND"] = "smtp"

    def refuse(_message):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(mail, "send", refuse)
    with app.app_context():
        for attempt in range(outbox.MAX_ATTEMPTS):
            outbox.send_pending(now=utcnow() + timedelta(days=attempt + 1))
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"failed"}
    page = client.get(f"/studies/{sid}/panel").get_data(as_text=True)
    assert page.count('status-bounced') == 3 and "ConnectionRefusedError" in page
    app.config["MAIL_BACKEND"] = "outbox"
    assert client.post(f"/studies/{sid}/panel/retry").status_code == 302
    with app.app_context():
        report = outbox.send_pending()
        assert report.sent == 3
    assert "status-invited" in client.get(f"/studies/{sid}/panel").get_data(as_text=True)


def test_revoke_and_reissue_a_link(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        invitation_id = db.session.get(Study, sid).experts[0].invitations[0].id
    asked = client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/revoke")
    assert asked.status_code == 200 and "Revoke the link of Expert 1?" in asked.get_data(
        as_text=True)
    with app.app_context():  # nothing happens before the confirmation
        assert db.session.get(Invitation, invitation_id).revoked_at is None
    assert client.post(f"/studies/{sid}/panel/invitations/{invitation_id}/revoke",
                       data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is not None


def test_outbox_page_lists_messages(app, client, owner):
    sid = owner["study"]
    client.post(f"/studies/{sid}/panel/invitation").close()
    page = client.get(f"/studies/{sid}/panel/outbox").get_data(as_text=True)
    assert page.count("expert") >= 3 and "sent" in page
