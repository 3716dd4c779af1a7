"""Aggregate probability judgments per option (DataFrame level, IDEA aware)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.idea import standardize_idea
from analysis.matrices import expert_weight_vector
from analysis.pooling import DEFAULT_EPS, PoolMethod, pool
from analysis.validation import Judgments, select_round, validate_judgments

__all__ = ["aggregate_probabilities"]


def aggregate_probabilities(judgments: Judgments, *, method: PoolMethod = "mean",
                            round: int | None = None, expert_weights: pd.Series | None = None,
                            groups: Sequence[str] | None = None, level: float = 0.8,
                            trim: float = 0.1, extremize_d: float = 2.5,
                            eps: float = DEFAULT_EPS) -> pd.DataFrame:
    r"""Pool every probability criterion of every option across experts.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments (see :func:`analysis.validate_judgments`).
    method : {"mean", "median", "trimmed", "geo-odds", "extremized"}
        Pool (see :func:`analysis.pool`).
    round : int, optional
        Round; default the latest.
    expert_weights : pandas.Series, optional
        Weight per expert (index: expert); normalised over the experts who
        answered each question; experts absent from it get weight 0.
    groups : sequence of str, optional
        Keep only experts of these groups.
    level : float
        Common credible level of the standardised IDEA intervals (0.8).
    trim, extremize_d, eps
        Parameters of the trimmed and log-odds pools.

    Returns
    -------
    pandas.DataFrame
        One row per (option, criterion) with ``estimate`` (pooled best
        guesses, or values), ``low`` and ``high`` (pooled standardised IDEA
        bounds, NaN when nobody gave an interval), ``n_experts`` and
        ``n_intervals``.

    Notes
    -----
    An IDEA answer (*L*, *B*, *U*, *C*) is first standardised to level *S*:
    :math:`L' = \max(0, B - (B-L) S/C)`, :math:`U' = \min(1, B + (U-B) S/C)`.
    The point estimate pools the best guesses *B*; ``low`` and ``high`` pool
    :math:`L'` and :math:`U'` with the same method over the experts who gave
    intervals.  Abstentions are left out.

    References
    ----------
    .. [1] Hanea, A. M., et al. (2017). Investigate Discuss Estimate Aggregate
       for structured expert judgement. Int. J. Forecasting, 33(1), 267-279.
    .. [2] Stone, M. (1961). The opinion pool. Ann. Math. Statist., 32, 1339-1342.

    Examples
    --------
    >>> df = pd.DataFrame({"round": 1, "expert": ["a", "b"], "option": "x",
    ...     "criterion": "p", "kind": "probability", "value": float("nan"),
    ...     "lowest": [0.2, 0.4], "best": [0.4, 0.6], "highest": [0.5, 0.8],
    ...     "confidence": [0.5, 0.8]})
    >>> out = aggregate_probabilities(df)
    >>> out[["estimate", "low", "high"]].round(3).to_dict("records")
    [{'estimate': 0.5, 'low': 0.24, 'high': 0.68}]
    """
    valid = validate_judgments(judgments)
    rows, _ = select_round(valid, round, groups)
    rows = rows[(rows["kind"] == "probability") & ~rows["abstained"]]
    columns = ["option", "criterion", "estimate", "low", "high", "n_experts", "n_intervals"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    low, high = standardize_idea(rows["lowest"], rows["best"], rows["highest"],
                                 rows["confidence"].fillna(1.0), level)
    rows = rows.assign(std_low=low, std_high=high)
    cells = ["option", "criterion"]
    grids = {c: rows.pivot(index="expert", columns=cells, values=c)
             for c in ("estimate", "std_low", "std_high")}
    experts = grids["estimate"].index
    weights, _ = expert_weight_vector(expert_weights, experts)
    kwargs = dict(method=method, trim=trim, d=extremize_d, eps=eps)
    out = pd.DataFrame(index=grids["estimate"].columns)
    for name, source in (("estimate", "estimate"), ("low", "std_low"), ("high", "std_high")):
        grid = grids[source].reindex(columns=out.index).to_numpy(dtype=float)
        out[name] = pool(grid, weights=weights, **kwargs)  # type: ignore[arg-type]
    out["n_experts"] = grids["estimate"].notna().sum().to_numpy()
    out["n_intervals"] = grids["std_low"].notna().sum().to_numpy()
    return out.reset_index()[columns]
