"""The baseline every negotiation model must beat: weighted mean and weighted median.

Each actor pulls on an issue with weight ``w_i = c_i s_i`` (capability times salience)::

    mean     = sum_i w_i x_i / sum_i w_i
    median   = the position x* that minimises sum_i w_i |x_i - x*|

On a line with distance losses the weighted median is the position no other beats in a
weighted pairwise vote (the Condorcet winner, Black 1948). Where the cumulative weight
reaches exactly half at an actor's position (an even split), every position up to the next
actor's is a minimiser; the median is then the midpoint of the two, as the plain median of
an even number of positions is.
"""

from __future__ import annotations

import numpy as np

from detente._typing import FloatArray

__all__ = ["weighted_mean", "weighted_median"]

#: Relative tolerance for "the cumulative weight is exactly half".
_HALF_TOL = 1e-12


def weighted_mean(position: FloatArray, weight: FloatArray) -> FloatArray:
    """Weighted mean over the actor axis (the second-last axis).

    Parameters
    ----------
    position, weight : ndarray, shape (..., actors, issues)
        Positions and weights (``>= 0``, some positive along the actor axis).

    Returns
    -------
    ndarray, shape (..., issues)

    Examples
    --------
    >>> weighted_mean(np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])).tolist()
    [0.75]
    """
    out: FloatArray = (weight * position).sum(axis=-2) / weight.sum(axis=-2)
    return out


def weighted_median(position: FloatArray, weight: FloatArray) -> FloatArray:
    """Weighted median over the actor axis (the second-last axis).

    Parameters
    ----------
    position, weight : ndarray, shape (..., actors, issues)
        Positions and weights (``>= 0``, some positive along the actor axis).

    Returns
    -------
    ndarray, shape (..., issues)
        The position minimising the weighted sum of distances; at an even split, the
        midpoint of the two positions that share the minimum.

    Examples
    --------
    >>> weighted_median(np.array([[0.0], [1.0], [5.0]]), np.ones((3, 1))).tolist()
    [1.0]
    >>> weighted_median(np.array([[0.0], [1.0]]), np.ones((2, 1))).tolist()
    [0.5]
    """
    x = np.moveaxis(position, -2, -1)  # (..., issues, actors)
    w = np.moveaxis(weight, -2, -1)
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    half = 0.5 * cum[..., -1:]
    tol = _HALF_TOL * cum[..., -1:]
    k = np.argmax(cum >= half - tol, axis=-1)[..., None]  # first reaching half
    lower = np.take_along_axis(xs, k, axis=-1)
    at_half = np.abs(np.take_along_axis(cum, k, axis=-1) - half) <= tol
    # at an even split, the next position holding weight is the other end of the minimisers
    n = xs.shape[-1]
    idx = np.arange(n)
    held = np.take_along_axis(w, order, axis=-1) > 0
    after = np.where(held & (idx > k), idx, n)
    nxt = np.minimum(after.min(axis=-1, keepdims=True), n - 1)
    upper = np.take_along_axis(xs, nxt, axis=-1)
    out: FloatArray = np.where(at_half, 0.5 * (lower + upper), lower)[..., 0]
    return out
