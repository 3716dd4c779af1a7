"""Pick the interface language: the panel's language for an expert, their choice, the browser's."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, g, has_request_context, request, session

EXPERT_PATHS = ("/r/", "/respond")
CHOSEN_KEY = "respond_lang"  # the session key of the expert pages' language switch


def select_locale() -> str:
    """Flask-Babel locale selector (English-only outside a request, e.g. in the CLI)."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    preferred = getattr(g, "preferred_locale", None)
    if preferred in supported:
        return preferred
    if request.path.startswith(EXPERT_PATHS) and (chosen := chosen_locale()):
        return chosen  # an expert's error page in the language they picked
    return request.accept_languages.best_match(supported) or supported[0]


def study_locales(study_languages: Sequence[str] | None) -> list[str]:
    """The study's languages that the interface supports, in the study's order."""
    supported = current_app.config["LANGUAGES"]
    offered = [lang for lang in (study_languages or []) if lang in supported]
    return offered or [current_app.config["BABEL_DEFAULT_LOCALE"]]


def expert_locale(study_languages: Sequence[str] | None, expert_language: str | None,
                  chosen: str | None) -> str:
    """The language of an expert's pages, and of the study's texts on them.

    The expert starts in the language the panel records for them; a choice
    made with the page's language switch then wins for that browser session;
    an expert whose panel language the study does not offer gets the
    browser's preference among the study's languages, failing that the
    study's main language.
    """
    offered = study_locales(study_languages)
    if chosen in offered:
        return chosen
    if expert_language in offered:
        return expert_language
    browser = request.accept_languages.best_match(offered) if request.accept_languages else None
    return browser or offered[0]


def chosen_locale() -> str | None:
    """The language picked with the switch of an expert page, if any (for pages without a link)."""
    chosen = session.get(CHOSEN_KEY)
    return chosen if chosen in current_app.config["LANGUAGES"] else None
