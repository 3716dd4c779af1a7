"""SVG charts of the results (matplotlib object API, no pyplot state).

Every function returns a :class:`Chart`: the SVG text with an accessible
``<title>``/``<desc>``, the data table it draws, and that description, so a
page can offer the table beside (or instead of) the picture.  With
``draw=False`` the result functions skip matplotlib and return the table and
texts only (``svg`` empty): a page can show those at once and draw the
picture when its image is requested.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis import _nan
from analysis.consensus import judgment_grid
from analysis.validation import Judgments

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from analysis.ranking import RankingResult
    from analysis.risk import RiskMatrix

__all__ = ["Chart", "risk_matrix_chart", "forest_chart", "acceptability_chart",
           "distribution_chart"]


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the data it shows.

    Attributes
    ----------
    svg : str
        Standalone SVG document (``role="img"`` with ``<title>`` and ``<desc>``);
        empty when made with ``draw=False``.
    data : pandas.DataFrame
        The plotted numbers.
    title : str
    description : str
        One-paragraph text alternative.
    """

    svg: str
    data: pd.DataFrame
    title: str
    description: str

    def __str__(self) -> str:
        return self.svg


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(fig)
    return fig, fig.add_subplot()


def _render(fig: Figure, title: str, description: str, data: pd.DataFrame) -> Chart:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": title,
                                                "Description": description})
    svg = buffer.getvalue()
    head = svg.index("<svg")
    end = svg.index(">", head)
    accessible = (f'{svg[:end]} role="img" aria-labelledby="chart-title chart-desc">'
                  f'<title id="chart-title">{html.escape(title)}</title>'
                  f'<desc id="chart-desc">{html.escape(description)}</desc>')
    return Chart(svg=accessible + svg[end + 1:], data=data, title=title,
                 description=description)


LABEL_CHARS = 32  # tick labels longer than this are shortened (the data table has them whole)
ROW_INCHES = 0.26  # one option row: a 10 pt label with air around it
LABEL_INCH_PER_CHAR = 0.085  # width of a 10 pt character, with margin


def _height(n: int) -> float:
    """Figure height for `n` option rows, plus room for title and axis labels."""
    return float(2.0 + ROW_INCHES * n)


def _short(label: object, limit: int = LABEL_CHARS) -> str:
    """A tick label: one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(str(label).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _label_inches(labels: Sequence[str]) -> float:
    """Room the longest (shortened) label needs beside an axis."""
    return LABEL_INCH_PER_CHAR * max((len(label) for label in labels), default=0)


def _count(n: int, noun: str) -> str:
    """'1 option', '3 options'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _thin_ticks(n: int, most: int = 20) -> np.ndarray:
    """Rank positions to label on an axis of `n` ranks: all up to `most`, else every k-th."""
    step = int(np.ceil(n / most))
    return np.arange(0, n, step)


def forest_chart(result: RankingResult, title: str | None = None, *, draw: bool = True) -> Chart:
    """Forest plot: each option's score with its bootstrap interval, best at the top.

    Parameters
    ----------
    result : RankingResult
        From :func:`analysis.rank_options`.
    title : str, optional
        Chart title.
    draw : bool, default True
        False: skip drawing and return the data and texts with an empty ``svg``.

    Returns
    -------
    Chart
        Data columns ``option, rank, score, low, high``.
    """
    data = result.table[["option", "rank", "score", "low", "high"]].copy()
    title = title or f"Expected impact by option ({result.method})"
    err = np.vstack([data["score"] - data["low"], data["high"] - data["score"]])
    has_interval = bool(np.isfinite(err).all())
    best = data.iloc[0]
    description = (f"Forest plot of {_count(len(data), 'option')} ranked by aggregated "
                   f"expected impact ({result.method}). Best: {best['option']} with score "
                   f"{best['score']:.2f}" + (f" ({result.interval:.0%} interval "
                                             f"{best['low']:.2f} to {best['high']:.2f})."
                                             if has_interval else "."))
    if not draw:
        return Chart(svg="", data=data, title=title, description=description)
    labels = [_short(f"{r}. {o}") for r, o in zip(data["rank"], data["option"], strict=True)]
    fig, ax = _figure(5.0 + _label_inches(labels), _height(len(data)))
    y = np.arange(len(data))[::-1]
    ax.errorbar(data["score"], y, xerr=np.abs(err) if has_interval else None, fmt="o",
                color="#1f4e79", ecolor="#7f9fbf", capsize=3)
    ax.set_yticks(y, labels)
    ax.axvline(0.0, color="#999999", linewidth=0.8)
    ax.set_xlabel(f"Expected impact (points; whiskers {result.interval:.0%}\nbootstrap interval)")
    ax.set_ylabel("Option, in rank order")
    ax.set_title(title)
    return _render(fig, title, description, data)


def acceptability_chart(result: RankingResult, title: str | None = None, *,
                        draw: bool = True) -> Chart:
    """Heat map of the rank-acceptability matrix: P(option takes rank r).

    Parameters
    ----------
    result : RankingResult
        From :func:`analysis.rank_options` with ``resamples > 0``.
    title : str, optional
        Chart title.
    draw : bool, default True
        False: skip drawing and return the data and texts with an empty ``svg``.

    Returns
    -------
    Chart
        Data: the acceptability matrix in long form ``option, rank, probability``.
    """
    matrix = result.acceptability
    if matrix.isna().all().all():
        raise ValueError("the result has no bootstrap (resamples=0): nothing to draw")
    title = title or "Rank acceptability: probability of each rank"
    n = matrix.shape[0]
    data = matrix.stack().rename("probability").reset_index()
    first = result.table.iloc[0]
    description = (f"Heat map of the probability that each of {_count(n, 'option')} takes "
                   f"each rank, from {result.resamples} bootstrap resamples of experts. "
                   f"{first['option']} ranks first with probability "
                   f"{first['p_first'] * 100:.0f}\u00a0%.")
    if not draw:
        return Chart(svg="", data=data, title=title, description=description)
    labels = [_short(o) for o in matrix.index]
    ranks = _thin_ticks(n)
    # the columns get at least the width of their (thinned) tick labels
    columns = max(4.0, 0.12 * len(ranks) * max(len(str(n)), 2) + 0.05 * n)
    fig, ax = _figure(2.5 + _label_inches(labels) + columns, _height(n))
    image = ax.imshow(matrix.to_numpy(dtype=float), cmap="Blues", vmin=0.0, vmax=1.0,
                      aspect="auto")
    ax.set_xticks(ranks, [str(matrix.columns[i]) for i in ranks])
    ax.set_yticks(np.arange(n), labels)
    ax.set_xlabel("Rank (1 = best)")
    ax.set_ylabel("Option")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="Probability")
    return _render(fig, title, description, data)


def risk_matrix_chart(risk: RiskMatrix, title: str | None = None, *,
                      draw: bool = True) -> Chart:
    """Risk matrix: likelihood vs impact per option with interval whiskers.

    Parameters
    ----------
    risk : RiskMatrix
        From :func:`analysis.risk_matrix`.
    title : str, optional
        Chart title.
    draw : bool, default True
        False: skip drawing and return the data and texts with an empty ``svg``.

    Returns
    -------
    Chart
        Data: ``risk.table``.
    """
    data = risk.table.copy()
    title = title or "Risk matrix: likelihood and impact per option"
    description = (f"Scatter of {_count(len(data), 'option')} by aggregated likelihood "
                   f"(0 to 1) and impact, with {risk.interval:.0%} bootstrap intervals "
                   f"as whiskers.")
    if not draw:
        return Chart(svg="", data=data, title=title, description=description)
    # Many options: points carry their row number in the data table, not their name.
    names = [_short(o, 24) for o in data["option"]] if len(data) <= 12 \
        else [str(i) for i in range(1, len(data) + 1)]
    side = 7.0 if len(data) <= 12 else 7.0 + min(len(data), 100) * 0.04
    fig, ax = _figure(side, side * 0.8)
    x, y = data["likelihood"].to_numpy(float), data["impact"].to_numpy(float)
    xerr = np.abs(np.vstack([x - data["likelihood_low"], data["likelihood_high"] - x]))
    yerr = np.abs(np.vstack([y - data["impact_low"], data["impact_high"] - y]))
    ax.errorbar(x, y, xerr=xerr if np.isfinite(xerr).all() else None,
                yerr=yerr if np.isfinite(yerr).all() else None, fmt="o", color="#1f4e79",
                ecolor="#7f9fbf", capsize=3)
    ax.axhline(0.0, color="#999999", linewidth=0.8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel(f"Likelihood ({risk.probability_criterion}, {risk.method})")
    ax.set_ylabel("Impact (weighted sum of scale criteria)")
    ax.set_title(title)
    _place_labels(fig, [ax.annotate(label, (xi, yi), textcoords="offset points",
                                    xytext=(4, 4), fontsize=8)
                        for xi, yi, label in zip(x, y, names, strict=True)])
    if len(data) > 12:
        description += " Points are numbered in the order of the data table."
    return _render(fig, title, description, data)


# Where a point's label may go, in points from the point, with its alignment: up-right
# first, then the other corners, then further above and below.
LABEL_SPOTS = ((4, 4, "left"), (4, -11, "left"), (-4, 4, "right"), (-4, -11, "right"),
               (4, 14, "left"), (-4, 14, "right"), (4, -21, "left"), (-4, -21, "right"))


def _place_labels(fig: Figure, labels: list) -> None:
    """Move each point label to the first spot that overlaps no other text and stays in the plot.

    Greedy, in the order given; a label with no free spot is hidden (the data
    table, shown beside every chart, still names the point).
    """
    fig.draw_without_rendering()  # lay the figure out so text extents are final
    axes = labels[0].axes.get_window_extent() if labels else None
    placed = [t.get_window_extent() for t in fig.findobj(_is_text)
              if t not in labels and t.get_visible() and t.get_text()]
    for label in labels:
        for dx, dy, align in LABEL_SPOTS:
            label.set_position((dx, dy))
            label.set_horizontalalignment(align)
            box = label.get_window_extent()
            inside = axes.x0 <= box.x0 and box.x1 <= axes.x1 and axes.y0 <= box.y0 \
                and box.y1 <= axes.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
        else:
            label.set_visible(False)


def _is_text(artist: object) -> bool:
    from matplotlib.text import Text

    return isinstance(artist, Text)


def distribution_chart(judgments: Judgments, criterion: str, *, round: int | None = None,
                       groups: Sequence[str] | None = None, title: str | None = None) -> Chart:
    """Per-option distribution of the experts' judgments on one criterion (box + points).

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments.
    criterion : str
        Criterion to show.
    round : int, optional
        Round; default the latest.
    groups : sequence of str, optional
        Keep only experts of these groups.
    title : str, optional
        Chart title.

    Returns
    -------
    Chart
        Data: long table ``option, expert, value`` (abstentions left out).
    """
    grid = judgment_grid(judgments, criterion, round=round, groups=groups)
    data = grid.stack().rename("value").reset_index()[["option", "expert", "value"]]
    title = title or f"Experts' judgments on {criterion}, by option"
    options = list(grid.columns)
    labels = [_short(o) for o in options]
    fig, ax = _figure(5.0 + _label_inches(labels), _height(len(options)))
    columns = [grid[o].dropna().to_numpy(float) for o in options]
    positions = np.arange(len(options))[::-1]
    # drawn by hand: Axes.boxplot reads every rcParam and so imports pyplot
    a = grid.to_numpy(float)
    q1, med, q3 = (_nan.quantile(a, q) for q in (0.25, 0.5, 0.75))
    lo, hi = (_nan.quantile(a, q) for q in (0.0, 1.0))
    ax.hlines(positions, lo, hi, color="#555555", linewidth=1)
    ax.hlines(positions, q1, q3, color="#9fbfdf", linewidth=10)
    ax.scatter(med, positions, marker="|", s=200, color="#000000", zorder=3)
    rng = np.random.default_rng(0)  # fixed jitter: the same input draws the same picture
    for pos, values in zip(positions, columns, strict=True):
        ax.scatter(values, pos + rng.uniform(-0.15, 0.15, len(values)), s=10,
                   color="#1f4e79", alpha=0.6)
    ax.set_yticks(positions, labels)
    ax.set_xlabel(criterion)
    ax.set_ylabel("Option")
    ax.set_title(title)
    description = (f"Per option: range (thin line), interquartile range (bar), median (tick) "
                   f"and individual points of {_count(len(data), 'judgment')} on "
                   f"{criterion} across {_count(len(options), 'option')}.")
    return _render(fig, title, description, data)
