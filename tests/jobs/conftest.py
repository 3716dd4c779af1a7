"""Fixtures for background jobs: a study with answers, tasks made for tests, a Redis queue."""

from __future__ import annotations

import signal
import threading
import uuid

import pytest

from elicit.extensions import sqlite_write_intent
from elicit.models import Role
from elicit.services import jobs
from elicit.services.jobs import backends
from tests.factories import add_member, make_study, make_user, submit_round

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def ids(app):
    """An owner's study with two submitted experts, an analyst member and a stranger."""
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        analyst = add_member(study, "analyst@example.org", Role.ANALYST)
        stranger = make_user("stranger@example.org")
        submit_round(study, 0, [(0.2, 3), (0.8, 2), (0.5, -1)])
        submit_round(study, 1, [(0.4, 3), (0.6, 2), (0.5, -1)])
        return {"study": study.id, "owner": owner.id, "analyst": analyst.id,
                "stranger": stranger.id}


@pytest.fixture(autouse=True)
def _reads_by_default():
    """Start as a fresh thread would: the test client's POSTs leave SQLite write intent set."""
    token = sqlite_write_intent.set(False)
    yield
    sqlite_write_intent.reset(token)


@pytest.fixture(autouse=True)
def _files_in_tmp(app, tmp_path):
    """Exports and e-mails go to this test's folder, never the repository's instance/."""
    app.config.update(EXPORTS_DIR=str(tmp_path / "exports"),
                      MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))


@pytest.fixture
def threads(app):
    """Run jobs on the thread backend; every started job is finished before the test ends."""
    app.config["JOBS_BACKEND"] = "thread"
    yield lambda: backends.wait_for_threads(app)
    backends.wait_for_threads(app)


class Steps:
    """A task that stops at each step until the test lets it go on."""

    def __init__(self) -> None:
        self.go = threading.Semaphore(0)
        self.reached = threading.Semaphore(0)

    def run(self, parameters, progress):
        for fraction in parameters["fractions"]:
            progress(fraction, f"step {fraction}")
            self.reached.release()
            if not self.go.acquire(timeout=30):
                raise TimeoutError("the test never let the task go on")
        return {"url": "/done", "steps": len(parameters["fractions"])}


@pytest.fixture
def steps():
    """Register the test task ``test-steps`` (see `Steps`)."""
    found = Steps()
    jobs.task("test-steps")(found.run)
    return found


@jobs.task("test-echo")
def _echo(parameters, progress):
    for n in range(1, 5):
        progress(n / 4, f"part {n}")
    return {"echo": parameters.get("value")}


@jobs.task("test-fail")
def _fail(parameters, progress):
    progress(0.3, "about to fail")
    raise RuntimeError(f"boom {parameters.get('value')}")


@pytest.fixture
def redis_app(app):
    """The app on the RQ backend with queues (and a results cache) of its own in Redis."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"elicit-test-{uuid.uuid4().hex[:10]}"
    app.config.update(JOBS_BACKEND="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE_PREFIX=prefix,
                      RESULTS_CACHE_REDIS_URL=REDIS_URL)
    app.extensions.pop("elicit.results_cache", None)
    with app.app_context():
        from elicit.services.results import cache

        cache.backend().clear()  # a truncated PostgreSQL reuses ids: no stale entries
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield app
    for name, handler in handlers.items():
        signal.signal(name, handler)  # the RQ worker installs its own
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    with app.app_context():
        from elicit.services.results import cache

        cache.backend().clear()
