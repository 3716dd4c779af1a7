"""Rank policy options by expected impact, with bootstrap uncertainty over experts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis import intervals
from analysis._json import json_value as _json_value
from analysis._methods import METHODS, Method, aggregate, check_method, check_parameters, sorts
from analysis._ties import merge_ties, tie_tolerance
from analysis.bootstrap import RankAccumulator, check_seed, iter_resamples
from analysis.matrices import ExpertOptionData, build_matrices, expert_weight_vector
from analysis.pooling import DEFAULT_EPS
from analysis.provenance import Provenance, make_provenance
from analysis.validation import (
    COLUMNS,
    Judgments,
    ValidatedJudgments,
    select_round,
    validate_judgments,
)

__all__ = ["RankingResult", "rank_options", "point_ranks", "METHODS", "cooke_weights"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RankingResult:
    """Ranked options with their uncertainty.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per option in rank order: ``option, rank, score, low, high,
        p_first, p_top{k}, mean_rank, likelihood, impact, n_experts``.
    acceptability : pandas.DataFrame
        Rank-acceptability matrix: rows options (rank order), columns ranks
        1..n, cell P(option takes that rank); rows and columns sum to 1.
        All NaN when ``resamples == 0``.
    pairwise : pandas.DataFrame
        P(row option scores above column option); ties count one half.
    method : str
    round : int
    top_k : int
    resamples : int
    interval : float
        Level of the ``low``-``high`` bootstrap interval over experts; its
        method (studentized, expanded percentile or percentile, chosen from
        ``method``; see :mod:`analysis.intervals`) is in
        ``provenance.parameters["interval_method"]``.
    provenance : Provenance
    notes : tuple of str
        Things a reader should know (excluded experts, options nobody rated).
    """

    table: pd.DataFrame
    acceptability: pd.DataFrame
    pairwise: pd.DataFrame
    method: str
    round: int
    top_k: int
    resamples: int
    interval: float
    provenance: Provenance
    notes: tuple[str, ...] = field(default=())

    @property
    def ranking(self) -> list[str]:
        """Option labels, best first."""
        return self.table["option"].tolist()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: method, round, options in rank order, provenance.

        NaN becomes ``None``.
        """
        columns = ["option", "rank", "score", "low", "high", "p_first", f"p_top{self.top_k}"]
        options = [{k: _json_value(v) for k, v in row.items()}
                   for row in self.table[columns].to_dict(orient="records")]
        return {"method": self.method, "round": self.round, "options": options,
                "provenance": self.provenance.to_dict(), "notes": list(self.notes)}


def point_ranks(scores: npt.ArrayLike, atol: float | None = None) -> npt.NDArray[np.int64]:
    """Competition ranks, highest score first ("1224"); NaN ranks last.

    Parameters
    ----------
    scores : array_like, shape (n,)
        Scores, higher is better.
    atol : float, optional
        Scores closer than this are tied (see :func:`analysis._ties.merge_ties`);
        default ``1e-9`` times the largest absolute score, so an exact tie
        broken only by floating-point rounding stays a tie.

    Returns
    -------
    numpy.ndarray of int
        Rank of each score (1 = best; tied scores share the best rank).

    Examples
    --------
    >>> point_ranks([0.2, 0.9, 0.2, np.nan]).tolist()
    [2, 1, 2, 4]
    >>> point_ranks([0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1]).tolist()  # 0.6000000000000001, 0.6
    [1, 1]
    """
    s = np.asarray(scores, dtype=float)
    s = merge_ties(s, tie_tolerance(s) if atol is None else atol)
    ranked = pd.Series(np.where(np.isnan(s), -np.inf, s)).rank(method="min", ascending=False)
    return ranked.to_numpy(dtype=np.int64)


def cooke_weights(seeds: pd.DataFrame) -> pd.Series:
    """Cooke performance weights from a seed-question table (lazy import of analysis.cooke).

    Raises
    ------
    ValueError
        If the Cooke module is unavailable or the table is rejected.
    """
    try:
        from analysis.cooke import weights_from_seed_frame
    except ImportError as exc:
        raise ValueError(f"Cooke weights are unavailable: {exc}") from exc
    return weights_from_seed_frame(seeds)


def _weights_digest(weights: pd.Series | None) -> str | None:
    if weights is None:
        return None
    items = sorted((str(k), float(v)) for k, v in weights.items())
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def rank_options(judgments: Judgments, *, method: Method = "mean", round: int | None = None,
                 criterion_weights: Mapping[str, float] | None = None,
                 expert_weights: pd.Series | None = None, groups: Sequence[str] | None = None,
                 resamples: int = 10_000, seed: int | None = 0, trim: float = 0.1,
                 extremize_d: float = 2.5, top_k: int = 3, interval: float = 0.9,
                 eps: float = DEFAULT_EPS, seeds: pd.DataFrame | None = None) -> RankingResult:
    r"""Rank options by aggregated expected impact, with a bootstrap over experts.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments (see :func:`analysis.validate_judgments`).
    method : {"mean", "median", "trimmed", "geo-odds", "extremized", "cooke"}
        How expert scores are combined (see Notes).
    round : int, optional
        Round to rank; default the latest.
    criterion_weights : mapping, optional
        Per-criterion weights overriding the ``weight`` column (0 drops a
        scale criterion).
    expert_weights : pandas.Series, optional
        Non-negative weight per expert (index: expert).  Required for
        ``cooke`` unless ``seeds`` is given; with another method it gives the
        weighted version of that method.  Experts absent from the Series get
        weight 0 (listed in ``notes``).
    groups : sequence of str, optional
        Keep only experts of these groups.
    resamples : int
        Bootstrap resamples of experts; 0 skips the bootstrap (NaN intervals
        and probabilities).
    seed : int, optional
        Seed of ``numpy.random.default_rng``; same seed, same result.
    trim : float
        Fraction of weight trimmed from each tail for ``trimmed``.
    extremize_d : float
        Extremizing exponent for ``extremized``.
    top_k : int
        *k* of the ``p_top{k}`` column.
    interval : float
        Level of the percentile interval (default 90 %).
    eps : float
        Probabilities are clipped to [eps, 1 - eps] before taking log-odds.
    seeds : pandas.DataFrame, optional
        Seed-question answers (``expert, question, q05, q50, q95,
        realization``) from which ``cooke`` computes weights through
        ``analysis.cooke.weights_from_seed_frame``.

    Returns
    -------
    RankingResult

    Notes
    -----
    **Expert score.** With the probability criterion *p* and scale criteria
    *c* of weight :math:`w_c` (negative for harms),

    .. math:: s_{e,o} = p_{e,o} \sum_c w_c v_{e,o,c},

    the weighted sum alone without a probability criterion, *p* alone
    without scale criteria.  Expert *e* contributes to option *o* only if
    they answered every criterion used for it; an abstention (or a missing
    row) removes that expert from that option only.

    **Aggregation** over the experts :math:`E_o` contributing to *o*, with
    expert weights :math:`\omega_e` (1 unless given) normalised over
    :math:`E_o`: ``mean`` and ``cooke`` give :math:`\sum_e \omega_e s_{e,o}`
    (linear pool; Stone 1961; Cooke 1991 with performance weights);
    ``median`` and ``trimmed`` the weighted median / trimmed mean of
    :math:`s_{e,o}`; ``geo-odds`` gives :math:`\hat p_o \bar v_o` with
    :math:`\hat p_o = \operatorname{logit}^{-1}(\sum_e \omega_e
    \operatorname{logit} p_{e,o})` (Satopää et al. 2014) and :math:`\bar v_o`
    the weighted mean impact; ``extremized`` multiplies the mean log-odds by
    *d* first — Satopää et al.'s (2014) logit aggregator with systematic
    bias *d* (Baron et al. 2014 extremize the arithmetic mean instead, which
    is not what is computed here).  The ``likelihood`` and ``impact`` columns
    aggregate *p* and the weighted sum separately with the same method, so
    for ``mean`` the score is generally not their product.

    **Bootstrap.** Each resample draws the experts with replacement
    (multinomial counts :math:`n_{b,e}`, weights :math:`n_{b,e}\omega_e`) and
    recomputes every option's score.  ``low``/``high`` form an interval that
    keeps its level with 5-15 experts: studentized (bootstrap-t) for
    ``mean``/``cooke``, expanded percentile (Hesterberg 2015) for
    ``trimmed``/``geo-odds``/``extremized``, percentile for ``median``
    (:mod:`analysis.intervals`; NaN for an option with fewer than two
    experts).  The acceptability matrix counts ranks (ties share positions),
    ``p_first`` and ``p_top{k}`` read it, ``pairwise`` counts wins (ties one
    half): these are bootstrap proportions over experts — the share of
    resampled panels in which an option takes a place — not the probability
    that it is truly the best.  Ranks
    are 1 for the highest score; ties in the point ranking share the best
    rank.

    References
    ----------
    .. [1] Stone, M. (1961). The opinion pool. Ann. Math. Statist., 32, 1339-1342.
    .. [2] Satopää, V. A., et al. (2014). Combining multiple probability
       predictions using a simple logit model. Int. J. Forecasting, 30, 344-356.
    .. [3] Baron, J., et al. (2014). Two reasons to make aggregated probability
       forecasts more extreme. Decision Analysis, 11(2), 133-145 (why
       extremize; their transform acts on the arithmetic mean).
    .. [4] Cooke, R. M. (1991). Experts in Uncertainty. Oxford University Press.
    .. [5] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the
       Bootstrap. Chapman & Hall.
    .. [6] Lahdelma, R., Hokkanen, J., & Salminen, P. (1998). SMAA - Stochastic
       multiobjective acceptability analysis. EJOR, 106(1), 137-143.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "round": 1, "expert": ["a", "a", "b", "b"], "option": ["x", "y", "x", "y"],
    ...     "criterion": "impact", "kind": "scale", "value": [3, 1, 2, 2]})
    >>> r = rank_options(df, resamples=0)
    >>> r.table[["option", "rank", "score"]]
      option  rank  score
    0      x     1    2.5
    1      y     2    1.5
    """
    valid = validate_judgments(judgments)
    check_method(method)
    check_parameters(trim, extremize_d, eps)
    if not (isinstance(resamples, int | np.integer) and resamples >= 0):
        raise ValueError(f"resamples must be a non-negative integer, got {resamples!r}")
    if not 0.0 < interval < 1.0:
        raise ValueError(f"interval must lie in (0, 1), got {interval!r}")
    check_seed(seed)
    rows, chosen = select_round(valid, round, groups)
    data = build_matrices(rows, criterion_weights)
    check_method(method, data)
    if method == "cooke" and expert_weights is None:
        if seeds is None:
            raise ValueError("method 'cooke' needs expert_weights or a seeds table")
        expert_weights = cooke_weights(seeds)
    base, notes = expert_weight_vector(expert_weights, data.experts)
    if not (isinstance(top_k, int | np.integer) and 1 <= top_k):
        raise ValueError(f"top_k must be a positive integer, got {top_k!r}")
    params = dict(trim=trim, extremize_d=extremize_d, eps=eps)

    point = aggregate(data, base[None, :], method, parts=("score", "likelihood", "impact"),
                      **params)
    scores = point["score"][0]
    o = len(data.options)
    atol = tie_tolerance(data.score)
    acc = RankAccumulator(o, atol=atol)
    low = high = np.full(o, np.nan)
    kind = intervals.interval_method(method)
    if resamples:
        low, high, accept, pairs = _bootstrap(data, base, method, params, scores, resamples,
                                              seed, interval, acc)
    else:
        accept = np.full((o, o), np.nan)
        pairs = np.full((o, o), np.nan)
    notes += _data_notes(data, base)
    table = _table(data, point, scores, low, high, accept, top_k, atol)
    order = table.index.to_numpy()
    labels = table["option"].to_numpy()
    table = table.reset_index(drop=True)
    acceptability = pd.DataFrame(accept[order], index=pd.Index(labels, name="option"),
                                 columns=pd.RangeIndex(1, o + 1, name="rank"))
    pairwise = pd.DataFrame(pairs[np.ix_(order, order)], index=pd.Index(labels, name="option"),
                            columns=pd.Index(labels, name="versus"))
    provenance = make_provenance(method, {
        "round": chosen, "resamples": int(resamples), "interval": interval,
        "interval_method": kind, "interval_reference": intervals.INTERVAL_REFERENCES[kind],
        "top_k": int(top_k),
        "trim": trim, "extremize_d": extremize_d, "eps": eps,
        "groups": None if groups is None else [str(g) for g in groups],
        "probability_criterion": data.probability_criterion,
        "criterion_weights": data.scale_weights,
        "expert_weights_sha256": _weights_digest(expert_weights),
    }, None if seed is None else int(seed), _hashed(judgments, valid), COLUMNS)
    return RankingResult(table=table, acceptability=acceptability, pairwise=pairwise,
                         method=method, round=chosen, top_k=int(top_k),
                         resamples=int(resamples), interval=interval,
                         provenance=provenance, notes=tuple(notes))


def _hashed(judgments: Judgments, valid: pd.DataFrame) -> pd.DataFrame | ValidatedJudgments:
    """What the provenance hashes: the wrapper when given one (its hash is kept)."""
    return judgments if isinstance(judgments, ValidatedJudgments) else valid


def _bootstrap(data: ExpertOptionData, base: FloatArray, method: str,
               params: dict[str, float], scores: FloatArray, resamples: int,
               seed: int | None, interval: float, acc: RankAccumulator
               ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Resample experts: interval bounds (see :mod:`analysis.intervals`), acceptability, pairs."""
    o = len(data.options)
    kind = intervals.interval_method(method)
    studentized = kind == "studentized"
    boot = np.empty((resamples, 2 * o if studentized else o))
    per = len(data.experts) * o if sorts(method) else len(data.experts) + 2 * o

    def one(w: FloatArray) -> FloatArray:
        if studentized:  # mean/cooke: the weighted mean of the scores and its se at once
            out, se = intervals.weighted_mean_and_se(data.score, w, base)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.hstack([out, (out - scores[None, :]) / se])
        return aggregate(data, w, method, **params)["score"]

    for start, chunk in iter_resamples(one, base, resamples, seed, per):
        acc.update(chunk[:, :o])
        boot[start:start + len(chunk)] = chunk
    low, high = intervals.bootstrap_bounds(kind, scores, data.score, base, boot, interval)
    return low, high, acc.acceptability, acc.pairwise


def _data_notes(data: ExpertOptionData, base: FloatArray) -> list[str]:
    notes = []
    n_total = int(np.count_nonzero(base > 0))
    weighted = ((base > 0)[:, None] & data.present).sum(axis=0)
    thin = list(data.options[(weighted > 0) & (weighted < 3)])
    if n_total < 3:
        notes.append(f"the ranking rests on fewer than 3 experts ({n_total}): its ranks and "
                     "intervals are one or two opinions, not a panel's")
    elif thin:
        notes.append(f"options rated by fewer than 3 experts (their rank and interval rest "
                     f"on one or two opinions): {thin}")
    if data.excluded:
        notes.append(f"{data.excluded} expert-option pair(s) left out: abstained or "
                     "missing on a criterion used")
    nobody = list(data.options[~data.present.any(axis=0)])
    if nobody:
        notes.append(f"options without any complete judgment (ranked last): {nobody}")
    return notes


def _table(data: ExpertOptionData, point: dict[str, FloatArray], scores: FloatArray,
           low: FloatArray, high: FloatArray, accept: FloatArray, top_k: int,
           atol: float) -> pd.DataFrame:
    o = len(data.options)
    ranks = point_ranks(scores, atol)
    positions = np.arange(1, o + 1)
    table = pd.DataFrame({
        "option": data.options.to_numpy(dtype=object), "rank": ranks, "score": scores,
        "low": low, "high": high, "p_first": accept[:, 0],
        f"p_top{top_k}": accept[:, :top_k].sum(axis=1),
        "mean_rank": accept @ positions,
        "likelihood": point["likelihood"][0] if data.probability_criterion else np.nan,
        "impact": point["impact"][0] if data.scale_weights else np.nan,
        "n_experts": data.present.sum(axis=0),
    })
    return table.sort_values(["rank", "option"], kind="mergesort")
