"""Piecewise-linear expert CDFs laid on each item's merged grid of breakpoints, and inversion.

Expert e's CDF on item n is linear through (L*, 0), (x_j, q_j) for its
quantiles x_j at levels q_j, and (U*, 1) (Cooke 1991, ch. 12). Sorting the
union of every expert's breakpoints of an item gives a grid on which any
weighted sum of these CDFs is known exactly (`Segments`, `weighted_cdfs`);
`invert` reads quantiles back off such sums by inverse linear interpolation
between the two grid points that bracket each level. `analysis.cooke.pool`
builds the decision maker on this.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["Segments", "invert", "weighted_cdfs"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: brackets are found by one comparison below this many (target x grid point) pairs,
#: by bisection above (fewer passes over small arrays)
SMALL_SEARCH = 1 << 12


def weighted_cdfs(
    values: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    quantiles: FloatArray,
    raw: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Evaluate w_en F_en at the union of breakpoints of every item.

    Parameters
    ----------
    values : numpy.ndarray
        Quantiles x_j on the model scale, shape (E, N, Q), NaN rows if missing.
    lower, upper : numpy.ndarray
        Intrinsic range [L*, U*] per item, shape (N,).
    quantiles : numpy.ndarray
        Quantile levels q_j, shape (Q,).
    raw : numpy.ndarray
        Weights w_en >= 0, shape (E, N); must be 0 where the expert is missing.

    Returns
    -------
    grid : numpy.ndarray
        Sorted breakpoints [L*, all x_j, U*] per item, shape (N, G), G = E Q + 2.
    cdfs : numpy.ndarray
        w_en F_en(grid), shape (E, N, G).

    Notes
    -----
    With x_0 = L*, x_{Q+1} = U*, q_0 = 0 and q_{Q+1} = 1, on segment
    x_j <= x <= x_{j+1} the CDF is F(x) = q_j + (q_{j+1} - q_j)(x - x_j) /
    (x_{j+1} - x_j). See :class:`Segments`.
    """
    segments = Segments.build(values, lower, upper, quantiles, raw)
    return segments.grid, segments.evaluate(slice(None))


@dataclass(frozen=True)
class Segments:
    """Every expert's weighted CDF as segments laid along the sorted grid of each item.

    Sorting all breakpoints of an item once gives the grid position of every
    knot, hence how many consecutive grid points fall on each of an expert's
    Q + 1 segments (``counts``); one ``np.repeat`` then lays each segment's
    start x_j, weighted level w q_j and weighted slope
    w (q_{j+1} - q_j) / (x_{j+1} - x_j) along the grid without a per-point
    search, and w F = w q_j + (x - x_j) w (q_{j+1} - q_j) / (x_{j+1} - x_j).
    A grid point equal to a knot x_j, whichever expert it comes from, falls on
    the segment that starts there (see :func:`_merge`), so w F is exactly
    w q_j at every copy of a knot and experts sharing a knot pool to exactly
    that knot. Missing answers are placed at U* with weight 0. ``table``
    stacks start, slope and level, shape (3, E, N, Q + 1); ``counts`` is
    (E, N, Q + 1) and ``grid`` (N, G).
    """

    grid: FloatArray
    counts: IntArray
    table: FloatArray

    @classmethod
    def build(
        cls,
        values: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        quantiles: FloatArray,
        raw: FloatArray,
    ) -> Segments:
        n_e, n_i, n_q = values.shape
        table = np.empty((3, n_e, n_i, n_q + 1))
        start, slope, level = table
        start[:, :, 0] = lower
        # fmin skips NaN: a missing answer's knots all go to U*
        np.fmin(values, upper[:, None], out=start[:, :, 1:])
        grid, position = _merge(start[:, :, 1:], lower, upper)
        np.subtract(start[:, :, 1:], start[:, :, :-1], out=slope[:, :, :-1])
        np.subtract(upper, start[:, :, -1], out=slope[:, :, -1])
        levels, rises = _levels_and_rises(tuple(quantiles.tolist()))
        weight = raw[:, :, None]
        # the zero-width segments of a missing answer (weight 0) get slope 0
        np.divide(rises * weight, np.where(slope > 0, slope, 1.0), out=slope)
        np.multiply(levels, weight, out=level)
        # grid points k with bounds[j] <= k < bounds[j + 1] lie on segment j,
        # bounds = (0, positions of the expert's quantiles, G)
        counts = np.empty((n_e, n_i, n_q + 1), dtype=np.intp)
        counts[:, :, 0] = position[:, :, 0]
        np.subtract(position[:, :, 1:], position[:, :, :-1], out=counts[:, :, 1:-1])
        np.subtract(grid.shape[1], position[:, :, -1], out=counts[:, :, -1])
        return cls(grid=grid, counts=counts, table=table)

    def evaluate(self, items: slice) -> FloatArray:
        """Return w_en F_en on the grid of the given items, shape (E, n, G)."""
        grid = self.grid[items]
        table = self.table[:, :, items]
        spread = table.reshape(3, -1).repeat(self.counts[:, items].ravel(), axis=1)
        start, slope, level = spread.reshape(3, table.shape[1], *grid.shape)
        cdfs = np.subtract(grid, start, out=start)
        cdfs *= slope
        cdfs += level
        return cdfs


@lru_cache(maxsize=64)
def _levels_and_rises(quantiles: tuple[float, ...]) -> FloatArray:
    """Return [q_j, r_j], shape (2, Q + 1), r_j ~ q_{j+1} - q_j with q_j + r_j == q_{j+1} exactly.

    q_0 = 0 and q_{Q+1} = 1; r_j is nudged by ulps where the plain difference
    does not add back exactly.
    """
    levels = np.array([0.0, *quantiles, 1.0])
    rise = np.diff(levels)
    for _ in range(8):
        error = levels[:-1] + rise - levels[1:]
        if not error.any():
            break
        rise = np.where(error == 0, rise, np.nextafter(rise, np.where(error > 0, 0.0, 2.0)))
    table = np.array([levels[:-1], rise])
    table.flags.writeable = False
    return table


def _merge(values: FloatArray, lower: FloatArray, upper: FloatArray) -> tuple[FloatArray, IntArray]:
    """Sort [L*, every expert's quantiles, U*] per item.

    Returns the sorted grid (N, G) and the grid position of every expert
    quantile (E, N, Q): the first position of its value in the grid, so
    that copies of a tied value all come at or after the knot of every
    expert that has that value (an expert's own knots are distinct, or all
    U* for a missing answer).
    """
    n_e, n_i, n_q = values.shape
    n_v = n_e * n_q
    inner = values.transpose(1, 0, 2).reshape(n_i, n_v)
    order = inner.argsort(axis=1)
    order += _offsets(n_i, n_v)[:, None]
    grid = np.empty((n_i, n_v + 2))
    grid[:, 0] = lower
    grid[:, -1] = upper
    grid[:, 1:-1] = inner.reshape(-1)[order]
    # the first grid position of each run of equal values (ties are common:
    # missing answers all sit at U*, experts share round numbers); L* < every
    # quantile, so the first quantile always starts a run
    starts_run = grid[:, 1:-1] > grid[:, :-2]
    first = np.where(starts_run, _ranks(n_i, n_v).reshape(n_i, n_v), 0)
    np.maximum.accumulate(first, axis=1, out=first)
    position = np.empty(n_i * n_v, dtype=np.intp)
    position[order.reshape(-1)] = first.reshape(-1)
    return grid, position.reshape(n_i, n_e, n_q).transpose(1, 0, 2)


@lru_cache(maxsize=32)
def _ranks(n_rows: int, n_cols: int) -> IntArray:
    """1, 2, ..., n_cols on every one of n_rows rows, flattened (read-only, cached)."""
    ranks = np.tile(np.arange(1, n_cols + 1), n_rows)
    ranks.flags.writeable = False
    return ranks


def invert(
    grid: FloatArray, cdfs: FloatArray, rows: IntArray, targets: FloatArray, first: int = 0
) -> FloatArray:
    """Invert increasing piecewise-linear functions given at the grid points.

    Parameters
    ----------
    grid : numpy.ndarray
        Grid per item, shape (N, G), sorted.
    cdfs : numpy.ndarray
        Function values at the grid, shape (R, N, G), increasing along the
        grid (strictly between distinct grid points), at most every target at
        the first point and above every target at the last.
    rows : numpy.ndarray
        Which row of ``cdfs`` to invert for each output, shape (A,).
    targets : numpy.ndarray
        Levels t, shape (A, n, Q), for the items ``first`` .. ``first + n - 1``.
    first : int
        The first item inverted (default 0).

    Returns
    -------
    numpy.ndarray
        Shape (A, n, Q): x = g_k + (t - F_k) (g_{k+1} - g_k) / (F_{k+1} - F_k)
        for the largest k with F_k <= t (counted in one vectorised comparison,
        or by bisection for large grids), so that a t met exactly at a grid
        point returns that point.
    """
    n_i, n_g = grid.shape
    n_a, n = targets.shape[:2]
    if targets.size * n_g <= SMALL_SEARCH:
        # the rows inverted, (A, n, G), and k = (number of grid points with F <= t) - 1,
        # the last point left out: k <= G - 2 even for t at or above it (rounding)
        sub = cdfs[rows] if n == n_i else cdfs[rows[:, None], np.arange(first, first + n)]
        # (A, n, Q, G - 1): the reduced axis last is several times faster
        lo = np.add.reduce(sub[:, :, None, :-1] <= targets[:, :, :, None], axis=3)
        lo -= 1
        flat = sub.reshape(-1)
        at = _offsets(n_a * n, n_g).reshape(n_a, n, 1) + lo
    else:
        flat = cdfs.reshape(-1)
        base = (rows * (n_i * n_g))[:, None, None] + _offsets(n, n_g, first)[:, None]
        at = _bisect(flat, base, targets, n_g - 1)
        lo = at - base
    f0 = flat[at]
    rise = flat[at + 1] - f0
    at = _offsets(n, n_g, first)[:, None] + lo
    g0 = grid.reshape(-1)[at]
    frac = (targets - f0) / np.where(rise > 0, rise, 1.0)
    return g0 + np.minimum(frac, 1.0) * (grid.reshape(-1)[at + 1] - g0)


def _bisect(flat: FloatArray, base: IntArray, targets: FloatArray, count: int) -> IntArray:
    """The largest flat position base + k, 0 <= k < count, with flat[base + k] <= target.

    Each run of ``count`` values from ``base`` increases and its first value is at
    most the target. Every step halves the range the answer is known to lie in.
    """
    at = base  # broadcast against the targets by the first step
    while count > 1:
        half = count >> 1
        probe = at + half
        at = np.where(flat[probe] <= targets, probe, at)
        count -= half
    return at


@lru_cache(maxsize=64)
def _offsets(n: int, step: int, first: int = 0) -> IntArray:
    """(first, first + 1, ..., first + n - 1) * step (read-only, cached)."""
    offsets = np.arange(first, first + n) * step
    offsets.flags.writeable = False
    return offsets
