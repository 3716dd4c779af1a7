"""Downloads: raw judgments and aggregated results as CSV, XLSX and JSON.

Raw judgments stream straight from the database cursor (server-side on
PostgreSQL), so a study of a million rows never sits in memory. Text cells
that a spreadsheet would run as a formula are neutralised (OWASP CSV
injection): a leading = + - @ tab or carriage return gets a quote prefix.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import lazy_loader

from elicit.extensions import db
from elicit.models import Expert, Round, Study
from elicit.services.common import progress
from elicit.services.panel.experts import pseudonyms
from elicit.services.results import dashboard, frames, seed_answers
from elicit.services.results.seed_answers import RAW_DICTIONARY

pd = lazy_loader.load("pandas")
openpyxl = lazy_loader.load("openpyxl")

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 2000
RESULTS_DICTIONARY = {
    "ranking": {
        "option": "Policy option.", "rank": "Point rank (1 = highest expected impact).",
        "score": "Aggregated expected impact (likelihood × weighted impact).",
        "low": "Lower end of the bootstrap interval of score.",
        "high": "Upper end of the bootstrap interval of score.",
        "p_first": "Probability of ranking first across bootstrap resamples of experts.",
        "p_top3": "Probability of ranking in the top three.",
        "mean_rank": "Mean rank across resamples.",
        "likelihood": "Aggregated likelihood (0–1).", "impact": "Aggregated weighted impact.",
        "n_experts": "Experts whose complete judgments enter the option's score.",
        "consensus": "Whether the study's consensus rule is met for the option.",
        "previous_rank": "Rank in the previous round (same method and parameters).",
        "change": "Places gained since the previous round (positive = moved up).",
    },
    "acceptability": {"option": "Policy option.", "rank": "Rank position.",
                      "probability": "Share of bootstrap resamples with the option at rank."},
    "pairwise": {"option": "Policy option.", "versus": "The other option.",
                 "probability": "P(option scores above versus); ties count one half."},
    "consensus": {"option": "Policy option.", "criterion": "Criterion.", "kind": "Kind.",
                  "n": "Answers.", "median": "Median answer.", "q1": "First quartile.",
                  "q3": "Third quartile.", "iqr": "Interquartile range.",
                  "quartile_deviation": "Half the IQR.",
                  "agreement": "Share of experts within one step (0.1 for probabilities) "
                               "of the median.",
                  "cv": "Coefficient of variation."},
    "risk_matrix": {"option": "Policy option.", "likelihood": "Aggregated likelihood.",
                    "likelihood_low": "Interval low.", "likelihood_high": "Interval high.",
                    "impact": "Aggregated impact.", "impact_low": "Interval low.",
                    "impact_high": "Interval high.", "n_experts": "Experts."},
    "stability": {"option": "Policy option.", "criterion": "Criterion.",
                  "median_before": "Median in the previous round.",
                  "median_after": "Median in this round.", "delta_median": "Change of median.",
                  "iqr_before": "IQR before.", "iqr_after": "IQR after.",
                  "delta_iqr": "Change of IQR (negative: converging).",
                  "n_paired": "Experts answering in both rounds.",
                  "statistic": "Wilcoxon signed-rank statistic.",
                  "pvalue": "Wilcoxon p-value (small: the panel moved).",
                  "p_value": "Same as pvalue (the older column name)."},
}


def neutralise(value: Any) -> Any:
    """Prefix text a spreadsheet would evaluate with a quote; other values unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """A database value as written to a file: ISO times, true/false, '' for missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return neutralise(value)


def _rounds(study: Study, number: int | None) -> list[Round]:
    if number is None:
        return list(study.rounds)
    return [r for r in study.rounds if r.number == number]


def raw_rows(study: Study, round_number: int | None = None) -> Iterator[tuple]:
    """Tidy judgment rows (pseudonymised), fetched from the cursor in chunks.

    Everything read from `study` is read now, so the rows can be produced
    later (while the response streams) without touching lazy attributes.
    """
    round_ids = [r.id for r in _rounds(study, round_number)]
    names = pseudonyms(study.id)
    return _stream(round_ids, names, frames.withdrawn_experts(round_ids) if round_ids else set())


def _stream(round_ids: list[int], names: dict[int, str],
            withdrawn: set[tuple[int, int]]) -> Iterator[tuple]:
    if not round_ids:
        return
    # Core execution (no ORM row processing) with a server-side cursor where supported
    connection = db.session.connection().execution_options(yield_per=CHUNK_ROWS)
    for part in connection.execute(frames.judgments_query(round_ids)).partitions():
        for row in part:
            yield (row[0], names[row[1]], *row[2:13], row[13] or "", row[14], row[15],
                   row[16], (row[0], row[1]) in withdrawn)


def _raw_csv_rows(rows: Iterable[tuple]) -> Iterator[tuple]:
    """Raw rows ready for the CSV writer, fast: the few distinct labels are memoised."""
    text = functools.lru_cache(maxsize=8192)(neutralise)
    when = functools.lru_cache(maxsize=8192)(lambda t: t.isoformat() if t else "")
    flag = {True: "true", False: "false"}
    for r in rows:
        # None is written as an empty cell and floats as repr() by the csv module itself
        yield (r[0], r[1], text(r[2] or ""), text(r[3]), text(r[4]), r[5], r[6], r[7], r[8],
               r[9], r[10], r[11], flag[bool(r[12])], neutralise(r[13]), when(r[14]),
               r[15], r[16], flag[r[17]])


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[Any]], *,
               prepared: bool = False) -> Iterator[str]:
    """CSV text in chunks of rows, every cell neutralised (`prepared`: already done)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row if prepared else [_cell(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def raw_csv(study: Study, round_number: int | None = None) -> Iterator[str]:
    """The raw judgments as CSV text chunks (what `python -m analysis rank` reads)."""
    return csv_chunks(frames.EXPORT_COLUMNS, _raw_csv_rows(raw_rows(study, round_number)),
                      prepared=True)


def raw_json(study: Study, round_number: int | None = None) -> Iterator[str]:
    """The raw judgments and seed answers as one JSON document, streamed.

    {study, columns, judgments: [...], seed_answer_columns, seed_answers: [...]}
    """
    # read everything from `study` now (small: the seed answers): the body streams later
    seeds = seed_answers.seed_answer_records(study, round_number)
    return _json_chunks(study.id, raw_rows(study, round_number), seeds)


def _json_chunks(study_id: int, rows: Iterator[tuple], seeds: list[dict]) -> Iterator[str]:
    yield json.dumps({"study": study_id, "columns": frames.EXPORT_COLUMNS})[:-1]
    yield ', "judgments": ['
    for n, row in enumerate(rows):
        record = dict(zip(frames.EXPORT_COLUMNS, row, strict=True))
        record["submitted_at"] = _cell(record["submitted_at"]) or None
        yield ("," if n else "") + json.dumps(record, allow_nan=False)
    yield '], "seed_answer_columns": ' + json.dumps(seed_answers.SEED_ANSWER_COLUMNS)
    yield ', "seed_answers": ' + json.dumps(seeds, allow_nan=False) + "}"


def seeds_csv(study: Study, round_number: int | None = None) -> Iterator[str]:
    """The seed answers as CSV (what `python -m analysis rank --seeds` reads)."""
    return csv_chunks(seed_answers.SEED_ANSWER_COLUMNS,
                      seed_answers.seed_answer_rows(study, round_number))


def seeds_json(study: Study, round_number: int | None = None) -> dict[str, Any]:
    """The seed answers as a JSON-ready document."""
    return {"study": study.id, "columns": seed_answers.SEED_ANSWER_COLUMNS,
            "seed_answers": seed_answers.seed_answer_records(study, round_number)}


def _xlsx_value(value: Any) -> Any:
    value = _cell(value)
    if isinstance(value, str):
        return openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_sheet(book: openpyxl.Workbook, title: str, header: list[str], rows: Iterable[Iterable]):
    sheet = book.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])


def _workbook_file(book: openpyxl.Workbook) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


def raw_xlsx(study: Study, round_number: int | None = None) -> Iterator[bytes]:
    """The raw judgments as an XLSX workbook (write-only: rows go straight to disk)."""
    book = openpyxl.Workbook(write_only=True)
    rows = raw_rows(study, round_number)
    if progress.listening():  # a background export: count the rows for its progress bar
        total = sum(frames.judgment_count(r) for r in _rounds(study, round_number))
        rows = progress.counted(rows, total, progress.N_("Writing the workbook"))
    _write_sheet(book, "judgments", frames.EXPORT_COLUMNS, rows)
    _seed_sheet(book, study, round_number)
    _write_sheet(book, "data dictionary", ["column", "meaning"], RAW_DICTIONARY.items())
    return _workbook_file(book)


def _seed_sheet(book: openpyxl.Workbook, study: Study, round_number: int | None) -> None:
    _write_sheet(book, "seed answers", seed_answers.SEED_ANSWER_COLUMNS,
                 seed_answers.seed_answer_rows(study, round_number))
    _write_sheet(book, "seed dictionary", ["column", "meaning"],
                 seed_answers.SEED_ANSWER_DICTIONARY.items())


def seeds_xlsx(study: Study, round_number: int | None = None) -> Iterator[bytes]:
    """The seed answers as an XLSX workbook with their data dictionary."""
    book = openpyxl.Workbook(write_only=True)
    _seed_sheet(book, study, round_number)
    return _workbook_file(book)


def identities_csv(study: Study) -> Iterator[str]:
    """Pseudonym → name, e-mail, affiliation, group: for organizers only."""
    names = pseudonyms(study.id)
    experts = db.session.scalars(db.select(Expert).where(Expert.study_id == study.id)
                                 .order_by(Expert.id))
    rows = [(names[e.id], e.name, e.email, e.affiliation, e.group) for e in experts]
    return csv_chunks(["expert", "name", "email", "affiliation", "group"], rows)


def result_tables(outcome: dashboard.RoundResults) -> dict[str, pd.DataFrame]:
    """Every aggregated table of a result, by name."""
    ranking = outcome.table.copy()
    tables = {
        "ranking": ranking,
        "acceptability": outcome.ranking.acceptability.stack().rename("probability")
        .reset_index(),
        "pairwise": outcome.ranking.pairwise.stack().rename("probability").reset_index(),
        "consensus": outcome.consensus,
    }
    if outcome.risk is not None:
        tables["risk_matrix"] = outcome.risk.table
    if outcome.stability is not None:
        tables["stability"] = outcome.stability
    return tables


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): _json_value(v) for k, v in row.items()})
    return out


def _json_value(v: Any) -> Any:
    """A table cell as written: numpy scalars unwrapped, NaN as null, floats cut to 12
    significant digits (1.4649999999999999 is written 1.465, as computed: 0.9 + 0.565)."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return float(f"{v:.12g}") if math.isfinite(v) else None
    return v


def results_csv(outcome: dashboard.RoundResults, table: str = "ranking") -> Iterator[str]:
    """One aggregated table as CSV."""
    frame = result_tables(outcome)[table]
    return csv_chunks([str(c) for c in frame.columns],
                      ([_json_value(v) for v in row] for row in frame.itertuples(index=False)))


def results_json(outcome: dashboard.RoundResults) -> dict[str, Any]:
    """Every aggregated table, the summary and the provenance, JSON-ready."""
    return {**outcome.to_dict(),
            "tables": {name: _records(frame) for name, frame in result_tables(outcome).items()}}


def results_xlsx(outcome: dashboard.RoundResults) -> Iterator[bytes]:
    """One sheet per aggregated table, plus a data dictionary and the provenance."""
    book = openpyxl.Workbook(write_only=True)
    tables = result_tables(outcome)
    for name, frame in tables.items():
        _write_sheet(book, name, [str(c) for c in frame.columns],
                     ([_json_value(v) for v in row] for row in frame.itertuples(index=False)))
    dictionary = ((name, column, RESULTS_DICTIONARY.get(name, {}).get(str(column), ""))
                  for name, frame in tables.items() for column in frame.columns)
    _write_sheet(book, "data dictionary", ["sheet", "column", "meaning"], dictionary)
    provenance = outcome.ranking.provenance.to_dict()
    _write_sheet(book, "provenance", ["key", "value"],
                 ((k, v if isinstance(v, str | int | float) or v is None else json.dumps(v))
                  for k, v in provenance.items()))
    return _workbook_file(book)


def judgments_page(study: Study, round_number: int | None, page: int,
                   per_page: int) -> tuple[int, list[dict[str, Any]]]:
    """One page of the tidy judgments as JSON-ready records, and the total count."""
    from sqlalchemy import func, select

    rounds = _rounds(study, round_number)
    if not rounds:
        return 0, []
    query = frames.judgments_query(r.id for r in rounds)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    names = pseudonyms(study.id)
    withdrawn = frames.withdrawn_experts(r.id for r in rounds)
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    records = []
    for row in rows:
        record = dict(zip(frames.EXPORT_COLUMNS, (row[0], names[row[1]], *row[2:],
                                                  (row[0], row[1]) in withdrawn), strict=True))
        record["group"] = record["group"] or ""
        record["rationale"] = record["rationale"] or ""
        record["submitted_at"] = record["submitted_at"].isoformat() \
            if record["submitted_at"] else None
        records.append(record)
    return int(total or 0), records
