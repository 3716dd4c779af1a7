"""A worker killed in the middle of a submission leaves all of it or none of it."""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.extensions import db
from elicit.models import Judgment, Response, ResponseRevision
from elicit.services.common import tokens
from tests.factories import make_study
from tests.reliability.server import Browser, gunicorn
from tests.reliability.test_concurrent_submissions import _answers

HERE = Path(__file__).resolve().parent


@pytest.mark.slow
def test_sigkill_during_submission_leaves_nothing_half_written(database_url, tmp_path):
    secret = secrets.token_hex(32)
    app = create_app({**settings_for_tests(), "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": secret})
    with app.app_context():
        study = make_study(n_options=3, n_experts=1)
        ids = {"options": [o.id for o in study.options],
               "criteria": [c.id for c in study.criteria]}
        token = tokens.token_for(study.experts[0].invitations[0].token_nonce)
        db.session.remove()
        db.engine.dispose()
    marker = tmp_path / "paused.pid"
    with gunicorn(database_url, secret, workers=1, config_file=HERE / "gunicorn_pause.py",
                  extra_env={"ELICIT_TEST_MARKER": str(marker)},
                  log_path=tmp_path / "gunicorn.log") as (base, _process):
        browser = Browser(base, timeout=30)
        browser.request(f"/r/{token}")
        browser.request("/respond/consent", {"consent": "y"})
        browser.request("/respond")
        outcome: dict = {}

        def submit_and_die():
            try:
                outcome["status"] = browser.request(
                    "/respond", _answers(ids, 0, 1),
                    headers={"X-Test-Pause-Before-Commit": "1"})[0]
            except OSError as exc:  # the connection dies with the worker
                outcome["error"] = exc

        thread = threading.Thread(target=submit_and_die)
        thread.start()
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the submission never reached COMMIT"
        os.kill(int(marker.read_text()), signal.SIGKILL)
        thread.join(timeout=40)
        assert "status" not in outcome or outcome["status"] >= 500

        with app.app_context():
            response = db.session.scalar(select(Response))
            assert response.status == "draft" and response.version == 0
            assert db.session.scalar(select(func.count()).select_from(Judgment)) == 0
            assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == 0
            db.session.remove()

        # gunicorn's master starts a new worker; the expert's retry succeeds once.
        retry = Browser(base)
        retry.request(f"/r/{token}")
        retry.request("/respond")
        status, page = retry.request("/respond", _answers(ids, 0, 1))
        assert status == 200, page[:500]
        with app.app_context():
            response = db.session.scalar(select(Response))
            assert response.status == "submitted" and response.version == 1
            assert db.session.scalar(select(func.count()).select_from(Judgment)) == 6
            db.session.remove()
            db.engine.dispose()
