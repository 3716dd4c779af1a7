"""Cooke robustness tables: inline for small rounds, a background job for large ones."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import cooke
from elicit.extensions import db
from elicit.models import Job, SeedQuestion, Study
from elicit.services.jobs import backends
from elicit.services.results import calibration


def _url(study_id: int) -> str:
    return f"/studies/{study_id}/results/calibration/robustness"


def _rows(page: str, caption: str) -> list[tuple[str, float]]:
    """(removed, combined score) of each row of the table with this caption."""
    table = page[page.index(caption):]
    table = table[:table.index("</table>")]
    return [(name, float(score)) for name, score in re.findall(
        r'<th scope="row">([^<]+)</th>(?:<td class="num">[^<]*</td>){3}'
        r'<td class="num">([\d.]+)</td>', table)]


def _expected(app, study_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    with app.app_context():
        round_ = db.session.get(Study, study_id).current_round
        study = cooke.study_from_seed_frame(calibration.seed_frame(round_))
    return cooke.leave_one_item_out(study), cooke.leave_one_expert_out(study)


def test_small_round_shows_both_tables_at_once(app, client, demo_study):
    response = client.get(_url(demo_study))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    questions, experts = _expected(app, demo_study)
    shown_questions = _rows(page, "one calibration question left out")
    shown_experts = _rows(page, "one expert left out (pseudonyms)")
    assert [name for name, _ in shown_questions] == ["Q1", "Q2", "Q3"]
    assert [name for name, _ in shown_experts] == list(experts.index)
    assert [s for _, s in shown_questions] == pytest.approx(questions["combined"], abs=1e-4)
    assert [s for _, s in shown_experts] == pytest.approx(experts["combined"], abs=1e-4)
    assert "@example.org" not in page and "Amélie" not in page
    with app.app_context():
        assert db.session.query(Job).filter_by(kind="robustness").count() == 0


def test_calibration_page_links_to_the_robustness_tables(client, demo_study):
    page = client.get(f"/studies/{demo_study}/results/calibration").get_data(as_text=True)
    assert "/results/calibration/robustness?round=1" in page


def test_large_round_answers_202_then_200_from_the_job(app, client, demo_study, monkeypatch):
    from elicit.services import jobs

    app.config.update(ROBUSTNESS_INLINE_MAX_ANSWERS=1, JOBS_PROGRESS_INTERVAL=0)
    queued: list[str] = []
    # Hold the job in the queue until the test runs it: a worker could otherwise finish
    # these small tables before the first page is written, and that page would be a 200.
    monkeypatch.setattr(backends, "submit", lambda app, job_id, kind: queued.append(job_id))
    first = client.get(_url(demo_study))
    assert first.status_code == 202
    assert "<progress" in first.get_data(as_text=True)
    assert "Testing the robustness of the weights" in first.get_data(as_text=True)
    assert client.get(_url(demo_study)).status_code == 202  # a reload joins the queued job
    [job_id] = queued
    with app.app_context():
        jobs.run_job(job_id)
        [job] = db.session.query(Job).filter_by(kind="robustness").all()
        assert (job.status, job.progress) == ("finished", 1.0)
        assert job.result["removals"] == 3 + 6
    second = client.get(_url(demo_study))
    assert second.status_code == 200
    _, experts = _expected(app, demo_study)
    assert len(_rows(second.get_data(as_text=True), "one expert left out")) == len(experts)
    with app.app_context():
        assert db.session.query(Job).filter_by(kind="robustness").count() == 1


def test_a_corrected_realization_gives_new_tables(app, client, demo_study):
    before = _rows(client.get(_url(demo_study)).get_data(as_text=True),
                   "one calibration question left out")
    with app.app_context():
        question = db.session.query(SeedQuestion).filter_by(study_id=demo_study,
                                                            position=1).one()
        question.realization = question.realization * 3 + 1
        db.session.commit()
    after = _rows(client.get(_url(demo_study)).get_data(as_text=True),
                  "one calibration question left out")
    assert [s for _, s in after] != [s for _, s in before]
    questions, _ = _expected(app, demo_study)
    assert [s for _, s in after] == pytest.approx(questions["combined"], abs=1e-4)


def test_a_study_without_calibration_questions_has_no_robustness_page(app, client, auth, ids):
    from tests.factories import PASSWORD

    auth.login("owner@example.org", PASSWORD)
    assert client.get(_url(ids["study"])).status_code == 404


def test_strangers_get_404(app, client, auth, demo_study):
    from tests.factories import PASSWORD, make_user

    with app.app_context():
        make_user("someone-else@example.org")
    auth.logout()
    auth.login("someone-else@example.org", PASSWORD)
    assert client.get(_url(demo_study)).status_code == 404
