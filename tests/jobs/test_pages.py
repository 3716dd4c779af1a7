"""The progress page and its JSON: who may see a job, what the page offers without JS."""

from __future__ import annotations

import re

import pytest

from elicit.models import Job
from elicit.services import jobs
from elicit.services.jobs import backends
from tests.factories import PASSWORD


@pytest.fixture
def queued_job(app, ids, monkeypatch):
    """A results job of the owner's study, still queued (nobody runs it)."""
    monkeypatch.setattr(backends, "submit", lambda *a: None)
    with app.app_context():
        return jobs.enqueue("test-echo", parameters={"value": 1}, study_id=ids["study"],
                            user_id=ids["owner"]).id


def test_owner_and_study_members_see_the_job_others_get_404(app, client, auth, queued_job):
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/jobs/{queued_job}")
    assert page.status_code == 200
    assert client.get(f"/jobs/{queued_job}.json").json["status"] == "queued"
    auth.logout()
    auth.login("analyst@example.org", PASSWORD)  # a member of the study
    assert client.get(f"/jobs/{queued_job}").status_code == 200
    auth.logout()
    auth.login("stranger@example.org", PASSWORD)
    assert client.get(f"/jobs/{queued_job}").status_code == 404
    assert client.get(f"/jobs/{queued_job}.json").status_code == 404
    assert client.get(f"/jobs/{queued_job}/download").status_code == 404
    assert client.get("/jobs/not-a-job").status_code == 404
    auth.logout()
    assert client.get(f"/jobs/{queued_job}.json").status_code == 401
    assert "/login" in client.get(f"/jobs/{queued_job}").headers["Location"]


def test_a_job_without_study_is_visible_to_its_starter_only(app, client, auth, ids,
                                                           monkeypatch):
    monkeypatch.setattr(backends, "submit", lambda *a: None)
    with app.app_context():
        job_id = jobs.enqueue("test-echo", parameters={}, user_id=ids["analyst"]).id
    auth.login("analyst@example.org", PASSWORD)
    assert client.get(f"/jobs/{job_id}.json").status_code == 200
    auth.logout()
    auth.login("owner@example.org", PASSWORD)
    assert client.get(f"/jobs/{job_id}.json").status_code == 404


def test_page_has_a_labelled_bar_live_status_and_a_no_js_refresh(client, auth, queued_job):
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/jobs/{queued_job}").get_data(as_text=True)
    assert '<label for="job-progress">' in page and '<progress id="job-progress"' in page
    assert 'aria-live="polite"' in page and 'role="status"' in page
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="3;url=([^"]+)">', page)
    assert refresh and refresh.group(1) == f"/jobs/{queued_job}"
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/js/progress.js" defer>']  # no inline script (CSP)
    assert f'data-status-url="/jobs/{queued_job}.json"' in page
    assert "Back to the study" in page


def test_finished_job_json_and_page_link_to_the_result(app, client, auth, ids):
    with app.app_context():
        job_id = jobs.enqueue("test-echo", parameters={"value": 5}, study_id=ids["study"],
                              user_id=ids["owner"]).id
        from elicit.extensions import db

        db.session.get(Job, job_id).result = {"url": "/studies/1/results"}
        db.session.commit()
    auth.login("owner@example.org", PASSWORD)
    body = client.get(f"/jobs/{job_id}.json").json
    assert body["status"] == "finished" and body["progress"] == 1.0 and body["done"]
    assert body["result_url"] == "/studies/1/results"
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "http-equiv" not in page  # done: no more reloading
    assert 'href="/studies/1/results"' in page


def test_failed_job_shows_its_error(app, client, auth, ids):
    with app.app_context():
        job_id = jobs.enqueue("test-fail", parameters={"value": "z"}, study_id=ids["study"],
                              user_id=ids["owner"]).id
    auth.login("owner@example.org", PASSWORD)
    body = client.get(f"/jobs/{job_id}.json").json
    assert body["status"] == "failed" and body["error"] == "RuntimeError: boom z"
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "This job failed." in page and "RuntimeError: boom z" in page


def test_progress_page_in_french(app, client, auth, queued_job):
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/jobs/{queued_job}", headers={"Accept-Language": "fr"})
    assert "Progression" in page.get_data(as_text=True)
