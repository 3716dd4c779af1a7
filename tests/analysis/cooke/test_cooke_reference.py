"""Every reference study x variant against ``tests/data/cooke/*.json``.

The expected figures come from an independent implementation of the model as
written in tests/data/cooke/README.md (TU Delft expert judgment database,
Cooke & Goossens 2008); they agree with anduryl 1.2.2 except where the README
documents that anduryl departs from the model.
"""

from __future__ import annotations

import numpy as np
import pytest
from _cooke_helpers import STUDIES, reference, study

from analysis.cooke import classical_model, intrinsic_range, to_model_scale

VARIANTS = {
    "global_optimized": ("global", "optimize"),
    "global_alpha0": ("global", 0.0),
    "item_optimized": ("item", "optimize"),
    "equal": ("equal", "optimize"),
}
RTOL = 1e-6


def _close(actual: float, expected: float) -> bool:
    return bool(np.isclose(actual, expected, rtol=RTOL, atol=0.0))


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name", STUDIES)
def test_matches_reference(name: str, variant: str) -> None:
    ref = reference(name)
    expected = ref["expected"][variant]
    s = study(name)
    assert list(s.experts) == ref["experts"]
    assert list(s.items) == ref["items"]
    assert [s.items[i] for i in np.flatnonzero(s.seed_mask)] == ref["seed_items"]
    assert list(s.scales) == ref["scales"]
    np.testing.assert_allclose(s.quantiles, ref["quantiles"], rtol=1e-12)

    weights, alpha = VARIANTS[variant]
    result = classical_model(s, weights=weights, alpha=alpha, overshoot=ref["overshoot"])

    assert _close(result.alpha, expected["alpha"]), (result.alpha, expected["alpha"])
    bad = []
    for expert, row in result.experts.iterrows():
        want = expected["experts"][expert]
        for key in ("calibration", "information_seed", "information_all"):
            if not _close(row[key], want[key]):
                bad.append((expert, key, row[key], want[key]))
        if want["weight"] is None:
            if not np.isnan(row["weight"]):
                bad.append((expert, "weight", row["weight"], None))
        elif not _close(row["weight"], want["weight"]):
            bad.append((expert, "weight", row["weight"], want["weight"]))
    for key in ("calibration", "information_seed", "information_all"):
        if not _close(getattr(result.dm, key), expected["dm"][key]):
            bad.append(("DM", key, getattr(result.dm, key), expected["dm"][key]))
    assert not bad, bad

    # DM quantiles: relative 1e-6 of the value, absolute floor 1e-9 x the
    # item's intrinsic range (on the original scale)
    values, realizations = to_model_scale(s)
    lower, upper = intrinsic_range(values, realizations, ref["overshoot"])
    log = s.log_mask
    width = upper - lower
    width[log] = np.exp(upper[log]) - np.exp(lower[log])
    for n, item in enumerate(s.items):
        got = result.dm_quantiles.loc[item].to_numpy()
        want = np.array(expected["dm"]["quantiles"][item])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-9 * width[n], err_msg=item)


def test_reference_covers_every_study() -> None:
    assert len(STUDIES) == 15
