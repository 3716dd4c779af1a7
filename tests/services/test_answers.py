"""Saving and submitting answers through the service layer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from elicit.errors import InvalidLink, RoundClosed, ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, Judgment, Response, ResponseRevision
from elicit.services.common import tokens
from elicit.services.panel import experts
from elicit.services.responses import answering
from elicit.services.responses.inputs import AnswerSet, JudgmentInput
from elicit.services.rounds import lifecycle
from tests.factories import make_study


def _full_answers(study, best=0.5, impact=2.0) -> AnswerSet:
    likelihood, impact_c = study.criteria
    result = AnswerSet()
    for option in study.options:
        result.judgments[(option.id, likelihood.id)] = JudgmentInput(
            lowest=best - 0.1, best=best, highest=best + 0.1, confidence=0.8)
        result.judgments[(option.id, impact_c.id)] = JudgmentInput(value=impact)
    return result


def _invitation(study):
    return study.experts[0].invitations[0]


def test_link_token_resolves_to_its_invitation(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        token = tokens.token_for(invitation.token_nonce)
        assert len(token) >= 43  # 256 bits, base64url
        assert invitation.token_hash == tokens.hash_token(token)
        assert token not in invitation.token_hash
        assert answering.invitation_for_token(token).id == invitation.id
        assert experts.link_for(invitation).endswith("/r/" + token)


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "é" * 43, "a/b" * 20])
def test_unknown_tokens_are_invalid(app, token):
    with app.app_context():
        make_study()
        with pytest.raises(InvalidLink):
            answering.invitation_for_token(token)


def test_submit_twice_with_same_answers_keeps_one_version(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        answering.save_answers(invitation, _full_answers(study), submit=True)
        answering.save_answers(invitation, _full_answers(study), submit=True)
        response = answering.response_for(invitation)
        assert response.version == 1
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == 1
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_revision_keeps_history(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        answering.save_answers(invitation, _full_answers(study, best=0.5), submit=True)
        answering.save_answers(invitation, _full_answers(study, best=0.7), submit=True)
        response = answering.response_for(invitation)
        assert response.version == 2
        bests = [r.answers["judgments"][0]["best"] for r in response.revisions]
        assert bests == [0.5, 0.7]
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert "response.submit" in actions and "response.revise" in actions


def test_incomplete_submission_is_refused_but_draft_saved(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        partial = _full_answers(study)
        first_key = next(iter(partial.judgments))
        del partial.judgments[first_key]
        with pytest.raises(ValidationFailed) as info:
            answering.save_answers(invitation, partial, submit=True)
        assert f"o{first_key[0]}_c{first_key[1]}" in info.value.errors
        answering.save_answers(invitation, partial, submit=False)
        assert answering.response_for(invitation).status == "draft"
        assert db.session.scalar(select(func.count()).select_from(Judgment)) == \
            len(partial.judgments)


def test_abstention_counts_as_an_answer(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        full = _full_answers(study)
        key = next(iter(full.judgments))
        full.judgments[key] = JudgmentInput(abstained=True)
        answering.save_answers(invitation, full, submit=True)
        stored = answering.current_answers(answering.response_for(invitation))
        assert stored.judgments[key].abstained is True


@pytest.mark.parametrize("bad, message", [
    (JudgmentInput(lowest=0.6, best=0.5, highest=0.7, confidence=0.8), "lowest"),
    (JudgmentInput(lowest=0.1, best=0.5, highest=0.7, confidence=0.4), "Confidence"),
    (JudgmentInput(lowest=0.1, best=0.5, highest=1.7, confidence=0.8), "between"),
    (JudgmentInput(lowest=0.1, best=0.5), "all four"),
    (JudgmentInput(lowest=float("nan"), best=0.5, highest=0.7, confidence=0.8), "ordinary"),
])
def test_bad_likelihood_answers_are_refused(app, bad, message):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        full = _full_answers(study)
        key = (study.options[0].id, study.criteria[0].id)
        full.judgments[key] = bad
        with pytest.raises(ValidationFailed) as info:
            answering.save_answers(invitation, full, submit=False)
        assert message in info.value.errors[f"o{key[0]}_c{key[1]}"]


@pytest.mark.parametrize("value", [4.0, -4.0, 1.5])
def test_scale_answers_outside_the_scale_are_refused(app, value):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        full = _full_answers(study)
        key = (study.options[0].id, study.criteria[1].id)
        full.judgments[key] = JudgmentInput(value=value)
        with pytest.raises(ValidationFailed):
            answering.save_answers(invitation, full, submit=False)


def test_closed_round_refuses_answers(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        lifecycle.close_round(study)
        with pytest.raises(RoundClosed):
            answering.save_answers(invitation, _full_answers(study), submit=True)


# --- links, expertise, retired options --------------------------------------------------

def test_revoke_and_reissue_invitation(app):
    from elicit.services.panel import invitations

    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        old = tokens.token_for(invitation.token_nonce)
        invitations.revoke_invitation(invitation)
        with pytest.raises(InvalidLink) as info:
            answering.invitation_for_token(old)
        assert info.value.reason == "revoked"
        invitations.revoke_invitation(invitation)  # idempotent
        invitations.reissue_invitation(invitation)
        new = tokens.token_for(invitation.token_nonce)
        assert new != old and invitation.revoked_at is None
        assert answering.invitation_for_token(new).id == invitation.id
        with pytest.raises(InvalidLink):
            answering.invitation_for_token(old)
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("invitation.%")).order_by(AuditEvent.id)).all()
        assert actions == ["invitation.revoke", "invitation.reissue"]


def test_reissue_refused_once_the_round_is_closed(app):
    from elicit.errors import Conflict
    from elicit.services.panel import invitations

    with app.app_context():
        study = make_study()
        lifecycle.close_round(study)
        with pytest.raises(Conflict):
            invitations.reissue_invitation(_invitation(study))


def test_expertise_is_stored_with_the_rationale(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        full = _full_answers(study)
        option = study.options[0]
        full.expertise[option.id] = 5
        answering.save_answers(invitation, full, submit=True)
        stored = answering.current_answers(answering.response_for(invitation))
        assert stored.expertise[option.id] == 5
        assert answering.response_for(invitation).revisions[0].answers["expertise"] == \
            {str(option.id): 5}
        full.expertise[option.id] = 0
        with pytest.raises(ValidationFailed) as info:
            answering.save_answers(invitation, full, submit=True)
        assert f"o{option.id}_expertise" in info.value.errors


def test_retired_option_is_neither_required_nor_accepted(app):
    with app.app_context():
        study = make_study()
        submit_round_one = _invitation(study)
        answering.record_consent(submit_round_one)
        answering.save_answers(submit_round_one, _full_answers(study), submit=True)
        lifecycle.close_round(study)
        retired = study.options[0]
        retired.retired_after_round = 1
        db.session.commit()
        lifecycle.launch_next_round(study)
        invitation = study.experts[0].invitations[-1]
        assert invitation.round.number == 2
        answering.record_consent(invitation)
        active = _full_answers(study)
        with pytest.raises(ValidationFailed) as info:
            answering.save_answers(invitation, active, submit=True)
        assert set(info.value.errors) == {f"o{retired.id}_c{c.id}" for c in study.criteria}
        for criterion in study.criteria:
            del active.judgments[(retired.id, criterion.id)]
        assert answering.save_answers(invitation, active, submit=True).version == 1


def test_messages_outside_a_request_are_english(app):
    from elicit.services.responses.inputs import SeedInput
    from elicit.services.responses.rules import seed_errors

    with app.app_context():
        assert seed_errors(SeedInput(q05=3, q50=2, q95=1)) == \
            "The values must increase strictly: 5 % < 50 % < 95 %."


def test_snapshot_keeps_every_field_of_an_answer():
    """to_json lists the fields by hand (cheaper than asdict): a new field must be added there."""
    from dataclasses import fields

    from elicit.services.responses.inputs import SeedInput
    answers = AnswerSet(judgments={(1, 2): JudgmentInput(best=0.5, abstained=False)},
                        seeds={3: SeedInput(q05=1.0, q50=2.0, q95=3.0)})
    snapshot = answers.to_json()
    assert set(snapshot["judgments"][0]) == {"option_id", "criterion_id"} | {
        f.name for f in fields(JudgmentInput)}
    assert set(snapshot["seeds"][0]) == {"question_id"} | {f.name for f in fields(SeedInput)}
    assert snapshot["judgments"][0]["best"] == 0.5 and snapshot["seeds"][0]["q95"] == 3.0


def test_saving_again_updates_rows_in_place_and_removes_emptied_ones(app):
    with app.app_context():
        study = make_study()
        invitation = _invitation(study)
        answering.record_consent(invitation)
        first, second = study.options[0], study.options[1]
        likelihood, impact = study.criteria
        answers = _full_answers(study)
        answers.rationales[first.id] = "first thoughts"
        response = answering.save_answers(invitation, answers, submit=False)
        ids = {(j.option_id, j.criterion_id): j.id for j in response.judgments}
        assert len(ids) == 2 * len(study.options)  # the rows are loaded in this session
        answers.judgments[(first.id, impact.id)] = JudgmentInput(value=3.0)
        answers.judgments[(second.id, impact.id)] = JudgmentInput()  # emptied
        answers.rationales[first.id] = "second thoughts"
        response = answering.save_answers(invitation, answers, submit=False)
        rows = {(j.option_id, j.criterion_id): j for j in response.judgments}
        assert (second.id, impact.id) not in rows
        assert rows[(first.id, impact.id)].value == 3.0
        assert rows[(first.id, impact.id)].id == ids[(first.id, impact.id)]  # updated in place
        assert rows[(first.id, likelihood.id)].best == 0.5
        assert [c.rationale for c in response.comments if c.option_id == first.id] == \
            ["second thoughts"]
        db.session.expire_all()
        stored = answering.current_answers(answering.response_for(invitation))
        assert stored.judgments[(first.id, impact.id)].value == 3.0
        assert (second.id, impact.id) not in stored.judgments
        assert stored.rationales[first.id] == "second thoughts"
