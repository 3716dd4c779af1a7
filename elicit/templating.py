"""Jinja filters: sanitized Markdown, percentages, numbers."""

from __future__ import annotations

import math
from functools import lru_cache

import markdown as md
import nh3
from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
                "code", "pre", "a", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, sanitized with nh3 (no scripts, styles or event handlers).

    Cached by the text itself: a study's briefing is rendered once, not on
    every expert's page, and an edited briefing is a new text.
    """
    return _render_markdown(text or "")


@lru_cache(maxsize=256)
def _render_markdown(text: str) -> Markup:
    html = md.markdown(text, extensions=["tables"], output_format="html")
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow"))  # noqa: S704


def percent(value: float | None, digits: int = 0) -> str:
    """0.4567 → '46 %' (empty for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{digits}f} %"


def number(value: float | None, digits: int = 2) -> str:
    """Format a float with fixed digits; '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def plural(count: int | None, noun: str, nouns: str | None = None) -> str:
    """'1 option', '3 options' (`nouns` for an irregular plural)."""
    count = int(count or 0)
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def register(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.globals["get_locale"] = get_locale
