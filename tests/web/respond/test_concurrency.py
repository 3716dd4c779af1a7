"""Two submissions at the same moment (double click, retry, two tabs), on both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import AuditEvent, Judgment, Response, ResponseRevision
from tests.factories import link_token, make_study
from tests.web.respond.helpers import consent, full_form, ids_of, open_link


def _race(calls):
    """Run the callables at the same moment on separate threads; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def _two_tabs(app):
    with app.app_context():
        study = make_study()
        ids, token = ids_of(study), link_token(study)
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        open_link(tab, token)
    return ids, tabs


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_identical_submits_store_one_response(app, attempt):
    ids, tabs = _two_tabs(app)
    _race([lambda tab=tab: tab.post("/respond/consent", data={"consent": "y"}) for tab in tabs])
    data = full_form(ids, best=45)
    results = _race([lambda tab=tab: tab.post("/respond", data=data) for tab in tabs])
    assert [r.status_code for r in results] == [303, 303]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == 1
        assert db.session.scalar(select(func.count()).select_from(Judgment)) == 6
        response = db.session.scalar(select(Response))
        assert (response.version, response.status) == (1, "submitted")
        assert response.round.data_version == 1  # results were invalidated once, not twice
        actions = sorted(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("response.%"))))
        assert actions == ["response.consent", "response.resubmit_unchanged",
                           "response.submit"]


def test_concurrent_different_submits_keep_both_versions(app):
    ids, tabs = _two_tabs(app)
    consent(tabs[0])
    forms = [full_form(ids, best=30), full_form(ids, best=70)]
    results = _race([lambda tab=tab, f=f: tab.post("/respond", data=f)
                     for tab, f in zip(tabs, forms, strict=True)])
    assert [r.status_code for r in results] == [303, 303]
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.version == 2
        bests = sorted(r.answers["judgments"][0]["best"] for r in response.revisions)
        assert bests == [0.3, 0.7]
        current = {j.best for j in response.judgments if j.best is not None}
        last = response.revisions[-1].answers["judgments"][0]["best"]
        assert current == {last}  # what is stored is exactly the latest version
        assert response.round.data_version == 2


def test_concurrent_submits_by_two_experts_both_invalidate_results(app):
    with app.app_context():
        study = make_study()
        ids, tokens_ = ids_of(study), [link_token(study, 0), link_token(study, 1)]
    experts = [app.test_client(), app.test_client()]
    for client, token in zip(experts, tokens_, strict=True):
        open_link(client, token)
        consent(client)
    results = _race([lambda c=c: c.post("/respond", data=full_form(ids)) for c in experts])
    assert [r.status_code for r in results] == [303, 303]
    with app.app_context():
        response = db.session.scalars(select(Response)).first()
        assert response.round.data_version == 2  # no lost increment
