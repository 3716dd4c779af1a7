"""A study with two submitted experts, an owner and an analyst."""

from __future__ import annotations

import pytest

from elicit.models import Role
from tests.factories import add_member, make_study, make_user, submit_round

# Expected impact p × v per expert, then the equal-weight mean:
#   Option 1: (0.2·3 + 0.4·3) / 2 = 0.9
#   Option 2: (0.8·2 + 0.6·2) / 2 = 1.4
#   Option 3: (0.5·-1 + 0.5·-1) / 2 = -0.5
E1 = [(0.2, 3), (0.8, 2), (0.5, -1)]
E2 = [(0.4, 3), (0.6, 2), (0.5, -1)]


@pytest.fixture
def ids(app):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)
        add_member(study, "analyst@example.org", Role.ANALYST)
        make_user("stranger@example.org")
        submit_round(study, 0, E1, rationales={0: '=HYPERLINK("http://evil.example")',
                                               1: "Strong benefits for allies"})
        submit_round(study, 1, E2, rationales={1: "-Risky but worth it"})
        return {"study": study.id, "options": [o.id for o in study.options]}
