"""The dashboard's shared ensembles: one computation per input, bounded in memory.

Every browser session of a dashboard reads the same :class:`DashboardModel`; what an update
produces depends only on the lever values and the policies, so sessions that ask for the
same inputs share one result. :class:`EnsembleCache` computes each key once, even when
many sessions ask for it at the same moment (the later ones wait for the first), and keeps
the most recently used results up to a number of entries and of bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

from detente.errors import InputError

__all__ = ["DEFAULT_CACHE_BYTES", "DEFAULT_CACHE_ENTRIES", "EnsembleCache"]

#: Results kept per dashboard by default (each is one set of lever values and policies).
DEFAULT_CACHE_ENTRIES = 32
#: Bytes of results kept per dashboard by default.
DEFAULT_CACHE_BYTES = 512 * 2**20

T = TypeVar("T")


class EnsembleCache(Generic[T]):
    """Least-recently-used results by key, computed once however many sessions ask.

    Parameters
    ----------
    max_entries : int
        Most results kept.
    max_bytes : int
        Most bytes kept (as ``size`` measures them); the newest result is kept even when it
        alone is larger.
    size : callable
        Bytes of one result.

    Attributes
    ----------
    computed : int
        Results computed so far (a miss each).
    reused : int
        Requests answered by a kept or an in-flight result.
    """

    def __init__(self, *, max_entries: int = DEFAULT_CACHE_ENTRIES,
                 max_bytes: int = DEFAULT_CACHE_BYTES,
                 size: Callable[[T], int] = lambda _value: 0) -> None:
        if max_entries < 1:
            raise InputError(f"max_entries must be at least 1, found {max_entries}")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._running: dict[Hashable, Future[T]] = {}
        self.computed = 0
        self.reused = 0

    def __len__(self) -> int:
        return len(self._done)

    @property
    def nbytes(self) -> int:
        """Bytes of the results kept."""
        with self._lock:
            return sum(n for _v, n in self._done.values())

    def peek(self, key: Hashable) -> T | None:
        """Return the result kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            if key not in self._done:
                return None
            self._done.move_to_end(key)
            self.reused += 1
            return self._done[key][0]

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the result for ``key``, computing it with ``compute`` only if nobody has.

        An exception from ``compute`` reaches every caller waiting on that key and nothing
        is kept, so the next request tries again.
        """
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                self.reused += 1
                return self._done[key][0]
            running = self._running.get(key)
            if running is None:
                mine: Future[T] = Future()
                self._running[key] = mine
            else:
                self.reused += 1
        if running is not None:
            return running.result()
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._running[key]
            self.computed += 1
            self._done[key] = (value, self._size(value))
            self._evict()
        mine.set_result(value)
        return value

    def _evict(self) -> None:
        """Drop the least recently used results beyond the bounds (lock held)."""
        total = sum(n for _v, n in self._done.values())
        while len(self._done) > 1 and (len(self._done) > self.max_entries
                                       or total > self.max_bytes):
            _key, (_value, n) = self._done.popitem(last=False)
            total -= n
