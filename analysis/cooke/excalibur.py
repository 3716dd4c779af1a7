"""Read and write EXCALIBUR ``.dtt`` (assessments) and ``.rls`` (realizations) files.

The formats follow the EXCALIBUR program of TU Delft as found in the TU Delft
expert judgment database (Cooke & Goossens 2008):

* ``.dtt`` line 1: ``* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  50  95``;
  then one line per (expert, item): expert number, expert id, item number,
  item id (may contain spaces), scale ``UNI``/``LOG`` (any case), NQ quantile
  values, optional question text.
* ``.rls``: one line per item: item number, item id, realization, scale,
  optional text. Items absent from the ``.rls`` or with a missing realization
  are target items.

Values between -1000 and -990 (files use -999.5) mean "missing". Ids are
compared with runs of whitespace collapsed; realizations are matched to
items by id, not by number. Blank lines are ignored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .study import Scale, Study

__all__ = ["Realizations", "load_study", "read_dtt", "read_rls", "write_dtt", "write_rls"]

PathLike = str | os.PathLike[str]

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_HEADER = re.compile(r"NQ\s*=\s*(\d+)\s+QU\s*=(.*)$", re.IGNORECASE)
_RLS_LINE = re.compile(rf"^\s*(\d+)\s+(.*?)\s+({_NUM})\s+(uni|log)(?:\s+(.*))?$", re.IGNORECASE)
_MISSING_LOW, _MISSING_HIGH = -1000.0, -990.0
_MISSING_OUT = -999.5
_EXPERT_ID_MAX, _ITEM_ID_MAX = 8, 14


@dataclass(frozen=True)
class Realizations:
    """Contents of an ``.rls`` file.

    Attributes
    ----------
    items : tuple of str
        Item ids in file order.
    values : numpy.ndarray
        Realizations, shape (len(items),); NaN where the file marks them missing.
    scales : tuple of {"uni", "log"}
        Scale column of the file (the ``.dtt`` scale prevails in :func:`load_study`).
    """

    items: tuple[str, ...]
    values: npt.NDArray[np.float64]
    scales: tuple[Scale, ...]

    def as_dict(self) -> dict[str, float]:
        """Map each whitespace-collapsed item id to its realization (NaN if missing)."""
        return {_key(i): float(v) for i, v in zip(self.items, self.values, strict=True)}


def _key(identifier: str) -> str:
    """Collapse runs of whitespace so that ``'_item  1'`` matches ``'_item 1'``."""
    return " ".join(identifier.split())


def _read_lines(path: PathLike) -> list[str]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.splitlines()


def _value(token: str) -> float:
    x = float(token)
    return np.nan if _MISSING_LOW <= x <= _MISSING_HIGH else x


def _parse_header(path: PathLike, line: str) -> npt.NDArray[np.float64]:
    match = _HEADER.search(line)
    if match is None:
        raise ValueError(f"{path}:1: expected a header with 'NQ=' and 'QU=', got {line!r}")
    n_q = int(match.group(1))
    try:
        levels = np.array([float(t) for t in match.group(2).split()], dtype=float) / 100.0
    except ValueError:
        raise ValueError(
            f"{path}:1: quantile levels after 'QU=' must be numbers, got {line!r}"
        ) from None
    if levels.size != n_q:
        raise ValueError(f"{path}:1: NQ={n_q} but {levels.size} levels after 'QU=' in {line!r}")
    if n_q == 0 or not (np.all(levels > 0) and np.all(levels < 1) and np.all(np.diff(levels) > 0)):
        raise ValueError(
            f"{path}:1: quantile levels must increase strictly within (0, 100), got {line!r}"
        )
    return levels


def read_dtt(path: PathLike) -> Study:
    """Read an EXCALIBUR ``.dtt`` assessment file.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.dtt`` file (any case of extension).

    Returns
    -------
    Study
        Experts and items in order of first appearance, quantile levels from
        the ``QU=`` header (percent / 100), assessments of shape (E, N, Q) with
        NaN where a value is missing (-1000 <= x <= -990) or an expert has no
        line for an item; all realizations NaN (see :func:`load_study`).  A
        line giving only some of the item's quantiles (the others coded
        missing, as in some published studies) is kept as a partial
        assessment (NaN where missing), treated as anduryl 1.2.2 does: out of
        information and the decision maker, but in the intrinsic range and
        in calibration (see :func:`~analysis.cooke.classical_model`);
        ``Study.notes`` names each such expert and item (file and line).

    Raises
    ------
    ValueError
        With the file name and line number, if the header or a line cannot be
        parsed, the given values do not increase strictly, or an (expert,
        item) pair occurs twice.

    References
    ----------
    Cooke, R. M. (1991). Experts in Uncertainty. Oxford University Press.
    Cooke, R. M., & Goossens, L. H. J. (2008). TU Delft expert judgment data
    base. Reliability Engineering & System Safety 93(5), 657-674.
    """
    lines = _read_lines(path)
    if not lines:
        raise ValueError(f"{path}: empty file")
    levels = _parse_header(path, lines[0])
    n_q = levels.size
    pattern = re.compile(
        r"^\s*(\d+)\s+(\S+)\s+(\d+)\s+(.*?)\s+(uni|log)\s+"
        + r"\s+".join([f"({_NUM})"] * n_q)
        + r"(?:\s+.*)?$",
        re.IGNORECASE,
    )
    experts: dict[str, int] = {}
    items: dict[str, int] = {}
    item_ids: list[str] = []
    scales: list[Scale] = []
    cells: dict[tuple[int, int], npt.NDArray[np.float64]] = {}
    notes: list[str] = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        match = pattern.match(line)
        if match is None:
            raise ValueError(
                f"{path}:{lineno}: expected 'expert_no expert_id item_no item_id UNI|LOG' "
                f"and {n_q} values, got {line.strip()!r}"
            )
        expert, item_id = match.group(2), match.group(4).strip()
        if not item_id:
            raise ValueError(f"{path}:{lineno}: missing item id in {line.strip()!r}")
        scale: Scale = "log" if match.group(5).lower() == "log" else "uni"
        values = np.array([_value(t) for t in match.groups()[5 : 5 + n_q]], dtype=float)
        e = experts.setdefault(expert, len(experts))
        i = items.setdefault(_key(item_id), len(items))
        if i == len(item_ids):
            item_ids.append(item_id)
            scales.append(scale)
        elif scales[i] != scale:
            raise ValueError(
                f"{path}:{lineno}: item {item_id!r} is {scale.upper()} here but "
                f"{scales[i].upper()} earlier"
            )
        if (e, i) in cells:
            raise ValueError(f"{path}:{lineno}: expert {expert!r} answers {item_id!r} twice")
        if np.isnan(values).any() and not np.isnan(values).all():
            # some published studies code a few of an item's quantiles missing: kept
            # as a partial assessment, treated as in anduryl (see classical_model)
            notes.append(f"{path}:{lineno}: expert {expert!r} gave only some quantiles of "
                         f"item {item_id!r} ({_fmt_values(values)}): that assessment is "
                         "treated as missing for information and the decision maker "
                         "(as anduryl does); its given values still count in the "
                         "intrinsic range and calibration")
        _check_values(path, lineno, values, scale)
        cells[(e, i)] = values
    if not cells:
        raise ValueError(f"{path}: no assessment lines after the header")
    assessments = np.full((len(experts), len(items), n_q), np.nan)
    for (e, i), values in cells.items():
        assessments[e, i] = values
    return Study(
        experts=tuple(experts),
        items=tuple(item_ids),
        scales=tuple(scales),
        quantiles=levels,
        assessments=assessments,
        realizations=np.full(len(items), np.nan),
        notes=tuple(notes),
    )


def _fmt_values(values: npt.NDArray[np.float64]) -> str:
    return ", ".join("missing" if np.isnan(v) else f"{v:g}" for v in values)


def _check_values(path: PathLike, lineno: int, values: npt.NDArray[np.float64], scale: str) -> None:
    given = values[~np.isnan(values)]  # a partial line: the values it gives
    if not given.size:
        return
    if np.any(np.diff(given) <= 0):
        raise ValueError(
            f"{path}:{lineno}: quantiles must increase strictly, got {values.tolist()}"
        )
    if scale == "log" and given[0] <= 0:
        raise ValueError(f"{path}:{lineno}: LOG item needs positive values, got {values.tolist()}")


def read_rls(path: PathLike) -> Realizations:
    """Read an EXCALIBUR ``.rls`` realization file.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.rls`` file (any case of extension).

    Returns
    -------
    Realizations
        Item ids, realizations (NaN where -1000 <= x <= -990) and scales.

    Raises
    ------
    ValueError
        With the file name and line number, if a line cannot be parsed or an
        item id occurs twice.
    """
    items: list[str] = []
    values: list[float] = []
    scales: list[Scale] = []
    seen: set[str] = set()
    for lineno, line in enumerate(_read_lines(path), start=1):
        if not line.strip():
            continue
        match = _RLS_LINE.match(line)
        if match is None or not match.group(2).strip():
            raise ValueError(
                f"{path}:{lineno}: expected 'item_no item_id realization UNI|LOG', "
                f"got {line.strip()!r}"
            )
        item_id = match.group(2).strip()
        if _key(item_id) in seen:
            raise ValueError(f"{path}:{lineno}: item {item_id!r} occurs twice")
        seen.add(_key(item_id))
        items.append(item_id)
        values.append(_value(match.group(3)))
        scales.append("log" if match.group(4).lower() == "log" else "uni")
    return Realizations(tuple(items), np.array(values, dtype=float), tuple(scales))


def load_study(dtt: PathLike, rls: PathLike) -> Study:
    """Load an EXCALIBUR study from its ``.dtt`` and ``.rls`` files.

    Realizations are matched to items by id with runs of whitespace collapsed;
    items absent from the ``.rls`` file or with a missing realization are
    target items. ``.rls`` entries naming no ``.dtt`` item are ignored.

    Parameters
    ----------
    dtt, rls : str or os.PathLike
        Paths of the assessment and realization files.

    Returns
    -------
    Study
        Assessments (E, N, Q) with NaN for missing and realizations (N,) with
        NaN for target items.

    Examples
    --------
    >>> from pathlib import Path
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "s.dtt").write_text(
    ...     "* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  50  95\\n"
    ...     "    1  A   1  item  1  UNI  1.0E+0000 2.0E+0000 3.0E+0000\\n")
    >>> _ = (d / "s.RLS").write_text("    1  item 1  2.5E+0000 UNI\\n")
    >>> study = load_study(d / "s.dtt", d / "s.RLS")
    >>> study.items, study.realizations.tolist()
    (('item  1',), [2.5])
    """
    study = read_dtt(dtt)
    found = read_rls(rls).as_dict()
    realizations = np.array([found.get(_key(i), np.nan) for i in study.items], dtype=float)
    return Study(
        experts=study.experts,
        items=study.items,
        scales=study.scales,
        quantiles=study.quantiles,
        assessments=study.assessments,
        realizations=realizations,
        notes=study.notes,
    )


def _fmt(x: float) -> str:
    return f"{(_MISSING_OUT if np.isnan(x) else x): .16E}"


def _check_id(kind: str, identifier: str, limit: int) -> None:
    if not identifier or identifier != identifier.strip() or len(identifier) > limit:
        raise ValueError(
            f"{kind} id must be 1-{limit} characters without leading or trailing "
            f"whitespace, got {identifier!r}"
        )


def write_dtt(path: PathLike, study: Study) -> None:
    """Write the assessments of ``study`` as an EXCALIBUR ``.dtt`` file.

    Values are written with 17 significant digits so that :func:`read_dtt`
    returns them exactly; missing answers are written as -999.5.

    Raises
    ------
    ValueError
        If an expert id is not 1-8 characters without whitespace or an item id
        is not 1-14 characters without leading/trailing whitespace.
    """
    for expert in study.experts:
        _check_id("expert", expert, _EXPERT_ID_MAX)
        if len(expert.split()) != 1:
            raise ValueError(f"expert id must not contain whitespace, got {expert!r}")
    for item in study.items:
        _check_id("item", item, _ITEM_ID_MAX)
    levels = "".join(f"{100 * q:4g}" for q in study.quantiles)
    out = [f"* CLASS ASCII OUTPUT FILE. NQ={study.quantiles.size:4d}   QU={levels}"]
    for e, expert in enumerate(study.experts):
        for i, item in enumerate(study.items):
            values = " ".join(_fmt(x) for x in study.assessments[e, i])
            out.append(
                f"{e + 1:5d} {expert:>8s} {i + 1:4d} {item:>14s} {study.scales[i].upper()} {values}"
            )
    Path(path).write_text("\n".join(out) + "\n", encoding="utf-8")


def write_rls(path: PathLike, study: Study) -> None:
    """Write the realizations of ``study`` as an EXCALIBUR ``.rls`` file.

    Every item gets a line; target items get the missing value -999.5.
    """
    out = []
    for i, item in enumerate(study.items):
        _check_id("item", item, _ITEM_ID_MAX)
        out.append(
            f"{i + 1:5d} {item:>14s} {_fmt(study.realizations[i])} {study.scales[i].upper()}"
        )
    Path(path).write_text("\n".join(out) + "\n", encoding="utf-8")
