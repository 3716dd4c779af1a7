"""Jinja filters: sanitized Markdown, stored HTML, texts in the reader's language, numbers."""

from __future__ import annotations

import math

from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup

import elicit.richtext as richtext
from elicit.services.common import numbers
from elicit.services.studies import translations

NBSP = "\u00a0"


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, sanitized with nh3 (no scripts, styles or event handlers).

    For texts not stored with their HTML; a study's briefing and consent text
    are rendered when saved (`stored_html`).
    """
    return Markup(richtext.render(text))  # noqa: S704 - sanitized by nh3


def _lang() -> str:
    return str(get_locale() or "en")


def localized(obj, field: str) -> str:
    """`obj.field` in the reader's language, else in the study's main language."""
    return translations.text(obj, field, _lang())


def localized_html(study, field: str) -> Markup:
    """The stored, sanitized HTML of a study's briefing or consent text in the reader's language."""
    return Markup(translations.html(study, field, _lang()))  # noqa: S704 - sanitized when saved


def localized_labels(criterion) -> dict[str, str]:
    """A scale criterion's point labels in the reader's language (main language per gap)."""
    return translations.scale_labels(criterion, _lang())


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


def local_number(value: float | None, fmt: str = "%g") -> str:
    """A number as the reader writes it: a decimal comma in French; '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = fmt % value
    return text.replace(".", ",") if _lang() == "fr" else text


def local_percent(fraction: float | None, fmt: str = "%.0f") -> str:
    """0.455 → '46 %', with a non-breaking space before '%' (and a comma in French)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return f"{local_number(fraction * 100, fmt)}{NBSP}%"


# One rule per quantity (elicit/services/common/numbers.py), in the reader's decimal mark.
PROBABILITY_COLUMNS = frozenset({"probability", "likelihood", "likelihood_low",
                                 "likelihood_high", "p_first", "p_top3"})


def _decimal() -> str:
    return "," if _lang() == "fr" else "."


def probability(fraction: float | None) -> str:
    """A probability, an IQR of probabilities or a P(rank): 0.25 → '25 %' everywhere."""
    return numbers.probability(fraction, _decimal())


def scale_value(value: float | None) -> str:
    """A scale answer, median, IQR, score or interval bound: two decimals everywhere."""
    return numbers.scale_value(value, _decimal())


def quantity(value: float | None, is_probability: bool) -> str:
    """A judgment statistic by its criterion's kind: percentage or scale value."""
    return numbers.quantity(value, is_probability, _decimal())


def data_cell(value: object, column: str) -> str:
    """A cell of a chart's data table, by its column's quantity."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    return quantity(value, str(column) in PROBABILITY_COLUMNS)


def plural(count: int | None, noun: str, nouns: str | None = None) -> str:
    """'1 option', '3 options' (`nouns` for an irregular plural)."""
    count = int(count or 0)
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def register(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["local_number"] = local_number
    app.jinja_env.filters["local_percent"] = local_percent
    app.jinja_env.filters["tr"] = localized
    app.jinja_env.filters["tr_html"] = localized_html
    app.jinja_env.filters["tr_labels"] = localized_labels
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["probability"] = probability
    app.jinja_env.filters["scale_value"] = scale_value
    app.jinja_env.filters["quantity"] = quantity
    app.jinja_env.filters["data_cell"] = data_cell
    app.jinja_env.globals["get_locale"] = get_locale
