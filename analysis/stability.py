"""Round-to-round stability of the panel's judgments."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis import _nan
from analysis.validation import Judgments, validate_judgments

__all__ = ["stability"]


def _paired_wilcoxon(diff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilcoxon signed-rank per column of paired differences (NaN = unpaired).

    The method is chosen per column, from that column's differences only:
    exact null distribution when its non-zero magnitudes are distinct and
    none is zero, normal approximation with tie correction (no continuity
    correction) otherwise.  Columns sharing a pair count and a method are
    tested in one vectorised scipy call.  A column whose differences are all
    zero has statistic NaN and p = 1.
    """
    n_pairs = _nan.count(diff)
    nonzero = np.count_nonzero(np.nan_to_num(diff) != 0, axis=0)
    statistic = np.full(diff.shape[1], np.nan)
    p_value = np.where(n_pairs > 0, 1.0, np.nan)
    ordered = np.sort(diff, axis=0)  # the test ignores order; NaN go last
    magnitudes = np.sort(np.abs(ordered), axis=0)  # NaN last
    with np.errstate(invalid="ignore"):
        tied = (magnitudes == 0).any(axis=0) | (np.diff(magnitudes, axis=0) == 0).any(axis=0)
    for n in np.unique(n_pairs[nonzero > 0]):
        for has_ties in (False, True):
            cols = np.flatnonzero((n_pairs == n) & (nonzero > 0) & (tied == has_ties))
            if not cols.size:
                continue
            # with zeros or ties scipy's "auto" runs a permutation test (seconds for
            # n ~ 12); the normal approximation with tie correction is the textbook
            # choice there (Hollander, Wolfe & Chicken 2014, sec. 3.1)
            result = stats.wilcoxon(ordered[:n, cols], axis=0, zero_method="wilcox",
                                    correction=False,
                                    method="approx" if has_ties else "exact")
            statistic[cols] = result.statistic
            p_value[cols] = result.pvalue
    return statistic, p_value


def stability(judgments: Judgments, *, before: int | None = None, after: int | None = None,
              groups: Sequence[str] | None = None) -> pd.DataFrame:
    r"""Change of the panel's judgments between two rounds, per option and criterion.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments with at least two rounds.
    before, after : int, optional
        Rounds to compare; default the last two.
    groups : sequence of str, optional
        Keep only experts of these groups.

    Returns
    -------
    pandas.DataFrame
        Columns ``option, criterion, median_before, median_after,
        delta_median, iqr_before, iqr_after, delta_iqr, n_paired, statistic,
        pvalue, p_value`` (``p_value`` is the old name of ``pvalue``, kept as
        an alias).  Medians and IQRs use every answer of each round; the test
        uses experts who answered in both (``n_paired``).

    Notes
    -----
    :math:`\Delta\tilde x = \tilde x_{after} - \tilde x_{before}`,
    :math:`\Delta IQR = IQR_{after} - IQR_{before}` (negative: converging).
    The Wilcoxon signed-rank test (``scipy.stats.wilcoxon``, zeros dropped,
    ``zero_method="wilcox"``) asks whether paired experts moved
    systematically; all-zero differences give p = 1.  The method is decided
    for each option and criterion from its own differences, so one option's
    p-value never depends on another's: the exact null distribution when its
    non-zero differences have distinct magnitudes (and none is zero), the
    normal approximation with the tie-corrected variance otherwise, *without*
    continuity correction (SciPy's default ``correction=False``; with 5-15
    pairs the correction moves p by about 0.01-0.03 towards 1).  A stable
    round has small :math:`|\Delta\tilde x|`, small :math:`|\Delta IQR|`
    and a large p.

    References
    ----------
    .. [1] Wilcoxon, F. (1945). Individual comparisons by ranking methods.
       Biometrics Bulletin, 1(6), 80-83.
    .. [2] Dajani, J. S., Sincoff, M. Z., & Talley, W. K. (1979). Stability
       and agreement criteria for the termination of Delphi studies.
       Technological Forecasting and Social Change, 13(1), 83-90.
    .. [3] Hollander, M., Wolfe, D. A., & Chicken, E. (2014). Nonparametric
       Statistical Methods (3rd ed.), section 3.1. Wiley.
    """
    valid = validate_judgments(judgments)
    if groups is not None:
        valid = valid[valid["group"].isin([str(g) for g in groups])]
    rounds = sorted(int(r) for r in valid["round"].unique())
    if before is None and after is None:
        if len(rounds) < 2:
            raise ValueError(f"stability needs two rounds, got rounds {rounds}")
        before, after = rounds[-2], rounds[-1]
    for name, r in (("before", before), ("after", after)):
        if r not in rounds:
            raise ValueError(f"{name} round {r!r} not in the judgments; rounds present: {rounds}")
    live = valid[~valid["abstained"] & valid["round"].isin([before, after])]
    grid = live.pivot(index="expert", columns=["round", "option", "criterion"],
                      values="estimate")
    cells = grid.columns.droplevel("round").unique().sort_values()
    first = grid.xs(before, axis=1, level="round").reindex(columns=cells).to_numpy(dtype=float)
    second = grid.xs(after, axis=1, level="round").reindex(columns=cells).to_numpy(dtype=float)
    diff = second - first
    statistic, p_value = _paired_wilcoxon(diff)
    med0, med1 = _nan.quantile(first, 0.5), _nan.quantile(second, 0.5)
    iqr0 = _nan.quantile(first, 0.75) - _nan.quantile(first, 0.25)
    iqr1 = _nan.quantile(second, 0.75) - _nan.quantile(second, 0.25)
    out = cells.to_frame(index=False)
    return out.assign(median_before=med0, median_after=med1, delta_median=med1 - med0,
                      iqr_before=iqr0, iqr_after=iqr1, delta_iqr=iqr1 - iqr0,
                      n_paired=_nan.count(diff), statistic=statistic, pvalue=p_value,
                      p_value=p_value)


class _ModuleThatIsAlsoItsFunction(types.ModuleType):
    """`analysis.stability` names both this module and its function `stability`.

    The package loads its names on first use (`analysis/__init__.py`); importing
    this submodule then sets the package's attribute `stability` to the module, so the
    module itself answers a call with the function: `analysis.stability(df)` works in
    every import order.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return stability(*args, **kwargs)


sys.modules[__name__].__class__ = _ModuleThatIsAlsoItsFunction
