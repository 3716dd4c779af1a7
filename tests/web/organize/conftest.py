"""Organizer-page fixtures: a signed-in owner with a study; mail written to a temp folder."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_study, make_user


@pytest.fixture(autouse=True)
def _outbox_in_tmp(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")


@pytest.fixture
def owner(app, auth):
    """Sign in as the owner of a launched 3-option, 3-expert study; return ids."""
    with app.app_context():
        user = make_user()
        study = make_study(user)
        ids = {"study": study.id, "user": user.id}
    auth.login("owner@example.org", PASSWORD)
    return ids


@pytest.fixture
def draft_owner(app, auth):
    """Sign in as the owner of a study whose round 1 is not launched yet."""
    with app.app_context():
        user = make_user()
        study = make_study(user, launch=False)
        ids = {"study": study.id, "user": user.id}
    auth.login("owner@example.org", PASSWORD)
    return ids
