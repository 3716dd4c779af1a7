"""Pick the interface language: the expert's, then the study's, then the browser's."""

from __future__ import annotations

from flask import current_app, g, request


def select_locale() -> str:
    """Flask-Babel locale selector."""
    supported = current_app.config["LANGUAGES"]
    preferred = getattr(g, "preferred_locale", None)
    if preferred in supported:
        return preferred
    return request.accept_languages.best_match(supported) or supported[0]
