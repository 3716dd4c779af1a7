"""The plain-language summary and spreadsheet neutralisation."""

from __future__ import annotations

import pandas as pd
import pytest

from elicit.services.results import summary
from elicit.services.results.exports import neutralise


class _Ranking:
    resamples = 100
    interval = 0.9


def _table(p_first, consensus=("consensus", "no consensus", "consensus"), change=(1, -1, 0)):
    return pd.DataFrame({"option": ["A", "B", "C"], "rank": [1, 2, 3],
                         "score": [2.0, 1.0, 0.5], "low": [1.5, 0.2, 0.1],
                         "high": [2.5, 1.4, 0.9], "p_first": p_first,
                         "consensus": list(consensus), "change": list(change)})


def test_summary_reads_the_numbers():
    text = summary.summarize(_table([0.95, 0.05, 0.0]), _Ranking(), 0.8, previous_round=True)
    assert text.startswith("A ranks first with an aggregated expected impact of 2.00 "
                           "(90\u00a0% interval 1.50 to 2.50); it is first in 95\u00a0%")
    assert "a robust lead" in text and "does not overlap that of B" in text
    assert "consensus on 2 of 3 options and disagrees on B" in text
    assert "strong (Kendall's W = 0.80)" in text
    assert "2 options changed rank" in text


def test_summary_names_rivals_when_the_lead_is_uncertain():
    text = summary.summarize(_table([0.5, 0.4, 0.1]), _Ranking(), None, previous_round=False)
    assert "an uncertain lead" in text and "B and C could also come first" in text
    assert "Kendall" not in text and "previous round" not in text


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), (-1.5, -1.5),
    (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected
