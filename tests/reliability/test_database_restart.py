"""PostgreSQL restarts under load: clear 503s during the outage, recovery without an app restart.

Marked `serial`: restarting the server would break tests running beside it,
so `make test` runs this after the parallel part of the suite.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.extensions import db
from elicit.services.common import tokens
from tests.factories import make_study
from tests.reliability.server import Browser, gunicorn
from tests.reliability.test_concurrent_submissions import _answers


def _pg_ctl(action: str) -> None:
    """Stop or start the local cluster the way this machine started it."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    if action == "stop":
        command.append("--mode=fast")
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@pytest.mark.serial
@pytest.mark.slow
def test_requests_during_a_postgres_restart_get_503_and_service_recovers(
        postgres_database, tmp_path):
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").exists():
        pytest.skip("needs a local PostgreSQL cluster managed by pg_ctlcluster")
    from tests.conftest import _truncate_all
    _truncate_all(postgres_database)
    secret = secrets.token_hex(32)
    app = create_app({**settings_for_tests(), "SQLALCHEMY_DATABASE_URI": postgres_database,
                      "SECRET_KEY": secret})
    with app.app_context():
        study = make_study(n_options=3, n_experts=2)
        ids = {"options": [o.id for o in study.options],
               "criteria": [c.id for c in study.criteria]}
        links = [tokens.token_for(e.invitations[0].token_nonce) for e in study.experts]
        db.session.remove()
        db.engine.dispose()

    with gunicorn(postgres_database, secret, workers=2,
                  log_path=tmp_path / "gunicorn.log") as (base, _process):
        browser = Browser(base, timeout=10)
        assert browser.request("/readyz")[0] == 200
        browser.request(f"/r/{links[0]}")
        browser.request("/respond/consent", {"consent": "y"})

        _pg_ctl("stop")
        try:
            ready = browser.request("/readyz")
            form_status, form_page = browser.request("/respond")
            login_status, _ = browser.request("/login")  # needs no database at all
        finally:
            _pg_ctl("start")
        assert ready[0] == 503
        assert form_status == 503 and "Temporarily unavailable" in form_page
        assert "answers were not lost" in form_page
        assert login_status == 200

        deadline = time.monotonic() + 30
        while browser.request("/readyz")[0] != 200:
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.5)
        browser.request("/respond")
        status, _ = browser.request("/respond", _answers(ids, 0, 1))
        assert status == 200
