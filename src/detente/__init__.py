"""detente: simulate wars of attrition and test the ways they can end.

>>> import detente as dt
>>> sc = dt.load("lanchester-bench")                              # doctest: +SKIP
>>> res = dt.simulate(sc, n_samples=1_000, seed=42)             # doctest: +SKIP
>>> res.summary(months=[12, 24, 36])                            # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente._version import __version__
from detente.errors import (
    DataError,
    DetenteError,
    InputError,
    MissingDependencyError,
    NotFittedError,
    ScenarioError,
    UnitError,
)

if TYPE_CHECKING:
    from detente.analysis.claims import Claims
    from detente.analysis.compare import compare
    from detente.analysis.discovery import Prim
    from detente.analysis.sensitivity import Morris, Sobol
    from detente.engine import simulate
    from detente.present import plots
    from detente.results import Results, open_results
    from detente.scenario import Scenario, load_scenario

    load = load_scenario

# Public names resolved lazily so that `import detente` (and the CLI's --help) stays fast.
_LAZY = {
    "simulate": ("detente.engine", "simulate"),
    "Results": ("detente.results", "Results"),
    "open_results": ("detente.results", "open_results"),
    "Scenario": ("detente.scenario", "Scenario"),
    "load_scenario": ("detente.scenario", "load_scenario"),
    "load": ("detente.scenario", "load_scenario"),
    "Claims": ("detente.analysis.claims", "Claims"),
    "Sobol": ("detente.analysis.sensitivity", "Sobol"),
    "Morris": ("detente.analysis.sensitivity", "Morris"),
    "Prim": ("detente.analysis.discovery", "Prim"),
    "compare": ("detente.analysis.compare", "compare"),
    "plots": ("detente.present.plots", ""),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        loaded = importlib.import_module(module)
        return getattr(loaded, attr) if attr else loaded
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


__all__ = [
    "Claims",
    "DataError",
    "DetenteError",
    "InputError",
    "MissingDependencyError",
    "Morris",
    "NotFittedError",
    "Prim",
    "Results",
    "Scenario",
    "ScenarioError",
    "Sobol",
    "UnitError",
    "__version__",
    "compare",
    "load",
    "load_scenario",
    "open_results",
    "plots",
    "simulate",
]
