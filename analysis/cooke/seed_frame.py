"""Cooke performance weights from a tidy frame of seed-question answers."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .model import classical_model
from .study import Study

__all__ = ["study_from_seed_frame", "weights_from_seed_frame"]

_REQUIRED = ["expert", "question", "q05", "q50", "q95", "realization"]
_LEVELS = np.array([0.05, 0.5, 0.95])


def _bad_rows(df: pd.DataFrame, mask: pd.Series, what: str) -> None:
    if mask.any():
        rows = df.index[mask.to_numpy()].tolist()
        shown = rows[:10]
        more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        raise ValueError(f"rows {shown}{more}: {what}")


def study_from_seed_frame(df: pd.DataFrame) -> Study:
    """Build a :class:`Study` from a tidy frame of 5/50/95 % seed answers.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``expert``, ``question``, ``q05``, ``q50``, ``q95``,
        ``realization`` and optionally ``scale`` (``"uni"`` or ``"log"``,
        default ``"uni"``); one row per (expert, question).

    Returns
    -------
    Study
        Experts and questions in order of first appearance; questions an
        expert did not answer are missing.

    Raises
    ------
    ValueError
        Naming the offending rows, for missing columns, NaN quantiles,
        quantiles not strictly increasing, a missing or inconsistent
        realization, an unknown scale or a duplicated (expert, question).
    """
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"missing columns {missing}; need {_REQUIRED} and optionally 'scale'")
    if df.empty:
        raise ValueError("the seed frame has no rows")
    quants = df[["q05", "q50", "q95"]].apply(pd.to_numeric, errors="coerce")
    realization = pd.to_numeric(df["realization"], errors="coerce")
    _bad_rows(df, quants.isna().any(axis=1), "q05, q50 and q95 must be numbers, got NaN")
    _bad_rows(df, realization.isna(), "missing realization")
    q = quants.to_numpy(dtype=float)
    _bad_rows(
        df,
        pd.Series((q[:, 0] >= q[:, 1]) | (q[:, 1] >= q[:, 2]), index=df.index),
        "need q05 < q50 < q95 strictly",
    )
    scale = (
        df["scale"].fillna("uni").astype(str).str.strip().str.lower()
        if "scale" in df.columns
        else pd.Series("uni", index=df.index)
    )
    _bad_rows(df, ~scale.isin(["uni", "log"]), "scale must be 'uni' or 'log'")
    duplicated = df.duplicated(["expert", "question"], keep=False)
    _bad_rows(df, duplicated, "duplicated (expert, question)")
    per_question = pd.DataFrame({"question": df["question"], "r": realization, "scale": scale})
    _bad_rows(
        df,
        per_question.groupby("question", sort=False)["r"].transform("nunique") > 1,
        "different realizations for the same question",
    )
    _bad_rows(
        df,
        per_question.groupby("question", sort=False)["scale"].transform("nunique") > 1,
        "different scales for the same question",
    )
    experts = pd.Index(pd.unique(df["expert"]))
    questions = pd.Index(pd.unique(df["question"]))
    e = experts.get_indexer(df["expert"])
    i = questions.get_indexer(df["question"])
    assessments = np.full((experts.size, questions.size, 3), np.nan)
    assessments[e, i] = q
    first = per_question.drop_duplicates("question").set_index("question").loc[questions]
    return Study(
        experts=tuple(str(x) for x in experts),
        items=tuple(str(x) for x in questions),
        scales=tuple(first["scale"]),
        quantiles=_LEVELS,
        assessments=assessments,
        realizations=first["r"].to_numpy(dtype=float),
    )


def weights_from_seed_frame(
    df: pd.DataFrame, *, alpha: Literal["optimize"] | float = "optimize"
) -> pd.Series:
    """Cooke's normalised global performance weights from seed answers.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy seed answers, see :func:`study_from_seed_frame`.
    alpha : "optimize" or float
        Significance level, optimised for the decision maker by default.

    Returns
    -------
    pandas.Series
        Indexed by expert (in order of first appearance), summing to 1;
        experts calibrated below alpha get 0.

    Notes
    -----
    w_e = C_e I_e 1[C_e >= alpha] / sum_f C_f I_f 1[C_f >= alpha], with C the
    calibration and I the mean information on the seed questions (Cooke 1991,
    ch. 12; Cooke & Goossens 2008). See :func:`classical_model`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "expert": ["a", "a", "b", "b"], "question": ["x", "y", "x", "y"],
    ...     "q05": [0.0, 0.0, 5.0, 5.0], "q50": [1.0, 1.0, 6.0, 6.0],
    ...     "q95": [2.0, 2.0, 7.0, 7.0], "realization": [0.5, 1.5, 0.5, 1.5]})
    >>> weights_from_seed_frame(df).round(3).to_dict()
    {'a': 1.0, 'b': 0.0}
    """
    result = classical_model(study_from_seed_frame(df), weights="global", alpha=alpha)
    return result.experts["weight"].rename("weight")
