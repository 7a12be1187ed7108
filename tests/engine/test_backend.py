"""Choosing the backend that runs the kernels."""

from __future__ import annotations

import sys

import pytest

import detente
from detente.engine import resolve_backend
from detente.errors import MissingDependencyError


def test_backend_resolution(monkeypatch):
    assert resolve_backend("numpy") == "numpy"
    monkeypatch.setenv("DETENTE_BACKEND", "numpy")
    assert resolve_backend("auto") == "numpy"
    monkeypatch.delenv("DETENTE_BACKEND")
    detente.engine.backend.numba_available.cache_clear()
    monkeypatch.setitem(sys.modules, "numba", None)  # as if the [fast] extra were missing
    try:
        assert resolve_backend("auto") == "numpy"
        with pytest.raises(MissingDependencyError, match=r"detente\[fast\]"):
            resolve_backend("numba")
    finally:
        detente.engine.backend.numba_available.cache_clear()
    with pytest.raises(detente.InputError, match="unknown backend"):
        resolve_backend("cuda")
