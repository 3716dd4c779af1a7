"""Journey (issue 17.1, 17.6, 17.15): a bilingual study built in the browser.

The organizer builds an English and French study from scratch, sees the
completeness check list the missing French texts, types them on the
Translations page, previews the questionnaire as an expert in French, and
launches. An expert recorded as French on the panel (with an English browser)
then reads only French content: no English option, question, label or
briefing text appears on their pages. axe-core checks every page.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.support import check_accessibility, docs_screenshot, log_in

ENGLISH = ["Joint Arctic patrols", "Patrol the Northwest Passage", "Arctic Council revival",
           "Restart the Council", "How likely is it to succeed?", "Think of the allies",
           "Very harmful", "Very beneficial", "How many people live in Nunavut?", "people",
           "Which Arctic options", "I agree to share my judgment"]
FRENCH = {
    ("Study", "Title"): "Coopération arctique",
    ("Study", "Briefing"): "## Pourquoi\nQuelles options arctiques le Canada devrait-il suivre ?",
    ("Study", "Consent text"): "J’accepte de partager mon jugement.",
    ("Option 1", "Title"): "Patrouilles arctiques conjointes",
    ("Option 1", "Description"): "Patrouiller le passage du Nord-Ouest avec les alliés.",
    ("Option 2", "Title"): "Relance du Conseil de l’Arctique",
    ("Option 2", "Description"): "Relancer les groupes de travail du Conseil.",
    ("Criterion “Likelihood”", "Name"): "Probabilité",
    ("Criterion “Likelihood”", "Question"): "Quelle est la probabilité de succès ?",
    ("Criterion “Likelihood”", "Help text"): "Pensez aux alliés.",
    ("Criterion “Impact”", "Name"): "Effet",
    ("Criterion “Impact”", "Question"): "Quel serait l’effet pour le Canada ?",
    ("Criterion “Impact”", "Label of point -3"): "Très nuisible",
    ("Criterion “Impact”", "Label of point 0"): "Aucun effet",
    ("Criterion “Impact”", "Label of point 3"): "Très bénéfique",
    ("Calibration question 1", "Question"): "Combien de personnes vivent au Nunavut ?",
    ("Calibration question 1", "Unit"): "personnes",
}


def _visible_text(page: Page) -> str:
    return page.locator("body").inner_text()


def _assert_only_french(page: Page) -> None:
    text = _visible_text(page)
    for english in ENGLISH:
        assert english not in text, f"{english!r} on {page.url}"


def _build_study(page: Page, base: str, title: str) -> str:
    """Create the study in the browser; return its overview URL."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New study").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Briefing (Markdown)").fill(
        "## Why\nWhich Arctic options should Canada pursue?")
    page.get_by_label("English").check()
    page.get_by_label("Français").check()
    page.get_by_label("Main language", exact=True).select_option("en")
    page.get_by_label("Consent statement (Markdown, optional)").fill(
        "I agree to share my judgment.")
    check_accessibility(page)
    page.get_by_role("button", name="Create study").click()
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    questions_url = page.url
    for option, description in (("Joint Arctic patrols", "Patrol the Northwest Passage."),
                                ("Arctic Council revival", "Restart the Council.")):
        add = page.get_by_role("group").filter(has=page.get_by_text("Add an option", exact=True))
        if add.get_attribute("open") is None:
            page.get_by_text("Add an option", exact=True).click()
        page.get_by_label("Title").fill(option)
        page.get_by_label("Description").fill(description)
        page.get_by_role("button", name="Add option").click()
        expect(page.get_by_role("status")).to_have_text("Option added.")
    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_label("Name").fill("Likelihood")
    page.get_by_label("Question shown to experts").fill("How likely is it to succeed?")
    page.get_by_label("Help shown under the question (optional)").fill("Think of the allies.")
    page.get_by_label("Probability (0–100 %)").check()
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_label("Name").fill("Impact")
    page.get_by_label("Question shown to experts").fill("What would the impact be?")
    page.get_by_label("Labelled scale").check()
    page.get_by_label("Lowest point").fill("-3")
    page.get_by_label("Highest point").fill("3")
    page.get_by_label(re.compile("^Labels, one per line")).fill(
        "-3: Very harmful\n0: No effect\n3: Very beneficial")
    page.get_by_label("Weight in the multi-criteria score").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Criterion saved.")
    page.get_by_role("link", name="Add a calibration question").click()
    page.get_by_label("Question").fill("How many people live in Nunavut?")
    page.get_by_label("Unit").fill("people")
    page.get_by_label("Logarithmic", exact=True).check()
    page.get_by_label("True value (never shown to experts)").fill("40000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Calibration question saved.")
    check_accessibility(page)
    # Two experts: one recorded as French on the panel.
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    for name, email, language in (("Marie Gagnon", "m.gagnon@example.org", "Français"),
                                  ("Oliver Grant", "o.grant@example.org", "English")):
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("E-mail", exact=True).fill(email)
        page.get_by_label("Language", exact=True).select_option(label=language)
        page.get_by_role("button", name="Add expert").click()
        expect(page.get_by_role("status")).to_be_visible()
    check_accessibility(page)
    return questions_url


def test_bilingual_study_from_the_browser(live_server, open_page):
    base, demo = live_server["base"], live_server["demo"]
    title = f"Arctic cooperation {secrets.token_hex(2)}"
    page = open_page("desktop")
    log_in(page, base, demo["organizer"]["email"], demo["organizer"]["password"])
    _build_study(page, base, title)

    # Before launch: the completeness check lists every missing French text.
    study_nav = page.get_by_role("navigation", name="Study")
    study_nav.get_by_role("link", name="Rounds").click()
    check = page.get_by_role("region", name=re.compile("^Completeness check"))
    expect(check).to_contain_text("Option 1: title")
    expect(check).to_contain_text("Criterion “Impact”: label of point -3")
    check_accessibility(page)
    docs_screenshot(page, "organizer-completeness-check", locator=check)

    # The Translations page: each field under its English original; a typo is refused and kept.
    study_nav.get_by_role("link", name="Translations").click()
    expect(page.get_by_role("heading", name="Missing in Français (17)")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Edit the Français texts").click()
    expect(page.get_by_role("heading", name="Texts in Français")).to_be_visible()
    check_accessibility(page)
    docs_screenshot(page, "organizer-translations")
    for (section, label), text in FRENCH.items():
        group = page.get_by_role("group", name=section, exact=True)
        group.get_by_label(f"{label} in Français", exact=True).fill(text)
    mail = page.get_by_role("group", name="E-mail: invitation", exact=True)
    mail.get_by_label("Subject in Français", exact=True).fill("Invitation : {study}")
    mail.get_by_label("Body in Français", exact=True).fill("Bonjour {name}, sans lien.")
    page.get_by_role("button", name="Save the Français texts").click()
    summary = page.get_by_role("alert").filter(has_text="Please correct the following")
    expect(summary).to_contain_text("{link}")
    expect(mail.get_by_label("Body in Français", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    expect(page.get_by_role("group", name="Option 1", exact=True).get_by_label(
        "Title in Français", exact=True)).to_have_value("Patrouilles arctiques conjointes")
    check_accessibility(page)
    mail.get_by_label("Subject in Français", exact=True).fill("")
    mail.get_by_label("Body in Français", exact=True).fill("")  # the shipped French e-mail
    page.get_by_role("button", name="Save the Français texts").click()
    expect(page.get_by_role("status")).to_contain_text("texts in Français saved")
    expect(page.get_by_role("heading", name=re.compile("^Missing in"))).to_have_count(0)
    check_accessibility(page)

    # Preview as an expert, in French: the whole form, nothing stored.
    study_nav.get_by_role("link", name="Rounds").click()
    expect(page.get_by_text(re.compile("every text is translated into fr"))).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Preview as an expert (fr)").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("Aperçu comme un expert")).to_be_visible()
    expect(page.get_by_role("heading", name="Patrouilles arctiques conjointes")).to_be_visible()
    _assert_only_french(page)
    check_accessibility(page)
    page.get_by_role("button", name="Relire et envoyer").click()
    expect(page.get_by_role("heading", name="Relisez vos réponses")).to_be_visible()
    expect(page.get_by_text("Dans l’aperçu, rien n’est envoyé ni enregistré.")).to_be_visible()
    _assert_only_french(page)
    check_accessibility(page)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Joint Arctic patrols")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Retour à l’étude").or_(
        page.get_by_role("link", name="Back to the study")).click()
    check_accessibility(page)

    # Launch: complete, so no confirmation is needed.
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Rounds").click()
    page.get_by_label("E-mail the invitations now").uncheck()
    page.get_by_role("button", name="Launch round 1").click()
    expect(page.get_by_role("heading", name=re.compile("^Round 1"))).to_contain_text("open")
    check_accessibility(page)
    page.get_by_role("navigation", name="Study").get_by_role("link", name="Panel").click()
    link = page.get_by_role("row").filter(has_text="Marie Gagnon").get_by_role(
        "link").first.inner_text()
    check_accessibility(page)

    # The French expert, with an English browser, reads only French.
    expert = open_page("phone", locale="en-GB")
    expert.goto(link)
    expect(expert.locator("html")).to_have_attribute("lang", "fr")
    expect(expert.get_by_role("heading", name="Coopération arctique")).to_be_visible()
    expect(expert.get_by_text("J’accepte de partager mon jugement.")).to_be_visible()
    _assert_only_french(expert)
    check_accessibility(expert)
    expert.locator("#consent").check()
    expert.get_by_role("button", name="Continuer vers les questions").click()
    expect(expert.get_by_role("heading", name="Relance du Conseil de l’Arctique")).to_be_visible()
    expect(expert.get_by_text("Pensez aux alliés.").first).to_be_visible()
    expect(expert.get_by_role("radio", name="-3 Très nuisible").first).to_be_visible()
    _assert_only_french(expert)
    check_accessibility(expert)
    docs_screenshot(expert, "expert-form-french-phone")
    expert.get_by_role("button", name="Relire et envoyer").click()
    expect(expert.get_by_role("heading", name="Relisez vos réponses")).to_be_visible()
    _assert_only_french(expert)
    check_accessibility(expert)
    # The switch on the page: English content for this browser from now on.
    expert.get_by_role("button", name="English").click()
    expect(expert.locator("html")).to_have_attribute("lang", "en")
    expect(expert.get_by_role("heading", name="Joint Arctic patrols")).to_be_visible()
    check_accessibility(expert)
