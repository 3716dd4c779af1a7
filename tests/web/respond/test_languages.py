"""English and French expert pages: chosen by the study, the browser or the expert."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from elicit.extensions import db
from tests.factories import link_token, make_study
from tests.web.respond.helpers import consent, full_form, ids_of

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "elicit" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# Everything an expert can see comes from these sources.
EXPERT_FACING = [("templates/respond", "jinja2"), ("elicit/respond", "python")]
EXPERT_FACING_FILES = [("templates/macros/fields.html", "jinja2"),
                       ("elicit/services/responses/rules.py", "python"),
                       ("elicit/services/responses/answering.py", "python"),
                       ("elicit/services/responses/drafts.py", "python")]


def _start(app, client, languages=("en", "fr"), headers=None):
    with app.app_context():
        study = make_study(languages=list(languages))
        ids, token = ids_of(study), link_token(study)
    client.get(f"/r/{token}", headers=headers or {})
    return ids, token


def _expert_messages() -> set[str]:
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
                "ngettext": (1, 2)}
    found: set[str] = set()
    for folder, kind in EXPERT_FACING:
        for _f, _l, message, _c, _ctx in extract_from_dir(
                str(ROOT / folder), [(f"**.{'html' if kind == 'jinja2' else 'py'}", kind)],
                keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    for name, kind in EXPERT_FACING_FILES:
        with open(ROOT / name, "rb") as handle:
            for _l, message, _c, _ctx in extract(kind, handle, keywords=keywords):
                found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def test_every_expert_facing_string_has_a_french_translation():
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    messages = _expert_messages()
    assert len(messages) > 80
    def translated(message: str) -> bool:
        found = catalog.get(message)
        strings = [] if found is None else (
            [found.string] if isinstance(found.string, str) else list(found.string))
        return bool(strings) and all(strings)

    untranslated = sorted(m for m in messages if not translated(m))
    assert untranslated == []


def _frozen(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalog_matches_the_po_file():
    with open(CATALOG, "rb") as handle:
        po = {_frozen(m.id): _frozen(m.string) for m in read_po(handle, locale="fr") if m.id}
    with open(CATALOG.with_suffix(".mo"), "rb") as handle:
        mo = {_frozen(m.id): _frozen(m.string) for m in read_mo(handle) if m.id}
    expected = {k: v for k, v in po.items() if (all(v) if isinstance(v, tuple) else v)}
    assert mo == expected, "run: pybabel compile -d elicit/translations"


def test_browser_language_picks_french(app, client):
    # The panel records a language the study does not offer: the browser decides.
    with app.app_context():
        study = make_study(languages=["en", "fr"])
        for expert in study.experts:
            expert.language = "de"
        db.session.commit()
        token = link_token(study)
    client.get(f"/r/{token}", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    page = client.get("/respond", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text
    assert "Note d’information" in text and "Continuer vers les questions" in text


def test_study_in_french_only_is_french_whatever_the_browser(app, client):
    _start(app, client, languages=("fr",))
    text = client.get("/respond", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Anonymat" in text
    assert "English" not in text  # no switcher when the study has one language


def test_expert_can_switch_language(app, client):
    ids, _ = _start(app, client)
    consent(client)
    assert "Relire et envoyer" not in client.get("/respond").get_data(as_text=True)
    assert client.post("/respond/language", data={"lang": "fr"}).status_code == 303
    text = client.get("/respond").get_data(as_text=True)
    assert "Relire et envoyer" in text and "Je ne sais pas / je m’abstiens" in text
    client.post("/respond/language", data={"lang": "de"})  # not offered: ignored
    assert "Relire et envoyer" in client.get("/respond").get_data(as_text=True)


@pytest.mark.parametrize("field, typed, message", [
    ("best", "abc", "Saisissez un nombre, par exemple 42 ou 12,5."),
    ("confidence", "40", "Saisissez une valeur d’au moins 50."),
    ("lowest", "70", "La valeur la plus basse ne doit pas dépasser la meilleure estimation"),
])
def test_errors_are_in_french(app, client, field, typed, message):
    ids, _ = _start(app, client, languages=("fr",))
    consent(client)
    prefix = f"o{ids['options'][0]}_c{ids['criteria'][0]}"
    response = client.post("/respond", data=full_form(ids) | {f"{prefix}_{field}": typed})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert "Certaines réponses demandent votre attention" in text


def test_french_scale_choice_error_comes_from_wtforms_catalog(app, client):
    ids, _ = _start(app, client, languages=("fr",))
    consent(client)
    field = f"o{ids['options'][0]}_c{ids['criteria'][1]}_value"
    text = client.post("/respond", data=full_form(ids) | {field: "9"}).get_data(as_text=True)
    assert "Not a valid choice" not in text


def test_french_review_and_done_pages(app, client):
    ids, _ = _start(app, client, languages=("fr",))
    consent(client)
    review = client.post("/respond", data=full_form(ids, best=35, action="review"))
    text = review.get_data(as_text=True)
    assert "Relisez vos réponses" in text
    assert "meilleure estimation 35\u00a0% (de 25\u00a0% à 45\u00a0%, confiance 80\u00a0%)" in text
    client.post("/respond", data=full_form(ids, best=35))
    assert "Merci : vos réponses sont envoyées" in client.get("/respond/done").get_data(
        as_text=True)


def test_french_plural_on_the_review_page(app, client):
    ids, _ = _start(app, client, languages=("fr",))
    consent(client)
    data = full_form(ids, action="review")
    like = ids["criteria"][0]
    for part in ("lowest", "highest", "best", "confidence"):
        del data[f"o{ids['options'][0]}_c{like}_{part}"]
    text = client.post("/respond", data=data).get_data(as_text=True)
    assert "1 question attend encore une réponse" in text
