"""Issue 18 item 9: job routes check the current role and the study's state every time."""

from __future__ import annotations

import pytest

from elicit.extensions import db
from elicit.models import Job, JobStatus, Membership, Study
from elicit.services import jobs
from elicit.services.accounts import team
from elicit.services.jobs import backends
from elicit.services.results import background
from tests.factories import PASSWORD


@pytest.fixture
def finished_export(app, ids, monkeypatch):
    """A finished export job started by the analyst, with its file on disk."""
    monkeypatch.setattr(backends, "submit", lambda *a: None)
    with app.app_context():
        job = jobs.enqueue("test-echo", parameters={"value": 2}, study_id=ids["study"],
                           user_id=ids["analyst"])
        folder = background.exports_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{job.id}.csv").write_text("a,b\n1,2\n")
        job = db.session.get(Job, job.id)
        job.status = JobStatus.FINISHED
        job.result = {"file": f"{job.id}.csv", "filename": "results.csv"}
        db.session.commit()
        return job.id


def _paths(job_id):
    return [f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}/download"]


def test_a_member_removed_from_the_team_loses_the_jobs_they_started(
        app, client, auth, ids, finished_export):
    auth.login("analyst@example.org", PASSWORD)
    for path in _paths(finished_export):
        response = client.get(path)
        response.close()
        assert response.status_code == 200, path
    with app.app_context():
        membership = Membership.query.filter_by(user_id=ids["analyst"],
                                                study_id=ids["study"]).one()
        team.remove_member(membership, actor_id=ids["owner"])
    for path in _paths(finished_export):
        assert client.get(path).status_code == 404, path


def test_nobody_reaches_a_deleted_studys_jobs(app, client, auth, ids, finished_export):
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        study.deleted_at = db.func.now()
        db.session.commit()
    for email in ("owner@example.org", "analyst@example.org"):
        auth.login(email, PASSWORD)
        for path in _paths(finished_export):
            assert client.get(path).status_code == 404, (email, path)
        auth.logout()
