"""Fixtures for the model tests (the helpers themselves are in ``model_helpers``)."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import canonical_params, drive

from detente.engine import compile_plan
from detente.scenario import load_scenario
from detente.scenario.schema import Scenario


@pytest.fixture(name="canonical_params", scope="session")
def _canonical_params_fixture():
    return canonical_params


@pytest.fixture(name="drive", scope="session")
def _drive_fixture():
    return drive


@pytest.fixture(scope="session")
def ukraine() -> Scenario:
    return load_scenario("ukraine-2023")


@pytest.fixture(scope="session")
def bench() -> Scenario:
    return load_scenario("lanchester-bench")


@pytest.fixture(scope="session")
def central(ukraine: Scenario) -> dict[str, np.ndarray]:
    """The central values of ukraine-2023's parameters, canonical units, 4 samples."""
    plan = compile_plan(ukraine)
    return {k: np.full(4, par.central() * plan.factors[k])
            for k, par in ukraine.parameters.items()}
