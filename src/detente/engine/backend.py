"""Choosing between the Numba kernels and their NumPy twins."""

from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Literal

from detente.errors import InputError

#: Which implementation runs a kernel.
Backend = Literal["auto", "numba", "numpy"]

_ENV = "DETENTE_BACKEND"


@functools.cache
def numba_available() -> bool:
    """Whether Numba (the ``[fast]`` extra) can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def numba_module() -> ModuleType:
    """Import Numba, or raise :class:`~detente.errors.MissingDependencyError`."""
    from detente._optional import import_optional

    return import_optional("numba", extra="fast", purpose="The Numba kernels (backend='numba')")


def resolve_backend(backend: Backend | str = "auto") -> Literal["numba", "numpy"]:
    """Return the backend that will actually run.

    Parameters
    ----------
    backend : {"auto", "numba", "numpy"}
        ``"auto"`` picks Numba when installed (unless ``DETENTE_BACKEND=numpy``), else
        NumPy. ``"numba"`` raises :class:`~detente.errors.MissingDependencyError` when
        Numba is missing.

    Returns
    -------
    {"numba", "numpy"}
    """
    if backend == "auto":
        backend = os.environ.get(_ENV, "auto").strip().lower() or "auto"
        if backend == "auto":
            return "numba" if numba_available() else "numpy"
    if backend == "numpy":
        return "numpy"
    if backend == "numba":
        numba_module()
        return "numba"
    raise InputError(f"unknown backend {backend!r}; expected one of: auto, numba, numpy")
