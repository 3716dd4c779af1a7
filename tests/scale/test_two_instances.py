"""Two gunicorn instances on one PostgreSQL and one Redis behave as one site.

The reference deployment of docs/operations/deploy.md in miniature: two instances of
`wsgi:app` on two 127.0.0.1 ports, one PostgreSQL database, one Redis (rate
limits, results cache, job queue) and one `flask worker`. Then:

- 100 experts submit at once, each opening the link and consenting on one
  instance and answering on the other (the session lives in the signed
  cookie); every submission is stored exactly once;
- failed logins counted on instance A and then B hit one shared limit;
- a results job too large to run inside a request goes through the queue to
  the worker, its progress polled on both instances rising to 100 %, and
  both instances then serve the page from the shared cache.

Without Redis (the `make run` case) one instance keeps the same promises in
process memory: limits, cache and a job thread. This test needs PostgreSQL
and Redis; under CI=true a missing one fails the run instead of skipping.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.extensions import db
from elicit.models import Job, JobStatus, Judgment, Response, ResponseRevision
from elicit.services.common import tokens
from elicit.services.results import cache as results_cache
from elicit.settings_table import default_settings
from tests.conftest import _truncate_all
from tests.factories import PASSWORD, make_study, make_user
from tests.reliability.server import ROOT, Browser, gunicorn, stop

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

N_EXPERTS = 100
FALLBACK_EXPERTS = 30  # one worker: fewer, still over RESULTS_INLINE_MAX_ROWS below
N_OPTIONS = 3
REDIS_TEST = os.environ.get("REDIS_URL_TEST", "redis://127.0.0.1:6379/0")
JOB_STATUS = re.compile(r"/jobs/([0-9a-f-]{36})\.json")


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    """The test Redis; a failure under CI=true, a skip elsewhere, when it does not answer."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Redis does not answer on {REDIS_TEST}")
        pytest.skip(f"Redis is not available on {REDIS_TEST}")
    return REDIS_TEST


@pytest.fixture
def site(postgres_database, tmp_path):
    """A fresh PostgreSQL database with a launched 100-expert study; the tokens."""
    _truncate_all(postgres_database)
    secret = secrets.token_hex(32)
    app = create_app({**settings_for_tests(), "SQLALCHEMY_DATABASE_URI": postgres_database,
                      "SECRET_KEY": secret})
    with app.app_context():
        owner = make_user("owner@example.org")
        make_user("victim@example.org")
        study = make_study(owner, n_options=N_OPTIONS, n_experts=N_EXPERTS)
        ids = {"study": study.id, "options": [o.id for o in study.options],
               "criteria": [c.id for c in study.criteria],
               "tokens": [tokens.token_for(e.invitations[0].token_nonce)
                          for e in study.experts]}
        db.session.remove()
    yield app, secret, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def redis_namespace(redis_url: str, database_url: str) -> Iterator[dict[str, str]]:
    """Settings giving this test its own keys in the shared Redis; removed afterwards."""
    import redis
    from rq import Queue

    tag = uuid.uuid4().hex[:10]
    env = {"REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": "",
           "RATELIMIT_KEY_PREFIX": f"elicit-test-{tag}", "JOBS_QUEUE_PREFIX": f"elicit-test-{tag}"}
    cache = results_cache.make_backend({**default_settings("instance"), "REDIS_URL": redis_url,
                                        "SQLALCHEMY_DATABASE_URI": database_url})
    cache.clear()  # the session database is reused: ids restart, old entries must go
    try:
        yield env
    finally:
        cache.clear()
        client = redis.Redis.from_url(redis_url)
        for suffix in ("default", "mail"):
            Queue(f"elicit-test-{tag}-{suffix}", connection=client).delete(delete_jobs=True)
        for key in client.scan_iter(f"*elicit-test-{tag}*"):
            client.delete(key)


@contextmanager
def worker(database_url: str, secret: str, env: dict[str, str], log_path: Path):
    """`flask worker` on this test's queues, stopped (warm shutdown) afterwards."""
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret, **env},
        stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process, timeout=30)
        log.close()


# --- what the clients do -------------------------------------------------------------------


def _answers(ids: dict, expert: int) -> dict[str, str]:
    likelihood, impact = ids["criteria"]
    data = {"action": "submit"}
    for n, option in enumerate(ids["options"]):
        best = (expert * 7 + n * 13) % 80 + 10
        prefix = f"o{option}_c{likelihood}"
        data |= {f"{prefix}_lowest": str(best - 5), f"{prefix}_highest": str(best + 5),
                 f"{prefix}_best": str(best), f"{prefix}_confidence": "80"}
        data[f"o{option}_c{impact}_value"] = str((expert + n) % 7 - 3)
    return data


def expert_across(bases: list[str], token: str, ids: dict, expert: int) -> list[int]:
    """Open the link and consent on one instance, then answer and submit on the other."""
    first, second = bases[expert % 2], bases[(expert + 1) % 2]
    browser = Browser(first)
    statuses = [browser.request(f"/r/{token}")[0],
                browser.request("/respond/consent", {"consent": "y"})[0]]
    browser.base = second
    statuses.append(browser.request("/respond")[0])
    status, page = browser.request("/respond", _answers(ids, expert))
    statuses.append(status if "/respond/answers.json" in page else -status)  # the done page
    return statuses


def failed_logins(browsers: list[Browser], email: str) -> list[int]:
    """One wrong-password attempt per browser given, in order; the HTTP statuses."""
    for browser in set(browsers):
        browser.request("/login")  # a CSRF token for this browser
    return [browser.request("/login", {"email": email, "password": "not the password"})[0]
            for browser in browsers]


def signed_in(base: str) -> Browser:
    browser = Browser(base)
    browser.request("/login")
    status, page = browser.request("/login", {"email": "owner@example.org",
                                              "password": PASSWORD})
    assert status == 200 and "Sign out" in page, status
    return browser


def follow_results_job(bases: list[str], study_id: int, timeout: float = 300
                       ) -> tuple[list[float], dict]:
    """Ask for the results (202 and a job), then poll the job on both instances until done."""
    owner = signed_in(bases[0])
    status, page = owner.request(f"/studies/{study_id}/results")
    assert status == 202, status
    job_id = JOB_STATUS.search(page).group(1)
    seen: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owner.base = bases[len(seen) % 2]  # the balancer may send each poll anywhere
        status, text = owner.request(f"/jobs/{job_id}.json")
        assert status == 200, status
        body = json.loads(text)
        seen.append(body["progress"])
        if body["done"]:
            return seen, body
        time.sleep(0.1)
    raise AssertionError(f"the results job did not finish in {timeout} s: {seen[-5:]}")


# --- checks --------------------------------------------------------------------------------


def assert_each_submission_stored_once(app, ids: dict, n_experts: int) -> None:
    with app.app_context():
        per_expert = db.session.execute(
            select(Response.expert_id, func.count()).group_by(Response.expert_id)).all()
        assert len(per_expert) == n_experts and {n for _, n in per_expert} == {1}
        assert set(db.session.scalars(select(Response.status))) == {"submitted"}
        assert set(db.session.scalars(select(Response.version))) == {1}
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) \
            == n_experts
        assert db.session.scalar(select(func.count()).select_from(Judgment)) \
            == n_experts * N_OPTIONS * len(ids["criteria"])
        db.session.remove()


def assert_progress_rose_to_the_end(seen: list[float], body: dict) -> None:
    assert body["status"] == JobStatus.FINISHED, body
    assert seen == sorted(seen), seen  # never went backwards, whichever instance answered
    assert seen[-1] == 1.0
    assert any(0 < p < 1 for p in seen), seen  # observed while running, not only at the end


def _instance_env(extra: dict[str, str]) -> dict[str, str]:
    # Rows above this go to a job; RESULTS_RESAMPLES makes the job take a few seconds.
    return {"RESULTS_INLINE_MAX_ROWS": "100", "RESULTS_RESAMPLES": "3000", **extra}


# --- the tests -----------------------------------------------------------------------------


def test_two_instances_share_sessions_limits_cache_and_jobs(site, redis_url, tmp_path):
    app, secret, ids = site
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with redis_namespace(redis_url, url) as shared, ExitStack() as stack:
        env = _instance_env(shared)
        bases = [stack.enter_context(gunicorn(url, secret, workers=2, extra_env=env,
                                              log_path=tmp_path / f"gunicorn-{n}.log"))[0]
                 for n in "ab"]
        assert bases[0] != bases[1]
        stack.enter_context(worker(url, secret, env, tmp_path / "worker.log"))

        with ThreadPoolExecutor(max_workers=N_EXPERTS) as pool:
            flows = list(pool.map(lambda n: expert_across(bases, ids["tokens"][n], ids, n),
                                  range(N_EXPERTS)))
        assert {s for flow in flows for s in flow} == {200}, flows
        assert_each_submission_stored_once(app, ids, N_EXPERTS)

        a, b = Browser(bases[0]), Browser(bases[1])
        statuses = failed_logins([a] * 6 + [b] * 4 + [b, a], "victim@example.org")
        # 10 per account and minute across the site: 6 on A + 4 on B, then both refuse
        assert statuses == [200] * 10 + [429, 429], statuses

        seen, body = follow_results_job(bases, ids["study"])
        assert_progress_rose_to_the_end(seen, body)
        for base in bases:  # B never computed: it reads A's worker's result from Redis
            assert signed_in(base).request(f"/studies/{ids['study']}/results")[0] == 200
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert (job.kind, job.status) == ("results", JobStatus.FINISHED)
        db.session.remove()


def test_without_redis_one_instance_keeps_limits_cache_and_jobs_in_process(site, tmp_path):
    app, secret, ids = site
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # No REDIS_URL: memory rate limits (one worker, so one counter), memory cache, job threads.
    env = _instance_env({"REDIS_URL": "", "RATELIMIT_STORAGE_URI": "", "JOBS_BACKEND": ""})
    with gunicorn(url, secret, workers=1, extra_env=env,
                  log_path=tmp_path / "gunicorn.log") as (base, _process):
        bases = [base, base]
        with ThreadPoolExecutor(max_workers=FALLBACK_EXPERTS) as pool:
            flows = list(pool.map(lambda n: expert_across(bases, ids["tokens"][n], ids, n),
                                  range(FALLBACK_EXPERTS)))
        assert {s for flow in flows for s in flow} == {200}, flows
        assert_each_submission_stored_once(app, ids, FALLBACK_EXPERTS)

        browser = Browser(base)
        assert failed_logins([browser] * 11, "victim@example.org") == [200] * 10 + [429]

        seen, body = follow_results_job(bases, ids["study"])
        assert_progress_rose_to_the_end(seen, body)
        assert signed_in(base).request(f"/studies/{ids['study']}/results")[0] == 200
