"""The public namespace is a promise: freeze it, and check every name resolves."""

from __future__ import annotations

import detente

PUBLIC = {
    "Claims", "DataError", "DetenteError", "InputError", "MissingDependencyError", "Morris",
    "NotFittedError", "Prim", "Results", "Scenario", "ScenarioError", "Sobol", "UnitError",
    "__version__", "compare", "load", "load_scenario", "open_results", "plots", "simulate",
}


def test_all_is_frozen():
    assert set(detente.__all__) == PUBLIC


def test_every_public_name_resolves():
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name


def test_errors_form_one_hierarchy():
    for name in ("DataError", "InputError", "MissingDependencyError", "NotFittedError",
                 "ScenarioError", "UnitError"):
        assert issubclass(getattr(detente, name), detente.DetenteError)
    assert issubclass(detente.ScenarioError, ValueError)
    assert issubclass(detente.MissingDependencyError, ImportError)
