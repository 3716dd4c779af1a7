"""`flask backup` / `flask restore` round trip on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Judgment, Study


def test_backup_restore_round_trip(app, runner, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") \
            and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        judgments = db.session.scalar(select(func.count()).select_from(Judgment))
    assert judgments == 6 * 30
    target = tmp_path / "backup.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    with app.app_context():
        db.session.execute(db.delete(Judgment))
        db.session.execute(db.update(Study).values(title="changed"))
        db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Judgment)) == judgments
        assert db.session.scalar(select(Study.title)).startswith("Canada")


def test_backup_refuses_to_overwrite(app, runner, tmp_path):
    target = tmp_path / "exists.dump"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "exists" in result.output
    assert target.read_text() == "keep me"


def test_restore_rejects_a_file_that_is_not_a_backup(app, runner, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite file check")
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "not" in result.output
