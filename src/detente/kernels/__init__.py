"""Fast kernels: Numba-compiled inner loops, each with a NumPy twin.

Every kernel here exists twice: a NumPy implementation (the reference, always available)
and a Numba implementation (the optional ``[fast]`` extra). Both compute the same floating-point
operations in the same order, so they agree bit for bit on the platforms we test (and the
test suite holds them to 1e-9 relative on random draws). Random numbers never come from a
kernel: the engine draws them with NumPy ``Generator`` s and passes them in, so results do
not depend on which backend ran.

Backends are chosen by :func:`resolve_backend`: ``"auto"`` (the default) uses Numba when it
is installed and falls back to NumPy silently; ``"numba"`` insists on Numba and raises
:class:`~detente.errors.MissingDependencyError` naming the extra when it is missing;
``"numpy"`` never imports Numba. The environment variable ``DETENTE_BACKEND`` sets the
default for ``"auto"``.
"""

from __future__ import annotations

from detente.kernels._backend import Backend, numba_available, resolve_backend
from detente.kernels.military import FUSED_VARIABLES, MilitaryFused, fused_military_plan
from detente.kernels.sketch import QuantileSketch, sketch_counts

__all__ = [
    "FUSED_VARIABLES",
    "Backend",
    "MilitaryFused",
    "QuantileSketch",
    "fused_military_plan",
    "numba_available",
    "resolve_backend",
    "sketch_counts",
]
