"""Issue 20.5: every chart stays readable from 3 to 100 options.

Each chart is drawn for 3, 10, 50 and 100 options with long option names;
from matplotlib's renderer, no visible text overlaps another and none
leaves the canvas.
"""

from __future__ import annotations

import itertools

import pytest

import analysis
from analysis import plots
from tests.analysis._factories import make_judgments

LONG = "Seek active membership in the Freedom Edge exercise with Japan and Korea"


def _frame(n: int):
    frame = make_judgments(n_experts=6, n_options=n, seed=n)
    names = {f"o{i}": f"{i + 1} {LONG}" if i % 2 else f"Option {i + 1}" for i in range(n)}
    return frame.assign(option=frame["option"].map(names))


@pytest.fixture
def figures(monkeypatch):
    """The figures the chart functions render, captured on their way to SVG."""
    drawn = []
    original = plots._render

    def capture(fig, *args, **kwargs):
        drawn.append(fig)
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(plots, "_render", capture)
    return drawn


def _problems(fig) -> list[str]:
    from matplotlib.text import Text

    fig.draw_without_rendering()
    canvas = fig.bbox
    # Tick labels exist for ticks outside the view too; only the drawn ticks count.
    all_ticks, drawn = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                all_ticks |= {tick.label1, tick.label2}
            for tick in axis._update_ticks():  # what Axis.draw draws
                drawn |= {tick.label1, tick.label2}
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and (t not in all_ticks or t in drawn)]
    boxes = [(t.get_text(), t.get_window_extent()) for t in texts]
    problems = [f"{text!r} leaves the canvas" for text, box in boxes
                if box.x0 < canvas.x0 - 0.5 or box.y0 < canvas.y0 - 0.5
                or box.x1 > canvas.x1 + 0.5 or box.y1 > canvas.y1 + 0.5]
    for (a, first), (b, second) in itertools.combinations(boxes, 2):
        overlap_w = min(first.x1, second.x1) - max(first.x0, second.x0)
        overlap_h = min(first.y1, second.y1) - max(first.y0, second.y0)
        if overlap_w > 0.5 and overlap_h > 0.5:
            problems.append(f"{a!r} overlaps {b!r}")
    return problems


@pytest.mark.parametrize("n", [3, 10, 50, 100])
def test_every_chart_is_readable(figures, n):
    frame = _frame(n)
    result = analysis.rank_options(frame, resamples=40, seed=1)
    risk = analysis.risk_matrix(frame, resamples=40, seed=1)
    charts = {"forest": plots.forest_chart(result),
              "acceptability": plots.acceptability_chart(result),
              "risk": plots.risk_matrix_chart(risk),
              "distribution": plots.distribution_chart(frame, "impact")}
    assert len(figures) == len(charts)
    for (name, chart), fig in zip(charts.items(), figures, strict=True):
        assert _problems(fig) == [], (name, n)
        assert LONG in " ".join(chart.data["option"].astype(str)) if n > 1 else True
        assert chart.svg.startswith("<?xml") or "<svg" in chart.svg


def test_long_names_are_shortened_on_the_axis_and_whole_in_the_data():
    assert plots._short(LONG) == LONG[:31].rstrip() + "…" and len(plots._short(LONG)) <= 32
    assert plots._short("Short name") == "Short name"
    assert list(plots._thin_ticks(10)) == list(range(10))
    assert list(plots._thin_ticks(100)) == list(range(0, 100, 5))
