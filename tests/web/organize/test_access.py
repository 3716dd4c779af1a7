"""Every organizer route checks the role on *that* study (walks the URL map)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import AuditEvent, Membership, Role
from elicit.services.studies import questions
from tests.factories import PASSWORD, make_member, make_study, make_user

# The weakest role each study route accepts; a route missing here fails the test below.
READ, MANAGE, OWNER = "read", "manage", "owner"
REQUIRED = {
    "organize.show_study": READ,
    "organize.rounds.show_round": READ,
    "organize.edit_study": MANAGE,
    "organize.clone_study": MANAGE,
    "organize.export_study": MANAGE,
    "organize.delete_study": OWNER,
    "organize.finish_study": MANAGE,
    "organize.reopen_study": MANAGE,
    "organize.questions.show_questions": MANAGE,
    "organize.questions.add_option": MANAGE,
    "organize.questions.edit_option": MANAGE,
    "organize.questions.change_option": MANAGE,
    "organize.questions.edit_criterion": MANAGE,
    "organize.questions.delete_criterion": MANAGE,
    "organize.questions.edit_seed": MANAGE,
    "organize.questions.delete_seed": MANAGE,
    "organize.questions.import_csv": MANAGE,
    "organize.settings.edit_consensus": MANAGE,
    "organize.settings.edit_mail": MANAGE,
    "organize.panel.show_panel": MANAGE,
    "organize.panel.add_expert": MANAGE,
    "organize.panel.import_panel": MANAGE,
    "organize.panel.queue_mail": MANAGE,
    "organize.panel.retry_failed": MANAGE,
    "organize.panel.show_outbox": MANAGE,
    "organize.panel.change_link": MANAGE,
    "organize.panel.send_invitation": MANAGE,
    "organize.panel.edit_expert": MANAGE,
    "organize.panel.remove_expert": MANAGE,
    "organize.panel.withdraw_expert": MANAGE,
    "organize.rounds.launch_round": MANAGE,
    "organize.rounds.close_round": MANAGE,
    "organize.rounds.set_deadline": MANAGE,
    "organize.team.show_team": MANAGE,
    "organize.team.add_member": OWNER,
    "organize.team.change_member": OWNER,
    "organize.audit.show_audit": MANAGE,
    "organize.audit.export_audit": MANAGE,
    "organize.translations.show_translations": MANAGE,
    "organize.translations.edit_translations": MANAGE,
    "organize.preview.show_preview": MANAGE,
    "organize.preview.check_preview": MANAGE,
    "organize.themes.review_themes": MANAGE,
    "organize.themes.approve_themes": MANAGE,
    "organize.themes.withdraw_themes": MANAGE,
    "organize.themes.save_setting": MANAGE,
}
# Routes about the signed-in user rather than a study.
ACCOUNT_ROUTES = {"organize.index", "organize.list_studies", "organize.new_study",
                  "organize.import_study", "auth.account", "auth.end_sessions"}


@pytest.fixture
def victim(app):
    """A study owned by someone else, with one object of every kind the URLs name."""
    with app.app_context():
        owner = make_user("victim@example.org")
        study = make_study(owner, languages=["en", "fr"])
        seed = questions.add_seed(study, {"text": "How many?", "unit": "", "scale": "uni",
                                          "realization": 3.0})
        membership = db.session.scalar(select(Membership).where(Membership.study_id == study.id))
        return {"study_id": study.id, "option_id": study.options[0].id,
                "criterion_id": study.criteria[0].id, "seed_id": seed.id,
                "invitation_id": study.experts[0].invitations[0].id,
                "expert_id": study.experts[0].id, "membership_id": membership.id, "number": 1,
                "lang": "fr"}


def _requests(app, ids):
    """(endpoint, method, url) for every study route, with the victim's ids filled in."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("organize.") or rule.endpoint in ACCOUNT_ROUTES:
            continue
        values = {}
        for name in rule.arguments:
            if name in ids:
                values[name] = ids[name]
            else:  # an `any(...)` converter: try its first choice
                values[name] = rule._converters[name].regex.split("|")[0].strip("(?:)")
        with app.test_request_context():
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_every_study_route_is_listed(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("organize.")} - ACCOUNT_ROUTES
    assert endpoints == set(REQUIRED)


def test_anonymous_is_sent_to_login(app, client, victim):
    for endpoint, method, url in _requests(app, victim):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method)
        assert "/login" in response.headers["Location"], endpoint


def test_organizer_of_another_study_gets_404_everywhere(app, client, auth, victim):
    with app.app_context():
        make_study(make_user("stranger@example.org"), title="Their own")
    auth.login("stranger@example.org", PASSWORD)
    before = _audit_count(app)
    for endpoint, method, url in _requests(app, victim):
        assert client.open(url, method=method).status_code == 404, (endpoint, method, url)
    assert _audit_count(app) == before  # nothing was written


@pytest.mark.parametrize("role, allowed", [
    (Role.ANALYST, {READ}), (Role.ORGANIZER, {READ, MANAGE})])
def test_weaker_roles_get_403_where_a_stronger_role_is_needed(app, client, auth, victim, role,
                                                              allowed):
    with app.app_context():
        from elicit.models import Study

        make_member(db.session.get(Study, victim["study_id"]), "member@example.org", role)
    auth.login("member@example.org", PASSWORD)
    before = _audit_count(app)
    for endpoint, method, url in _requests(app, victim):
        if REQUIRED[endpoint] in allowed:
            if method == "GET":
                assert client.get(url).status_code == 200, (endpoint, url)
            continue
        assert client.open(url, method=method).status_code == 403, (endpoint, method, url)
    assert _audit_count(app) == before


def test_objects_of_another_study_are_not_reachable_through_my_study(app, client, owner, victim):
    mine = owner["study"]
    for path in (f"/studies/{mine}/options/{victim['option_id']}/edit",
                 f"/studies/{mine}/criteria/{victim['criterion_id']}/edit",
                 f"/studies/{mine}/seeds/{victim['seed_id']}/edit"):
        assert client.get(path).status_code == 404, path
    for path in (f"/studies/{mine}/options/{victim['option_id']}/delete",
                 f"/studies/{mine}/panel/invitations/{victim['invitation_id']}/revoke",
                 f"/studies/{mine}/panel/invitations/{victim['invitation_id']}/send",
                 f"/studies/{mine}/panel/experts/{victim['expert_id']}/remove",
                 f"/studies/{mine}/panel/experts/{victim['expert_id']}/withdraw",
                 f"/studies/{mine}/team/{victim['membership_id']}/remove"):
        assert client.post(path).status_code == 404, path


def test_account_pages_need_a_sign_in(app, client):
    for path in ("/studies", "/studies/new", "/studies/import", "/account"):
        assert client.get(path).status_code == 302, path
    assert client.post("/account/sessions/end").status_code == 302
