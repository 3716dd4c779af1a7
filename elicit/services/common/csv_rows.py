"""Read an uploaded CSV file into rows, reporting every problem with its line number."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from elicit.services.common.text import text_problem

MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    line: int  # 1 = the header line, as a spreadsheet numbers it
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class CsvReport:
    """Rows that passed (with their line) and every error found."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_lines(self) -> set[int]:
        return {e.line for e in self.errors}

    def error_dict(self, item: str = "line") -> dict[str, str]:
        """Errors as ValidationFailed expects them, one entry per line (or per `item`)."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(f"{item} {error.line}", []).append(error.message)
        return {key: f"{key.capitalize()}: " + "; ".join(msgs) for key, msgs in grouped.items()}


def read_rows(data: bytes, *, required: tuple[str, ...], optional: tuple[str, ...]) -> CsvReport:
    """Decode and split a CSV (comma, semicolon or tab; UTF-8 with or without BOM).

    Header names are matched case-insensitively; unknown columns are an error
    (a typo in a header would otherwise silently drop a whole column).
    """
    report = CsvReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(RowError(1, "The file is not UTF-8 text; save it as "
                                         "“CSV UTF-8” and upload it again."))
        return report
    if not text.strip():
        report.errors.append(RowError(1, "The file is empty."))
        return report
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    # csv refuses a field over its limit with _csv.Error: read it as this file's error instead.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        _read(reader, report, required, optional)
    except csv.Error as exc:
        report.errors.append(RowError(reader.line_num or 1, f"The file cannot be read as CSV "
                                      f"({exc}); a field is at most {csv.field_size_limit():,} "
                                      "characters."))
    return report


def _read(reader, report: CsvReport, required: tuple[str, ...],
          optional: tuple[str, ...]) -> None:
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h and h not in required + optional]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(unknown))
        report.errors.append(RowError(1, "; ".join(parts).capitalize() + ". Expected: "
                                      + ", ".join(required + optional) + "."))
        return
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(report.rows) + len(report.bad_lines) >= MAX_ROWS:
            report.errors.append(RowError(line, f"Too many rows (at most {MAX_ROWS})."))
            break
        if len(values) != len(header):
            report.errors.append(RowError(line, f"{len(values)} fields where the header has "
                                                f"{len(header)}."))
            continue
        bad = [(h, problem) for h, v in zip(header, values, strict=True)
               if (problem := text_problem(v))]
        if bad:
            report.errors.append(RowError(line, "; ".join(f"column {h} {p}" for h, p in bad)))
            continue
        report.rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
