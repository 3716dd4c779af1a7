"""The input of Cooke's classical model: experts' quantiles and realizations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Scale = Literal["uni", "log"]

__all__ = ["Scale", "Study"]


@dataclass(frozen=True)
class Study:
    """Assessments and realizations of one structured expert judgment study.

    Parameters
    ----------
    experts : tuple of str
        Expert ids, length E.
    items : tuple of str
        Item (question) ids, length N.
    scales : tuple of {"uni", "log"}
        Background measure of each item: uniform or log-uniform.
    quantiles : numpy.ndarray
        Quantile levels as probabilities in (0, 1), strictly increasing, shape (Q,).
    assessments : numpy.ndarray
        Experts' quantiles, shape (E, N, Q); a row of NaN means the expert did
        not answer the item. A row with only some values NaN is a *partial*
        assessment (some published EXCALIBUR files have them); it is treated
        as anduryl 1.2.2 does, see :func:`~analysis.cooke.classical_model`.
    realizations : numpy.ndarray
        True values, shape (N,); NaN marks a target item (no known value).
    notes : tuple of str
        Warnings from reading the study (e.g. partially answered items of an
        EXCALIBUR file); not compared.

    Notes
    -----
    Seed (calibration) items are those with a realization. The given
    quantiles of every assessment must increase strictly, every value on a
    log-scale item must be positive, and every item needs at least one
    complete assessment. Validation raises :class:`ValueError` naming the
    offending expert, item and values.

    Examples
    --------
    >>> import numpy as np
    >>> s = Study(("A",), ("x", "y"), ("uni", "uni"), np.array([0.05, 0.5, 0.95]),
    ...           np.array([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]), np.array([2.5, np.nan]))
    >>> s.seed_mask.tolist()
    [True, False]
    """

    experts: tuple[str, ...]
    items: tuple[str, ...]
    scales: tuple[Scale, ...]
    quantiles: npt.NDArray[np.float64]
    assessments: npt.NDArray[np.float64]
    realizations: npt.NDArray[np.float64]
    notes: tuple[str, ...] = field(default=(), compare=False)
    seed_mask: npt.NDArray[np.bool_] = field(init=False, repr=False)
    _log_mask: npt.NDArray[np.bool_] = field(init=False, repr=False, compare=False)
    _answered: npt.NDArray[np.bool_] = field(init=False, repr=False, compare=False)
    _given: npt.NDArray[np.bool_] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        quantiles = np.asarray(self.quantiles, dtype=float)
        assessments = np.asarray(self.assessments, dtype=float)
        realizations = np.asarray(self.realizations, dtype=float)
        object.__setattr__(self, "experts", tuple(self.experts))
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "scales", tuple(s.lower() for s in self.scales))
        object.__setattr__(self, "quantiles", quantiles)
        object.__setattr__(self, "assessments", assessments)
        object.__setattr__(self, "realizations", realizations)
        _validate(self)
        object.__setattr__(self, "seed_mask", ~np.isnan(realizations))
        # derived masks of the (immutable) input, computed once
        log = np.array([s == "log" for s in self.scales], dtype=bool)
        nan = np.isnan(assessments)
        answered = ~nan.any(axis=2)
        given = ~nan.all(axis=2)
        # no partial assessment (the usual case): one mask serves both
        if np.array_equal(given, answered):
            given = answered
        log.flags.writeable = False
        answered.flags.writeable = False
        given.flags.writeable = False
        object.__setattr__(self, "_log_mask", log)
        object.__setattr__(self, "_answered", answered)
        object.__setattr__(self, "_given", given)

    @property
    def log_mask(self) -> npt.NDArray[np.bool_]:
        """Boolean mask of the log-scale items, shape (N,) (read-only)."""
        return self._log_mask

    @property
    def answered(self) -> npt.NDArray[np.bool_]:
        """Whether each expert gave every quantile of each item, shape (E, N) (read-only)."""
        return self._answered

    @property
    def given(self) -> npt.NDArray[np.bool_]:
        """Whether each expert gave at least one quantile of each item, shape (E, N).

        Read-only; the very object :attr:`answered` returns when no
        assessment is partial.
        """
        return self._given

    @property
    def partial(self) -> npt.NDArray[np.bool_]:
        """Assessments with some but not all quantiles given, shape (E, N)."""
        return self._given & ~self._answered

    def subset(
        self,
        experts: Sequence[int] | npt.NDArray[np.intp] | None = None,
        items: Sequence[int] | npt.NDArray[np.intp] | None = None,
    ) -> Study:
        """Return the study restricted to the given expert and item positions."""
        e = np.arange(len(self.experts)) if experts is None else np.asarray(experts, dtype=int)
        i = np.arange(len(self.items)) if items is None else np.asarray(items, dtype=int)
        return Study(
            experts=tuple(self.experts[k] for k in e),
            items=tuple(self.items[k] for k in i),
            scales=tuple(self.scales[k] for k in i),
            quantiles=self.quantiles,
            assessments=self.assessments[np.ix_(e, i)],
            realizations=self.realizations[i],
        )


def _validate(study: Study) -> None:
    q, a, r = study.quantiles, study.assessments, study.realizations
    n_e, n_i = len(study.experts), len(study.items)
    if q.ndim != 1 or q.size == 0:
        raise ValueError(f"quantiles must be a non-empty 1-d array, got shape {q.shape}")
    if not (np.all(q > 0) and np.all(q < 1) and np.all(np.diff(q) > 0)):
        raise ValueError(f"quantile levels must increase strictly within (0, 1), got {q.tolist()}")
    if a.shape != (n_e, n_i, q.size):
        raise ValueError(
            f"assessments must have shape (experts, items, quantiles) = "
            f"{(n_e, n_i, q.size)}, got {a.shape}"
        )
    if r.shape != (n_i,):
        raise ValueError(f"realizations must have shape ({n_i},), got {r.shape}")
    if len(study.scales) != n_i:
        raise ValueError(f"need one scale per item ({n_i}), got {len(study.scales)}")
    bad_scales = sorted({s for s in study.scales if s not in ("uni", "log")})
    if bad_scales:
        raise ValueError(f"scales must be 'uni' or 'log', got {bad_scales}")
    if n_e == 0 or n_i == 0:
        raise ValueError(f"a study needs experts and items, got {n_e} experts and {n_i} items")
    if len(set(study.experts)) != n_e:
        raise ValueError(f"expert ids must be unique, got {list(study.experts)}")
    nan = np.isnan(a)
    if np.isinf(a).any():
        _raise_at(study, np.isinf(a).any(axis=2), "has an infinite quantile")
    with np.errstate(invalid="ignore"):
        # each given value must exceed every given value before it (NaN skipped)
        not_increasing = (a[:, :, 1:] <= np.fmax.accumulate(a, axis=2)[:, :, :-1]).any(axis=2)
    _raise_at(study, not_increasing, "has quantiles that do not increase strictly")
    log = np.array([s == "log" for s in study.scales], dtype=bool)
    with np.errstate(invalid="ignore"):
        non_positive = (a <= 0).any(axis=2) & log[None, :]
    _raise_at(study, non_positive, "is on a log scale but has a value <= 0")
    if np.isinf(r).any():
        raise ValueError(f"realizations must be finite, got {r[np.isinf(r)].tolist()}")
    with np.errstate(invalid="ignore"):
        bad_r = log & (r <= 0)
    if bad_r.any():
        k = int(np.flatnonzero(bad_r)[0])
        raise ValueError(f"item {study.items[k]!r} is on a log scale but its realization is {r[k]}")
    # a partial assessment does not enter the decision maker: someone must answer fully
    unanswered = ~(~nan.any(axis=2)).any(axis=0)
    if unanswered.any():
        k = int(np.flatnonzero(unanswered)[0])
        raise ValueError(f"item {study.items[k]!r} was answered by no expert")


def _raise_at(study: Study, mask: npt.NDArray[np.bool_], what: str) -> None:
    if not mask.any():
        return
    e, i = (int(x[0]) for x in np.nonzero(mask))
    raise ValueError(
        f"expert {study.experts[e]!r}, item {study.items[i]!r} {what}: "
        f"{study.assessments[e, i].tolist()}"
    )
