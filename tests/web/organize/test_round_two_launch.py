"""Round 2 and later: a refusal naming its fix; the consensus rule changed between rounds."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, Study
from elicit.services.rounds import lifecycle
from elicit.services.studies import builder, consensus, questions
from tests.factories import submit_scores

RETIRE_LABEL = "Stop asking options that reached consensus last round"
# Every option's Impact answers agree (IQR 0): all reach consensus under "IQR <= 1".
AGREED = [[(0.5, 1), (0.5, 2), (0.5, -1)]] * 3


def _study(sid) -> Study:
    return db.session.get(Study, sid)


def _round_one_agreed(app, client, sid):
    assert client.post(f"/studies/{sid}/consensus", data={
        "kind": "iqr", "criterion": "Impact", "threshold": "1"}).status_code == 302
    client.post(f"/studies/{sid}/rounds/launch", data={"closes_at": ""}).close()
    with app.app_context():
        submit_scores(_study(sid), 1, AGREED)
    assert client.post(f"/studies/{sid}/rounds/close", data={"confirm": "yes"}).status_code == 302


def test_all_options_at_consensus_the_refusal_points_at_the_checkbox(app, client, draft_owner):
    sid = draft_owner["study"]
    _round_one_agreed(app, client, sid)
    page = client.get(f"/studies/{sid}/rounds/launch").get_data(as_text=True)
    assert 'id="all-met"' in page and f"untick <strong>{RETIRE_LABEL}</strong>" in page
    refused = client.post(f"/studies/{sid}/rounds/launch", data={"retire_consensus": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="retire_consensus-error"' in page
    assert f"untick “{RETIRE_LABEL}”" in page
    assert 'aria-describedby="retire_consensus-error"' in page
    with app.app_context():
        assert [o.retired_after_round for o in _study(sid).options] == [None] * 3
        assert len(_study(sid).rounds) == 1
    # The fix works: unticked, round 2 asks every option again.
    assert client.post(f"/studies/{sid}/rounds/launch", data={"closes_at": ""}).status_code \
        == 302
    with app.app_context():
        assert _study(sid).rounds[-1].number == 2


def test_options_retired_by_hand_still_say_reinstate(app, draft_owner):
    with app.app_context():
        study = _study(draft_owner["study"])
        lifecycle.launch_next_round(study)
        lifecycle.close_round(study)
        for option in study.options:
            questions.retire_option(option, actor_id=draft_owner["user"], after_round=1)
        with pytest.raises(Conflict, match="Reinstate an option"):
            lifecycle.launch_next_round(study)


def test_the_rule_changes_between_rounds_as_a_recorded_protocol_change(app, client,
                                                                      draft_owner):
    sid = draft_owner["study"]
    _round_one_agreed(app, client, sid)
    new_rule = {"kind": "agreement", "criterion": "Impact", "threshold": "0.9",
                "tolerance": "0.5"}
    form = client.get(f"/studies/{sid}/consensus").get_data(as_text=True)
    assert "protocol change" in form and 'name="reason"' in form
    missing = client.post(f"/studies/{sid}/consensus", data=new_rule)
    assert missing.status_code == 422 and 'id="reason-error"' in missing.get_data(as_text=True)
    same = client.post(f"/studies/{sid}/consensus", data={
        "kind": "iqr", "criterion": "Impact", "threshold": "1", "reason": "No change"})
    assert same.status_code == 422 and "already in force" in same.get_data(as_text=True)
    saved = client.post(f"/studies/{sid}/consensus",
                        data={**new_rule, "reason": "The panel found the IQR rule too lax."})
    assert saved.status_code == 302
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "study.consensus_rule",
            AuditEvent.study_id == sid).order_by(AuditEvent.id.desc()).limit(1))
        assert event.details["protocol_change"] is True
        assert event.details["after_round"] == 1
        assert event.details["reason"] == "The panel found the IQR rule too lax."
        [change] = consensus.protocol_changes(_study(sid))
        assert change.before.startswith("Consensus on an option when the IQR")
        assert change.after.startswith("Consensus on an option when at least 90%")
    # In the audit log, readable; in the methods report, with its reason.
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/studies/{sid}/audit/export.csv").get_data(as_text=True))))
    [row] = [r for r in rows if r["action"] == "study.consensus_rule" and "reason" in
             r["details"]]
    assert row["what"] == "Changed the consensus rule"
    assert "kind: iqr → agreement" in row["details"] and "after round: 1" in row["details"]
    report = client.get(f"/studies/{sid}/downloads/report?round=1").get_data(as_text=True)
    assert "Protocol changes" in report and "After round 1" in report
    assert "The panel found the IQR rule too lax." in report
    # Round 2 is judged by the new rule: Impact answers 1,1,1 agree within 0.5 of the median.
    assert client.post(f"/studies/{sid}/rounds/launch",
                       data={"retire_consensus": "y"}).status_code == 422  # all still met
    with app.app_context():
        assert consensus.describe(_study(sid).consensus_rule).startswith(
            "Consensus on an option when at least 90%")


def test_before_round_one_the_rule_changes_freely(app, draft_owner):
    with app.app_context():
        study = _study(draft_owner["study"])
        builder.set_consensus_rule(study, {"kind": "iqr", "criterion": "Impact",
                                           "threshold": 1}, actor_id=draft_owner["user"])
        builder.set_consensus_rule(study, {"kind": "iqr", "criterion": "Impact",
                                           "threshold": 2}, actor_id=draft_owner["user"])
        assert consensus.protocol_changes(study) == []


def test_a_reason_too_long_is_refused_next_to_the_field(app, draft_owner):
    with app.app_context():
        study = _study(draft_owner["study"])
        lifecycle.launch_next_round(study)
        lifecycle.close_round(study)
        with pytest.raises(ValidationFailed) as refused:
            builder.set_consensus_rule(study, {"kind": "iqr", "criterion": "Impact",
                                               "threshold": 2}, actor_id=draft_owner["user"],
                                       reason="x" * 20_000)
        assert "reason" in refused.value.messages
