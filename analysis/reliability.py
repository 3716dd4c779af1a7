"""Inter-rater reliability: Krippendorff's alpha, and a per-criterion agreement table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.consensus import kendalls_w
from analysis.validation import Judgments, select_round, validate_judgments

__all__ = ["krippendorff_alpha", "agreement_table", "AlphaLevel"]

AlphaLevel = Literal["nominal", "ordinal", "interval", "ratio"]
FloatArray = npt.NDArray[np.float64]


def _coincidences(data: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Coincidence matrix o (V x V) over the sorted distinct values, and the values."""
    values = np.unique(data[~np.isnan(data)])
    units = data.shape[1]
    present = ~np.isnan(data)
    code = np.searchsorted(values, np.where(present, data, values[0]))
    unit = np.broadcast_to(np.arange(units), data.shape)
    flat = (unit * len(values) + code)[present]
    counts = np.bincount(flat, minlength=units * len(values)).reshape(units, len(values))
    pairable = counts.sum(axis=1)
    counts = counts[pairable >= 2].astype(float)
    scale = 1.0 / (pairable[pairable >= 2] - 1.0)
    o = (counts * scale[:, None]).T @ counts - np.diag((counts * scale[:, None]).sum(axis=0))
    return o, values


def _delta(values: FloatArray, marginals: FloatArray, level: AlphaLevel) -> FloatArray:
    c, k = values[:, None], values[None, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        total = c + k
        out = np.zeros((len(values), len(values)))
        np.divide((c - k) ** 2, total**2, out=out, where=total != 0)
        return out
    cum = np.cumsum(marginals)
    # ordinal: (sum of n_g for g between c and k, minus half of n_c and n_k)^2
    between = np.abs(cum[None, :] - cum[:, None]) + 0.0
    half = (marginals[:, None] + marginals[None, :]) / 2.0
    lower = np.minimum.outer(np.arange(len(values)), np.arange(len(values)))
    return (between + marginals[lower] - half) ** 2


def krippendorff_alpha(data: npt.ArrayLike, level: AlphaLevel = "interval") -> float:
    r"""Krippendorff's alpha for a raters x units table with missing values.

    Parameters
    ----------
    data : array_like, shape (raters, units)
        Values; NaN = not rated.  Units rated by fewer than two raters are
        not pairable and are ignored.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement fixing the difference function
        :math:`\delta^2_{ck}`.

    Returns
    -------
    float
        Alpha: 1 perfect agreement, 0 chance agreement, negative systematic
        disagreement.

    Raises
    ------
    ValueError
        If fewer than two distinct values are pairable (alpha undefined), or
        ``level="ratio"`` with a negative value (a ratio scale has a true
        zero; :math:`((c-k)/(c+k))^2` is meaningless across it).

    Notes
    -----
    Coincidences :math:`o_{ck} = \sum_u \sum_{i \ne j} [x_{iu}=c][x_{ju}=k]
    /(m_u - 1)`, marginals :math:`n_c = \sum_k o_{ck}`, :math:`n = \sum_c
    n_c`, and

    .. math:: \alpha = 1 - (n - 1)\frac{\sum_{c,k} o_{ck}\,\delta^2_{ck}}
              {\sum_{c,k} n_c n_k\,\delta^2_{ck}},

    with :math:`\delta^2_{ck} = (c-k)^2` (interval),
    :math:`\big(\sum_{g=c}^{k} n_g - (n_c+n_k)/2\big)^2` (ordinal),
    :math:`[c \ne k]` (nominal), :math:`((c-k)/(c+k))^2` (ratio).

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
       Annenberg School for Communication Departmental Papers 43.
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a
       standard reliability measure for coding data. Communication Methods
       and Measures, 1(1), 77-89.

    Examples
    --------
    >>> krippendorff_alpha([[1, 2, 3, 4], [1, 2, 3, 4]])
    1.0
    >>> krippendorff_alpha([[1, 2, 3], [3, 1, 2]], "interval")  # 1 - 5 * 12 / 48
    -0.25
    """
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"data must be 2-D (raters x units), got shape {x.shape}")
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level {level!r}; choose nominal, ordinal, interval or ratio")
    if np.any(np.isinf(x)):
        raise ValueError("data must be finite or NaN, got an infinite value")
    if (~np.isnan(x)).sum() == 0:
        raise ValueError("data has no values")
    if level == "ratio" and np.nanmin(x) < 0:
        raise ValueError(f"ratio-level alpha needs non-negative values (a ratio scale has a "
                         f"true zero), got {float(np.nanmin(x))!r}; use level='interval'")
    o, values = _coincidences(x)
    marginals = o.sum(axis=0)
    n = marginals.sum()
    if np.count_nonzero(marginals) < 2:
        raise ValueError(f"alpha needs at least two distinct pairable values, got "
                         f"{values[marginals > 0].tolist()!r}")
    delta = _delta(values, marginals, level)
    expected = float(marginals @ delta @ marginals)
    return float(1.0 - (n - 1.0) * float((o * delta).sum()) / expected)


def _safe_alpha(grid: FloatArray, level: AlphaLevel) -> float:
    try:
        return krippendorff_alpha(grid, level)
    except ValueError:
        return float("nan")


def agreement_table(judgments: Judgments, *, round: int | None = None,
                    groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Agreement of the panel across options, one row per criterion.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments.
    round : int, optional
        Round; default the latest.
    groups : sequence of str, optional
        Keep only experts of these groups.

    Returns
    -------
    pandas.DataFrame
        Columns ``criterion, kind, n_experts, n_options, kendall_w, chi2,
        pvalue, p_value, n_complete, alpha_interval, alpha_ordinal``
        (``p_value`` is the old name of ``pvalue``, kept as an alias).  Kendall's W
        uses only experts who rated every option (``n_complete``); alpha uses
        every judgment.  NaN where a statistic is undefined.

    Notes
    -----
    See :func:`analysis.kendalls_w` and :func:`krippendorff_alpha`.

    References
    ----------
    .. [1] Kendall, M. G., & Babington Smith, B. (1939). The problem of *m*
       rankings. Ann. Math. Statist., 10(3), 275-287.
    .. [2] Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
    """
    rows, _ = select_round(validate_judgments(judgments), round, groups)
    live = rows[~rows["abstained"]]
    records = []
    for criterion, part in live.groupby("criterion", sort=True):
        grid = part.pivot(index="expert", columns="option", values="estimate")
        a = grid.reindex(columns=sorted(rows["option"].unique())).to_numpy(dtype=float)
        complete = int((~np.isnan(a).any(axis=1)).sum())
        try:
            kw = kendalls_w(a)
            w, chi2, p = kw.statistic, kw.chi2, kw.pvalue
        except ValueError:
            w = chi2 = p = float("nan")
        records.append({
            "criterion": criterion, "kind": part["kind"].iloc[0], "n_experts": a.shape[0],
            "n_options": a.shape[1], "kendall_w": w, "chi2": chi2, "pvalue": p, "p_value": p,
            "n_complete": complete, "alpha_interval": _safe_alpha(a, "interval"),
            "alpha_ordinal": _safe_alpha(a, "ordinal"),
        })
    return pd.DataFrame.from_records(records)
