import krippendorff
import numpy as np
import pytest

from analysis import agreement_table, krippendorff_alpha
from tests.analysis._factories import make_judgments


def test_alpha_by_hand():
    # units (1,3), (2,1), (3,2): o_ck = 1 for each ordered pair in a unit, n_c = 2, n = 6
    # interval: sum o d^2 = 2*(4 + 1 + 1) = 12 ; sum n_c n_k d^2 = 4 * 12 = 48
    # alpha = 1 - (6 - 1) * 12 / 48 = -0.25
    assert krippendorff_alpha([[1, 2, 3], [3, 1, 2]], "interval") == pytest.approx(-0.25)
    assert krippendorff_alpha([[1, 2, 3, 4], [1, 2, 3, 4]]) == 1.0


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", range(4))
def test_alpha_matches_the_krippendorff_package(level, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(rng.integers(2, 7), rng.integers(3, 20))).astype(float)
    x[rng.random(x.shape) < 0.25] = np.nan
    if np.unique(x[~np.isnan(x)]).size < 2:
        return
    ours = krippendorff_alpha(x, level)
    theirs = krippendorff.alpha(reliability_data=x, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-10)


def test_alpha_continuous_values():
    rng = np.random.default_rng(9)
    x = rng.random((5, 12))
    x[1, 3] = np.nan
    assert krippendorff_alpha(x, "interval") == pytest.approx(
        krippendorff.alpha(reliability_data=x, level_of_measurement="interval"))


def test_alpha_errors():
    with pytest.raises(ValueError, match="two distinct"):
        krippendorff_alpha([[1, 1], [1, 1]])
    with pytest.raises(ValueError, match="unknown level 'fuzzy'"):
        krippendorff_alpha([[1, 2], [2, 1]], "fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2-D"):
        krippendorff_alpha([1, 2])


def test_agreement_table():
    out = agreement_table(make_judgments(10, 5, spread=0.02))
    assert list(out["criterion"]) == ["impact", "likelihood"]
    assert (out["alpha_interval"] > 0.5).all()
    assert (out["kendall_w"] > 0.5).all()
    assert out["n_complete"].tolist() == [10, 10]
