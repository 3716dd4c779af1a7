"""Issue 18 item 2: concurrent API reads on SQLite never fail because authentication writes.

8 clients, each with its own token, make 40 API reads each at once against
gunicorn with 4 workers on the default database (SQLite): all 320 answer 200.
Recording a token's last use used to write inside the read's transaction, and
SQLite cannot upgrade a read snapshot another connection has committed past:
14-49 % of such reads answered 503.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.extensions import db
from elicit.models import ApiToken
from elicit.services.accounts import api_tokens
from tests.factories import make_study, make_user, submit_round
from tests.reliability.server import gunicorn

CLIENTS, READS = 8, 40
PORT = 8141  # this branch's port range (8140-8149)


def _read(base: str, secret: str, path: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310 - our server
            json.loads(reply.read())
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def _client(base: str, secret: str, study_id: int) -> list[int]:
    paths = [f"/api/v1/studies/{study_id}", f"/api/v1/studies/{study_id}/rounds",
             f"/api/v1/studies/{study_id}/options", "/api/v1/studies"]
    return [_read(base, secret, paths[n % len(paths)]) for n in range(READS)]


@pytest.mark.slow
def test_eight_clients_reading_the_api_at_once_all_get_200(database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the lock upgrade failure is SQLite's (PostgreSQL never failed)")
    secret_key = secrets.token_hex(32)
    app = create_app({**settings_for_tests(), "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": secret_key})
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        submit_round(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        secrets_ = [api_tokens.issue_token(owner, f"client {n}")[1] for n in range(CLIENTS)]
        study_id = study.id
        db.session.remove()
        db.engine.dispose()

    with gunicorn(database_url, secret_key, workers=4, port=PORT,
                  log_path=tmp_path / "gunicorn.log") as (base, _process):
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(lambda s: _client(base, s, study_id), secrets_))

    statuses = [status for client in results for status in client]
    assert len(statuses) == CLIENTS * READS
    assert statuses.count(200) == CLIENTS * READS, sorted(set(statuses))
    with app.app_context():  # the last use is still recorded, once per token at least
        assert all(t.last_used_at is not None for t in db.session.scalars(
            db.select(ApiToken)))
