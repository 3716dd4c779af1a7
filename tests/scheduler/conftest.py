"""Scheduler fixtures: e-mails to a temp folder; SQLite write intent as in a fresh thread."""

from __future__ import annotations

import pytest

from elicit.extensions import sqlite_write_intent


@pytest.fixture(autouse=True)
def _outbox_in_tmp(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")


@pytest.fixture(autouse=True)
def _reads_by_default():
    token = sqlite_write_intent.set(False)
    yield
    sqlite_write_intent.reset(token)
