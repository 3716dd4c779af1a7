"""Validate and normalise the tidy judgments table.

One row per round x expert x option x criterion.  Validation never mutates the
caller's frame; it returns a normalised copy with a derived ``estimate``
column (the point value used everywhere downstream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "KINDS", "Judgments", "ValidatedJudgments",
           "validate_judgments", "select_round"]

COLUMNS: tuple[str, ...] = (
    "round", "expert", "group", "option", "criterion", "kind", "weight", "value",
    "lowest", "best", "highest", "confidence", "abstained", "rationale",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("round", "expert", "option", "criterion", "kind", "value")
KINDS: tuple[str, ...] = ("probability", "scale")
_DEFAULTS: dict[str, object] = {
    "group": "all", "weight": 1.0, "lowest": np.nan, "best": np.nan, "highest": np.nan,
    "confidence": np.nan, "abstained": False, "rationale": "",
}
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}
_MAX_REPORTED = 10
_NUMERIC = ("weight", "value", "lowest", "best", "highest", "confidence")


class _Problems:
    """Collect row-level problems and raise them together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str,
            what: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        unique = frame.index.is_unique
        for pos in np.flatnonzero(mask):
            label = frame.index[pos]
            if isinstance(label, np.generic):
                label = label.item()
            value = frame[column].iloc[pos] if column in frame.columns else None
            if isinstance(value, np.generic):
                value = value.item()
            # a duplicated index label does not name one row: add its position
            where = f"row {label!r}" if unique else f"row {label!r} (position {pos})"
            self.items.append(f"{where} (column {column!r}): {what}, got {value!r}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = "; ".join(self.items[:_MAX_REPORTED])
            more = len(self.items) - _MAX_REPORTED
            tail = f"; and {more} more problem(s)" if more > 0 else ""
            raise ValueError(f"invalid judgments: {shown}{tail}")


def _to_bool(series: pd.Series, problems: _Problems, frame: pd.DataFrame) -> pd.Series:
    if series.dtype == bool:
        return series
    text = series.map(lambda v: "" if pd.isna(v) else str(v).strip().lower())
    bad = ~text.isin(_TRUE | _FALSE)
    problems.add(frame, bad, "abstained", "expected true/false")
    return text.isin(_TRUE)


def _to_label(series: pd.Series) -> pd.Series:
    """Labels as strings; whole floats such as ``3.0`` read from CSV become ``'3'``."""
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.astype(str)

    def fmt(v: object) -> object:
        if pd.isna(v):  # type: ignore[call-overload]
            return v
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return series.map(fmt)


@dataclass(frozen=True, eq=False)
class ValidatedJudgments:
    """A judgments table checked once by :func:`validate_judgments`.

    Every analysis function that takes a judgments frame also takes this
    wrapper and then skips validation, so a caller running several analyses
    on the same table (ranking, risk matrix, consensus, ...) pays for the
    checks once.  Build it with :meth:`from_frame`; do not modify ``frame``
    afterwards.

    Attributes
    ----------
    frame : pandas.DataFrame
        The output of :func:`validate_judgments` (columns :data:`COLUMNS`
        plus ``estimate``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"round": [1], "expert": ["a"], "option": ["x"],
    ...                    "criterion": ["p"], "kind": ["probability"], "value": [0.3]})
    >>> valid = ValidatedJudgments.from_frame(df)
    >>> validate_judgments(valid) is valid.frame
    True
    """

    frame: pd.DataFrame
    #: :func:`analysis.hash_frame` digests by column tuple, filled by the provenance of
    #: each result computed from this table (the same rows are hashed once).
    digests: dict[tuple[str, ...] | None, str] = field(default_factory=dict, init=False,
                                                       repr=False)

    @classmethod
    def from_frame(cls, judgments: pd.DataFrame | ValidatedJudgments) -> ValidatedJudgments:
        """Validate ``judgments`` (see :func:`validate_judgments`) and wrap the result."""
        if isinstance(judgments, ValidatedJudgments):
            return judgments
        return cls(validate_judgments(judgments))

    def __len__(self) -> int:
        return len(self.frame)


Judgments = pd.DataFrame | ValidatedJudgments
"""What the analysis functions accept as judgments: a tidy frame, or one already validated."""


def validate_judgments(judgments: Judgments) -> pd.DataFrame:
    """Check a tidy judgments table and return a normalised copy.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        One row per round x expert x option x criterion with columns
        ``round, expert, option, criterion, kind, value`` (required) and
        ``group, weight, lowest, best, highest, confidence, abstained,
        rationale`` (optional; defaults ``"all"``, 1.0, NaN, ``False``, ``""``).
        A blank cell in a numeric column is missing; a blank ``weight`` on a
        probability row takes the default 1.0 (that weight is not used).
        Extra columns are ignored.  A :class:`ValidatedJudgments` is already
        checked: its frame is returned as it is, without a copy.

    Returns
    -------
    pandas.DataFrame
        A copy with the columns of :data:`COLUMNS` plus ``estimate``: the
        point value of each non-abstained row (``best`` for an IDEA four-step
        answer, otherwise ``value``; NaN for abstentions).  Labels
        (``expert, group, option, criterion``) are strings, ``round`` is an
        integer, ``abstained`` a boolean.  The original index is kept so that
        error messages and results can name rows.

    Raises
    ------
    ValueError
        Naming every offending row (index label, plus its position when the
        index has duplicated labels, and column; up to ten): a
        missing column, an unknown ``kind``, NaN where a value is needed,
        reversed IDEA bounds (``lowest <= best <= highest`` violated), a
        probability outside [0, 1], a confidence outside [0.5, 1], a criterion
        with several kinds or weights, or a duplicated
        round/expert/option/criterion.

    Notes
    -----
    A row is *abstained* when ``abstained`` is true; it carries no value and
    is dropped from every statistic.  A non-abstained row without a value is
    an error, not an abstention.  A probability row is an IDEA four-step
    answer when any of ``lowest, best, highest, confidence`` is given; it must
    then give all four (Hanea et al., 2017).

    References
    ----------
    .. [1] Hanea, A. M., McBride, M. F., Burgman, M. A., Wintle, B. C., Fidler,
       F., Flander, L., Twardy, C. R., Manning, B., & Mascaro, S. (2017).
       Investigate Discuss Estimate Aggregate for structured expert judgement.
       International Journal of Forecasting, 33(1), 267-279.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"round": [1], "expert": ["a"], "option": ["x"],
    ...                    "criterion": ["p"], "kind": ["probability"], "value": [0.3]})
    >>> validate_judgments(df)[["expert", "estimate"]]
      expert  estimate
    0      a       0.3
    """
    if isinstance(judgments, ValidatedJudgments):
        return judgments.frame
    if not isinstance(judgments, pd.DataFrame):
        raise ValueError(f"judgments must be a pandas DataFrame, got {type(judgments).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in judgments.columns]
    if missing:
        raise ValueError(
            f"invalid judgments: missing column(s) {missing}; have {list(judgments.columns)}"
        )
    df = judgments.loc[:, [c for c in COLUMNS if c in judgments.columns]].copy()
    for column, default in _DEFAULTS.items():
        if column not in df.columns:
            df[column] = default
    df = df.loc[:, list(COLUMNS)]
    problems = _Problems()

    for column in ("round", "expert", "option", "criterion", "kind"):
        problems.add(df, df[column].isna().to_numpy(), column, "NaN where a label is needed")
    for column in _NUMERIC:
        if df[column].dtype == object:  # a blank cell is a missing value, not text
            df[column] = df[column].map(
                lambda v: np.nan if isinstance(v, str) and not v.strip() else v)
        converted = pd.to_numeric(df[column], errors="coerce")
        problems.add(df, converted.isna() & df[column].notna(), column, "not a number")
        df[column] = converted.astype(float)
    rounds = pd.to_numeric(df["round"], errors="coerce")
    bad_round = df["round"].notna() & (rounds.isna() | (rounds % 1 != 0))
    problems.add(df, bad_round, "round", "round must be an integer")
    problems.raise_if_any()

    df["round"] = rounds.astype(np.int64)
    for column in ("expert", "option", "criterion"):
        df[column] = _to_label(df[column])
    df["group"] = _to_label(df["group"].fillna("all"))
    codes, kinds = pd.factorize(df["kind"])  # normalise the few distinct kinds, not every row
    df["kind"] = np.asarray([str(k).strip().lower() for k in kinds], dtype=object)[codes]
    df["abstained"] = _to_bool(df["abstained"], problems, df)
    df["rationale"] = df["rationale"].fillna("").astype(str)
    problems.add(df, ~df["kind"].isin(KINDS), "kind", f"kind must be one of {list(KINDS)}")
    # the weight of a probability criterion is not used: blank means the default 1
    df.loc[(df["kind"] == "probability") & df["weight"].isna(), "weight"] = 1.0
    problems.add(df, ~np.isfinite(df["weight"].to_numpy()), "weight", "weight must be finite")
    problems.raise_if_any()

    _check_values(df, problems)
    _check_criteria(df, problems)
    _check_duplicates(df, problems)
    problems.raise_if_any()

    idea = df["best"].notna()
    df["estimate"] = np.where(df["abstained"], np.nan, np.where(idea, df["best"], df["value"]))
    return df


def _check_values(df: pd.DataFrame, problems: _Problems) -> None:
    live = ~df["abstained"].to_numpy()
    prob = live & (df["kind"] == "probability").to_numpy()
    scale = live & (df["kind"] == "scale").to_numpy()
    idea_cols = ["lowest", "best", "highest", "confidence"]
    any_idea = df[idea_cols].notna().any(axis=1).to_numpy()
    idea = prob & any_idea
    problems.add(df, scale & df["value"].isna().to_numpy(), "value", "NaN where a value is needed")
    problems.add(df, scale & ~np.isfinite(df["value"].fillna(0).to_numpy()), "value",
                 "value must be finite")
    problems.add(df, prob & ~any_idea & df["value"].isna().to_numpy(), "value",
                 "NaN where a value is needed")
    for column in idea_cols:
        problems.add(df, idea & df[column].isna().to_numpy(), column,
                     "NaN where an IDEA four-step value is needed")
    for column in ("value", "lowest", "best", "highest"):
        x = df[column].to_numpy()
        problems.add(df, prob & ~np.isnan(x) & ((x < 0) | (x > 1)), column,
                     "probability must lie in [0, 1]")
    c = df["confidence"].to_numpy()
    problems.add(df, idea & ~np.isnan(c) & ((c < 0.5) | (c > 1)), "confidence",
                 "confidence must lie in [0.5, 1]")
    lo, best, hi = (df[k].to_numpy() for k in ("lowest", "best", "highest"))
    with np.errstate(invalid="ignore"):
        problems.add(df, idea & (lo > best), "lowest", "reversed IDEA bounds (lowest > best)")
        problems.add(df, idea & (best > hi), "highest", "reversed IDEA bounds (best > highest)")


def _check_criteria(df: pd.DataFrame, problems: _Problems) -> None:
    per = df.groupby("criterion", sort=True).agg(kinds=("kind", "nunique"),
                                                  weights=("weight", "nunique"))
    for criterion in per.index[per["kinds"] > 1]:
        kinds = sorted(df.loc[df["criterion"] == criterion, "kind"].unique())
        problems.items.append(f"criterion {criterion!r} (column 'kind'): several kinds {kinds}")
    for criterion in per.index[per["weights"] > 1]:
        weights = sorted(df.loc[df["criterion"] == criterion, "weight"].unique())
        problems.items.append(
            f"criterion {criterion!r} (column 'weight'): several weights {weights}"
        )


def _check_duplicates(df: pd.DataFrame, problems: _Problems) -> None:
    keys = ["round", "expert", "option", "criterion"]
    dup = df.duplicated(keys, keep="first").to_numpy()
    problems.add(df, dup, "expert", "duplicate round/expert/option/criterion")


def select_round(valid: pd.DataFrame, round: int | None = None,
                 groups: Sequence[str] | None = None) -> tuple[pd.DataFrame, int]:
    """Rows of one round (the latest when ``round`` is None), optionally of some groups.

    Parameters
    ----------
    valid : pandas.DataFrame
        Output of :func:`validate_judgments`.
    round : int, optional
        Round number; default the highest round present.
    groups : sequence of str, optional
        Keep only experts whose ``group`` is listed.

    Returns
    -------
    (pandas.DataFrame, int)
        The selected rows and the round number used.  When ``valid`` holds
        that round only and no groups are chosen, the rows are ``valid``
        itself (no copy): treat them as read-only.

    Raises
    ------
    ValueError
        If the table is empty, the round is absent, or no rows are left.
    """
    if valid.empty:
        raise ValueError("invalid judgments: the table has no rows")
    rounds = sorted(int(r) for r in valid["round"].unique())
    chosen = rounds[-1] if round is None else int(round)
    if chosen not in rounds:
        raise ValueError(f"round {round!r} not in the judgments; rounds present: {rounds}")
    # one round only: no copy (callers read the rows, never write them)
    rows = valid if len(rounds) == 1 else valid[valid["round"] == chosen]
    if groups is not None:
        wanted = [str(g) for g in groups]
        rows = rows[rows["group"].isin(wanted)]
        if rows.empty:
            present = sorted(valid["group"].unique())
            raise ValueError(f"no judgments for groups {wanted}; groups present: {present}")
    return rows, chosen
