"""The decision maker: a weighted linear pool of piecewise-linear expert CDFs.

Expert e's CDF on item n is linear through (L*, 0), (x_j, q_j) for its
quantiles x_j at levels q_j, and (U*, 1) (Cooke 1991, ch. 12). A weighted sum
of such functions is piecewise linear with breakpoints at the union of all
experts' breakpoints, so the decision maker's CDF is known exactly once every
expert's CDF is evaluated on that grid, and its quantiles follow by inverse
linear interpolation between the two grid points that bracket each level.

Two entry points share that machinery:

* :class:`LinearPool` pools with arbitrary normalised weights.
* :func:`nested_quantiles` pools a nested family of expert sets at once (the
  experts whose calibration clears each candidate alpha are a prefix of the
  experts sorted by calibration): the unnormalised pool of every prefix is a
  running sum over experts, so all candidates cost one pass over the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["LinearPool", "nested_quantiles"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: items are pooled in blocks of about this many (expert x item x grid point) values
BLOCK_SIZE = 1 << 17
#: brackets are found by one comparison below this many (target x grid point) pairs
SMALL_SEARCH = 1 << 15


@dataclass(frozen=True)
class LinearPool:
    """Experts' CDFs evaluated once on every breakpoint, ready to be pooled.

    A weighted sum of the experts' CDFs is piecewise linear with breakpoints
    at the union of all experts' breakpoints, so evaluating every CDF there
    once makes the decision maker's CDF, for any weights, an exact (N, G)
    matrix product, and its quantiles an exact inverse linear interpolation.

    Attributes
    ----------
    grid : numpy.ndarray
        Sorted breakpoints per item, shape (N, G), G = E * Q + 2.
    cdfs : numpy.ndarray
        Each expert's CDF at the breakpoints, shape (E, N, G); 0 if missing.
    quantiles : numpy.ndarray
        Quantile levels, shape (Q,).

    Examples
    --------
    >>> pool = LinearPool.build(np.array([[[1.0, 2.0, 3.0]], [[2.0, 3.0, 4.0]]]),
    ...                         np.array([0.0]), np.array([5.0]), np.array([0.05, 0.5, 0.95]))
    >>> pool.dm_quantiles(np.array([[0.5], [0.5]])).round(6).tolist()
    [[1.052632, 2.5, 3.947368]]
    """

    grid: FloatArray
    cdfs: FloatArray
    quantiles: FloatArray
    _by_item: FloatArray = field(init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls, values: FloatArray, lower: FloatArray, upper: FloatArray, quantiles: FloatArray
    ) -> LinearPool:
        """Evaluate every expert's CDF on the union of breakpoints.

        Parameters
        ----------
        values : numpy.ndarray
            Quantiles on the model scale, shape (E, N, Q), NaN rows if missing.
        lower, upper : numpy.ndarray
            Intrinsic range per item, shape (N,).
        quantiles : numpy.ndarray
            Quantile levels, shape (Q,).
        """
        quantiles = np.asarray(quantiles, dtype=float)
        answered = (~np.isnan(values[:, :, 0])).astype(float)
        grid, cdfs = weighted_cdfs(values, lower, upper, quantiles, answered)
        pool = cls(grid=grid, cdfs=cdfs, quantiles=quantiles)
        object.__setattr__(pool, "_by_item", np.ascontiguousarray(cdfs.transpose(1, 0, 2)))
        return pool

    def dm_cdf(self, weights: FloatArray) -> FloatArray:
        """Return the pooled CDF at the breakpoints, shape (..., N, G).

        ``weights`` has shape (..., E, N) and sums to 1 over experts on every
        item; leading axes (e.g. alpha candidates) are kept.
        """
        # batched BLAS over items: (N, ..., E) @ (N, E, G) -> (N, ..., G)
        w = np.moveaxis(weights, -1, 0)
        lead = w.shape[1:-1]
        flat = w.reshape(w.shape[0], -1, w.shape[-1])
        pooled = np.matmul(flat, self._by_item)
        return np.moveaxis(pooled.reshape(w.shape[0], *lead, -1), 0, -2)

    def dm_quantiles(self, weights: FloatArray) -> FloatArray:
        """Return the decision maker's quantiles on the model scale, shape (..., N, Q).

        Notes
        -----
        For level q the answer is the smallest x with F_DM(x) = q, found by
        linear interpolation between the two breakpoints that bracket q.
        """
        cdf = self.dm_cdf(weights)
        lead = cdf.shape[:-2]
        n_i, n_g = cdf.shape[-2:]
        rows = cdf.reshape(-1, n_i, n_g)
        targets = np.broadcast_to(self.quantiles, (rows.shape[0], n_i, self.quantiles.size))
        out = invert(self.grid, rows, np.arange(rows.shape[0]), targets)
        return out.reshape(*lead, n_i, self.quantiles.size)


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
    (x_{j+1} - x_j). See :class:`_Segments`.
    """
    segments = _Segments.build(values, lower, upper, quantiles, raw)
    return segments.grid, segments.evaluate(slice(None))


@dataclass(frozen=True)
class _Segments:
    """Every expert's CDF as segments laid along the sorted grid of each item.

    Sorting all breakpoints of an item once gives the grid position of every
    knot, hence how many consecutive grid points fall on each of an expert's
    Q + 1 segments (``counts``); ``np.repeat`` then lays each segment's start
    x_j, width x_{j+1} - x_j, level q_j and rise q_{j+1} - q_j along the grid
    without a per-point search. F = q_j + rise (x - x_j) / width is exact at
    both knots (the rise is nudged so that q_j + rise == q_{j+1} in floating
    point), so experts sharing a knot pool to exactly that knot. Missing
    answers are placed at U* with weight 0. Arrays are (E, N, Q + 1) except
    ``grid`` (N, G) and ``weight`` (E, N).
    """

    grid: FloatArray
    counts: IntArray
    start: FloatArray
    width: FloatArray
    level: FloatArray
    rise: FloatArray
    weight: FloatArray

    @classmethod
    def build(
        cls,
        values: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        quantiles: FloatArray,
        raw: FloatArray,
    ) -> _Segments:
        n_e, n_i, n_q = values.shape
        knots = np.empty((n_e, n_i, n_q + 2))
        knots[:, :, 0] = lower
        knots[:, :, 1:-1] = np.where(np.isnan(values[:, :, :1]), upper[None, :, None], values)
        knots[:, :, -1] = upper
        grid, position = _merge(knots[:, :, 1:-1], lower, upper)
        # grid points k with bounds[j] <= k < bounds[j + 1] lie on segment j
        bounds = np.empty((n_e, n_i, n_q + 2), dtype=np.intp)
        bounds[:, :, 0] = 0
        bounds[:, :, 1:-1] = position
        bounds[:, :, -1] = grid.shape[1]
        width = knots[:, :, 1:] - knots[:, :, :-1]
        level, rise = np.empty(width.shape), np.empty(width.shape)
        level[...], rise[...] = _levels_and_rises(tuple(quantiles))
        return cls(
            grid=grid,
            counts=bounds[:, :, 1:] - bounds[:, :, :-1],
            start=knots[:, :, :-1],
            width=np.where(width > 0, width, np.inf),
            level=level,
            rise=rise,
            weight=raw,
        )

    def evaluate(self, items: slice) -> FloatArray:
        """Return w_en F_en on the grid of the given items, shape (E, n, G)."""
        grid = self.grid[items]
        flat = self.counts[:, items].ravel()
        shape = (self.counts.shape[0], *grid.shape)

        def spread(per_segment: FloatArray) -> FloatArray:
            return np.repeat(per_segment[:, items].ravel(), flat).reshape(shape)

        cdfs = spread(self.start)
        np.subtract(grid, cdfs, out=cdfs)
        cdfs /= spread(self.width)
        cdfs *= spread(self.rise)
        cdfs += spread(self.level)
        cdfs *= self.weight[:, items, None]
        return cdfs


@lru_cache(maxsize=64)
def _levels_and_rises(quantiles: tuple[float, ...]) -> tuple[FloatArray, FloatArray]:
    """Return q_j and r_j ~ q_{j+1} - q_j with q_j + r_j == q_{j+1} exactly, j = 0..Q.

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
    return levels[:-1], rise


def _merge(values: FloatArray, lower: FloatArray, upper: FloatArray) -> tuple[FloatArray, IntArray]:
    """Sort [L*, every expert's quantiles, U*] per item.

    Returns the sorted grid (N, G) and the grid position of every expert
    quantile (E, N, Q). The sort is stable, so equal values keep expert order.
    """
    n_e, n_i, n_q = values.shape
    n_g = n_e * n_q + 2
    merged = np.empty((n_i, n_g))
    merged[:, 0] = lower
    merged[:, 1:-1] = values.transpose(1, 0, 2).reshape(n_i, n_e * n_q)
    merged[:, -1] = upper
    order = np.argsort(merged, axis=1, kind="stable")
    order += (np.arange(n_i) * n_g)[:, None]
    grid = merged.ravel()[order].reshape(n_i, n_g)
    rank = np.empty((n_i, n_g), dtype=np.intp)
    rank.reshape(-1)[order] = np.arange(n_g)
    position = rank[:, 1:-1].reshape(n_i, n_e, n_q).transpose(1, 0, 2)
    return grid, position


def invert(grid: FloatArray, cdfs: FloatArray, rows: IntArray, targets: FloatArray) -> FloatArray:
    """Invert monotone piecewise-linear functions given at the grid points.

    Parameters
    ----------
    grid : numpy.ndarray
        Grid per item, shape (N, G).
    cdfs : numpy.ndarray
        Function values at the grid, shape (R, N, G), below every target at
        the first point and at least every target at the last.
    rows : numpy.ndarray
        Which row of ``cdfs`` to invert for each output, shape (A,).
    targets : numpy.ndarray
        Levels t, shape (A, N, Q).

    Returns
    -------
    numpy.ndarray
        Shape (A, N, Q): x = g_{k-1} + (t - F_{k-1}) (g_k - g_{k-1}) / (F_k - F_{k-1})
        for the smallest k with F_k >= t, located by bisection; a t met
        exactly at a grid point returns that point.
    """
    n_i, n_g = cdfs.shape[1:]
    flat = cdfs.reshape(-1)
    base = ((rows[:, None] * n_i + np.arange(n_i)) * n_g)[:, :, None]
    if targets.size * n_g <= SMALL_SEARCH:
        # k - 1 = the number of grid points below t (one vectorised comparison)
        below = cdfs[rows][:, :, :, None] < targets[:, :, None, :]
        lo = np.maximum(below.sum(axis=2) - 1, 0)
    else:
        lo = np.zeros(targets.shape, dtype=np.intp)
        hi = np.full(targets.shape, n_g - 1, dtype=np.intp)
        for _ in range((n_g - 1).bit_length()):
            mid = (lo + hi) >> 1
            below = flat[base + mid] < targets
            np.copyto(lo, mid, where=below)
            np.copyto(hi, mid, where=~below)
    lo = np.minimum(lo, n_g - 2)
    f0 = flat[base + lo]
    f1 = flat[base + lo + 1]
    at = (np.arange(n_i) * n_g)[:, None] + lo
    g0 = grid.reshape(-1)[at]
    g1 = grid.reshape(-1)[at + 1]
    rise = f1 - f0
    frac = np.minimum(np.maximum((targets - f0) / np.where(rise > 0, rise, 1.0), 0.0), 1.0)
    # interpolate from the nearer end, so that a target met at a grid point
    # (frac 0 or 1) returns that point exactly
    return np.where(frac <= 0.5, g0 + frac * (g1 - g0), g1 - (1.0 - frac) * (g1 - g0))


def nested_quantiles(
    values: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    quantiles: FloatArray,
    raw: FloatArray,
    ends: IntArray,
) -> FloatArray:
    """Decision-maker quantiles for the pools of the first ``ends[a]`` experts.

    Parameters
    ----------
    values : numpy.ndarray
        Quantiles on the model scale, shape (E, N, Q), NaN rows if missing,
        experts in pooling order (e.g. by decreasing calibration).
    lower, upper : numpy.ndarray
        Intrinsic range per item, shape (N,).
    quantiles : numpy.ndarray
        Quantile levels, shape (Q,).
    raw : numpy.ndarray
        Unnormalised weights w_en >= 0, shape (E, N), 0 where missing.
    ends : numpy.ndarray
        Prefix lengths, shape (A,), each in 1..E; every prefix must give each
        item a positive total weight.

    Returns
    -------
    numpy.ndarray
        Shape (A, N, Q): the quantiles of F_a = sum_{e < ends[a]} w_en F_en /
        sum_{e < ends[a]} w_en, the normalised linear pool.

    Notes
    -----
    The running sum over experts of w_en F_en on the grid gives every prefix's
    unnormalised pool M_a at once (all terms are >= 0, so no cancellation);
    the level-q quantile solves M_a(x) = q sum_{e < ends[a]} w_en. Items are processed in
    blocks to bound memory to about :data:`BLOCK_SIZE` values.

    Examples
    --------
    >>> v = np.array([[[1.0, 2.0, 3.0]], [[2.0, 3.0, 4.0]]])
    >>> q = nested_quantiles(v, np.array([0.0]), np.array([5.0]), np.array([0.05, 0.5, 0.95]),
    ...                      np.ones((2, 1)), np.array([2, 1]))
    >>> q.round(6).tolist()
    [[[1.052632, 2.5, 3.947368]], [[1.0, 2.0, 3.0]]]
    """
    n_e, n_i, n_q = values.shape
    segments = _Segments.build(values, lower, upper, quantiles, raw)
    rows = ends - 1
    # summed in the pooling order, so a level met exactly at a shared knot stays exact
    targets = np.cumsum(raw[:, :, None] * quantiles, axis=0)[rows]
    step = max(1, BLOCK_SIZE // (n_e * segments.grid.shape[1]))
    out = np.empty((ends.size, n_i, n_q))
    for first in range(0, n_i, step):
        block = slice(first, first + step)
        pooled = segments.evaluate(block)
        for e in range(1, n_e):
            np.add(pooled[e], pooled[e - 1], out=pooled[e])
        out[:, block] = invert(segments.grid[block], pooled, rows, targets[:, block])
    return out
