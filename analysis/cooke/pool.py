"""The decision maker: a weighted linear pool of piecewise-linear expert CDFs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["LinearPool"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LinearPool:
    """Experts' CDFs evaluated once on every breakpoint, ready to be pooled.

    Expert e's CDF on item n is linear through (L*, 0), (x_j, q_j) for its
    quantiles x_j at levels q_j, and (U*, 1) (Cooke 1991, ch. 12). A weighted
    sum of such functions is piecewise linear with breakpoints at the union of
    all experts' breakpoints, so evaluating every CDF there once makes the
    decision maker's CDF, for any weights, an exact (N, G) matrix product, and
    its quantiles an exact inverse linear interpolation.

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
        n_e, n_i, n_q = values.shape
        filled = np.where(np.isnan(values), upper[None, :, None], values)
        merged = np.concatenate(
            [lower[:, None], filled.transpose(1, 0, 2).reshape(n_i, n_e * n_q), upper[:, None]],
            axis=1,
        )
        order = np.argsort(merged, axis=1, kind="stable")
        grid = np.take_along_axis(merged, order, axis=1)
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(merged.shape[1])[None, :], axis=1)
        # grid position of every expert quantile, shape (E, N, Q)
        position = rank[:, 1:-1].reshape(n_i, n_e, n_q).transpose(1, 0, 2)
        marks = np.zeros((n_e, n_i, merged.shape[1]), dtype=np.int32)
        np.put_along_axis(marks, position, 1, axis=2)
        knots = np.concatenate(
            [
                np.broadcast_to(lower[None, :, None], (n_e, n_i, 1)),
                filled,
                np.broadcast_to(upper[None, :, None], (n_e, n_i, 1)),
            ],
            axis=2,
        )
        levels = np.concatenate(([0.0], quantiles, [1.0]))
        # segment s holds knots[s] <= x <= knots[s + 1]: the number of the
        # expert's quantiles at or before x in the sorted grid (equal values
        # sorted after x give the same CDF value: the CDF is continuous)
        seg = np.minimum(np.cumsum(marks, axis=2), n_q)
        x0 = np.take_along_axis(knots, seg, axis=2)
        x1 = np.take_along_axis(knots, seg + 1, axis=2)
        width = x1 - x0
        frac = (grid[None, :, :] - x0) / np.where(width > 0, width, 1.0)
        cdfs = levels[seg] + (levels[seg + 1] - levels[seg]) * frac
        cdfs = np.where(np.isnan(values).any(axis=2)[:, :, None], 0.0, cdfs)
        pool = cls(grid=grid, cdfs=cdfs, quantiles=np.asarray(quantiles, dtype=float))
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
        n_g = cdf.shape[-1]
        idx = (cdf[..., :, None] < self.quantiles).sum(axis=-2)
        idx = np.clip(idx, 1, n_g - 1)
        grid = np.broadcast_to(self.grid, cdf.shape)
        c0 = np.take_along_axis(cdf, idx - 1, axis=-1)
        c1 = np.take_along_axis(cdf, idx, axis=-1)
        g0 = np.take_along_axis(grid, idx - 1, axis=-1)
        g1 = np.take_along_axis(grid, idx, axis=-1)
        step = c1 - c0
        frac = (self.quantiles - c0) / np.where(step > 0, step, 1.0)
        return g0 + np.clip(frac, 0.0, 1.0) * (g1 - g0)
