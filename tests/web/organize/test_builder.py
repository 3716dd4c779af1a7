"""Study builder: create, edit, questions, safe-edit refusals, CSV and JSON import, delete."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import AuditEvent, Criterion, Judgment, Option, SeedQuestion, Study
from tests.factories import submit_scores


def _study(app, study_id) -> Study:
    return db.session.get(Study, study_id)


def _actions(app, study_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.study_id == study_id).order_by(AuditEvent.id)))


def test_create_study_then_edit_it(app, client, owner):
    response = client.post("/studies/new", data={
        "title": "Arctic options", "briefing": "## Why\n<script>alert(1)</script>",
        "languages": ["en", "fr"], "anchoring": "before"})
    assert response.status_code == 302
    with app.app_context():
        study = db.session.scalar(select(Study).where(Study.title == "Arctic options"))
        assert study.languages == ["en", "fr"] and study.anchoring == "before"
        study_id = study.id
    page = client.get(f"/studies/{study_id}").get_data(as_text=True)
    assert "Arctic options" in page and "your role: owner" in page
    response = client.post(f"/studies/{study_id}/edit", data={
        "title": "Arctic choices", "briefing": "Brief", "languages": ["en"],
        "anchoring": "after"})
    assert response.status_code == 302
    assert _actions(app, study_id) == ["study.create", "study.update"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.update"))
        assert event.details["before"]["title"] == "Arctic options"
        assert event.details["after"]["title"] == "Arctic choices"


def test_errors_keep_what_was_typed(app, client, owner):
    response = client.post("/studies/new", data={"title": "", "briefing": "My long briefing",
                                                 "languages": ["en"], "anchoring": "after"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "My long briefing" in page and "field-error" in page
    # the summary is the focus target of static/js/error-summary.js, loaded with it
    assert 'id="error-summary" tabindex="-1"' in page
    assert "js/error-summary.js" in page


def test_option_crud_before_any_answer(app, client, draft_owner):
    sid = draft_owner["study"]
    assert client.post(f"/studies/{sid}/options", data={"title": "Option 4",
                                                        "description": "Fourth"}).status_code == 302
    duplicate = client.post(f"/studies/{sid}/options", data={"title": "Option 4"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)
    with app.app_context():
        option = db.session.scalar(select(Option).where(Option.title == "Option 4"))
        option_id = option.id
    assert client.post(f"/studies/{sid}/options/{option_id}/edit",
                       data={"title": "Option four", "description": ""}).status_code == 302
    assert client.post(f"/studies/{sid}/options/{option_id}/delete",
                       data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Option, option_id) is None
    assert _actions(app, sid)[-3:] == ["option.add", "option.update", "option.remove"]


def test_answered_option_cannot_be_removed_or_reworded_only_retired(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = _study(app, sid)
        submit_scores(study, 1, [[(0.5, 1)] * 3])
        option_id = study.options[0].id
        judgments = db.session.scalar(select(func.count()).select_from(Judgment))
    refused = client.post(f"/studies/{sid}/options/{option_id}/delete", follow_redirects=True)
    assert "cannot be removed" in refused.get_data(as_text=True)
    reworded = client.post(f"/studies/{sid}/options/{option_id}/edit",
                           data={"title": "Something else", "description": ""})
    assert reworded.status_code == 422
    assert "wording is locked" in reworded.get_data(as_text=True)
    assert 'value="Something else"' in reworded.get_data(as_text=True)  # kept as typed
    assert client.post(f"/studies/{sid}/options/{option_id}/retire").status_code == 302
    with app.app_context():
        option = db.session.get(Option, option_id)
        assert option.title == "Option 1" and option.retired_after_round == 1
        assert db.session.scalar(select(func.count()).select_from(Judgment)) == judgments


def test_answered_scale_cannot_change_but_weight_can(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        study = _study(app, sid)
        submit_scores(study, 1, [[(0.5, 1)] * 3])
        impact_id = study.criteria[1].id
    base = {"name": "Impact", "question": "", "kind": "scale", "scale_min": "-3",
            "scale_max": "3", "scale_labels": "-3: Very harmful\n3: Very beneficial",
            "weight": "1"}
    wider = client.post(f"/studies/{sid}/criteria/{impact_id}/edit",
                        data={**base, "scale_min": "-5", "scale_max": "5"})
    assert wider.status_code == 422
    assert "scale_min, scale_max cannot change" in wider.get_data(as_text=True)
    assert client.post(f"/studies/{sid}/criteria/{impact_id}/edit",
                       data={**base, "weight": "2.5"}).status_code == 302
    refused = client.post(f"/studies/{sid}/criteria/{impact_id}/delete", follow_redirects=True)
    assert "cannot be removed" in refused.get_data(as_text=True)
    with app.app_context():
        criterion = db.session.get(Criterion, impact_id)
        assert (criterion.scale_min, criterion.scale_max, criterion.weight) == (-3, 3, 2.5)


def test_adding_an_option_while_experts_answer_is_refused(app, client, owner):
    sid = owner["study"]
    with app.app_context():
        submit_scores(_study(app, sid), 1, [[(0.5, 1)] * 3])
    response = client.post(f"/studies/{sid}/options", data={"title": "Late idea"})
    assert response.status_code == 422
    assert "close it first" in response.get_data(as_text=True)


def test_new_scale_criterion_with_labels_and_bad_labels(app, client, draft_owner):
    sid = draft_owner["study"]
    bad = client.post(f"/studies/{sid}/criteria/new", data={
        "name": "Risk", "kind": "scale", "scale_min": "0", "scale_max": "4",
        "scale_labels": "9: Off the scale", "weight": "-1"})
    assert bad.status_code == 422 and "outside the scale" in bad.get_data(as_text=True)
    good = client.post(f"/studies/{sid}/criteria/new", data={
        "name": "Risk", "kind": "scale", "scale_min": "0", "scale_max": "4",
        "scale_labels": "0: None\n4: Severe", "weight": "-1"})
    assert good.status_code == 302
    with app.app_context():
        risk = db.session.scalar(select(Criterion).where(Criterion.name == "Risk"))
        assert risk.scale_labels == {"0": "None", "4": "Severe"} and risk.weight == -1


def test_seed_realization_stays_editable_after_answers_and_out_of_the_audit(app, client,
                                                                          draft_owner):
    sid = draft_owner["study"]
    assert client.post(f"/studies/{sid}/seeds/new", data={
        "text": "ADIZ incursions in 2024?", "unit": "aircraft", "scale": "log",
        "realization": "3070"}).status_code == 302
    with app.app_context():
        seed = db.session.scalar(select(SeedQuestion))
        assert seed.realization == 3070
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seed.add"))
        assert "3070" not in json.dumps(event.details)


def test_options_csv_with_bad_rows_imports_nothing(app, client, draft_owner):
    sid = draft_owner["study"]
    data = "title,description\nNew A,first\n,missing title\nOption 1,duplicate\n"
    response = client.post(f"/studies/{sid}/options/import", data={
        "file": (io.BytesIO(data.encode()), "options.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Line 3" in page and "Line 4" in page and "already exists" in page
    with app.app_context():
        assert len(_study(app, sid).options) == 3
    good = "title;description\nNew A;first\nNew B;second\n"
    response = client.post(f"/studies/{sid}/options/import", data={
        "file": (io.BytesIO(good.encode("utf-8-sig")), "o.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert [o.title for o in _study(app, sid).options][-2:] == ["New A", "New B"]


def test_seeds_csv(app, client, draft_owner):
    sid = draft_owner["study"]
    data = "text,unit,scale,realization\nQ1,km,uni,12.5\nQ2,,log,-3\nQ3,,cubic,\n"
    response = client.post(f"/studies/{sid}/seeds/import", data={
        "file": (io.BytesIO(data.encode()), "s.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Line 3" in page and "positive" in page and "Line 4" in page
    with app.app_context():
        assert _study(app, sid).seed_questions == []


def test_json_export_import_round_trip(app, client, draft_owner):
    sid = draft_owner["study"]
    client.post(f"/studies/{sid}/seeds/new", data={"text": "Q", "unit": "t", "scale": "uni",
                                                    "realization": "5"})
    client.post(f"/studies/{sid}/consensus", data={"kind": "agreement", "criterion": "Impact",
                                                    "threshold": "0.7", "tolerance": "1"})
    exported = client.get(f"/studies/{sid}/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    response = client.post("/studies/import", data={
        "file": (io.BytesIO(exported.data), "study.json")}, content_type="multipart/form-data")
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert new_id != sid
    again = client.get(f"/studies/{new_id}/export.json").get_json()
    original = exported.get_json()
    # The same definition; the title marked as a copy since the owner already has it.
    assert again == {**original, "title": original["title"] + " (copy)"}


def test_import_rejects_other_json(app, client, owner):
    response = client.post("/studies/import", data={
        "file": (io.BytesIO(b'{"hello": 1}'), "x.json")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "not an elicit study" in response.get_data(as_text=True)
    response = client.post("/studies/import", data={
        "file": (io.BytesIO(b"\xff\xfe"), "x.json")}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_clone_copies_questions_but_no_panel_or_answers(app, client, owner):
    sid = owner["study"]
    response = client.post(f"/studies/{sid}/clone")
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        copy = _study(app, new_id)
        assert copy.title == "Copy of Test study"
        assert len(copy.options) == 3 and len(copy.criteria) == 2
        assert copy.experts == [] and copy.rounds == []


def test_delete_needs_the_title_and_is_soft(app, client, owner):
    sid = owner["study"]
    wrong = client.post(f"/studies/{sid}/delete", data={"confirm_title": "Test"})
    assert wrong.status_code == 422
    assert client.get(f"/studies/{sid}").status_code == 200
    assert client.post(f"/studies/{sid}/delete",
                       data={"confirm_title": "Test study"}).status_code == 302
    assert client.get(f"/studies/{sid}").status_code == 404
    with app.app_context():
        study = _study(app, sid)
        assert study.deleted_at is not None and len(study.options) == 3  # nothing erased


def test_consensus_rule_is_fixed_while_a_round_is_open(app, client, owner):
    sid = owner["study"]
    response = client.post(f"/studies/{sid}/consensus", data={
        "kind": "iqr", "criterion": "Impact", "threshold": "1", "reason": "Why not"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "close it before changing the rule" in page and "Round 1 is open" in page


def test_consensus_rule_validation_and_display(app, client, draft_owner):
    sid = draft_owner["study"]
    bad = client.post(f"/studies/{sid}/consensus", data={
        "kind": "iqr", "criterion": "Impact", "threshold": "99"})
    assert bad.status_code == 422 and "between 0 and 6" in bad.get_data(as_text=True)
    assert client.post(f"/studies/{sid}/consensus", data={
        "kind": "iqr", "criterion": "Impact", "threshold": "1"}).status_code == 302
    page = client.get(f"/studies/{sid}").get_data(as_text=True)
    assert "IQR of “Impact” is at most 1" in page


def test_mail_templates_need_the_link(app, client, owner):
    sid = owner["study"]
    bad = client.post(f"/studies/{sid}/mail", data={
        "invitation_subject": "Hi {name}", "invitation_body": "No link here {bogus}"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "{bogus}" in page and "must contain {link}" in page
    good = client.post(f"/studies/{sid}/mail", data={
        "invitation_subject": "Hi {name}", "invitation_body": "Your link: {link}"})
    assert good.status_code == 302
    with app.app_context():
        assert _study(app, sid).mail_templates == {
            "invitation": {"subject": "Hi {name}", "body": "Your link: {link}"}}
