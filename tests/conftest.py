"""Shared fixtures: an app and a fresh database per test, on SQLite and PostgreSQL.

Every test that uses `app` runs twice: once on SQLite, once on PostgreSQL
(the server on 127.0.0.1:5432, or DATABASE_URL_TEST). Each backend is
migrated once per test session with `flask db upgrade`; each test then gets
a fresh copy (SQLite: a copy of the migrated file; PostgreSQL: the tables
truncated). Under CI=true a missing PostgreSQL fails the run instead of
skipping its leg.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_admin_url() -> str | None:
    """The URL of a PostgreSQL we may create databases on, or None."""
    url = os.environ.get("DATABASE_URL_TEST") or PG_DEFAULT
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        with psycopg.connect(host=parsed.host, port=parsed.port or 5432,
                             user=parsed.username, dbname=parsed.database,
                             connect_timeout=3):
            return url
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None


def _migrate(database_url: str) -> None:
    from flask_migrate import upgrade

    from elicit import create_app
    from elicit.config import testing_settings

    app = create_app({**testing_settings(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        # "heads": branches written in parallel are all applied until merged.
        upgrade(revision="heads")
        from elicit.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database file, copied for each test."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A uniquely named, migrated PostgreSQL database, dropped after the session."""
    admin_url = _pg_admin_url()
    if admin_url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL does not answer on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not available")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"elicit_test_{worker}_{uuid.uuid4().hex[:8]}"
    # NullPool: no connection outlives its use (a test may restart the server).
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    _truncate_all(url)
    return url


def _truncate_all(url: str) -> None:
    from sqlalchemy import create_engine, text

    from elicit.extensions import db

    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database_url):
    """The application in its testing configuration, on a fresh database."""
    from elicit import create_app
    from elicit.config import testing_settings
    from elicit.extensions import db

    app = create_app({**testing_settings(), "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url):
    """Build extra apps on this test's database with overrides; disposed afterwards."""
    from elicit import create_app
    from elicit.config import testing_settings
    from elicit.extensions import db

    built = []

    def build(**overrides):
        app = create_app({**testing_settings(), "SQLALCHEMY_DATABASE_URI": database_url,
                          **overrides})
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def demo_study(app, auth) -> int:
    """The demo study loaded, its organizer signed in; its id."""
    from elicit.demo import loader

    with app.app_context():
        info = loader.load_demo()
        study_id = info.study.id
    auth.login(info.organizer_email, info.organizer_password)
    return study_id


@pytest.fixture(autouse=True)
def _limiter_storage_alive():
    """Every test starts with the rate limiter's own storage in use.

    The Limiter is one object shared by every app of the test process; a test
    whose Redis is unreachable leaves it marked "storage dead" (counting in its
    memory fallback), which `init_app` does not reset, so the next test's app
    would count elsewhere. One app per process in production never meets this.
    """
    yield
    from elicit.extensions import limiter

    limiter._storage_dead = False  # noqa: SLF001 - Flask-Limiter keeps no public reset
