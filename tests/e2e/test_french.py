"""Journey 6: an expert whose browser asks for French gets the French form."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.support import check_accessibility, open_link, option_section


def test_french_browser_gets_the_french_form(arrange, open_page):
    # Recorded as French on the panel (which decides first; the browser agrees here).
    stage = arrange.study(options=1, seeds=1, languages={"Priya Natarajan": "fr"})
    page = open_page("phone", locale="fr-CA")
    open_link(page, stage.links["Priya Natarajan"])

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Note d’information")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()  # the way back
    check_accessibility(page)
    page.get_by_label(re.compile("^J’ai lu la note d’information")).check()
    page.get_by_role("button", name="Continuer vers les questions").click()

    expect(page.get_by_text("0 questions sur 3 ont une réponse")).to_be_visible()
    section = option_section(page, stage.options[0])
    expect(section.get_by_label("Valeur plausible la plus basse (%)")).to_be_visible()
    expect(section.get_by_label("Votre raisonnement (facultatif)")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer et terminer plus tard")).to_be_visible()
    check_accessibility(page)

    # Validation messages are in French too (two of the four steps given), nothing is lost.
    section.get_by_label("Valeur plausible la plus basse (%)").fill("70")
    section.get_by_label("Valeur plausible la plus haute (%)").fill("20")
    page.get_by_role("button", name="Relire et envoyer").click()
    summary = page.get_by_role("alert").filter(has_text="Certaines réponses demandent votre "
                                                        "attention")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Remplissez les quatre étapes")
    expect(section.get_by_label("Valeur plausible la plus basse (%)")).to_have_value("70")
    check_accessibility(page)
