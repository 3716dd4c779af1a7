"""Issue 17.6: preview as an expert before launch — the whole form, every question type,
each language — and nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Criterion, Role, SeedQuestion, Study
from elicit.services.studies import translations
from tests.factories import PASSWORD, add_member, idea_fields, make_study, make_user


@pytest.fixture
def study_ids(app, auth):
    """A draft study in English and French with every question type, its owner signed in."""
    with app.app_context():
        owner = make_user()
        study = make_study(owner, launch=False, languages=["en", "fr"],
                           consent_text="I agree to take part.")
        study.criteria.append(Criterion(position=3, name="Adoption", kind="probability",
                                        question="Will it be adopted?", weight=1.0))
        study.seed_questions.append(SeedQuestion(position=1, text="How many ships",
                                                 unit="ships", realization=3.0))
        db.session.commit()
        like, impact, adoption = study.criteria
        translations.save(study, "fr", {
            "study-title": "Étude d’essai", "study-briefing": "Veuillez **juger**.",
            "study-consent_text": "J’accepte.", f"criterion-{adoption.id}-question":
            "Sera-t-elle adoptée ?", f"option-{study.options[0].id}-title": "Variante 1",
            f"seed-{study.seed_questions[0].id}-text": "Combien de navires"}, actor_id=owner.id)
        ids = {"study": study.id, "options": [o.id for o in study.options],
               "like": like.id, "impact": impact.id, "adoption": adoption.id,
               "seed": study.seed_questions[0].id}
    auth.login("owner@example.org", PASSWORD)
    return ids


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _answers(ids: dict, action: str = "review") -> dict:
    data = {"action": action}
    for o in ids["options"]:
        data |= idea_fields(f"o{o}_c{ids['like']}", 20, 60, 40, 80)
        data[f"o{o}_c{ids['impact']}_value"] = "2"
        data[f"o{o}_c{ids['adoption']}_value"] = "55"
    data |= {f"s{ids['seed']}_q05": "1", f"s{ids['seed']}_q50": "3", f"s{ids['seed']}_q95": "9"}
    return data


def test_preview_shows_the_whole_form_with_every_question_type(app, client, study_ids):
    page = client.get(f"/studies/{study_ids['study']}/preview")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Preview as an expert" in text and "nothing you type here is stored" in text
    assert "Please <strong>judge</strong>" in text and "I agree to take part." in text
    o = study_ids["options"][0]
    for name in (f"o{o}_c{study_ids['like']}_best", f"o{o}_c{study_ids['impact']}_value",
                 f"o{o}_c{study_ids['adoption']}_value", f"o{o}_rationale",
                 f"s{study_ids['seed']}_q05"):
        assert f'name="{name}"' in text, name
    assert f'action="/studies/{study_ids["study"]}/preview?lang=en"' in text
    assert 'value="draft"' not in text  # nothing to save for later
    assert f'href="/studies/{study_ids["study"]}/preview?lang=fr"' in text  # each language


def test_preview_in_each_language(app, client, study_ids):
    french = client.get(f"/studies/{study_ids['study']}/preview?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in french and "Aperçu comme un expert" in french
    assert "Étude d’essai" in french and "Variante 1" in french
    assert "Sera-t-elle adoptée ?" in french and "Combien de navires" in french
    assert "Option 2" in french  # not translated: the main language
    assert client.get(f"/studies/{study_ids['study']}/preview?lang=de").status_code == 404


def test_preview_stores_nothing(app, client, study_ids):
    with app.app_context():
        before = _row_counts()
    sid = study_ids["study"]
    assert client.get(f"/studies/{sid}/preview").status_code == 200
    assert client.get(f"/studies/{sid}/preview?lang=fr").status_code == 200
    review = client.post(f"/studies/{sid}/preview?lang=en", data=_answers(study_ids))
    assert review.status_code == 200
    text = review.get_data(as_text=True)
    assert "In the preview nothing is submitted or stored." in text
    assert 'value="submit"' not in text and "best guess 40\u00a0%" in text
    bad = _answers(study_ids) | {f"o{study_ids['options'][0]}_c{study_ids['adoption']}_value":
                                 "abc"}
    refused = client.post(f"/studies/{sid}/preview?lang=en", data=bad)
    assert refused.status_code == 422 and "Enter a number" in refused.get_data(as_text=True)
    back = client.post(f"/studies/{sid}/preview?lang=en", data=_answers(study_ids, "edit"))
    assert back.status_code == 200 and 'value="55"' in back.get_data(as_text=True)
    with app.app_context():
        assert _row_counts() == before  # not a row written: no response, answer or audit event


def test_preview_of_an_open_round(app, client, auth):
    with app.app_context():
        owner = make_user()
        study = make_study(owner)  # round 1 is open
        sid = study.id
    auth.login("owner@example.org", PASSWORD)
    page = client.get(f"/studies/{sid}/preview").get_data(as_text=True)
    assert "Round 1" in page and "Option 3" in page


def test_preview_is_for_organizers_only(app, client, auth, study_ids):
    with app.app_context():
        add_member(db.session.get(Study, study_ids["study"]), "analyst@example.org",
                   Role.ANALYST)
    auth.logout()
    assert client.get(f"/studies/{study_ids['study']}/preview").status_code in (302, 401)
    auth.login("analyst@example.org", PASSWORD)
    assert client.get(f"/studies/{study_ids['study']}/preview").status_code == 403
    assert client.post(f"/studies/{study_ids['study']}/preview").status_code == 403
