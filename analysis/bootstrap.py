"""Bootstrap over experts: resample weights and rank statistics, in bounded chunks.

Nothing here knows about DataFrames: a resample is a row of multinomial
counts (how often each expert is drawn), so an aggregate over all resamples
of a chunk is one matrix product or one sorted cumulative sum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis._ties import merge_ties

__all__ = ["resample_counts", "iter_resamples", "RankAccumulator", "check_seed"]

FloatArray = npt.NDArray[np.float64]
#: elements of the largest temporary built per chunk (8 bytes each: 32 MiB)
CHUNK_ELEMENTS = 1 << 22


def check_seed(seed: object) -> None:
    """Refuse a seed ``numpy.random.default_rng`` would reject, in the library's words.

    Examples
    --------
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a non-negative integer or None, got -1
    """
    ok = seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)
                          and int(seed) >= 0)
    if not ok:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")


def resample_counts(rng: np.random.Generator, n_experts: int, size: int) -> FloatArray:
    """Multinomial counts: ``size`` bootstrap resamples of ``n_experts`` experts.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_experts : int
        Experts drawn with replacement per resample.
    size : int
        Number of resamples.

    Returns
    -------
    numpy.ndarray, shape (size, n_experts)
        Row *b* counts how often each expert appears in resample *b*; rows sum
        to ``n_experts``.

    Examples
    --------
    >>> c = resample_counts(np.random.default_rng(0), 5, 3)
    >>> c.sum(axis=1).tolist()
    [5.0, 5.0, 5.0]
    """
    draws = rng.integers(0, n_experts, size=(size, n_experts), dtype=np.int32)
    flat = draws + (np.arange(size, dtype=np.int64) * n_experts)[:, None]
    counts = np.bincount(flat.ravel(), minlength=size * n_experts)
    return counts.reshape(size, n_experts).astype(float)


def iter_resamples(aggregate: Callable[[FloatArray], FloatArray], base_weights: FloatArray,
                   resamples: int, seed: int | None, per_resample_elements: int
                   ) -> Iterator[tuple[int, FloatArray]]:
    """Yield ``(start, aggregate(counts * base_weights))`` chunk by chunk.

    The chunk size keeps ``chunk * per_resample_elements`` under
    :data:`CHUNK_ELEMENTS`, so memory is bounded whatever ``resamples`` is.
    """
    rng = np.random.default_rng(seed)
    n = base_weights.shape[0]
    chunk = int(max(1, min(resamples, CHUNK_ELEMENTS // max(1, per_resample_elements))))
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        yield start, aggregate(resample_counts(rng, n, size) * base_weights)


@dataclass
class RankAccumulator:
    """Accumulate rank acceptability and pairwise wins over resampled scores.

    Ties share their positions: *k* options tied for positions *r..r+k-1*
    each get 1/k of every one of those positions, and a tie counts as half a
    win for each side, so the acceptability matrix is doubly stochastic and
    ``P(A beats B) + P(B beats A) = 1``.  A NaN score (no expert left for the
    option in that resample) ranks below every number.  Scores of one
    resample closer than ``atol`` are tied (see :func:`analysis._ties.merge_ties`),
    so that rounding noise never breaks a tie that is exact in real arithmetic.
    """

    n_options: int
    draws: int = 0
    atol: float = 0.0

    def __post_init__(self) -> None:
        o = self.n_options
        self._positions = np.zeros(o * (o + 1))
        self._beats = np.zeros((o, o))

    def update(self, scores: FloatArray) -> None:
        """Add a chunk of resampled scores, shape (n, options)."""
        o = self.n_options
        step = max(1, CHUNK_ELEMENTS // max(1, o * o))
        for s in range(0, scores.shape[0], step):
            block = np.where(np.isnan(scores[s:s + step]), -np.inf, scores[s:s + step])
            self._update(merge_ties(block, self.atol))
        self.draws += scores.shape[0]

    def _update(self, x: FloatArray) -> None:
        o = self.n_options
        below = x[:, :, None] < x[:, None, :]  # below[b, i, j]: j beats i
        # summing the bytes as uint8 into int32 is ~3x faster than count_nonzero(axis=0)
        self._beats += below.view(np.uint8).sum(axis=0, dtype=np.int32).T
        order = np.argsort(-x, axis=1, kind="stable")
        ordered = np.take_along_axis(x, order, axis=1)
        if np.any(ordered[:, 1:] == ordered[:, :-1]):
            above = below.view(np.uint8).sum(axis=2, dtype=np.int64)
            equal = x[:, :, None] == x[:, None, :]
            tied = equal.view(np.uint8).sum(axis=2, dtype=np.int64)
            pairs = equal.view(np.uint8).sum(axis=0, dtype=np.int64)
            self._beats += 0.5 * (pairs - np.diag(np.full(o, len(x))))
        else:  # no ties: an option's position is the number of options above it
            above = np.empty_like(order)
            np.put_along_axis(above, order, np.arange(o)[None, :].repeat(len(x), axis=0),
                              axis=1)
            tied = np.ones_like(above)
        rows = np.arange(o)[None, :] * (o + 1)
        share = 1.0 / tied
        start = (rows + above).ravel()
        stop = (rows + above + tied).ravel()
        self._positions += np.bincount(start, share.ravel(), minlength=o * (o + 1))
        self._positions -= np.bincount(stop, share.ravel(), minlength=o * (o + 1))

    @property
    def acceptability(self) -> FloatArray:
        """(options, positions): P(option takes position j), j = 0 is first."""
        o = self.n_options
        counts = np.cumsum(self._positions.reshape(o, o + 1), axis=1)[:, :o]
        return counts / max(self.draws, 1)

    @property
    def pairwise(self) -> FloatArray:
        """(options, options): P(row beats column); NaN on the diagonal."""
        p = self._beats / max(self.draws, 1)
        np.fill_diagonal(p, np.nan)
        return p
