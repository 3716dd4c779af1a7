"""The results dashboard's charts: texts and data tables, and the SVG pictures.

The pictures are drawn once, with the results (`background.with_charts` on
the first computation, or the results job of a large round), and cached like
them; an image request only reads the cache (it draws only if the cache lost
the entry). The page itself shows each chart's title, text alternative and
data table without drawing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

import analysis
from elicit.models import Study
from elicit.services.results import cache, dashboard
from elicit.services.results.params import ResultParams, find_round


def round_chart_tables(study: Study, params: ResultParams) -> dict[str, analysis.Chart]:
    """The dashboard charts' titles, text alternatives and data tables, without drawing.

    The page shows these at once; each picture is drawn by `round_chart` when
    the browser asks for its image.
    """
    outcome = dashboard.round_results(study, params)
    return _draw(outcome, draw=False) if outcome is not None else {}


def round_chart(study: Study, params: ResultParams, name: str) -> analysis.Chart | None:
    """One dashboard chart drawn as SVG on its first request, then cached like results."""
    outcome = dashboard.round_results(study, params)
    if outcome is None or name not in CHART_NAMES:
        return None
    return cache.cached(chart_key(study, params, name),
                        lambda: _draw(outcome, only=name).get(name, False)) or None


def chart_key(study: Study, params: ResultParams, name: str) -> str:
    """The cache key of one dashboard chart (the round's data version included)."""
    round_ = find_round(study, params.round)
    return cache.make_key("chart", name, study.id, cache.round_version(round_),
                          params.cache_parts(), current_app.config["RESULTS_RESAMPLES"])


def round_charts(study: Study, params: ResultParams) -> dict[str, analysis.Chart]:
    """The dashboard's SVG charts (forest, risk matrix, acceptability), each cached.

    Kept apart from `round_results` so the API, CLI and downloads never draw.
    """
    return {name: chart for name in round_chart_tables(study, params)
            if (chart := round_chart(study, params, name)) is not None}


CHART_NAMES = ("forest", "acceptability", "risk")


def _draw(outcome: dashboard.RoundResults, *, draw: bool = True,
          only: str | None = None) -> dict[str, analysis.Chart]:
    """The charts the results allow (`only` one of them); `draw=False`: tables and texts only."""
    makers = {"forest": lambda: analysis.forest_chart(outcome.ranking, draw=draw)}
    if outcome.ranking.resamples:
        makers["acceptability"] = lambda: analysis.acceptability_chart(outcome.ranking,
                                                                       draw=draw)
    if outcome.risk is not None:
        makers["risk"] = lambda: analysis.risk_matrix_chart(outcome.risk, draw=draw)
    with quiet_charts():
        return {name: make() for name, make in makers.items() if only in (None, name)}


@contextmanager
def quiet_charts() -> Iterator[None]:
    """Silence matplotlib's missing-glyph warnings (a tab or emoji in an option title)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font",
                                category=UserWarning)
        yield
