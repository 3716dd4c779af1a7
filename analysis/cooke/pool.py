"""The decision maker: a weighted linear pool of piecewise-linear expert CDFs.

Expert e's CDF on item n is linear through (L*, 0), (x_j, q_j) for its
quantiles x_j at levels q_j, and (U*, 1) (Cooke 1991, ch. 12). A weighted sum
of such functions is piecewise linear with breakpoints at the union of all
experts' breakpoints, so the decision maker's CDF is known exactly once every
expert's CDF is evaluated on that grid, and its quantiles follow by inverse
linear interpolation between the two grid points that bracket each level.

Two entry points share that machinery (`analysis.cooke.grid`):

* :class:`LinearPool` pools with arbitrary normalised weights.
* :class:`PrefixPool` (and :func:`nested_quantiles`) pools a nested family
  of expert sets at once (the experts whose calibration clears each
  candidate alpha are a prefix of the experts sorted by calibration): the
  unnormalised pool of every prefix is a running sum over experts, so all
  candidates cost one pass over the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .grid import Segments, invert, weighted_cdfs

__all__ = ["LinearPool", "PrefixPool", "nested_quantiles"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: items are pooled in blocks of about this many (expert x item x grid point) values
BLOCK_SIZE = 1 << 17
#: running sums over rows of at most this many values take one accumulate call
SHORT_ROW = 256


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
            Quantiles on the model scale, shape (E, N, Q), NaN if missing. An
            assessment with any quantile NaN (a partial one too) is left out
            of the pool, as in anduryl 1.2.2.
        lower, upper : numpy.ndarray
            Intrinsic range per item, shape (N,).
        quantiles : numpy.ndarray
            Quantile levels, shape (Q,).
        """
        quantiles = np.asarray(quantiles, dtype=float)
        missing = np.isnan(values).any(axis=2)
        if missing.any():  # blank partial rows whole: their knots must not enter the grid
            values = np.where(missing[:, :, None], np.nan, values)
        answered = (~missing).astype(float)
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


class PrefixPool:
    """Unnormalised linear pools of every prefix of an ordered list of experts.

    The running sum over experts of w_en F_en on the grid gives, for every
    prefix length m, the unnormalised pool M_m = sum_{e < m} w_en F_en (all
    terms >= 0, so no cancellation); the level-q quantile of the normalised
    pool solves M_m(x) = q sum_{e < m} w_en. Items are evaluated in blocks of
    about :data:`BLOCK_SIZE` values; when one block holds the whole study it
    is evaluated once and reused by every :meth:`quantiles` call.

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
    """

    def __init__(
        self,
        values: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        quantiles: FloatArray,
        raw: FloatArray,
    ) -> None:
        self.segments = Segments.build(values, lower, upper, quantiles, raw)
        # summed in the pooling order, so a level met exactly at a shared knot stays exact
        self.levels = _running_sum(raw[:, :, None] * quantiles)
        n_e, n_i = raw.shape
        self.step = max(1, BLOCK_SIZE // (n_e * self.segments.grid.shape[1]))
        #: whether the whole study is one block (evaluated once, then reused)
        self.fits = self.step >= n_i
        self._whole: FloatArray | None = None

    def _pooled(self, block: slice) -> FloatArray:
        return _running_sum(self.segments.evaluate(block))

    def quantiles(self, first: int, stop: int, rows: IntArray) -> FloatArray:
        """Quantiles (A, stop - first, Q) of the prefixes of length ``rows + 1``.

        Only the items ``first`` .. ``stop - 1`` are inverted; every prefix
        must give each of them a positive total weight.
        """
        grid = self.segments.grid
        if self.fits:
            if self._whole is None:
                self._whole = self._pooled(slice(None))
            return invert(grid, self._whole, rows, self.levels[rows, first:stop], first)
        out = np.empty((rows.size, stop - first, self.levels.shape[2]))
        for start in range(first, stop, self.step):
            block = slice(start, min(start + self.step, stop))
            out[:, start - first : block.stop - first] = invert(
                grid[block], self._pooled(block), rows, self.levels[rows, block]
            )
        return out


def _running_sum(terms: FloatArray) -> FloatArray:
    """Sum ``terms`` cumulatively along the first axis, in place, and return it.

    Sequential either way, so the sums are those of ``np.cumsum(axis=0)`` bit
    for bit: one ``np.add.accumulate`` for short rows (:data:`SHORT_ROW`
    values at most), else one vectorised add per row (the accumulation walks
    long rows several times slower).
    """
    if terms[0].size <= SHORT_ROW:
        return np.add.accumulate(terms, axis=0, out=terms)
    for k in range(1, terms.shape[0]):
        np.add(terms[k], terms[k - 1], out=terms[k])
    return terms


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
    return PrefixPool(values, lower, upper, quantiles, raw).quantiles(0, values.shape[1], ends - 1)
