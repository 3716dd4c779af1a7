"""Issue 19.7: SciPy's statistic/pvalue names (old names kept), to_dict() on every result."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

import analysis
from tests.analysis._factories import make_judgments


def test_kendall_w_has_scipy_names_and_old_aliases() -> None:
    kw = analysis.kendalls_w([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]])
    assert kw.statistic == kw.w
    assert kw.pvalue == kw.p_value == pytest.approx(stats.chi2.sf(kw.chi2, 3))
    d = kw.to_dict()
    assert d["statistic"] == d["w"] and d["pvalue"] == d["p_value"]
    json.dumps(d, allow_nan=False)


def test_pvalue_columns_have_scipy_names_and_aliases() -> None:
    df = make_judgments(n_experts=6, n_options=3, rounds=2, seed=2)
    st_ = analysis.stability(df)
    assert {"statistic", "pvalue", "p_value"} <= set(st_.columns)
    np.testing.assert_array_equal(st_["pvalue"], st_["p_value"])
    ag = analysis.agreement_table(df)
    np.testing.assert_array_equal(ag["pvalue"], ag["p_value"])
    sens = analysis.sensitivity(df)
    np.testing.assert_array_equal(sens.method_tau["statistic"], sens.method_tau["tau"])
    np.testing.assert_array_equal(sens.method_tau["pvalue"], sens.method_tau["p_value"])


def test_every_result_has_a_json_ready_to_dict() -> None:
    df = make_judgments(n_experts=6, n_options=3, seed=4)
    for result in (analysis.sensitivity(df), analysis.risk_matrix(df, resamples=50),
                   analysis.rank_by_group(df, resamples=50),
                   analysis.rank_options(df, resamples=50)):
        text = json.dumps(result.to_dict(), allow_nan=False)
        assert "provenance" in text


def test_extremized_pool_cites_satopaa_logit_aggregator() -> None:
    doc = analysis.extremized_pool.__doc__ or ""
    assert "logit aggregator" in doc and "arithmetic" in doc
    # Satopää et al. (2014): expit(a * mean logit p); not Baron's transform of the mean
    p = np.array([0.6, 0.9])
    a = 2.0
    satopaa = 1 / (1 + np.exp(-a * np.mean(np.log(p / (1 - p)))))
    mean = p.mean()
    baron = mean**a / (mean**a + (1 - mean) ** a)
    got = float(analysis.extremized_pool(p, d=a))
    assert got == pytest.approx(satopaa) and got != pytest.approx(baron)
