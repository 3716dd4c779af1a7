"""The judgments as SPSS (.sav) and Stata (.dta) files, with variable and value labels.

Two layouts. *Long* is the tidy download (one row per round × expert ×
option × criterion, the CSV's columns). *Wide* is what SPSS and Stata users
expect from survey tools: one row per expert and round, one variable per
option × criterion named ``o<option>_c<criterion>`` (questionnaire
positions), labelled with the option and the criterion's question, scale
points carrying the scale's labels as value labels. In the wide layout an
IDEA four-step answer is its best guess, and an abstention is missing; the
long layout keeps every part of the answer and the `abstained` flag.

Written with pyreadstat from pandas frames; the file is built in a
temporary folder and returned whole (these are for studies a statistics
package opens, not the million-row streams of the CSV).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any, Literal

import lazy_loader

from elicit.models import Study
from elicit.services.results import exports, frames
from elicit.services.results.seed_answers import RAW_DICTIONARY

pd = lazy_loader.load("pandas")
pyreadstat = lazy_loader.load("pyreadstat")

Layout = Literal["wide", "long"]
StatsFormat = Literal["sav", "dta"]
LAYOUTS = ("wide", "long")
YES_NO = {0: "no", 1: "yes"}
# Stata: variable labels up to 80 characters, strings up to 2,045 bytes (str#).
LABEL_LIMIT = {"sav": 256, "dta": 80}
ID_LABELS = {"round": "Round number", "expert": "Expert pseudonym",
             "group": "Stakeholder group", "submitted_at": "Submitted (UTC)",
             "withdrawn": "Withdrawn from the round (link revoked)"}


def _label(text: str, fmt: StatsFormat) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    limit = LABEL_LIMIT[fmt]
    return text if len(text) <= limit else text[:limit - 1] + "…"


def long_frame(study: Study, round_number: int | None = None) -> pd.DataFrame:
    """The tidy judgments (the CSV's columns), typed for a statistics package."""
    frame = pd.DataFrame(list(exports.raw_rows(study, round_number)),
                         columns=frames.EXPORT_COLUMNS)
    for column in ("abstained", "withdrawn"):
        frame[column] = frame[column].astype(bool).astype(int)
    for column in ("expertise", "panel_expertise"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in ("group", "option", "criterion", "kind", "rationale"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["submitted_at"] = _naive_utc(frame["submitted_at"])
    return frame


def _naive_utc(column: pd.Series) -> pd.Series:
    times = pd.to_datetime(column, utc=True)
    return times.dt.tz_convert("UTC").dt.tz_localize(None)


def wide_frame(study: Study, round_number: int | None = None
               ) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[float, str]]]:
    """One row per expert and round, one column per option × criterion.

    Returns the frame, its variable labels (full text; shortened on writing)
    and the value labels of the scale variables.
    """
    tidy = long_frame(study, round_number)
    ids = ["round", "expert", "group", "submitted_at", "withdrawn"]
    options = {o.title: o.position for o in study.options}
    criteria = {c.name: c for c in study.criteria}
    labels = dict(ID_LABELS)
    value_labels: dict[str, dict[float, str]] = {"withdrawn": YES_NO}
    columns: list[str] = []
    for option in study.options:
        for criterion in study.criteria:
            name = f"o{option.position}_c{criterion.position}"
            columns.append(name)
            labels[name] = f"{option.title} — {criterion.question or criterion.name}"
            points = {float(v): text for v, text in criterion.scale_points() if text}
            if criterion.kind == "scale" and points:
                value_labels[name] = points
    if tidy.empty:
        return pd.DataFrame(columns=ids + columns), labels, value_labels
    answer = tidy["value"].where(tidy["value"].notna(), tidy["best"]).astype(float)
    tidy = tidy.assign(variable=[f"o{options[o]}_c{criteria[c].position}"
                                 for o, c in zip(tidy["option"], tidy["criterion"],
                                                 strict=True)], answer=answer)
    wide = tidy.pivot_table(index=["round", "expert"], columns="variable", values="answer",
                            aggfunc="first", dropna=False)
    people = tidy.drop_duplicates(["round", "expert"]).set_index(["round", "expert"])
    wide = wide.reindex(columns=columns).join(people[["group", "submitted_at", "withdrawn"]])
    wide = wide.reset_index()[ids + columns]
    return wide, labels, value_labels


def _write(frame: pd.DataFrame, fmt: StatsFormat, title: str, labels: dict[str, str],
           value_labels: dict[str, dict[float, str]]) -> bytes:
    column_labels = {c: _label(labels.get(c, c), fmt) for c in frame.columns}
    file_label = _label(title, fmt)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data.{fmt}"
        if fmt == "sav":
            pyreadstat.write_sav(frame, path, file_label=file_label,
                                 column_labels=column_labels,
                                 variable_value_labels=value_labels or None)
        else:
            pyreadstat.write_dta(frame, path, file_label=file_label,
                                 column_labels=column_labels,
                                 variable_value_labels=_int_keys(frame, value_labels) or None)
        return path.read_bytes()


def _int_keys(frame: pd.DataFrame, value_labels: dict[str, dict[float, str]]
              ) -> dict[str, dict[Any, str]]:
    """Stata labels integer values only: keep whole-number keys, as integers."""
    out: dict[str, dict[Any, str]] = {}
    for name, mapping in value_labels.items():
        if name in frame.columns and all(float(k).is_integer() for k in mapping):
            out[name] = {int(k): v for k, v in mapping.items()}
    return out


def judgments_file(study: Study, fmt: StatsFormat, layout: Layout,
                   round_number: int | None = None) -> bytes:
    """The judgments as an SPSS or Stata file in the wide or long layout."""
    title = f"{study.title} — judgments ({layout})"
    if layout == "wide":
        frame, labels, value_labels = wide_frame(study, round_number)
        if fmt == "dta":
            frame = _stata_ready(frame, value_labels)
        return _write(frame, fmt, title, labels, value_labels)
    frame = long_frame(study, round_number)
    labels = {c: RAW_DICTIONARY.get(c, c) for c in frame.columns}
    value_labels = {"abstained": YES_NO, "withdrawn": YES_NO}
    if fmt == "dta":
        frame = _stata_ready(frame, value_labels)
    return _write(frame, fmt, title, labels, value_labels)


def _stata_ready(frame: pd.DataFrame, value_labels: dict[str, dict[float, str]]
                 ) -> pd.DataFrame:
    """Stata needs labelled variables integral and strings within 2,045 bytes."""
    frame = frame.copy()
    for name in value_labels:
        if name in frame.columns and (frame[name].dropna() % 1 == 0).all():
            frame[name] = frame[name].astype("Int64") if frame[name].isna().any() \
                else frame[name].astype(int)
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].map(lambda v: v.encode()[:2045].decode(errors="ignore")
                                          if isinstance(v, str) else v)
    return frame
