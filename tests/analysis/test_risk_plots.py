import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis import (
    acceptability_chart,
    distribution_chart,
    forest_chart,
    rank_options,
    risk_matrix,
    risk_matrix_chart,
)
from tests.analysis._factories import make_judgments

ROOT = Path(__file__).resolve().parents[2]


def test_risk_matrix_point_and_intervals():
    df = make_judgments(10, 3)
    rm = risk_matrix(df, resamples=200)
    t = rm.table
    mean_p = df[df["criterion"] == "likelihood"].groupby("option")["value"].mean()
    np.testing.assert_allclose(t["likelihood"], mean_p.to_numpy())
    assert (t["likelihood_low"] <= t["likelihood"] + 1e-12).all()
    assert (t["impact"] <= t["impact_high"] + 1e-12).all()
    assert risk_matrix(df, resamples=0).table["impact_low"].isna().all()
    with pytest.raises(ValueError, match="probability criterion and a scale"):
        risk_matrix(df[df["criterion"] == "impact"])


def _is_accessible_svg(chart):
    assert chart.svg.lstrip().startswith("<?xml")
    assert "<svg" in chart.svg and 'role="img"' in chart.svg
    assert f"<title id=\"chart-title\">{chart.title}" in chart.svg.replace("&#x27;", "'")
    assert "<desc" in chart.svg and chart.description
    assert len(chart.data) > 0
    assert str(chart) == chart.svg


def test_charts():
    df = make_judgments(8, 3)
    r = rank_options(df, resamples=100)
    for chart in (forest_chart(r), acceptability_chart(r), risk_matrix_chart(risk_matrix(
            df, resamples=50)), distribution_chart(df, "impact")):
        _is_accessible_svg(chart)
    assert list(forest_chart(r).data.columns) == ["option", "rank", "score", "low", "high"]
    forest_chart(rank_options(df, resamples=0))  # no intervals: still draws
    with pytest.raises(ValueError, match="resamples=0"):
        acceptability_chart(rank_options(df, resamples=0))
    with pytest.raises(ValueError, match="unknown criterion"):
        distribution_chart(df, "nope")


def test_charts_never_touch_pyplot():
    code = ("import sys; sys.path.insert(0, '.');"
            "from tests.analysis._factories import make_judgments;"
            "import analysis as a; df = make_judgments(5, 3);"
            "r = a.rank_options(df, resamples=20);"
            "a.forest_chart(r); a.acceptability_chart(r); a.distribution_chart(df, 'impact');"
            "a.risk_matrix_chart(a.risk_matrix(df, resamples=10));"
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_labels_of_points_close_together_do_not_overlap():
    from analysis.plots import _figure, _place_labels

    fig, ax = _figure(7.0, 5.5)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    spots = [(0.40, 0.42), (0.41, 0.42), (0.42, 0.43), (0.80, 0.20)]
    labels = [ax.annotate(f"A long option title number {n}", spot, textcoords="offset points",
                          xytext=(4, 4), fontsize=8) for n, spot in enumerate(spots)]
    _place_labels(fig, labels)
    # a label with no free spot inside the plot is hidden (the data table names the point)
    shown = [label for label in labels if label.get_visible()]
    assert len(shown) >= 3
    boxes = [label.get_window_extent() for label in shown]
    assert not any(boxes[i].overlaps(boxes[j])
                   for i in range(len(boxes)) for j in range(i + 1, len(boxes)))
    # a label near the right edge goes to the left of its point, inside the plot
    assert labels[3].get_visible() and labels[3].get_position() == (-4, 4)
    assert labels[3].get_window_extent().x1 <= ax.get_window_extent().x1
