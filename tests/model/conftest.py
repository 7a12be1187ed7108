"""Helpers for the model tests: drive modules directly, without the engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from detente.engine import compile_plan
from detente.engine.streams import block_parameters
from detente.model import resolve_modules
from detente.model.base import StepContext
from detente.scenario import load_scenario
from detente.scenario.schema import Scenario


def canonical_params(scenario: Scenario, n: int, seed: int = 0,
                     given: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Parameters of ``n`` samples in the model's canonical units (the engine's own draw)."""
    plan = compile_plan(scenario)
    file_units = block_parameters(plan, np.random.SeedSequence(seed), 0, n, given)
    return {k: v * plan.factors[k] for k, v in file_units.items()}


def drive(module_names: Sequence[str], p: Mapping[str, np.ndarray], n: int, steps: int,
          dt: float, shocks: Mapping[str, np.ndarray] | None = None,
          overrides: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Run modules' init/step in a plain loop; return every variable as (steps + 1, n).

    ``shocks`` maps a shock name to an array (steps, n) (default: 0.5, i.e. no noise);
    ``overrides`` are extra state entries (coupling variables) held fixed every step.
    """
    mods = resolve_modules(list(module_names))
    s: dict[str, np.ndarray] = {}
    for m in mods:
        s.update(m.init(p, n))
    if overrides:
        s.update(overrides)
    out = {k: [v.copy()] for k, v in s.items()}
    names = sorted({sh for m in mods for sh in m.shocks})
    for k in range(steps):
        u = {nm: (shocks[nm][k] if shocks and nm in shocks else np.full(n, 0.5))
             for nm in names}
        ctx = StepContext(step=k, t=k * dt, dt=dt, n=n)
        x: dict[str, np.ndarray] = {}
        for m in mods:
            x.update(m.step(s, x, p, u, ctx))
        s = {**s, **x}
        if overrides:
            s.update(overrides)
        for key, v in s.items():
            out.setdefault(key, []).append(v.copy())
    return {k: np.array(v) for k, v in out.items() if len(v) == steps + 1}


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
