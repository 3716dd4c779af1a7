"""Issue 17.1: every expert-facing text in each study language, the completeness check,
fallback to the main language, definitions/API/report in every language, French details."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from elicit.errors import ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, OutboxMessage, SeedQuestion, Study
from elicit.services.accounts import api_tokens
from elicit.services.mail import outbox
from elicit.services.studies import definition, translations
from tests.factories import PASSWORD, link_token, make_study, make_user
from tests.web.respond.helpers import consent, full_form, ids_of

ENGLISH = ["Test study", "Please", "Join exercise", "Share the plan", "Likelihood", "Impact",
           "Very harmful", "Very beneficial", "How many ships", "ships", "How likely is it?",
           "Think twice.", "I agree to take part."]


def _bilingual(app, *, translate: bool = True, launch: bool = True, main: str = "en") -> dict:
    """A study in English and French whose first expert reads French; every text translated."""
    with app.app_context():
        owner = make_user()
        study = make_study(owner, languages=[main, "fr" if main == "en" else "en"],
                           launch=False)
        study.consent_text = "I agree to take part."
        for n, option in enumerate(study.options, start=1):
            option.title, option.description = f"Join exercise {n}", f"Share the plan {n}."
        study.criteria[0].question, study.criteria[0].help = "How likely is it?", "Think twice."
        study.seed_questions.append(SeedQuestion(position=1, text="How many ships", unit="ships",
                                                 realization=3.0))
        study.experts[0].language = "fr"
        db.session.commit()
        if translate:
            translations.save(study, "fr", french_values(study), actor_id=owner.id)
        if launch:
            from elicit.services.rounds import lifecycle
            lifecycle.launch_next_round(study)
        ids = ids_of(study) | {"owner": owner.id, "token": link_token(study) if launch else None}
    return ids


def french_values(study: Study) -> dict[str, str]:
    like, impact = study.criteria
    values = {"study-title": "Étude d’essai", "study-briefing": "Veuillez **juger**.",
              "study-consent_text": "J’accepte de participer.",
              f"criterion-{like.id}-name": "Probabilité",
              f"criterion-{like.id}-question": "Quelle probabilité ?",
              f"criterion-{like.id}-help": "Réfléchissez bien.",
              f"criterion-{impact.id}-name": "Effet",
              f"criterion-{impact.id}-label--3": "Très nuisible",
              f"criterion-{impact.id}-label-3": "Très bénéfique"}
    for n, option in enumerate(study.options, start=1):
        values[f"option-{option.id}-title"] = f"Variante {n}"
        values[f"option-{option.id}-description"] = f"Faire {n}."
    for seed in study.seed_questions:
        values[f"seed-{seed.id}-text"] = "Combien de navires"
        values[f"seed-{seed.id}-unit"] = "navires"
    return values


def _visible(html: str) -> str:
    """The page's text as a reader sees it (no tags, no attribute values)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_french_expert_sees_only_french_content(app, client):
    ids = _bilingual(app)
    client.get(f"/r/{ids['token']}", headers={"Accept-Language": "en"})  # panel language wins
    consent_page = client.get("/respond").get_data(as_text=True)
    assert '<html lang="fr">' in consent_page
    assert "Étude d’essai" in consent_page and "<strong>juger</strong>" in consent_page
    assert "J’accepte de participer." in consent_page
    consent(client)
    form = client.get("/respond").get_data(as_text=True)
    review = client.post("/respond", data=full_form(ids, action="review") | {
        f"s{ids['seeds'][0]}_q05": "1,5", f"s{ids['seeds'][0]}_q50": "3",
        f"s{ids['seeds'][0]}_q95": "12.25"}).get_data(as_text=True)
    for page in (form, review):
        text = _visible(page)
        assert "Variante 1" in text and "Probabilité" in text
        for english in ENGLISH:
            assert english not in text, english
    assert all(s in _visible(form) for s in ("Faire 1.", "Quelle probabilité ?",
                                             "Réfléchissez bien.", "Très nuisible",
                                             "Combien de navires", "navires"))
    # French review page: decimal commas, a non-breaking space before "%"
    assert "1,5" in review and "12,25" in review and "12.25" not in _visible(review)
    assert "5&nbsp;%&nbsp;: 1,5" in review  # French spacing before the colon too
    assert "30\u00a0%" in review


def test_a_missing_translation_falls_back_to_the_main_language(app, client):
    ids = _bilingual(app, translate=False)
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        option = study.options[0]
        option.translations = {"fr": {"title": "Variante traduite"}}
        db.session.commit()
    client.get(f"/r/{ids['token']}")
    consent(client)
    text = _visible(client.get("/respond").get_data(as_text=True))
    assert "Variante traduite" in text and "Join exercise 2" in text  # untranslated: main
    assert "Share the plan 1." in text  # its description was not translated


def test_organizer_enters_translations_and_sees_what_is_missing(app, client, auth):
    ids = _bilingual(app, translate=False, launch=False)
    auth.login("owner@example.org", PASSWORD)
    overview = client.get(f"/studies/{ids['study']}/translations").get_data(as_text=True)
    assert "Missing in Français" in overview and "Option 1: title" in overview
    page = client.get(f"/studies/{ids['study']}/translations/fr").get_data(as_text=True)
    assert 'for="option-' in page and "English: Join exercise 1" in page  # beside the original
    with app.app_context():
        values = french_values(db.session.get(Study, ids["study"]))
    saved = client.post(f"/studies/{ids['study']}/translations/fr", data=values)
    assert saved.status_code == 303
    overview = client.get(f"/studies/{ids['study']}/translations").get_data(as_text=True)
    assert "Missing in" not in overview and "complete" in overview
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        assert translations.missing(study) == {}
        assert study.translations["fr"]["briefing_html"] == \
            "<p>Veuillez <strong>juger</strong>.</p>\n"
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "study.translations")).one()
        assert event.details["language"] == "fr" and event.details["texts_missing"] == 0
    assert client.get(f"/studies/{ids['study']}/translations/de").status_code == 404
    assert client.get(f"/studies/{ids['study']}/translations/en").status_code == 404  # main


@pytest.mark.parametrize("key, typed, message", [
    ("study-title", "T" * 301, "Keep the title under 300 characters."),
    ("mail-invitation-body", "Bonjour {name}", "The text must contain {link}"),
    ("mail-invitation-body", "Ici {link} {nope}", "Unknown field(s) {nope}"),
])
def test_junk_in_a_translation_is_named_and_kept(app, client, auth, key, typed, message):
    ids = _bilingual(app, translate=False, launch=False)
    auth.login("owner@example.org", PASSWORD)
    data = {"study-briefing": "Gardé tel quel", "mail-invitation-subject": "Venez {study}",
            key: typed}
    response = client.post(f"/studies/{ids['study']}/translations/fr", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{key}-error"' in page and message in unescape(page)
    assert "Gardé tel quel" in page and unescape(typed) in unescape(page)
    with app.app_context():
        assert db.session.get(Study, ids["study"]).translations == {}  # nothing written


def test_launch_shows_the_completeness_check_and_needs_a_confirmation(app, client, auth):
    ids = _bilingual(app, translate=False, launch=False)
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{ids['study']}/rounds/launch").get_data(as_text=True)
    assert "Completeness check" in page and "Option 1: title" in page
    refused = client.post(f"/studies/{ids['study']}/rounds/launch",
                          data={"send_invitations": ""})
    assert refused.status_code == 422
    assert 'id="accept_missing_translations-error"' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Study, ids["study"]).rounds == []
    launched = client.post(f"/studies/{ids['study']}/rounds/launch",
                           data={"send_invitations": "", "accept_missing_translations": "y"})
    assert launched.status_code == 302


def test_a_complete_study_launches_without_confirmation(app, client, auth):
    ids = _bilingual(app, launch=False)
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{ids['study']}/rounds/launch").get_data(as_text=True)
    assert "every text is translated" in page
    assert client.post(f"/studies/{ids['study']}/rounds/launch",
                       data={"send_invitations": ""}).status_code == 302


def test_definition_export_and_import_keep_every_language(app):
    ids = _bilingual(app, launch=False)
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        data = json.loads(json.dumps(definition.export_definition(study)))
        assert data["translations"]["fr"]["title"] == "Étude d’essai"
        assert "briefing_html" not in data["translations"]["fr"]  # rendered again on import
        assert data["criteria"][1]["translations"]["fr"]["scale_labels"]["-3"] == "Très nuisible"
        copy = definition.import_definition(study.experts[0].study.memberships[0].user, data,
                                            source="test", title="Copy")
        assert copy.consent_text == "I agree to take part."
        assert copy.translations["fr"]["briefing_html"] == study.translations["fr"]["briefing_html"]
        for kind in ("options", "criteria", "seed_questions"):
            assert [i.translations for i in getattr(copy, kind)] == \
                [i.translations for i in getattr(study, kind)]
        assert translations.missing(copy) == {}
        bad = dict(data, title="Bad", translations={"fr": {"title": 5, "colour": "x"}},
                   options=[dict(data["options"][0], translations=[1])])
        with pytest.raises(ValidationFailed) as refused:
            definition.import_definition(copy.memberships[0].user, bad, source="test")
        assert set(refused.value.errors) >= {"translations.fr.title", "translations.fr.colour",
                                             "options[1].translations"}


def test_api_study_carries_every_language(app, client):
    ids = _bilingual(app, launch=False)
    with app.app_context():
        owner = db.session.get(Study, ids["study"]).memberships[0].user
        _, secret = api_tokens.issue_token(owner, "tests")
    body = client.get(f"/api/v1/studies/{ids['study']}",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert body["languages"] == ["en", "fr"]
    assert body["translations"]["fr"]["title"] == "Étude d’essai"
    assert body["options"][0]["translations"]["fr"]["title"] == "Variante 1"


def test_methods_report_shows_the_wording_in_each_language(app, client, auth):
    ids = _bilingual(app)
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{ids['study']}/downloads/report").get_data(as_text=True)
    assert "Wording in fr" in page and "Variante 1" in page and "Quelle probabilité ?" in page


def test_invitations_go_out_in_the_experts_language(app, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    ids = _bilingual(app)
    with app.app_context():
        study = db.session.get(Study, ids["study"])
        outbox.queue(study.rounds[0], "invitation", actor_id=None)
        by_expert = {m.expert_id: m for m in db.session.scalars(select(OutboxMessage))}
        french = by_expert[study.experts[0].id]
        english = by_expert[study.experts[1].id]
        assert french.subject == "Invitation : Étude d’essai (tour 1)"
        assert "pas de date limite fixe" in french.body and "Bonjour Expert 1" in french.body
        assert english.subject == "Invitation: Test study (round 1)"
        # the study's own texts: French where translated, else the main language's
        study.mail_templates = {"reminder": {"subject": "Remember {study}", "body": "Go {link}"}}
        translations.save(study, "fr", french_values(study) | {
            "mail-invitation-subject": "Venez {name}", "mail-invitation-body": "Ici {link}"},
            actor_id=ids["owner"])
        db.session.query(OutboxMessage).delete()
        db.session.commit()
        outbox.queue(study.rounds[0], "invitation", actor_id=None)
        outbox.queue(study.rounds[0], "reminder", actor_id=None)
        sent = {(m.expert_id, m.kind): m for m in db.session.scalars(select(OutboxMessage))}
        assert sent[(study.experts[0].id, "invitation")].subject == "Venez Expert 1"
        assert sent[(study.experts[0].id, "reminder")].subject == "Remember Étude d’essai"
        assert sent[(study.experts[1].id, "invitation")].subject.startswith("Invitation:")


def test_error_titles_and_footer_are_french(client):
    page = client.get("/respond", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "<h1>Page introuvable</h1>" in text
    assert "consultation structurée d’experts" in text


def test_every_new_message_has_a_french_translation():
    catalog = Path(__file__).resolve().parents[2] / "elicit/translations/fr/LC_MESSAGES/messages.po"
    from babel.messages.pofile import read_po

    with open(catalog, "rb") as handle:
        po = read_po(handle, locale="fr")
    from elicit.errorpages import REFUSAL_TITLES, TITLES

    for title in [*TITLES.values(), *REFUSAL_TITLES.values(), "What you agree to",
                  "elicit — structured expert elicitation"]:
        assert po.get(title) is not None and po.get(title).string, title


def test_api_creates_a_study_with_every_language(app, client):
    with app.app_context():
        owner = make_user()
        _, secret = api_tokens.issue_token(owner, "tests")
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"title": "Bilingue", "briefing": "Hello", "languages": ["en", "fr"],
            "translations": {"fr": {"title": "Bilingue FR", "briefing": "Bonjour **là**"}},
            "options": [{"title": "One", "translations": {"fr": {"title": "Un"}}}],
            "criteria": [{"name": "Likelihood", "kind": "probability",
                          "help": "Think.", "translations": {"fr": {"help": "Pensez."}}}]}
    created = client.post("/api/v1/studies", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    study = client.get(f"/api/v1/studies/{created.get_json()['id']}", headers=headers).get_json()
    assert study["translations"] == {"fr": {"title": "Bilingue FR", "briefing": "Bonjour **là**"}}
    assert study["options"][0]["translations"] == {"fr": {"title": "Un"}}
    with app.app_context():
        stored = db.session.get(Study, study["id"])
        assert stored.translations["fr"]["briefing_html"] == "<p>Bonjour <strong>là</strong></p>\n"
        assert stored.criteria[0].help == "Think."
    refused = client.post("/api/v1/studies", headers=headers, json=body | {
        "title": "Bad", "translations": {"fr": {"title": ["x"]}}})
    assert refused.status_code in (400, 422)
    assert "translations.fr.title" in json.dumps(refused.get_json())


@pytest.mark.parametrize("junk", ["\x00", "a\x00b", "1e309", "NaN", "<script>x</script>",
                                  "x" * 20_000, "\x07\x1b[31m"])
def test_junk_in_every_translation_field_never_answers_5xx(app, client, auth, junk):
    ids = _bilingual(app, translate=False, launch=False)
    auth.login("owner@example.org", PASSWORD)
    with app.app_context():
        keys = [e.key for e in translations.entries(db.session.get(Study, ids["study"]), "fr")]
    response = client.post(f"/studies/{ids['study']}/translations/fr",
                           data={key: junk for key in keys})
    assert response.status_code < 500
    preview = client.post(f"/studies/{ids['study']}/preview?lang=fr",
                          data={f"o{ids['options'][0]}_c{ids['criteria'][0]}_best": junk})
    assert preview.status_code < 500


def test_english_review_keeps_points_and_no_space_before_the_colon(app, client):
    ids = _bilingual(app)
    with app.app_context():
        token = link_token(db.session.get(Study, ids["study"]), expert_index=1)  # English
    client.get(f"/r/{token}")
    consent(client)
    seed = ids["seeds"][0]
    review = client.post("/respond", data=full_form(ids, action="review") | {
        f"s{seed}_q05": "1.5", f"s{seed}_q50": "3", f"s{seed}_q95": "12.25"}).get_data(
        as_text=True)
    assert '<html lang="en">' in review and "Join exercise 1" in review
    assert "5&nbsp;%: 1.5" in review and "12.25" in review and "30\u00a0%" in review
