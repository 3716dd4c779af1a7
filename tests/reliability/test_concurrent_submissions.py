"""200 experts submit and revise at once against gunicorn with 4 workers.

Afterwards every response is present exactly once, at version 2, holding what
was sent last; no request got a 5xx.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.extensions import db
from elicit.models import Judgment, Response, ResponseRevision
from elicit.services.common import tokens
from tests.factories import make_study
from tests.reliability.server import Browser, gunicorn

N_EXPERTS = 200


def _answers(ids: dict, expert: int, version: int) -> dict[str, str]:
    like, impact = ids["criteria"]
    data = {"action": "submit"}
    for n, option in enumerate(ids["options"]):
        best = (expert * 7 + n * 13 + version * 5) % 80 + 10
        prefix = f"o{option}_c{like}"
        data |= {f"{prefix}_lowest": str(best - 5), f"{prefix}_highest": str(best + 5),
                 f"{prefix}_best": str(best), f"{prefix}_confidence": "80"}
        data[f"o{option}_c{impact}_value"] = str((expert + n + version) % 7 - 3)
    return data


def _expert_session(base: str, token: str, ids: dict, expert: int) -> list[int]:
    browser = Browser(base)
    statuses = [browser.request(f"/r/{token}")[0]]
    statuses.append(browser.request("/respond/consent", {"consent": "y"})[0])
    for version in (1, 2):
        statuses.append(browser.request("/respond")[0])
        statuses.append(browser.request("/respond", _answers(ids, expert, version))[0])
    return statuses


@pytest.mark.slow
def test_two_hundred_experts_submit_and_revise_concurrently(database_url, tmp_path):
    secret = secrets.token_hex(32)
    app = create_app({**settings_for_tests(), "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": secret})
    with app.app_context():
        study = make_study(n_options=3, n_experts=N_EXPERTS)
        ids = {"options": [o.id for o in study.options],
               "criteria": [c.id for c in study.criteria]}
        links = [tokens.token_for(e.invitations[0].token_nonce) for e in study.experts]
        db.session.remove()
        db.engine.dispose()

    with gunicorn(database_url, secret, workers=4, log_path=tmp_path / "gunicorn.log") as (
            base, _process):
        with ThreadPoolExecutor(max_workers=40) as pool:
            results = list(pool.map(lambda pair: _expert_session(base, pair[1], ids, pair[0]),
                                    enumerate(links)))

    statuses = [s for session in results for s in session]
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert all(s == 200 for s in statuses), sorted(set(statuses))  # redirects followed

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == N_EXPERTS
        assert db.session.scalar(select(func.count()).select_from(ResponseRevision)) == \
            2 * N_EXPERTS
        versions = db.session.scalars(select(Response.version)).all()
        assert set(versions) == {2}
        expected = {}
        for expert, _ in enumerate(links):
            for key, value in _answers(ids, expert, 2).items():
                if key.endswith("_best"):
                    expected[(expert, key)] = float(value) / 100
        rows = db.session.execute(
            select(Response.expert_id, Judgment.option_id, Judgment.criterion_id,
                   Judgment.best).join(Judgment).where(Judgment.best.is_not(None))
        ).all()
        experts = sorted({r[0] for r in rows})
        index = {expert_id: n for n, expert_id in enumerate(experts)}
        assert len(rows) == N_EXPERTS * len(ids["options"])
        for expert_id, option_id, criterion_id, best in rows:
            key = (index[expert_id], f"o{option_id}_c{criterion_id}_best")
            assert best == pytest.approx(expected[key])
        db.session.remove()
        db.engine.dispose()
