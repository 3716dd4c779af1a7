"""The pool's code paths agree: one block or many, comparison or bisection.

`PrefixPool` evaluates the study in one block when it fits in
`pool.BLOCK_SIZE` values and block by block otherwise; `grid.invert` finds
brackets by one comparison below `grid.SMALL_SEARCH` pairs and by bisection
above. The reference studies are small enough for the first path of each,
so these tests force the others and ask for identical results.
"""

from __future__ import annotations

import numpy as np
import pytest
from _cooke_helpers import STUDIES, random_study, study

from analysis.cooke import classical_model, grid, pool

FORCED = {
    "many blocks": (pool, "BLOCK_SIZE", 64),
    "bisection": (grid, "SMALL_SEARCH", 0),
    "comparison": (grid, "SMALL_SEARCH", 1 << 40),
}


def _same(a, b) -> None:
    """Identical quantiles and weights; scores to the last bits (sums grouped differently)."""
    assert a.alpha == b.alpha
    assert a.dm.calibration == b.dm.calibration
    assert a.dm.information_seed == b.dm.information_seed
    # a study in blocks adds its seed items' and target items' information separately
    assert a.dm.information_all == pytest.approx(b.dm.information_all, rel=1e-14, abs=0)
    np.testing.assert_array_equal(a.dm_quantiles.to_numpy(), b.dm_quantiles.to_numpy())
    np.testing.assert_array_equal(a.item_weights.to_numpy(), b.item_weights.to_numpy())


@pytest.mark.parametrize("path", list(FORCED))
@pytest.mark.parametrize("weights", ["global", "item", "equal"])
@pytest.mark.parametrize("name", STUDIES)
def test_every_path_gives_the_same_decision_maker(name, weights, path, monkeypatch):
    expected = classical_model(study(name), weights=weights)
    module, setting, value = FORCED[path]
    monkeypatch.setattr(module, setting, value)
    _same(classical_model(study(name), weights=weights), expected)


@pytest.mark.parametrize("path", list(FORCED))
def test_targets_inverted_apart_from_the_seeds_agree(path, monkeypatch):
    """A study too big for one block inverts its targets for the chosen alpha only."""
    big = random_study(7, n_experts=12, n_items=60, n_seed=10)
    expected = classical_model(big)
    module, setting, value = FORCED[path]
    monkeypatch.setattr(module, setting, value)
    _same(classical_model(big), expected)
