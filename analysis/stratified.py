"""Rankings stratified by expert group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.ranking import RankingResult, rank_options
from analysis.validation import Judgments, validate_judgments

__all__ = ["GroupRanking", "rank_by_group"]


@dataclass(frozen=True)
class GroupRanking:
    """One ranking per expert group, plus the whole panel.

    Attributes
    ----------
    results : dict
        Group label (and ``"all"`` for the whole panel) to :class:`RankingResult`.
    table : pandas.DataFrame
        Long table: ``group`` then the columns of each result's table.
    """

    results: dict[str, RankingResult]
    table: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: each group's :meth:`RankingResult.to_dict`, keyed by group."""
        return {"groups": {g: r.to_dict() for g, r in self.results.items()}}

    def ranks(self) -> pd.DataFrame:
        """Options x groups table of ranks (the whole panel first)."""
        wide = self.table.pivot(index="option", columns="group", values="rank")
        cols = ["all", *[c for c in wide.columns if c != "all"]]
        return wide.loc[:, [c for c in cols if c in wide.columns]]


def rank_by_group(judgments: Judgments, *, include_all: bool = True,
                  **kwargs: Any) -> GroupRanking:
    """Rank the options separately within each expert group.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments with a ``group`` column.
    include_all : bool
        Also rank with the whole panel, under the key ``"all"`` (a group
        literally named ``"all"`` is then shadowed).
    **kwargs
        Passed to :func:`analysis.rank_options` (not ``groups``); each group
        uses the same seed.

    Returns
    -------
    GroupRanking

    Notes
    -----
    Each group is an independent panel: its bootstrap resamples only its own
    experts, so a small group gets wide intervals.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling Techniques (3rd ed.), ch. 5
       (stratified sampling). Wiley.
    """
    if "groups" in kwargs:
        raise ValueError("rank_by_group ranks every group; do not pass groups")
    valid = validate_judgments(judgments)
    results: dict[str, RankingResult] = {}
    if include_all:
        results["all"] = rank_options(valid, **kwargs)
    for group in sorted(valid["group"].unique()):
        if include_all and group == "all":
            continue
        results[group] = rank_options(valid, groups=[group], **kwargs)
    table = pd.concat([r.table.assign(group=g) for g, r in results.items()], ignore_index=True)
    table = table[["group", *[c for c in table.columns if c != "group"]]]
    return GroupRanking(results=results, table=table)
