"""The audit log reads for people: names and pseudonyms, round numbers, words, one line a moment."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select, update

from elicit.extensions import db
from elicit.models import AuditEvent, Option, Study, User
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.panel import experts
from elicit.services.rounds import lifecycle
from elicit.services.studies import builder, questions
from tests.factories import PASSWORD, make_study, make_user, submit_round


def _csv(client, sid) -> list[dict]:
    exported = client.get(f"/studies/{sid}/audit/export.csv").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(exported)))


def _study_with_history(app):
    """A second study (so database ids and round numbers differ) with a varied history."""
    with app.app_context():
        other = make_study(make_user("other@example.org"), title="Other", n_experts=4)
        user = make_user()
        user.name = "Ada Lovelace"
        study = make_study(user, n_experts=3)
        builder.update_study(study, actor_id=user.id, title="Arctic options",
                             briefing=study.briefing, languages=["en"], anchoring="after")
        option = study.options[2]
        questions.remove_option(option, actor_id=user.id)
        submit_round(study, 1, [(0.5, 1), (0.5, 2)])
        lifecycle.close_round(study, actor_id=user.id)
        lifecycle.launch_next_round(study, actor_id=user.id,
                                    closes_at=utcnow() + timedelta(days=3))
        assert study.rounds[-1].id != study.rounds[-1].number  # ids are not round numbers
        return {"study": study.id, "other": other.id, "user": user.id,
                "submitter": experts.pseudonyms(study.id)[study.experts[1].id]}


def test_who_is_a_name_a_pseudonym_or_the_system(app, client, auth):
    ids = _study_with_history(app)
    auth.login("owner@example.org", PASSWORD)
    rows = _csv(client, ids["study"])
    who = {r["who"] for r in rows}
    assert who == {"Ada Lovelace", "E002", "system"}
    expert_2 = next(r for r in rows if r["action"] == "response.submit")
    assert (expert_2["who"], expert_2["what"], expert_2["object"]) == (
        "E002", "Submitted answers", "Round 1 answers of E002")
    assert ids["submitter"] == "E002"  # the pseudonym of the exports and results pages
    assert "owner@example.org" not in {r["who"] for r in rows}


def test_objects_are_named_and_rounds_go_by_number(app, client, auth):
    ids = _study_with_history(app)
    auth.login("owner@example.org", PASSWORD)
    rows = _csv(client, ids["study"])
    by_action = {r["action"]: r for r in rows}
    assert by_action["round.close"]["object"] == "Round 1"
    assert by_action["round.launch"]["object"] in ("Round 1", "Round 2")
    launches = [r["object"] for r in rows if r["action"] == "round.launch"]
    assert launches == ["Round 1", "Round 2"]
    assert by_action["option.remove"]["object"] == "Option 3"  # gone, named from the details
    assert by_action["study.update"]["details"] == "title: Test study → Arctic options"
    # Nothing that reads like a database id: "user 3", "expert 5", "round 7".
    for row in rows:
        for column in ("who", "object", "details"):
            assert not re.search(r"\b(user|expert|round|response|invitation) \d+\b",
                                 row[column]), row


def test_one_line_per_moment_page_and_export(app, client, auth):
    ids = _study_with_history(app)
    with app.app_context():
        # Three e-mails delivered in the same second: one line, ×3.
        moment = utcnow().replace(microsecond=0)
        study = db.session.get(Study, ids["study"])
        for expert in study.experts:
            audit.record("mail.sent", actor_type="system", study_id=study.id,
                         details={"kind": "reminder", "expert_id": expert.id})
        db.session.commit()
        db.session.execute(update(AuditEvent).where(AuditEvent.action == "mail.sent")
                           .values(created_at=moment))
        db.session.commit()
    auth.login("owner@example.org", PASSWORD)
    [line] = [r for r in _csv(client, ids["study"]) if r["action"] == "mail.sent"]
    assert (line["events"], line["what"]) == ("3", "E-mail delivered")
    page = client.get(f"/studies/{ids['study']}/audit").get_data(as_text=True)
    assert page.count("E-mail delivered") == 1 and "×3" in page
    assert "<code>" not in page and "{&#34;" not in page  # no JSON dumps


def test_merged_lines_keep_each_objects_details(app):
    with app.app_context():
        study = make_study(make_user(), n_experts=3, launch=False)
        db.session.execute(update(AuditEvent).where(AuditEvent.action == "expert.add")
                           .values(created_at=utcnow().replace(microsecond=0)))
        db.session.commit()  # the same second, even on a slow machine
        [line] = [x for x in audit.page(study)[0] if x.action == "expert.add"]
        assert line.events == 3 and line.object == "E001, E002, E003"
        assert line.details == "E001: group: A | E002: group: B | E003: group: A"


def test_a_deleted_account_and_a_removed_option_still_read(app, client, auth):
    with app.app_context():
        user = make_user()
        study = make_study(user, launch=False)
        helper = make_user("helper@example.org")
        questions.add_option(study, title="Patrols", description="", actor_id=helper.id)
        db.session.delete(db.session.get(User, helper.id))
        db.session.delete(db.session.scalar(select(Option).where(Option.title == "Patrols")))
        db.session.commit()
        sid = study.id
    auth.login("owner@example.org", PASSWORD)
    [row] = [r for r in _csv(client, sid) if r["action"] == "option.add"]
    assert (row["who"], row["object"]) == ("a deleted account", "Patrols")
