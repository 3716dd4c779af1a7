"""Pick the interface language: the expert's choice, the study's, then the browser's."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, g, has_request_context, request


def select_locale() -> str:
    """Flask-Babel locale selector (English-only outside a request, e.g. in the CLI)."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    preferred = getattr(g, "preferred_locale", None)
    if preferred in supported:
        return preferred
    return request.accept_languages.best_match(supported) or supported[0]


def study_locales(study_languages: Sequence[str] | None) -> list[str]:
    """The study's languages that the interface supports, in the study's order."""
    supported = current_app.config["LANGUAGES"]
    offered = [lang for lang in (study_languages or []) if lang in supported]
    return offered or [current_app.config["BABEL_DEFAULT_LOCALE"]]


def expert_locale(study_languages: Sequence[str] | None, expert_language: str | None,
                  chosen: str | None) -> str:
    """The language of an expert's pages.

    An explicit choice on the page wins; a study in one language uses it;
    otherwise the browser's preference among the study's languages, and
    failing that the language recorded for the expert on the panel.
    """
    offered = study_locales(study_languages)
    if chosen in offered:
        return chosen
    if len(offered) == 1:
        return offered[0]
    browser = request.accept_languages.best_match(offered) if request.accept_languages else None
    if browser:
        return browser
    return expert_language if expert_language in offered else offered[0]
