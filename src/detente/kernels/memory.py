"""Bringing fresh output memory in, page by page, before the kernels write it.

A new array's pages are mapped on first write, and the operating system zeroes each one
then. With trajectories laid out ``(time, sample)``, every block writes a slice of every
page, so the first blocks to run would all fault the same pages at once and wait on one
another. :func:`first_touch_parts` splits the array into one contiguous part per worker
thread instead, so each thread brings in pages no other thread touches. The values written
are placeholders: the kernels overwrite every element afterwards, so results cannot depend
on this, and there is no NumPy twin (without Numba, blocks run on one thread).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from numpy.typing import NDArray

from detente.kernels._backend import numba_module

#: Bytes per page: one write per page is enough to bring it in.
PAGE_BYTES = 4096


def first_touch_parts(arr: NDArray[Any], parts: int) -> list[Callable[[], None]]:
    """Return ``parts`` calls that together write one element of every page of ``arr``.

    Parameters
    ----------
    arr : ndarray
        A C-contiguous array whose contents do not matter yet (e.g. from ``np.empty``).
    parts : int
        Number of calls, each over one contiguous part of the memory.

    Returns
    -------
    list of callables
        Each runs without holding the GIL (a Numba kernel), so they can run on threads.
    """
    flat = arr.reshape(-1)  # a view: arr is contiguous
    stride = max(1, PAGE_BYTES // flat.itemsize)
    size = -(-flat.size // max(parts, 1))
    kernel = _touch_kernel()
    return [functools.partial(kernel, flat, lo, min(lo + size, flat.size), stride)
            for lo in range(0, flat.size, size)]


@functools.cache
def _touch_kernel() -> Callable[..., None]:
    nb = numba_module()

    @nb.njit(cache=True, nogil=True)
    def touch(flat, lo, hi, stride):  # type: ignore[no-untyped-def]
        for i in range(lo, hi, stride):
            flat[i] = 0

    result: Callable[..., None] = touch
    return result


__all__ = ["PAGE_BYTES", "first_touch_parts"]
