"""Consensus among experts: dispersion per option and Kendall's W across options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from analysis import _nan
from analysis.validation import Judgments, select_round, validate_judgments

__all__ = [
    "iqr", "quartile_deviation", "percent_agreement", "coefficient_of_variation",
    "KendallW", "kendalls_w", "consensus_table", "judgment_grid",
]

FloatArray = npt.NDArray[np.float64]
#: default agreement tolerance: one scale point, or ten percentage points
DEFAULT_TOLERANCE = {"scale": 1.0, "probability": 0.1}


def iqr(x: npt.ArrayLike, axis: int = 0) -> FloatArray:
    r"""Interquartile range along the expert axis, ignoring NaN.

    Parameters
    ----------
    x : array_like
        Judgments; NaN = no judgment.
    axis : int
        Expert axis.

    Returns
    -------
    numpy.ndarray
        :math:`Q_3 - Q_1` (linear-interpolation quartiles, numpy's default);
        NaN where nobody answered.

    Notes
    -----
    :math:`IQR = Q_{0.75} - Q_{0.25}`, with :math:`Q_q = x_{(\lfloor h \rfloor)} +
    (h - \lfloor h \rfloor)(x_{(\lfloor h \rfloor + 1)} - x_{(\lfloor h \rfloor)})`,
    :math:`h = (n-1) q` on 0-based order statistics (Hyndman & Fan type 7).

    References
    ----------
    .. [1] von der Gracht, H. A. (2012). Consensus measurement in Delphi
       studies. Technological Forecasting and Social Change, 79(8), 1525-1536.
    .. [2] Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical
       packages. The American Statistician, 50(4), 361-365.

    Examples
    --------
    >>> float(iqr([1, 2, 3, 4, 5]))  # Q1 = 2, Q3 = 4
    2.0
    """
    a, shape = _nan.as_columns(x, axis)
    return (_nan.quantile(a, 0.75) - _nan.quantile(a, 0.25)).reshape(shape)


def quartile_deviation(x: npt.ArrayLike, axis: int = 0) -> FloatArray:
    r"""Semi-interquartile range :math:`(Q_3 - Q_1)/2`.

    Parameters
    ----------
    x, axis
        As in :func:`iqr`.

    Returns
    -------
    numpy.ndarray

    Notes
    -----
    :math:`QD = (Q_3 - Q_1) / 2`; a common Delphi consensus rule is
    :math:`QD \le 0.5` on a 5- to 7-point scale.

    References
    ----------
    .. [1] Rayens, M. K., & Hahn, E. J. (2000). Building consensus using the
       policy Delphi method. Policy, Politics, & Nursing Practice, 1(4), 308-315.

    Examples
    --------
    >>> float(quartile_deviation([1, 2, 3, 4, 5]))
    1.0
    """
    return iqr(x, axis) / 2.0


def percent_agreement(x: npt.ArrayLike, tolerance: float = 1.0, axis: int = 0) -> FloatArray:
    r"""Share of experts within ``tolerance`` of the median.

    Parameters
    ----------
    x, axis
        As in :func:`iqr`.
    tolerance : float
        Half-width of the agreement band (default one scale point).

    Returns
    -------
    numpy.ndarray
        Fraction in [0, 1] of answering experts with
        :math:`|x_i - \tilde x| \le \text{tolerance}`.

    Notes
    -----
    :math:`A = \#\{i : |x_i - \operatorname{median}(x)| \le t\} / n`.

    References
    ----------
    .. [1] Diamond, I. R., et al. (2014). Defining consensus: a systematic
       review recommends methodologic criteria for reporting of Delphi
       studies. Journal of Clinical Epidemiology, 67(4), 401-409.

    Examples
    --------
    >>> float(percent_agreement([1, 2, 3, 3, 6]))  # median 3; 2, 3, 3 within 1
    0.6
    """
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a non-negative number, got {tolerance!r}")
    a, shape = _nan.as_columns(x, axis)
    n = _nan.count(a)
    close = np.abs(a - _nan.quantile(a, 0.5)) <= tolerance + 1e-12
    out = np.full(a.shape[1], np.nan)
    np.divide(close.sum(axis=0), n, out=out, where=n > 0)
    return out.reshape(shape)


def coefficient_of_variation(x: npt.ArrayLike, axis: int = 0) -> FloatArray:
    r"""Sample standard deviation over the absolute mean.

    Parameters
    ----------
    x, axis
        As in :func:`iqr`.

    Returns
    -------
    numpy.ndarray
        :math:`s / |\bar x|` with :math:`s` the *n-1* standard deviation; NaN
        for a zero mean or fewer than two answers.

    Notes
    -----
    :math:`CV = \sqrt{\sum_i (x_i - \bar x)^2/(n-1)} \,/\, |\bar x|`.

    References
    ----------
    .. [1] English, J. M., & Kernan, G. L. (1976). The prediction of air
       travel and aircraft technology to the year 2000 using the Delphi
       method. Transportation Research, 10(1), 1-8.

    Examples
    --------
    >>> round(float(coefficient_of_variation([2, 4, 6])), 6)  # s = 2, mean 4
    0.5
    """
    a, shape = _nan.as_columns(x, axis)
    m, s = _nan.mean(a), _nan.std(a, ddof=1)
    out = np.full(a.shape[1], np.nan)
    np.divide(s, np.abs(m), out=out, where=np.abs(m) > 0)
    return out.reshape(shape)


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance, with SciPy's result names.

    Attributes
    ----------
    statistic : float
        W in [0, 1] (1 = every rater orders the items alike); also
        available as ``w`` (the old name).
    chi2 : float
        :math:`m(n-1)W`, equal to Friedman's chi-square.
    df : int
        :math:`n - 1`.
    pvalue : float
        Upper tail of :math:`\\chi^2_{n-1}` at ``chi2``; also available as
        ``p_value`` (the old name).
    n_raters, n_items : int
    """

    statistic: float
    chi2: float
    df: int
    pvalue: float
    n_raters: int
    n_items: int

    @property
    def w(self) -> float:
        """Alias of :attr:`statistic` (the name used before SciPy's)."""
        return self.statistic

    @property
    def p_value(self) -> float:
        """Alias of :attr:`pvalue` (the name used before SciPy's)."""
        return self.pvalue

    def to_dict(self) -> dict[str, float | int | None]:
        """JSON-ready dictionary (NaN becomes ``None``), with the alias names too.

        Examples
        --------
        >>> kendalls_w([[1, 2, 3], [1, 2, 3]]).to_dict()["statistic"]
        1.0
        """
        def clean(v: float) -> float | None:
            return None if not np.isfinite(v) else float(v)

        return {"statistic": clean(self.statistic), "w": clean(self.statistic),
                "chi2": clean(self.chi2), "df": int(self.df), "pvalue": clean(self.pvalue),
                "p_value": clean(self.pvalue), "n_raters": int(self.n_raters),
                "n_items": int(self.n_items)}


def kendalls_w(ratings: npt.ArrayLike) -> KendallW:
    r"""Kendall's W for raters x items, corrected for ties.

    Parameters
    ----------
    ratings : array_like, shape (m raters, n items)
        Scores (higher or lower, any direction); ranked within each rater
        with average ranks for ties.  Raters with any NaN are dropped.

    Returns
    -------
    KendallW

    Notes
    -----
    With :math:`R_j` the rank sum of item *j* and
    :math:`T_i = \sum_g (t_g^3 - t_g)` over rater *i*'s tie groups,

    .. math:: W = \frac{12 \sum_j (R_j - \bar R)^2}{m^2 (n^3 - n) - m \sum_i T_i},
       \qquad \chi^2 = m (n - 1) W \sim \chi^2_{n-1}.

    References
    ----------
    .. [1] Kendall, M. G., & Babington Smith, B. (1939). The problem of *m*
       rankings. The Annals of Mathematical Statistics, 10(3), 275-287.
    .. [2] Siegel, S., & Castellan, N. J. (1988). Nonparametric Statistics for
       the Behavioral Sciences (2nd ed.), section 9.4. McGraw-Hill.

    Examples
    --------
    >>> kendalls_w([[1, 2, 3], [1, 2, 3]]).statistic  # perfect agreement (alias: .w)
    1.0
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"ratings must be 2-D (raters x items), got shape {x.shape}")
    x = x[~np.isnan(x).any(axis=1)]
    m, n = x.shape
    if m < 2 or n < 2:
        raise ValueError(f"Kendall's W needs at least 2 complete raters and 2 items, "
                         f"got {m} x {n}")
    ranks = stats.rankdata(x, axis=1)
    # each element of a tie group of size t contributes t^2 - 1, i.e. t^3 - t per group
    tie_size = np.count_nonzero(x[:, :, None] == x[:, None, :], axis=2)
    ties = float((tie_size.astype(float) ** 2 - 1).sum())
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    w = 12.0 * s / denominator if denominator > 0 else float("nan")
    chi2 = m * (n - 1) * w
    p = float(stats.chi2.sf(chi2, n - 1)) if np.isfinite(chi2) else float("nan")
    return KendallW(statistic=w, chi2=chi2, df=n - 1, pvalue=p, n_raters=m, n_items=n)


def judgment_grid(judgments: Judgments, criterion: str, *, round: int | None = None,
                  groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Experts x options table of one criterion's point estimates (NaN = abstained/missing).

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments.
    criterion : str
        Criterion to tabulate.
    round : int, optional
        Round; default the latest.
    groups : sequence of str, optional
        Keep only experts of these groups.

    Returns
    -------
    pandas.DataFrame
        Index experts, columns options.
    """
    rows, _ = select_round(validate_judgments(judgments), round, groups)
    if criterion not in set(rows["criterion"]):
        raise ValueError(f"unknown criterion {criterion!r}; have {sorted(set(rows['criterion']))}")
    rows = rows[rows["criterion"] == criterion]
    return rows.pivot(index="expert", columns="option", values="estimate")


def consensus_table(judgments: Judgments, *, round: int | None = None,
                    tolerance: float | Mapping[str, float] | None = None,
                    groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Dispersion of the panel's judgments per option and criterion.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments.
    round : int, optional
        Round; default the latest.
    tolerance : float or mapping, optional
        Agreement band: one number, or per criterion name; default 1 for
        scale criteria and 0.1 for probability criteria.
    groups : sequence of str, optional
        Keep only experts of these groups.

    Returns
    -------
    pandas.DataFrame
        Columns ``option, criterion, kind, n, median, q1, q3, iqr,
        quartile_deviation, agreement, cv``.

    Notes
    -----
    See :func:`iqr`, :func:`quartile_deviation`, :func:`percent_agreement`
    and :func:`coefficient_of_variation`; abstentions are left out.

    References
    ----------
    .. [1] von der Gracht, H. A. (2012). Consensus measurement in Delphi
       studies. Technological Forecasting and Social Change, 79(8), 1525-1536.
    """
    rows, _ = select_round(validate_judgments(judgments), round, groups)
    if rows["abstained"].all():
        raise ValueError(f"every answer of round {int(rows['round'].iloc[0])} is an "
                         "abstention: there is no judgment to measure consensus on")
    rows = rows[~rows["abstained"]]
    grid = rows.pivot(index="expert", columns=["option", "criterion"], values="estimate")
    a = grid.to_numpy(dtype=float)
    kinds = rows.groupby("criterion")["kind"].first()
    cells = grid.columns.to_frame(index=False)
    cells["kind"] = cells["criterion"].map(kinds)
    if tolerance is None:
        tol = cells["kind"].map(DEFAULT_TOLERANCE).to_numpy(dtype=float)
    elif isinstance(tolerance, Mapping):
        fallback = cells["kind"].map(DEFAULT_TOLERANCE)
        tol = cells["criterion"].map(dict(tolerance)).fillna(fallback).to_numpy(dtype=float)
    else:
        tol = np.full(len(cells), float(tolerance))
    if np.any(~np.isfinite(tol) | (tol < 0)):
        raise ValueError(f"tolerance must be non-negative, got {tolerance!r}")
    q1, med, q3 = (_nan.quantile(a, q) for q in (0.25, 0.5, 0.75))
    n = _nan.count(a)
    close = np.abs(a - med) <= tol + 1e-12
    agreement = np.full(len(cells), np.nan)
    np.divide(close.sum(axis=0), n, out=agreement, where=n > 0)
    cells = cells.assign(n=n, median=med, q1=q1, q3=q3, iqr=q3 - q1,
                         quartile_deviation=(q3 - q1) / 2, agreement=agreement,
                         cv=coefficient_of_variation(a))
    return cells.sort_values(["option", "criterion"], ignore_index=True)
