"""Issue 20.6: no sentence ends twice after a number ("is at most 1..", "at most 1.”.").

Every results, round, option, settings and report page of the demo and of a
study whose rule changed between rounds (the report quotes both rules) is read
as text; a number followed by two periods, quoted or not, is a slip.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.factories import PASSWORD, make_study, make_user, submit_round

SLIP = re.compile(r"\d\.[”\"’»]?\s*\.(?!\.)")


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def _slips(client, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response.get_data(as_text=True))
        hits = [text[max(0, m.start() - 50):m.end() + 10] for m in SLIP.finditer(text)]
        if hits:
            found[url] = hits
    return found


def _pages(study_id: int, option_id: int, rounds: list[int]) -> list[str]:
    base = f"/studies/{study_id}"
    return [f"{base}", f"{base}/consensus", f"{base}/rounds/launch",
            f"{base}/results/options/{option_id}", f"{base}/downloads/report",
            *(f"{base}/results?round={n}" for n in rounds),
            *(f"{base}/rounds/{n}" for n in rounds)]


def test_the_pattern_catches_the_slips():
    assert SLIP.search("is at most 1..") and SLIP.search("at most 1.”.")
    assert not SLIP.search("at most 1. Then") and not SLIP.search("wait 1...")
    assert not SLIP.search("version 1.2.3.")


def test_no_double_period_on_the_demo(client, demo_study, app):
    from elicit.extensions import db
    from elicit.models import Option

    with app.app_context():
        option_id = db.session.scalar(db.select(Option.id).filter_by(study_id=demo_study))
    assert _slips(client, _pages(demo_study, option_id, [1])) == {}


@pytest.fixture
def changed_rule(app, auth):
    """Round 1 under 'IQR ≤ 1', closed; the rule changed to 'IQR ≤ 2' with a reason; round 2."""
    from elicit.services.rounds import lifecycle
    from elicit.services.studies import builder

    with app.app_context():
        owner = make_user()
        study = make_study(owner, launch=False)
        builder.set_consensus_rule(study, {"kind": "iqr", "criterion": "Impact",
                                           "threshold": 1}, actor_id=owner.id)
        lifecycle.launch_next_round(study)
        for i, answers in enumerate([[(0.3, 3), (0.7, 2), (0.1, -1)],
                                     [(0.4, 1), (0.6, 2), (0.2, 0)],
                                     [(0.5, 2), (0.5, 1), (0.3, -2)]]):
            submit_round(study, i, answers)
        lifecycle.close_round(study, actor_id=owner.id)
        builder.set_consensus_rule(study, {"kind": "iqr", "criterion": "Impact",
                                           "threshold": 2}, actor_id=owner.id,
                                   reason="Scale steps are coarse.")
        lifecycle.launch_next_round(study, actor_id=owner.id)
        submit_round(study, 0, [(0.35, 3), (0.7, 2), (0.1, -1)])
        ids = study.id, study.options[0].id
    auth.login("owner@example.org", PASSWORD)
    return ids


def test_no_double_period_after_a_protocol_change(client, changed_rule):
    study_id, option_id = changed_rule
    report = _text(client.get(f"/studies/{study_id}/downloads/report").get_data(as_text=True))
    assert "is at most 1" in report and "is at most 2" in report  # both rules are quoted
    assert _slips(client, _pages(study_id, option_id, [1, 2])) == {}
