"""Streaming per-time quantiles: a mergeable log-linear histogram (quantile sketch).

Ensembles too large to keep every trajectory keep, for each variable, policy and time point,
a histogram of the values over all samples. Buckets are log-linear: the bucket of ``x`` is
the exponent of ``|x|`` and its top :data:`MANTISSA_BITS` mantissa bits, read directly from
the IEEE-754 bits (no logarithm, so NumPy and Numba put every value in the same bucket).
Every bucket spans a relative width of at most ``2**-MANTISSA_BITS``, and a quantile read
from the histogram is the bucket's midpoint: within half a bucket of the exact order statistic
(relative; 0.4 % at most), whatever the scale of the variable. Values with
``|x| < ZERO_BELOW`` share one bucket reported as 0, values with ``|x| >= OVERFLOW_AT`` (a
ratio whose denominator vanished, say) one bucket reported as +-inf, and NaN is not counted;
so a histogram never has more than ``2 * 128 * 60`` buckets per time point.

Histograms are integer counts, so merging is addition: the result does not depend on the
order in which blocks arrive, on the number of workers, or on a sweep being interrupted and
resumed. Storage is dense over the range of buckets actually seen, per variable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente._typing import FloatArray
from detente.engine.backend import Backend, numba_module, resolve_backend

#: Mantissa bits kept in a bucket key: relative bucket width 2**-7 (0.78 %).
MANTISSA_BITS = 7
#: Magnitudes below this count as 0.
ZERO_BELOW = 1e-6
#: Magnitudes at or above this share one overflow bucket, reported as infinite.
OVERFLOW_AT = 1e12
_SHIFT = 52 - MANTISSA_BITS
_KEY0 = int(np.array([ZERO_BELOW]).view(np.int64)[0]) >> _SHIFT
#: Ordered key of the overflow bucket (its magnitude).
_KEY_TOP = (int(np.array([OVERFLOW_AT]).view(np.int64)[0]) >> _SHIFT) - _KEY0 + 1

IntArray = NDArray[np.int64]
CountArray = NDArray[np.int32]


def bucket_keys(values: NDArray[np.floating[Any]]) -> IntArray:
    """Ordered bucket key of each value (NumPy): 0 for ``|x| < ZERO_BELOW``, sign-symmetric.

    NaN gets the sentinel ``np.iinfo(np.int64).min``.
    """
    x = np.asarray(values, dtype=np.float64)
    mag = np.abs(x).view(np.int64) >> _SHIFT
    key = np.minimum(np.maximum(mag - _KEY0 + 1, 0), _KEY_TOP)
    key = np.where(np.abs(x) < ZERO_BELOW, 0, key)
    key = np.where(x < 0, -key, key)
    out: IntArray = np.where(np.isnan(x), np.iinfo(np.int64).min, key)
    return out


def key_value(keys: NDArray[np.int64]) -> FloatArray:
    """Return the representative value (bucket midpoint) of ordered keys."""
    k = np.asarray(keys, dtype=np.int64)
    mag = np.abs(k)
    safe = np.minimum(mag, _KEY_TOP - 1)
    lo = ((safe + _KEY0 - 1) << _SHIFT).view(np.float64)
    hi = ((safe + _KEY0) << _SHIFT).view(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = np.where(mag >= _KEY_TOP, np.inf, 0.5 * lo + 0.5 * hi)
    out: FloatArray = np.where(k == 0, 0.0, np.where(k < 0, -mid, mid))
    return out


def sketch_counts(values: NDArray[np.floating[Any]], backend: Backend = "auto"
                  ) -> tuple[int, CountArray]:
    """Histogram of ``values`` (shape ``(t, n)``) per row over the keys seen.

    Returns
    -------
    offset : int
        Key of column 0.
    counts : ndarray of int32, shape (t, width)
        ``counts[i, j]`` = number of non-NaN values in row ``i`` with key ``offset + j``.
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"expected a 2-d array (time, sample), found shape {x.shape}")
    if resolve_backend(backend) == "numba":
        lo, hi = _numba_range()(x, _SHIFT, _KEY0, ZERO_BELOW, _KEY_TOP)
        if lo > hi:
            return 0, np.zeros((x.shape[0], 1), dtype=np.int32)
        counts = np.zeros((x.shape[0], hi - lo + 1), dtype=np.int32)
        _numba_count()(x, _SHIFT, _KEY0, ZERO_BELOW, _KEY_TOP, lo, counts)
        return int(lo), counts
    keys = bucket_keys(x)
    ok = keys != np.iinfo(np.int64).min
    if not ok.any():
        return 0, np.zeros((x.shape[0], 1), dtype=np.int32)
    lo = int(keys[ok].min())
    hi = int(keys[ok].max())
    width = hi - lo + 1
    rows = np.broadcast_to(np.arange(x.shape[0])[:, None], x.shape)
    flat = rows[ok] * width + (keys[ok] - lo)
    hist: CountArray = np.bincount(flat, minlength=x.shape[0] * width).reshape(
        x.shape[0], width).astype(np.int32)
    return lo, hist


@functools.cache
def _numba_key() -> Callable[..., int]:
    nb = numba_module()

    @nb.njit(cache=True, error_model="numpy", nogil=True, inline="always")
    def key(v, bits, shift, key0, zero_below, top):  # type: ignore[no-untyped-def]
        # the bucket of one value: as bucket_keys, from the float's exponent and mantissa bits
        if abs(v) < zero_below:
            return 0
        k = max(((bits & 0x7FFFFFFFFFFFFFFF) >> shift) - key0 + 1, 0)
        k = min(k, top)
        return -k if v < 0 else k

    result: Callable[..., int] = key
    return result


@functools.cache
def _numba_range() -> Callable[..., tuple[int, int]]:
    nb = numba_module()
    key = _numba_key()

    @nb.njit(cache=True, error_model="numpy", nogil=True)
    def key_range(x, shift, key0, zero_below, top):  # type: ignore[no-untyped-def]
        bits = x.view(np.int64)
        lo = np.iinfo(np.int64).max
        hi = np.iinfo(np.int64).min
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                v = x[i, j]
                if v != v:
                    continue
                k = key(v, bits[i, j], shift, key0, zero_below, top)
                lo = min(lo, k)
                hi = max(hi, k)
        return lo, hi

    result: Callable[..., tuple[int, int]] = key_range
    return result


@functools.cache
def _numba_count() -> Callable[..., None]:
    nb = numba_module()
    key = _numba_key()

    @nb.njit(cache=True, error_model="numpy", nogil=True)
    def count(x, shift, key0, zero_below, top, lo, counts):  # type: ignore[no-untyped-def]
        bits = x.view(np.int64)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                v = x[i, j]
                if v != v:
                    continue
                k = key(v, bits[i, j], shift, key0, zero_below, top)
                counts[i, k - lo] += 1

    result: Callable[..., None] = count
    return result


@dataclass
class QuantileSketch:
    """Histograms of many variables over (policy, time), merged by addition.

    Parameters
    ----------
    n_policies, n_times : int
        Leading dimensions of every histogram.

    Attributes
    ----------
    offsets : dict
        Variable -> key of column 0 of its histogram.
    counts : dict
        Variable -> int32 array ``(n_policies, n_times, width)``.
    """

    n_policies: int
    n_times: int
    offsets: dict[str, int] = field(default_factory=dict)
    counts: dict[str, CountArray] = field(default_factory=dict)

    def add(self, var: str, policy: int, offset: int, counts: CountArray) -> None:
        """Add a histogram ``counts`` (time, width) starting at key ``offset``."""
        width = counts.shape[1]
        if var not in self.counts:
            self.offsets[var] = offset
            self.counts[var] = np.zeros((self.n_policies, self.n_times, width), np.int32)
        lo = min(self.offsets[var], offset)
        hi = max(self.offsets[var] + self.counts[var].shape[2], offset + width)
        if (lo, hi) != (self.offsets[var], self.offsets[var] + self.counts[var].shape[2]):
            grown = np.zeros((self.n_policies, self.n_times, hi - lo), np.int32)
            start = self.offsets[var] - lo
            grown[:, :, start:start + self.counts[var].shape[2]] = self.counts[var]
            self.counts[var] = grown
            self.offsets[var] = lo
        start = offset - self.offsets[var]
        self.counts[var][policy, :, start:start + width] += counts

    def add_values(self, var: str, policy: int, values: NDArray[np.floating[Any]],
                   backend: Backend = "auto") -> None:
        """Add values of shape ``(n_times, n)`` for one policy."""
        offset, counts = sketch_counts(values, backend)
        self.add(var, policy, offset, counts)

    def merge(self, other: QuantileSketch) -> None:
        """Add every histogram of ``other`` into this one."""
        for var, c in other.counts.items():
            for ip in range(c.shape[0]):
                self.add(var, ip, other.offsets[var], c[ip])

    def quantiles(self, var: str, levels: Sequence[float]) -> FloatArray:
        """Quantiles of ``var``: array ``(n_policies, len(levels), n_times)``.

        The quantile at level ``q`` is the midpoint of the bucket holding the order
        statistic of rank ``round(q * (count - 1))`` (NaN where nothing was counted).
        """
        c = self.counts[var]
        cum = np.cumsum(c, axis=2, dtype=np.int64)
        total = cum[:, :, -1]
        out = np.full((c.shape[0], len(levels), c.shape[1]), np.nan)
        for iq, q in enumerate(levels):
            rank = np.rint(q * (total - 1)).astype(np.int64)
            idx = np.argmax(cum > rank[:, :, None], axis=2)
            vals = key_value(idx + self.offsets[var])
            out[:, iq, :] = np.where(total > 0, vals, np.nan)
        return out

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """Flat arrays for saving (``np.savez``); see :meth:`from_arrays`."""
        out: dict[str, NDArray[Any]] = {
            "shape": np.array([self.n_policies, self.n_times], dtype=np.int64)}
        for var, c in self.counts.items():
            out[f"offset/{var}"] = np.array([self.offsets[var]], dtype=np.int64)
            out[f"counts/{var}"] = c
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, NDArray[Any]]) -> QuantileSketch:
        """Rebuild a sketch saved with :meth:`to_arrays`."""
        n_pol, n_t = (int(v) for v in arrays["shape"])
        sk = cls(n_pol, n_t)
        for key, arr in arrays.items():
            if key.startswith("counts/"):
                var = key.removeprefix("counts/")
                sk.counts[var] = np.asarray(arr, dtype=np.int32)
                sk.offsets[var] = int(arrays[f"offset/{var}"][0])
        return sk

    def variables(self) -> Iterable[str]:
        """Variables with a histogram."""
        return self.counts.keys()


__all__ = ["MANTISSA_BITS", "OVERFLOW_AT", "ZERO_BELOW", "QuantileSketch", "bucket_keys",
           "key_value", "sketch_counts"]
