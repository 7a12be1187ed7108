"""Helpers for the model tests: drive modules through the engine's one time loop.

A uniquely named module (not ``conftest``) so that ``import`` finds it from any test file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detente.engine import compile_plan, run_modules
from detente.engine.streams import block_parameters
from detente.model import Cast, Module, StepContext, couple, resolve_modules
from detente.scenario.schema import Scenario


def ukraine_cast() -> Cast:
    """The cast of ukraine-2023 (the default the model tests drive modules for)."""
    from detente.scenario import load_scenario

    return load_scenario("ukraine-2023").cast


def canonical_params(scenario: Scenario, n: int, seed: int = 0,
                     given: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Parameters of ``n`` samples in the model's canonical units (the engine's own draw)."""
    plan = compile_plan(scenario)
    file_units = block_parameters(plan, np.random.SeedSequence(seed), 0, n, given)
    return {k: v * plan.factors[k] for k, v in file_units.items()}


def drive(module_names: Sequence[str], p: Mapping[str, np.ndarray], n: int, steps: int,
          dt: float, shocks: Mapping[str, np.ndarray] | None = None,
          inputs: Mapping[str, np.ndarray] | None = None, cast: Cast | None = None
          ) -> dict[str, np.ndarray]:
    """Run modules through :func:`detente.engine.run_modules`; every variable as (steps + 1, n).

    ``shocks`` maps a shock name to an array (steps, n) (default: 0.5, i.e. no noise);
    ``inputs`` are values of variables no enabled module writes, held over the run; the
    modules are built for ``cast`` (default: ukraine-2023's).
    """
    couplings = couple(resolve_modules(list(module_names), cast or ukraine_cast()))
    u = np.full((steps, len(couplings.shocks), n), 0.5)
    for j, name in enumerate(couplings.shocks):
        if shocks and name in shocks:
            u[:, j] = shocks[name]
    out = {v.name: np.empty((steps + 1, n)) for m in couplings.modules for v in m.variables}
    run_modules(couplings, p, n=n, n_steps=steps, dt=dt, shocks=u, out=out, inputs=inputs)
    return out


def neutral_state(module: Module, n: int, **given: float) -> dict[str, np.ndarray]:
    """Every declared read of ``module`` at its neutral value (or as ``given``), shape (n,)."""
    return {r.name: np.full(n, given.get(r.name, r.neutral)) for r in module.reads}


def step_on_declared_names(module: Module, p: Mapping[str, np.ndarray], n: int,
                           dt: float = 7.0, steps: int = 3, **given: float
                           ) -> list[dict[str, np.ndarray]]:
    """Run ``module``'s init and steps on plain dicts holding only what it declares.

    ``s`` holds the module's own variables and its declared reads, ``x`` only its reads
    declared ``"step"``; reading any other name raises ``KeyError``, so this checks that the
    module declares everything it reads. Returns the state after each step.
    """
    reads = neutral_state(module, n, **given)
    now = {r.name for r in module.reads if r.when == "step"}
    s = module.init(p, n, dict(reads))
    assert set(s) == set(module.variable_names)
    states = []
    for k in range(steps):
        u = {name: np.full(n, 0.5) for name in module.shocks}
        ctx = StepContext(step=k, t=k * dt, dt=dt, n=n)
        new = module.step({**s, **reads}, {k2: v for k2, v in reads.items() if k2 in now}, p,
                          u, ctx)
        assert set(new) == set(module.variable_names)
        s = new
        states.append(new)
    return states
