"""Sensitivity of the ranking to the aggregation method and to each expert."""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from analysis._json import records
from analysis._methods import METHODS, Method, aggregate, check_method, check_parameters
from analysis._ties import merge_ties, tie_tolerance
from analysis.matrices import build_matrices, expert_weight_vector
from analysis.pooling import DEFAULT_EPS
from analysis.provenance import Provenance, make_provenance
from analysis.validation import COLUMNS, Judgments, select_round, validate_judgments

__all__ = ["SensitivityResult", "sensitivity", "kendall_tau_many"]

FloatArray = npt.NDArray[np.float64]
_PAIR_BUDGET = 1 << 22


def kendall_tau_many(reference: npt.ArrayLike, others: npt.ArrayLike) -> FloatArray:
    r"""Kendall's tau-b between ``reference`` (n,) and each row of ``others`` (r, n).

    Parameters
    ----------
    reference : array_like, shape (n,)
    others : array_like, shape (r, n)

    Returns
    -------
    numpy.ndarray, shape (r,)
        Tau-b; NaN when either side is constant.

    Notes
    -----
    :math:`\tau_b = \sum_{i<j} s^x_{ij} s^y_{ij} / \sqrt{\sum_{i<j} (s^x_{ij})^2
    \sum_{i<j} (s^y_{ij})^2}` with :math:`s_{ij} = \operatorname{sign}(z_i - z_j)`;
    identical to ``scipy.stats.kendalltau`` (variant "b").

    References
    ----------
    .. [1] Kendall, M. G. (1945). The treatment of ties in ranking problems.
       Biometrika, 33(3), 239-251.

    Examples
    --------
    >>> kendall_tau_many([1, 2, 3], [[1, 2, 3], [3, 2, 1]]).tolist()
    [1.0, -1.0]
    """
    x = np.asarray(reference, dtype=float)
    y = np.atleast_2d(np.asarray(others, dtype=float))
    sx = np.sign(x[:, None] - x[None, :])
    out = np.empty(y.shape[0])
    step = max(1, _PAIR_BUDGET // max(1, x.size**2))
    for s in range(0, y.shape[0], step):
        sy = np.sign(y[s:s + step, :, None] - y[s:s + step, None, :])
        num = np.einsum("ij,rij->r", sx, sy)
        den = np.sqrt(np.abs(sx).sum() * np.abs(sy).sum(axis=(1, 2)))
        block = np.full(len(num), np.nan)
        np.divide(num, den, out=block, where=den > 0)
        out[s:s + step] = block
    return out


def _ranks(scores: FloatArray, atol: float) -> FloatArray:
    """Competition ranks per row, highest first, NaN last; scores within ``atol`` tie."""
    filled = merge_ties(np.where(np.isnan(scores), -np.inf, scores), atol)
    return stats.rankdata(-filled, method="min", axis=-1).astype(float)


@dataclass(frozen=True)
class SensitivityResult:
    """How the ranking moves under other methods and without each expert.

    Attributes
    ----------
    table : pandas.DataFrame
        Per option in base rank order: ``option, rank, min_rank, max_rank,
        method_shift, loo_shift, robust``.
    ranks : pandas.DataFrame
        Options x scenarios: the base, each method, ``loo:<expert>``.
    method_tau : pandas.DataFrame
        ``method, statistic, pvalue, tau, p_value``: Kendall's tau
        (``scipy.stats.kendalltau``) between the base ranking and each
        method's; ``tau`` and ``p_value`` are the old names of ``statistic``
        and ``pvalue``, kept as aliases.
    loo_tau : pandas.DataFrame
        ``expert, tau``: tau between the base and the ranking without that expert.
    tolerance : int
        Largest rank shift still called robust.
    provenance : Provenance
    notes : tuple of str
        Things a reader should know (e.g. why no option is called fragile).
    """

    table: pd.DataFrame
    ranks: pd.DataFrame
    method_tau: pd.DataFrame
    loo_tau: pd.DataFrame
    tolerance: int
    provenance: Provenance
    notes: tuple[str, ...] = field(default=())

    @property
    def fragile(self) -> list[str]:
        """Options whose rank is not robust."""
        return self.table.loc[~self.table["robust"], "option"].tolist()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: per-option table, taus, fragile options, provenance.

        NaN becomes ``None``.
        """
        return {"table": records(self.table), "method_tau": records(self.method_tau),
                "loo_tau": records(self.loo_tau), "tolerance": self.tolerance,
                "fragile": self.fragile, "notes": list(self.notes),
                "provenance": self.provenance.to_dict()}


def sensitivity(judgments: Judgments, *, method: Method = "mean", round: int | None = None,
                criterion_weights: Mapping[str, float] | None = None,
                expert_weights: pd.Series | None = None, groups: Sequence[str] | None = None,
                methods: Sequence[str] | None = None, tolerance: int = 1, trim: float = 0.1,
                extremize_d: float = 2.5, eps: float = DEFAULT_EPS) -> SensitivityResult:
    r"""Re-rank under every aggregation method and leaving out each expert in turn.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments.
    method : str
        Base method, as in :func:`analysis.rank_options` (``expert_weights``
        apply to it).
    round, criterion_weights, groups, trim, extremize_d, eps
        As in :func:`analysis.rank_options`.
    expert_weights : pandas.Series, optional
        Weights of the base method; also enable the ``cooke`` alternative.
    methods : sequence of str, optional
        Alternatives (equal expert weights, except ``cooke``); default every
        method the data allow.
    tolerance : int
        An option is *robust* when no alternative moves it more than this
        many places (default 1).

    Returns
    -------
    SensitivityResult

    Notes
    -----
    Leave-one-out rankings recompute every option's score with weight
    :math:`\omega_e (1 - [e = j])` for each expert *j* — one weight row per
    expert, aggregated together; with fewer than two experts of positive
    weight there is no such scenario (a note says so) rather than a ranking
    of nothing that would mark every option fragile.  Robustness: :math:`\max_s |r_{o,s} - r_o|
    \le` ``tolerance`` over all scenarios *s*.  Kendall's tau-b compares
    whole rankings (1 = identical order).

    References
    ----------
    .. [1] Kendall, M. G. (1938). A new measure of rank correlation.
       Biometrika, 30(1/2), 81-93.
    .. [2] Saltelli, A., et al. (2008). Global Sensitivity Analysis: The Primer.
       Wiley.
    """
    valid = validate_judgments(judgments)
    check_method(method)
    check_parameters(trim, extremize_d, eps)
    if not (isinstance(tolerance, int | np.integer) and tolerance >= 0):
        raise ValueError(f"tolerance must be a non-negative integer, got {tolerance!r}")
    rows, chosen = select_round(valid, round, groups)
    data = build_matrices(rows, criterion_weights)
    check_method(method, data)
    if method == "cooke" and expert_weights is None:
        raise ValueError("method 'cooke' needs expert_weights")
    base_w, _ = expert_weight_vector(expert_weights, data.experts)
    params = dict(trim=trim, extremize_d=extremize_d, eps=eps)
    if methods is None:
        methods = [m for m in METHODS if m != "cooke" or expert_weights is not None]
        if data.probability_criterion is None:
            methods = [m for m in methods if m not in ("geo-odds", "extremized")]
    for m in methods:
        check_method(m, data)
        if m == "cooke" and expert_weights is None:
            raise ValueError("the 'cooke' alternative needs expert_weights")
    atol = tie_tolerance(data.score)
    base = _ranks(aggregate(data, base_w[None], method, **params)["score"][0], atol)
    ones = np.ones(len(data.experts))
    alt = np.array([
        _ranks(aggregate(data, (base_w if m == "cooke" else ones)[None], m, **params)
               ["score"][0], atol) for m in methods
    ]).reshape(len(methods), -1)
    notes: list[str] = []
    weighted = np.flatnonzero(base_w > 0)
    if len(weighted) >= 2:
        loo_experts = data.experts
        loo_w = base_w[None, :] * (1.0 - np.eye(len(data.experts)))
        loo = _ranks(aggregate(data, loo_w, method, **params)["score"], atol)
    else:  # leaving out the only expert leaves nothing to rank: no such scenario
        loo_experts = data.experts[:0]
        loo = np.empty((0, len(data.options)))
        notes.append(f"leave-one-expert-out needs at least 2 experts with weight, got "
                     f"{len(weighted)}: only the methods were compared")
    taus = [stats.kendalltau(base, r) for r in alt]
    every = np.vstack([base[None], alt, loo])
    order = np.lexsort((data.options.to_numpy(dtype=str), base))
    method_shift = np.abs(alt - base).max(axis=0) if len(methods) else np.zeros_like(base)
    loo_shift = np.abs(loo - base).max(axis=0) if len(loo) else np.zeros_like(base)
    table = pd.DataFrame({
        "option": data.options.to_numpy(dtype=object), "rank": base.astype(int),
        "min_rank": every.min(axis=0).astype(int), "max_rank": every.max(axis=0).astype(int),
        "method_shift": method_shift.astype(int), "loo_shift": loo_shift.astype(int),
    }).iloc[order].reset_index(drop=True)
    table["robust"] = np.maximum(table["method_shift"], table["loo_shift"]) <= tolerance
    scenarios = ["base", *methods, *[f"loo:{e}" for e in loo_experts]]
    ranks = pd.DataFrame(every.T[order].astype(int), columns=scenarios,
                         index=pd.Index(data.options[order], name="option"))
    provenance = make_provenance(method, {
        "round": chosen, "methods": list(methods), "tolerance": int(tolerance), "trim": trim,
        "extremize_d": extremize_d, "eps": eps, "criterion_weights": data.scale_weights,
        "groups": None if groups is None else [str(g) for g in groups],
    }, None, valid, COLUMNS)
    return SensitivityResult(
        table=table, ranks=ranks,
        method_tau=pd.DataFrame({"method": list(methods),
                                 "statistic": [float(t.statistic) for t in taus],
                                 "pvalue": [float(t.pvalue) for t in taus],
                                 "tau": [float(t.statistic) for t in taus],
                                 "p_value": [float(t.pvalue) for t in taus]}),
        loo_tau=pd.DataFrame({"expert": loo_experts.to_numpy(dtype=object),
                              "tau": kendall_tau_many(base, loo) if len(loo) else []}),
        tolerance=int(tolerance), provenance=provenance, notes=tuple(notes))


class _ModuleThatIsAlsoItsFunction(types.ModuleType):
    """`analysis.sensitivity` names both this module and its function `sensitivity`.

    The package loads its names on first use (`analysis/__init__.py`); importing
    this submodule then sets the package's attribute `sensitivity` to the module, so the
    module itself answers a call with the function: `analysis.sensitivity(df)` works in
    every import order.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return sensitivity(*args, **kwargs)


sys.modules[__name__].__class__ = _ModuleThatIsAlsoItsFunction
