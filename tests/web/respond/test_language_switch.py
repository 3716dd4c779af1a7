"""Issue 17.15 (part): a language switch on every expert page, error pages included."""

from __future__ import annotations

import re

from elicit.extensions import db
from elicit.models import Study
from elicit.services.panel import invitations
from elicit.services.rounds import lifecycle
from tests.factories import link_token, make_study
from tests.web.respond.helpers import consent, full_form, ids_of

SWITCH = 'action="/respond/language"'


def _switch_next(page: str) -> str:
    return re.search(r'name="next" value="([^"]*)"', page).group(1)


def _study(app, languages=("en", "fr")):
    with app.app_context():
        study = make_study(languages=list(languages))
        return ids_of(study), link_token(study)


def test_every_expert_page_has_the_switch(app, client):
    ids, token = _study(app)
    client.get(f"/r/{token}")
    pages = {"consent": client.get("/respond")}
    consent(client)
    pages["form"] = client.get("/respond")
    pages["review"] = client.post("/respond", data=full_form(ids, action="review"))
    client.post("/respond", data=full_form(ids))
    pages["done"] = client.get("/respond/done")
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert SWITCH in page.get_data(as_text=True), name
        assert 'lang="fr">Français</button>' in page.get_data(as_text=True), name
    assert _switch_next(pages["done"].get_data(as_text=True)) == "/respond/done"
    with app.app_context():
        lifecycle.close_round(db.session.get(Study, ids["study"]))
    closed = client.get(f"/r/{token}")
    assert closed.status_code == 410 and SWITCH in closed.get_data(as_text=True)
    assert token not in closed.get_data(as_text=True)  # the link never sits in the page


def test_switch_on_the_page_of_a_dead_link_and_on_error_pages(app, client):
    _ids, token = _study(app)
    dead = client.get("/r/" + "A" * 43)
    assert dead.status_code == 404 and SWITCH in dead.get_data(as_text=True)
    switched = client.post("/respond/language", data={"lang": "fr", "next": "/respond"})
    assert switched.status_code == 303
    error = client.get("/respond")  # no live link in this browser: the error page, in French
    assert error.status_code == 404
    text = error.get_data(as_text=True)
    assert '<html lang="fr">' in text and "Page introuvable" in text and SWITCH in text
    assert 'lang="en">English</button>' in text


def test_revoked_link_error_page_has_the_switch(app, client):
    ids, token = _study(app)
    client.get(f"/r/{token}")
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        invitation = study.experts[0].invitations[0]
        invitations.revoke_invitation(invitation, actor_id=None)
    page = client.get("/respond")
    assert page.status_code == 410 and SWITCH in page.get_data(as_text=True)


def test_the_switch_returns_to_the_page_and_refuses_other_sites(app, client):
    _ids, token = _study(app)
    client.get(f"/r/{token}")
    consent(client)
    back = client.post("/respond/language", data={"lang": "fr", "next": "/respond/done"})
    assert back.headers["Location"].endswith("/respond/done")
    for evil in ("https://evil.example/respond", "//evil.example/respond", "/respond//x",
                 "/organize"):
        moved = client.post("/respond/language", data={"lang": "en", "next": evil})
        assert moved.headers["Location"].endswith("/respond"), evil


def test_one_language_study_shows_no_switch(app, client):
    _ids, token = _study(app, languages=("fr",))
    client.get(f"/r/{token}")
    assert SWITCH not in client.get("/respond").get_data(as_text=True)
