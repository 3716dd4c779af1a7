"""Large rounds: the results URL answers 202 with a progress page, then 200 once computed."""

from __future__ import annotations

import io

import openpyxl
import pytest

from elicit.extensions import db
from elicit.models import Job
from elicit.services.jobs import backends
from elicit.services.results import dashboard
from tests.factories import PASSWORD


@pytest.fixture
def large(app):
    """Every round counts as large (more than one judgment row)."""
    app.config.update(RESULTS_INLINE_MAX_ROWS=1, EXPORTS_INLINE_MAX_ROWS=1,
                      JOBS_PROGRESS_INTERVAL=0)


def _jobs(app, kind):
    with app.app_context():
        return list(db.session.query(Job).filter_by(kind=kind))


def test_results_answer_202_with_a_progress_page_then_200(app, client, auth, ids, large,
                                                         threads):
    auth.login("analyst@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results?method=median"
    first = client.get(url)
    page = first.get_data(as_text=True)
    assert first.status_code == 202, page[:300]
    assert "<progress" in page and f'data-next="{url}"' in page
    assert f'content="3;url={url}"' in page  # without JS the results URL itself reloads
    threads()
    [job] = _jobs(app, "results")
    assert (job.status, job.progress) == ("finished", 1.0)
    assert job.parameters["method"] == "median" and job.result["url"] == url
    second = client.get(url)
    assert second.status_code == 200
    assert "Option 2" in second.get_data(as_text=True)
    assert len(_jobs(app, "results")) == 1  # served from the cache the job filled


def test_reloading_while_the_job_runs_joins_it(app, client, auth, ids, large, monkeypatch):

    monkeypatch.setattr(backends, "submit", lambda *a: None)  # the queue is slow today
    auth.login("owner@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results"
    assert client.get(url).status_code == 202
    assert client.get(url).status_code == 202
    assert len(_jobs(app, "results")) == 1


def test_small_rounds_answer_at_once_and_a_job_draws_their_charts(app, client, auth, ids,
                                                                  threads):
    auth.login("owner@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results"
    assert client.get(url).status_code == 200  # computed in the request, no progress page
    threads()  # the job drawing the charts in a thread
    assert [j.status for j in _jobs(app, "results")] == ["finished"]
    assert client.get(url).status_code == 200
    assert client.get(f"{url}/charts/forest.svg").status_code == 200
    assert len(_jobs(app, "results")) == 1  # cached: nothing computed or drawn again


def test_sync_backend_answers_at_once(app, client, auth, ids, large):
    auth.login("owner@example.org", PASSWORD)
    assert client.get(f"/studies/{ids['study']}/results").status_code == 200
    assert [j.status for j in _jobs(app, "results")] == ["finished"]


def test_a_failed_analysis_is_shown_not_restarted(app, client, auth, ids, large, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the bootstrap ran out of experts")

    monkeypatch.setattr(dashboard, "_compute", broken)
    auth.login("owner@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/results"
    response = client.get(url)
    assert response.status_code == 500
    assert "ValueError: the bootstrap ran out of experts" in response.get_data(as_text=True)
    assert client.get(url).status_code == 500
    assert len(_jobs(app, "results")) == 1  # shown again, not recomputed on every reload


def test_result_downloads_follow_the_same_protocol(app, client, auth, ids, large, threads):
    auth.login("owner@example.org", PASSWORD)
    url = f"/studies/{ids['study']}/downloads/results?format=xlsx"
    assert client.get(url).status_code == 202
    threads()
    response = client.get(url)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "ranking" in book.sheetnames


def test_large_raw_workbook_is_built_by_a_job_and_downloaded(app, client, auth, ids, large,
                                                             threads):
    import os
    from pathlib import Path

    old = Path(app.config["EXPORTS_DIR"]) / "old.xlsx"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x")
    os.utime(old, (0, 0))  # far older than EXPORTS_KEEP_DAYS
    auth.login("analyst@example.org", PASSWORD)
    response = client.get(f"/studies/{ids['study']}/downloads/judgments?format=xlsx")
    assert response.status_code == 202
    threads()
    [job] = _jobs(app, "export")
    assert job.status == "finished", job.error
    assert not old.exists()  # old exports are cleaned up
    body = client.get(f"/jobs/{job.id}.json").json
    assert body["result_url"] == f"/jobs/{job.id}/download"
    download = client.get(body["result_url"])
    assert download.status_code == 200
    assert 'filename=study' in download.headers["Content-Disposition"]
    data = download.data
    download.close()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["judgments"]
    assert sheet.max_row == 1 + 2 * 3 * 2  # header + experts × options × criteria
    auth.logout()
    auth.login("stranger@example.org", PASSWORD)
    assert client.get(body["result_url"]).status_code == 404
    # the streaming CSV stays a plain streamed download
    auth.logout()
    auth.login("analyst@example.org", PASSWORD)
    csv = client.get(f"/studies/{ids['study']}/downloads/judgments?format=csv")
    assert csv.status_code == 200 and csv.data.startswith(b"round,expert")


def test_api_results_answer_202_with_progress_then_200(app, client, ids, large, threads):
    import jsonschema

    from elicit.services.accounts import api_tokens

    with app.app_context():
        from elicit.models import User

        _, secret = api_tokens.issue_token(db.session.get(User, ids["analyst"]), "tests")
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/studies/{ids['study']}/results"
    first = client.get(url, headers=headers)
    assert first.status_code == 202 and first.headers["Retry-After"] == "2"
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/studies/{study_id}/results"]["get"]["responses"]["202"]
    jsonschema.validate(first.json, schema["content"]["application/json"]["schema"])
    threads()
    second = client.get(url, headers=headers)
    assert second.status_code == 200 and second.json["options"][0]["option"] == "Option 2"
