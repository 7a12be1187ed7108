"""The time loop: blocks of samples, random streams, policies as overlays, recording.

Reproducibility contract
------------------------
Samples are simulated in blocks of :data:`BLOCK_SIZE`. Block *k* draws everything it needs
from ``SeedSequence(seed, spawn_key=(k, stream))``:

* stream 0: the Latin hypercube over the scenario's uncertain parameters;
* stream 1: the per-step uniform shocks the modules declare;
* stream 2 + crc32(event name): the uniform deciding whether a chance event happens.

Nothing depends on the policy, on the number of processes or on which other policies run,
so sample *i* sees the same parameters, events and shocks under every policy (common random
numbers) and a run is bit-identical whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.errors import InputError
from detente.model import resolve_modules
from detente.model.base import Module, ParamSpec, StepContext
from detente.scenario.schema import Change, Event, Scenario
from detente.scenario.units import conversion_factor

if TYPE_CHECKING:
    from detente.results import Results

#: Samples per block. Part of the reproducibility contract: changing it changes results.
BLOCK_SIZE = 1024

_STREAM_DESIGN = 0
_STREAM_SHOCKS = 1
_STREAM_EVENTS = 2


# --------------------------------------------------------------------------- compiled plan
@dataclass(frozen=True)
class _Overlay:
    """One parameter change, resolved to steps and canonical units."""

    param: str
    start: int
    stop: int
    value: float | None  # canonical units
    scale: float | None
    event: str | None  # None: applies in every sample


@dataclass(frozen=True)
class Plan:
    """Everything the time loop needs, resolved once from a scenario."""

    scenario: Scenario
    modules: tuple[Module, ...]
    specs: Mapping[str, ParamSpec]
    factors: Mapping[str, float]  # file unit -> canonical unit, per parameter
    uncertain: tuple[str, ...]
    shocks: tuple[str, ...]
    record: tuple[str, ...]
    n_steps: int
    policies: tuple[str, ...]
    overlays: Mapping[str, tuple[_Overlay, ...]]  # per policy
    events: Mapping[str, Event]  # every event any chosen policy can see, by name

    @property
    def dt(self) -> float:
        """Step length in days."""
        return self.scenario.time.step_days


def compile_plan(
    scenario: Scenario,
    *,
    policies: Sequence[str] | None = None,
    horizon: int | None = None,
    record: Sequence[str] | None = None,
) -> Plan:
    """Resolve ``scenario`` into a :class:`Plan`: modules, units, overlays per policy.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    policies : sequence of str, optional
        Policies to run (default: all, in file order).
    horizon : int, optional
        Number of steps (default: the scenario's ``time.horizon_steps``).
    record : sequence of str, optional
        Variables to keep as full trajectories (default: those the modules mark ``record``).
    """
    if horizon is not None:
        if horizon <= 0:
            raise InputError(f"--horizon must be a positive number of steps, found {horizon}")
        scenario = scenario.with_horizon(horizon)
    chosen = tuple(policies) if policies else tuple(scenario.policies)
    unknown = [p for p in chosen if p not in scenario.policies]
    if unknown:
        raise InputError(
            f"unknown polic{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
            f"scenario '{scenario.name}' defines: {', '.join(scenario.policies)}"
        )
    modules = tuple(resolve_modules(scenario.modules))
    specs = {ps.name: ps for m in modules for ps in m.params}
    factors = {
        name: conversion_factor(scenario.parameters[name].unit, specs[name].unit)
        if name in specs else 1.0
        for name in scenario.parameters
    }
    variables = [v for m in modules for v in m.variables]
    names = [v.name for v in variables]
    if record is None:
        rec = tuple(v.name for v in variables if v.record)
    else:
        bad = [r for r in record if r not in names]
        if bad:
            raise InputError(f"cannot record unknown variable(s) {', '.join(bad)}; "
                             f"the model has: {', '.join(names)}")
        rec = tuple(record)
    overlays: dict[str, tuple[_Overlay, ...]] = {}
    events: dict[str, Event] = dict(scenario.events)
    for pol in chosen:
        policy = scenario.policies[pol]
        items = [_overlay(scenario, factors, c, None, None) for c in policy.changes]
        for ev_name, ev in {**scenario.events, **policy.events}.items():
            events.setdefault(ev_name, ev)
            items.extend(_overlay(scenario, factors, c, ev_name, ev) for c in ev.changes)
        overlays[pol] = tuple(sorted(items, key=lambda o: o.start))
    shocks = tuple(sorted({s for m in modules for s in m.shocks}))
    return Plan(
        scenario=scenario,
        modules=modules,
        specs=specs,
        factors=factors,
        uncertain=tuple(scenario.uncertain),
        shocks=shocks,
        record=rec,
        n_steps=scenario.time.horizon_steps,
        policies=chosen,
        overlays=overlays,
        events=events,
    )


def _overlay(scenario: Scenario, factors: Mapping[str, float], change: Change,
             event_name: str | None, event: Event | None) -> _Overlay:
    time = scenario.time
    begin: dt.date = change.from_ or (event.takes_effect if event else time.start)
    start = time.step_of(begin)
    stop = time.step_of(change.until) if change.until else time.horizon_steps + 1
    value = None
    if change.value is not None:
        factor = factors[change.param]
        if change.unit is not None:
            # a change may state its own unit; convert it to the parameter's canonical one
            file_unit = scenario.parameters[change.param].unit
            factor *= conversion_factor(change.unit, file_unit)
        value = change.value * factor
    return _Overlay(change.param, start, stop, value, change.scale, event_name)


# --------------------------------------------------------------------------- sampling
def _seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def _stream(root: np.random.SeedSequence, block: int, stream: int) -> np.random.Generator:
    ss = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, block, stream))
    return np.random.default_rng(ss)


def draw_design(plan: Plan, root: np.random.SeedSequence, block: int, n: int) -> FloatArray:
    """Latin-hypercube uniforms of shape ``(n, len(plan.uncertain))`` for one block."""
    from scipy.stats import qmc

    d = len(plan.uncertain)
    if d == 0:
        return np.empty((n, 0))
    lhs = qmc.LatinHypercube(d=d, rng=_stream(root, block, _STREAM_DESIGN))
    return np.asarray(lhs.random(n), dtype=np.float64)


def block_parameters(
    plan: Plan, root: np.random.SeedSequence, block: int, n: int,
    given: Mapping[str, FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """Parameter values of one block, in the scenario file's units.

    ``given`` (name -> array of length ``n``) overrides draws, e.g. for an external design.
    """
    u = draw_design(plan, root, block, n)
    col = {name: j for j, name in enumerate(plan.uncertain)}
    out: dict[str, FloatArray] = {}
    for name, par in plan.scenario.parameters.items():
        if given is not None and name in given:
            out[name] = np.asarray(given[name], dtype=np.float64)
        elif name in col:
            out[name] = par.sample(u[:, col[name]])
        else:
            out[name] = np.full(n, par.central(), dtype=np.float64)
    return out


def event_draws(plan: Plan, root: np.random.SeedSequence, block: int, n: int,
                params_file_units: Mapping[str, FloatArray]) -> dict[str, np.ndarray]:
    """Per-sample booleans: did each chance event happen (True for certain events)."""
    out: dict[str, np.ndarray] = {}
    for name, ev in plan.events.items():
        if ev.probability is None:
            out[name] = np.ones(n, dtype=bool)
            continue
        key = _STREAM_EVENTS + zlib.crc32(name.encode())
        u = _stream(root, block, key).random(n)
        prob = params_file_units[ev.probability] * plan.factors[ev.probability]
        out[name] = u < prob
    return out


# --------------------------------------------------------------------------- the loop
@dataclass
class BlockResult:
    """What one block produces: trajectories per policy, parameters and event draws."""

    block: int
    n: int
    trajectories: dict[str, FloatArray]  # variable -> (policy, time, sample)
    params: dict[str, FloatArray]  # file units, (sample,)
    events: dict[str, np.ndarray]  # (sample,) bool


def run_block(plan: Plan, seed: SeedLike, block: int, n: int,
              given: Mapping[str, FloatArray] | None = None,
              dtype: type[np.floating] = np.float64) -> BlockResult:
    """Simulate one block of ``n`` samples under every policy of ``plan``."""
    root = _seed_sequence(seed)
    file_params = block_parameters(plan, root, block, n, given)
    base = {k: v * plan.factors[k] for k, v in file_params.items()}
    happened = event_draws(plan, root, block, n, file_params)
    shock_rng = _stream(root, block, _STREAM_SHOCKS)
    # all shocks for all steps up front: identical for every policy (common random numbers)
    shocks = shock_rng.random((plan.n_steps, len(plan.shocks), n))
    n_t = plan.n_steps + 1
    traj = {v: np.empty((len(plan.policies), n_t, n), dtype=dtype) for v in plan.record}
    for ip, pol in enumerate(plan.policies):
        _run_policy(plan, base, plan.overlays[pol], happened, shocks, n,
                    {v: a[ip] for v, a in traj.items()})
    return BlockResult(block, n, traj, file_params, happened)


def _effective(base: Mapping[str, FloatArray], active: Iterable[_Overlay],
               happened: Mapping[str, np.ndarray]) -> dict[str, FloatArray]:
    p = dict(base)
    for o in active:
        new = p[o.param] * o.scale if o.scale is not None else np.full_like(p[o.param], o.value)
        p[o.param] = new if o.event is None else np.where(happened[o.event], new, p[o.param])
    return p


def _run_policy(plan: Plan, base: Mapping[str, FloatArray], overlays: tuple[_Overlay, ...],
                happened: Mapping[str, np.ndarray], shocks: FloatArray, n: int,
                out: dict[str, FloatArray]) -> None:
    dt_days = plan.dt
    # steps at which the set of active overlays changes
    bounds = {o.start for o in overlays} | {o.stop for o in overlays}
    p = _effective(base, [o for o in overlays if o.start <= 0 < o.stop], happened)
    s: dict[str, FloatArray] = {}
    for m in plan.modules:
        s.update(m.init(p, n))
    for v, arr in out.items():
        arr[0] = s[v]
    for k in range(plan.n_steps):
        if k in bounds and k > 0:
            p = _effective(base, [o for o in overlays if o.start <= k < o.stop], happened)
        u = {name: shocks[k, j] for j, name in enumerate(plan.shocks)}
        ctx = StepContext(step=k, t=k * dt_days, dt=dt_days, n=n)
        x: dict[str, FloatArray] = {}
        for m in plan.modules:
            x.update(m.step(s, x, p, u, ctx))
        s = {**s, **x}
        for v, arr in out.items():
            arr[k + 1] = s[v]


def _blocks(n_samples: int) -> list[tuple[int, int]]:
    full, rest = divmod(n_samples, BLOCK_SIZE)
    sizes = [BLOCK_SIZE] * full + ([rest] if rest else [])
    return list(enumerate(sizes))


def _run_block_star(args: tuple[Plan, SeedLike, int, int,
                                Mapping[str, FloatArray] | None, type[np.floating]]
                    ) -> BlockResult:
    return run_block(*args)


def simulate(
    scenario: Scenario | str,
    *,
    n_samples: int = 1000,
    seed: SeedLike = 0,
    policies: Sequence[str] | None = None,
    horizon: int | None = None,
    record: Sequence[str] | None = None,
    samples: Mapping[str, Sequence[float] | FloatArray] | None = None,
    processes: int = 1,
    dtype: type[np.floating] = np.float64,
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """Run a Monte Carlo ensemble of ``scenario`` under each policy.

    Parameters
    ----------
    scenario : Scenario or str
        A loaded scenario, or a built-in name / path to load.
    n_samples : int
        Number of parameter draws; each is simulated under every policy.
    seed : int, SeedSequence or None
        Root seed. Block *k* uses streams keyed by ``(seed, k)``, so results do not depend on
        ``processes``.
    policies : sequence of str, optional
        Policies to run (default: all the scenario defines).
    horizon : int, optional
        Number of steps (default: the scenario's).
    record : sequence of str, optional
        Variables to keep as trajectories (default: the model's key outputs).
    samples : mapping, optional
        Parameter values to use instead of drawing them (file units), each of length
        ``n_samples``; parameters not given are drawn as usual.
    processes : int
        Worker processes (1: in this process).
    dtype : numpy floating type
        Storage type of recorded trajectories (the model always computes in float64).
    progress : callable, optional
        Called as ``progress(done_samples, n_samples)`` after each block.

    Returns
    -------
    Results
        Wraps an ``xarray.Dataset`` with dims ``(policy, sample, time)``.

    Examples
    --------
    >>> import detente as dt
    >>> res = dt.simulate("ukraine-2023", n_samples=200, seed=1)  # doctest: +SKIP
    >>> res.ds.sizes["sample"]  # doctest: +SKIP
    200
    """
    from detente.results import Results, assemble
    from detente.scenario.loading import load_scenario

    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if n_samples <= 0:
        raise InputError(f"--samples must be a positive integer, found {n_samples}")
    if processes <= 0:
        raise InputError(f"--processes must be a positive integer, found {processes}")
    plan = compile_plan(scenario, policies=policies, horizon=horizon, record=record)
    given = _check_samples(plan, samples, n_samples)
    jobs = []
    start = 0
    for block, size in _blocks(n_samples):
        part = {k: v[start:start + size] for k, v in given.items()} if given else None
        jobs.append((plan, seed, block, size, part, dtype))
        start += size
    results: list[BlockResult] = []
    done = 0
    if processes == 1 or len(jobs) == 1:
        for job in jobs:
            results.append(_run_block_star(job))
            done += job[3]
            if progress:
                progress(done, n_samples)
    else:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            for res in pool.map(_run_block_star, jobs):
                results.append(res)
                done += res.n
                if progress:
                    progress(done, n_samples)
    return Results(assemble(plan, results, seed=seed))


def _check_samples(plan: Plan, samples: Mapping[str, Sequence[float] | FloatArray] | None,
                   n: int) -> dict[str, FloatArray]:
    if not samples:
        return {}
    out: dict[str, FloatArray] = {}
    for name, values in samples.items():
        if name not in plan.scenario.parameters:
            raise InputError(f"samples name unknown parameter '{name}'")
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape != (n,):
            raise InputError(f"samples['{name}'] has shape {arr.shape}, expected ({n},)")
        out[name] = arr
    return out

