"""Browser tests: the real app under gunicorn, driven by Playwright in Debian's Chromium.

The server runs on a free 127.0.0.1 port with a temporary SQLite database
holding the demo study, for the whole e2e session (one server per xdist
worker). Each journey arranges its own study through the services
(`arrange`), so journeys do not depend on each other. Every page a journey
visits must pass axe-core (`check_accessibility`); a page that was visited
but never checked fails the test. Screenshots of failing tests land in
tests/e2e/artifacts/. Under CI=true a missing Chromium fails the run instead
of skipping it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.arrange import Arrange
from tests.e2e.support import Visits
from tests.reliability.server import ROOT, gunicorn

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--disable-extensions",
                 "--disable-default-apps", "--metrics-recording-only", "--mute-audio",
                 # Chromium refuses to start sandboxed as root (CI containers).
                 *(["--no-sandbox"] if os.geteuid() == 0 else [])]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
# Few resamples: the journeys check what the pages show, not the statistics.
SERVER_ENV = {"RESULTS_RESAMPLES": "300", "MAIL_BACKEND": "outbox"}


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but Chromium is missing at {CHROMIUM} (make test installs it)")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the app with the demo study; yield its URL, the demo logins and the outbox folder."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'e2e.sqlite'}"
    secret = secrets.token_hex(32)
    outbox = folder / "outbox"
    extra = {**SERVER_ENV, "MAIL_OUTBOX_DIR": str(outbox)}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    env = {**os.environ, **extra, "DATABASE_URL": database_url, "SECRET_KEY": secret}
    subprocess.run([*flask, "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    with gunicorn(database_url, secret, workers=2, extra_env=extra,
                  log_path=folder / "gunicorn.log") as (base, _process):
        demo = subprocess.run([*flask, "demo", "--json"], cwd=ROOT,
                              env={**env, "BASE_URL": base}, check=True,
                              capture_output=True, text=True)
        yield {"base": base, "demo": json.loads(demo.stdout), "outbox": outbox,
               "database_url": database_url, "secret": secret}


@pytest.fixture(scope="session")
def arrange(live_server):
    """Services bound to the live server's database (same secret, so links work)."""
    from elicit import create_app
    from elicit.config import testing_settings

    app = create_app({**testing_settings(), "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": live_server["database_url"],
                      "SECRET_KEY": live_server["secret"], "BASE_URL": live_server["base"],
                      "MAIL_OUTBOX_DIR": str(live_server["outbox"])})
    yield Arrange(app)
    with app.app_context():
        from elicit.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a busy 2-core CI machine runs the suite beside us
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, request):
    """Open a page in a fresh browser context (its own cookies): open_page("phone", locale=…).

    When the test fails a screenshot of each page is kept in tests/e2e/artifacts/;
    when it passes, every page it visited must have been checked with axe-core.
    """
    opened: list[tuple[object, Visits]] = []

    def _open(viewport: str = "desktop", *, locale: str = "en-GB"):
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale,
                                      accept_downloads=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        visits = Visits(page)
        opened.append((page, visits))
        return page

    yield _open
    report = getattr(request.node, "rep_call", None)
    failed = report is None or report.failed
    unchecked = []
    for number, (page, visits) in enumerate(opened, start=1):
        if failed and not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"),
                            full_page=True)
        unchecked += visits.unchecked()
        page.context.close()
    if not failed and unchecked:
        pytest.fail("Pages visited without an accessibility check: " + ", ".join(unchecked))


@pytest.fixture
def phone(open_page):
    """A 360×740 phone-sized page."""
    return open_page("phone")


@pytest.fixture
def desktop(open_page):
    """A 1280×900 desktop page."""
    return open_page("desktop")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
