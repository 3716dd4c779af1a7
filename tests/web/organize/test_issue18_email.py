"""Issue 18 item 10: addresses checked by email-validator, no header injection, safe paths."""

from __future__ import annotations

import email
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Expert, OutboxMessage, Study
from elicit.services.accounts import api_tokens
from elicit.services.mail import delivery
from tests.factories import make_study, make_user

BAD_ADDRESSES = ["a@b", "@@@", "x@example.org\r\nBcc: eve@evil.example", "a/b@example.org",
                 "..\\..@example.org", "ann@example.test"]


def _experts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Expert))


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_the_panel_form_refuses_a_malformed_address_next_to_the_field(app, client, owner,
                                                                      address):
    before = _experts(app)
    response = client.post(f"/studies/{owner['study']}/panel/experts",
                           data={"name": "Eve", "email": address, "language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page
    assert _experts(app) == before


def test_the_csv_import_and_the_api_refuse_malformed_addresses(app, client, owner):
    sid = owner["study"]
    before = _experts(app)
    rows = "name,email\n" + "".join(f"P{n},{a.splitlines()[0]}\n"
                                    for n, a in enumerate(BAD_ADDRESSES))
    response = client.post(f"/studies/{sid}/panel/import", data={
        "file": (io.BytesIO(rows.encode()), "panel.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("is not an e-mail address") >= 4
    with app.app_context():
        _, secret = api_tokens.issue_token(db.session.get(Study, sid).memberships[0].user, "t")
    for address in BAD_ADDRESSES:
        refused = client.post(f"/api/v1/studies/{sid}/panel",
                              json={"experts": [{"name": "Eve", "email": address}]},
                              headers={"Authorization": f"Bearer {secret}"})
        assert refused.status_code == 400, address
    assert _experts(app) == before


def test_a_mail_subject_with_a_line_break_is_refused(app, client, owner):
    response = client.post(f"/studies/{owner['study']}/mail", data={
        "invitation_subject": "Hello\r\nBcc: eve@evil.example",
        "invitation_body": "Answer here: {link}", "reminder_subject": "", "reminder_body": ""})
    assert response.status_code == 422
    assert 'id="invitation_subject-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Study, owner["study"]).mail_templates == {}


def test_no_line_break_ever_reaches_a_header_and_files_are_named_by_ids(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    with app.app_context():
        study = make_study(make_user(), n_experts=1)
        expert = study.experts[0]
        injected = OutboxMessage(study_id=study.id, expert_id=expert.id, kind="invitation",
                                 to_address=expert.email, subject="Hi\r\nBcc: eve@evil.example",
                                 body="text")
        plain = OutboxMessage(study_id=study.id, expert_id=expert.id, kind="invitation",
                              to_address=expert.email, subject="Hi", body="text")
        db.session.add_all([injected, plain])
        db.session.commit()
        with pytest.raises(delivery.DeliveryError, match="line break"):
            delivery.deliver(injected)
        delivery.deliver(plain)
        files = list(Path(tmp_path / "outbox").glob("*.eml"))
        assert [f.name for f in files] == [f"{plain.id:06d}-invitation-{expert.id}.eml"]
        sent = email.message_from_bytes(files[0].read_bytes())
        assert sent["Bcc"] is None and sent["To"] == expert.email
