"""The database itself protects the data: constraints hold on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from elicit.extensions import db
from elicit.models import Criterion, Judgment, Response
from elicit.models.base import utcnow
from tests.factories import make_study


def _response(study, expert_index=0):
    expert = study.experts[expert_index]
    return Response(expert_id=expert.id, round_id=study.rounds[0].id)


def test_duplicate_response_for_expert_and_round_is_rejected(app):
    with app.app_context():
        study = make_study()
        db.session.add(_response(study))
        db.session.commit()
        db.session.add(_response(study))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_duplicate_judgment_is_rejected(app):
    with app.app_context():
        study = make_study()
        response = _response(study)
        db.session.add(response)
        db.session.flush()
        option, criterion = study.options[0], study.criteria[1]
        for _ in range(2):
            db.session.add(Judgment(response_id=response.id, option_id=option.id,
                                    criterion_id=criterion.id, value=1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.parametrize("fields", [
    {"confidence": 0.3, "lowest": 0.1, "best": 0.2, "highest": 0.3},
    {"confidence": 1.5, "lowest": 0.1, "best": 0.2, "highest": 0.3},
    {"lowest": -0.1},
    {"highest": 1.01},
    {"lowest": 0.5, "best": 0.4, "highest": 0.6},
    {"abstained": True, "value": 2},
])
def test_out_of_range_judgment_is_rejected(app, fields):
    with app.app_context():
        study = make_study()
        response = _response(study)
        db.session.add(response)
        db.session.flush()
        db.session.add(Judgment(response_id=response.id, option_id=study.options[0].id,
                                criterion_id=study.criteria[0].id, **fields))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_submitted_response_needs_a_submission_time(app):
    with app.app_context():
        study = make_study()
        response = _response(study)
        response.status = "submitted"
        db.session.add(response)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        response = _response(study)
        response.status, response.submitted_at = "submitted", utcnow()
        db.session.add(response)
        db.session.commit()


def test_scale_criterion_needs_ordered_bounds(app):
    with app.app_context():
        study = make_study()
        db.session.add(Criterion(study_id=study.id, position=9, name="Bad", kind="scale",
                                 scale_min=3, scale_max=-3))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_expert_with_answers_cannot_be_deleted(app):
    with app.app_context():
        study = make_study()
        db.session.add(_response(study))
        db.session.commit()
        db.session.execute(db.text("DELETE FROM invitations"))
        with pytest.raises(IntegrityError):
            db.session.execute(db.text("DELETE FROM experts WHERE id = :id"),
                               {"id": study.experts[0].id})
            db.session.commit()
        db.session.rollback()
