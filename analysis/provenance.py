"""Provenance: what produced a result, so that it can be reproduced and checked."""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy

from analysis._version import __version__
from analysis.validation import ValidatedJudgments

__all__ = ["Provenance", "hash_frame", "make_provenance", "library_versions"]

_KEY_COLUMNS = ("round", "expert", "option", "criterion")


def library_versions() -> dict[str, str]:
    """Versions of python, numpy, scipy, pandas and this library."""
    return {
        "python": platform.python_version(), "numpy": np.__version__,
        "scipy": scipy.__version__, "pandas": pd.__version__, "analysis": __version__,
    }


def hash_frame(frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> str:
    """SHA-256 of a canonical CSV rendering of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table to fingerprint.
    columns : tuple of str, optional
        Columns to include, in this order (default: all, sorted by name).

    Returns
    -------
    str
        Hex digest.  Independent of row order, index, extra columns and
        column order: rows are sorted on the included columns (judgment keys
        first); numbers are hashed as little-endian float64 (one NaN, no
        negative zero), text as UTF-8.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    >>> hash_frame(a) == hash_frame(a.iloc[::-1].reset_index(drop=True))
    True
    """
    cols = list(columns) if columns is not None else sorted(map(str, frame.columns))
    cols = [c for c in cols if c in frame.columns]
    key = [c for c in _KEY_COLUMNS if c in cols] + [c for c in cols if c not in _KEY_COLUMNS]
    parts: dict[str, tuple[np.ndarray, bytes]] = {}
    for c in cols:
        column = frame[c]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            x = column.to_numpy(dtype=float) + 0.0  # + 0.0 folds -0.0 into 0.0
            x[np.isnan(x)] = np.nan  # one NaN bit pattern
            parts[c] = (x, b"")
        else:
            # sorted factorisation: codes and labels are canonical whatever the row order
            if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
                column = column.astype(str).where(column.notna())
            codes, labels = pd.factorize(column, sort=True)
            codes = np.where(codes < 0, len(labels), codes)  # NaN sorts last
            parts[c] = (codes.astype(np.int64), "\x1f".join(labels).encode("utf-8"))
    order = np.lexsort([parts[c][0] for c in reversed(key)]) if key else np.arange(len(frame))
    digest = hashlib.sha256()
    digest.update(f"{len(frame)}|{cols!r}".encode())
    for c in cols:
        values, labels = parts[c]
        digest.update(values[order].astype("<f8" if values.dtype.kind == "f" else "<i8")
                      .tobytes())
        digest.update(labels + b"\x1e")
    return digest.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """How a result was produced.

    Attributes
    ----------
    method : str
        Aggregation method.
    parameters : dict
        Every parameter that changes the result.
    seed : int or None
        Random seed of the bootstrap.
    n_rows : int
        Rows of the input table.
    input_sha256 : str
        :func:`hash_frame` of the validated input (known columns only).
    versions : dict
        :func:`library_versions`.
    """

    method: str
    parameters: dict[str, Any]
    seed: int | None
    n_rows: int
    input_sha256: str
    versions: dict[str, str] = field(default_factory=library_versions)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def make_provenance(method: str, parameters: Mapping[str, Any], seed: int | None,
                    frame: pd.DataFrame | ValidatedJudgments,
                    columns: tuple[str, ...] | None = None) -> Provenance:
    """Build a :class:`Provenance` for a result computed from ``frame``.

    A :class:`~analysis.ValidatedJudgments` is hashed once per column set,
    however many results are computed from it.
    """
    if isinstance(frame, ValidatedJudgments):
        digest = frame.digests.get(columns)
        if digest is None:
            digest = frame.digests[columns] = hash_frame(frame.frame, columns)
        return Provenance(method=method, parameters=dict(parameters), seed=seed,
                          n_rows=len(frame), input_sha256=digest)
    return Provenance(method=method, parameters=dict(parameters), seed=seed,
                      n_rows=int(len(frame)), input_sha256=hash_frame(frame, columns))
