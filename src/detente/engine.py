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

The block size defaults to :data:`BLOCK_SIZE`; ``simulate(..., block_size=...)`` and sweeps
may choose another one, which then is part of the run's identity (results record it).

Fast paths
----------
When the structure of a plan and the parameter values allow it, the engine replaces the
generic module loop by a fused kernel (:mod:`detente.kernels`) that computes the same
floating-point operations in the same order, so the results are bit-identical; a kernel runs
in Numba when the ``[fast]`` extra is installed and as its NumPy twin otherwise.

Big ensembles
-------------
Besides full trajectories (``record``), a run can keep per-sample outcomes (each variable's
value at the horizon, ``outcomes``) and streaming per-time quantiles (``quantiles``, from a
mergeable histogram, :class:`detente.kernels.QuantileSketch`), so memory does not grow with
``n_samples`` × ``n_steps``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente._version import __version__
from detente.errors import InputError
from detente.kernels._backend import Backend
from detente.model import resolve_modules
from detente.model.base import Module, ParamSpec, StepContext
from detente.scenario.schema import Change, Event, Scenario
from detente.scenario.units import conversion_factor
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import xarray as xr

    from detente.kernels.military import MilitaryFused
    from detente.kernels.sketch import QuantileSketch
    from detente.results import Results

#: Samples per block. Part of the reproducibility contract: changing it changes results.
BLOCK_SIZE = 1024

_STREAM_DESIGN = 0
_STREAM_SHOCKS = 1
_STREAM_EVENTS = 2

#: Memory the threaded path may spend on blocks prepared ahead of their kernels.
_AHEAD_BYTES = 256 * 2**20

#: Default quantile levels of streaming per-time quantiles.
DEFAULT_LEVELS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


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
    constants: Mapping[str, float] = field(default_factory=dict)  # central values, file units

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
        constants={name: par.central() for name, par in scenario.parameters.items()
                   if not par.is_uncertain},
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
    d = len(plan.uncertain)
    if d == 0:
        return np.empty((n, 0))
    return latin_hypercube(_stream(root, block, _STREAM_DESIGN), n, d)


def latin_hypercube(rng: np.random.Generator, n: int, d: int) -> FloatArray:
    """Draw a scrambled Latin hypercube of ``n`` points in ``[0, 1)^d``.

    The same draws, in the same order, as ``scipy.stats.qmc.LatinHypercube(d, rng=rng)
    .random(n)`` (SciPy >= 1.15, which first spawns a child of ``rng``'s seed sequence), so
    results do not depend on the installed SciPy and skip its per-call set-up
    (``tests/test_engine.py`` checks the equality).
    """
    seq = rng.bit_generator.seed_seq
    assert isinstance(seq, np.random.SeedSequence)
    own = np.random.Generator(type(rng.bit_generator)(seq.spawn(1)[0]))
    jitter = own.uniform(size=(n, d))
    perms = np.tile(np.arange(1, n + 1), (d, 1))
    for row in perms:
        own.shuffle(row)
    return np.asarray((perms.T - jitter) / n, dtype=np.float64)


def block_parameters(
    plan: Plan, root: np.random.SeedSequence, block: int, n: int,
    given: Mapping[str, FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """Parameter values of one block, in the scenario file's units.

    ``given`` (name -> array of length ``n``) overrides draws, e.g. for an external design.
    Parameters without a distribution are read-only broadcast views of their value.
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
            out[name] = constant_array(plan.constants.get(name, par.central()), n)
    return out


def constant_array(value: float, n: int) -> FloatArray:
    """``value`` for each of ``n`` samples: a read-only view of one number (stride 0).

    What ``np.broadcast_to`` returns, cached: this is asked for every constant parameter of
    every block, mostly with the same few block sizes. Neither the view nor the number
    under it can be made writeable, so sharing them is safe.
    """
    # the sign is part of the key: 0.0 == -0.0, yet they are different numbers
    return _constant_view(value, math.copysign(1.0, value), n)


@functools.lru_cache(maxsize=4096)
def _constant_view(value: float, sign: float, n: int) -> FloatArray:
    one = np.array([value], np.float64)
    one.flags.writeable = False
    arr: FloatArray = np.ndarray((n,), np.float64, buffer=one, strides=(0,))
    arr.flags.writeable = False
    return arr


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
    """What one block produces: trajectories per policy, parameters and event draws.

    ``finals`` holds each outcome variable's value at the horizon, ``(policy, sample)``;
    ``sketch`` the block's per-time histograms of the tracked variables (or None).
    """

    block: int
    n: int
    trajectories: dict[str, FloatArray]  # variable -> (policy, time, sample)
    params: dict[str, FloatArray]  # file units, (sample,)
    events: dict[str, np.ndarray]  # (sample,) bool
    finals: dict[str, FloatArray] = field(default_factory=dict)  # variable -> (policy, sample)
    sketch: QuantileSketch | None = None
    pending: Future[None] | None = None  # kernels still running (see run_block's executor)

    def done(self) -> bool:
        """Whether the block is complete (no kernel of it still running)."""
        return self.pending is None or self.pending.done()

    def wait(self) -> BlockResult:
        """Wait for kernels submitted to an executor; return self, now complete."""
        if self.pending is not None:
            self.pending.result()
            self.pending = None
        return self


@dataclass(frozen=True)
class Keep:
    """What a run keeps besides the recorded trajectories (``plan.record``).

    Attributes
    ----------
    outcomes : tuple of str
        Variables whose value at the horizon is kept per sample and policy.
    quantiles : tuple of str
        Variables whose per-time distribution over samples is kept as a histogram.
    backend : {"auto", "numba", "numpy"}
        Implementation of the kernels.
    fast_paths : bool
        Use fused kernels where they apply (False: always the generic module loop; the
        results are the same, this exists to test that).
    """

    outcomes: tuple[str, ...] = ()
    quantiles: tuple[str, ...] = ()
    backend: Backend = "auto"
    fast_paths: bool = True


class _LazyShocks:
    """The block's shocks, drawn on first use (a fused path may need none)."""

    def __init__(self, root: np.random.SeedSequence, block: int, plan: Plan, n: int) -> None:
        self._args = (root, block, plan, n)
        self._value: FloatArray | None = None

    def get(self) -> FloatArray:
        if self._value is None:
            root, block, plan, n = self._args
            self._value = _stream(root, block, _STREAM_SHOCKS).random(
                (plan.n_steps, len(plan.shocks), n))
        return self._value


def run_block(plan: Plan, seed: SeedLike, block: int, n: int,
              given: Mapping[str, FloatArray] | None = None,
              dtype: type[np.floating] = np.float64, keep: Keep | None = None,
              out: Mapping[str, FloatArray] | None = None,
              executor: Executor | None = None,
              finals: Mapping[str, FloatArray] | None = None) -> BlockResult:
    """Simulate one block of ``n`` samples under every policy of ``plan``.

    Parameters
    ----------
    plan : Plan
        From :func:`compile_plan`.
    seed : int, SeedSequence or None
        Root seed; the block's streams are keyed by ``(seed, block)``.
    block : int
        Block index.
    n : int
        Samples in the block.
    given : mapping, optional
        Parameter values (file units) to use instead of drawing them.
    dtype : numpy floating type
        Storage type of the recorded trajectories.
    keep : Keep, optional
        Outcomes and quantiles to keep, and the kernel backend.
    out : mapping, optional
        Variable -> array ``(policy, time, n)`` to write the recorded trajectories into
        (default: new arrays).
    executor : Executor, optional
        Where to run the fused kernels (which release the GIL). The Python work of the block
        (drawing parameters, resolving overlays) is done here, in the calling thread; the
        runs themselves (every write to ``out`` and ``finals`` included) are submitted as one
        call, and the result is complete only after :meth:`BlockResult.wait`.
    finals : mapping, optional
        Variable -> array ``(policy, n)`` to write the outcomes into (default: new arrays).
    """
    keep = keep or Keep()
    root = _seed_sequence(seed)
    file_params = block_parameters(plan, root, block, n, given)
    base = _canonical(plan, file_params)
    happened = event_draws(plan, root, block, n, file_params)
    shocks = _LazyShocks(root, block, plan, n)
    n_t = plan.n_steps + 1
    n_p = len(plan.policies)
    traj = dict(out) if out is not None else {
        v: np.empty((n_p, n_t, n), dtype=dtype) for v in plan.record}
    result = BlockResult(block, n, traj, file_params, happened,
                         dict(finals) if finals is not None else
                         {v: np.empty((n_p, n)) for v in keep.outcomes})
    if keep.quantiles:
        from detente.kernels.sketch import QuantileSketch

        result.sketch = QuantileSketch(n_p, n_t)
    fused = _fused_for(plan, keep)

    def prepared(ip: int, pol: str) -> tuple[Callable[[], Mapping[str, FloatArray]],
                                             Callable[[Mapping[str, FloatArray]], None]]:
        # policy ip's run, ready to call (the fused kernel where it applies, else the module
        # loop), and the call that stores its results
        rec = {v: a[ip] for v, a in traj.items()}
        # tracked variables are histogrammed from float64 values
        extra = {v: np.empty((n_t, n)) for v in keep.quantiles
                 if v not in rec or rec[v].dtype != np.float64}
        outputs = {**rec, **extra}
        overlays = plan.overlays[pol]
        run = _fused_kernel(plan, fused, base, overlays, happened, n, outputs, keep.backend)
        if run is None:
            run = functools.partial(_run_policy_lazily, plan, base, overlays, happened,
                                    shocks, n, outputs)
        return run, functools.partial(_finish_policy, result, keep, ip, outputs)

    if executor is None:  # one policy after another: its temporaries go before the next
        for ip, pol in enumerate(plan.policies):
            run, finish = prepared(ip, pol)
            finish(run())
        return result
    # with an executor, every write to the outputs happens in the submitted call
    work = [prepared(ip, pol) for ip, pol in enumerate(plan.policies)]

    def run_all() -> None:
        for run, finish in work:
            finish(run())

    result.pending = executor.submit(run_all)
    return result


def _canonical(plan: Plan, file_params: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """Parameters in canonical units; constants stay broadcast views of one value."""
    out: dict[str, FloatArray] = {}
    for k, v in file_params.items():
        factor = plan.factors[k]
        if factor == 1.0:  # x * 1.0 == x bit for bit: skip the no-op conversions
            out[k] = v
        elif v.strides == (0,):  # every element is v[0]; the same product, computed once
            out[k] = constant_array(float(v[0] * factor), v.shape[0])
        else:
            out[k] = v * factor
    return out


def _finish_policy(result: BlockResult, keep: Keep, ip: int, traj: Mapping[str, FloatArray],
                   final: Mapping[str, FloatArray]) -> None:
    """Store policy ``ip``'s outcomes and add its tracked trajectories to the sketch."""
    for v in keep.outcomes:
        result.finals[v][ip] = final[v]
    if result.sketch is not None:
        for v in keep.quantiles:
            result.sketch.add_values(v, ip, traj[v], keep.backend)


def _fused_for(plan: Plan, keep: Keep) -> MilitaryFused | None:
    from detente.kernels.military import fused_military_plan

    if not keep.fast_paths:
        return None
    need = {*plan.record, *keep.outcomes, *keep.quantiles}
    return fused_military_plan(plan, sorted(need))


def _effective(base: Mapping[str, FloatArray], active: Iterable[_Overlay],
               happened: Mapping[str, np.ndarray]) -> dict[str, FloatArray]:
    p = dict(base)
    for o in active:
        new = p[o.param] * o.scale if o.scale is not None else np.full_like(p[o.param], o.value)
        p[o.param] = new if o.event is None else np.where(happened[o.event], new, p[o.param])
    return p


def _fused_kernel(plan: Plan, fused: MilitaryFused | None, base: Mapping[str, FloatArray],
                  overlays: tuple[_Overlay, ...], happened: Mapping[str, np.ndarray], n: int,
                  out: dict[str, FloatArray], backend: Backend
                  ) -> Callable[[], dict[str, FloatArray]] | None:
    """One policy's run through the fused kernel, ready to call, if it applies (else None).

    Everything that needs the interpreter (overlays, eligibility, the initial state) is done
    here; the returned callable runs the kernel stretch by stretch and returns the final
    state, so it can run on another thread while this one prepares the next block.
    """
    if fused is None:
        return None
    # stretches of steps with constant parameters; all must allow the fused loop
    cuts = sorted({0, plan.n_steps} | {o.start for o in overlays if 0 < o.start < plan.n_steps}
                  | {o.stop for o in overlays if 0 < o.stop < plan.n_steps})
    stretches = [(k0, k1, _effective(base, [o for o in overlays if o.start <= k0 < o.stop],
                                     happened)) for k0, k1 in itertools.pairwise(cuts)]
    if not all(fused.eligible(p) for _, _, p in stretches):
        return None
    state = fused.init(stretches[0][2], n)
    names = fused.variables
    runs = [fused.prepare(p, state, k0, k1, plan.dt, out, backend) for k0, k1, p in stretches]

    def run() -> dict[str, FloatArray]:
        # every write to the outputs happens here, wherever this runs
        for v, arr in out.items():
            arr[0] = state[names.index(v)]
        for go in runs:
            go()
        return {v: state[i] for i, v in enumerate(names)}

    return run


def _run_policy_lazily(plan: Plan, base: Mapping[str, FloatArray],
                       overlays: tuple[_Overlay, ...], happened: Mapping[str, np.ndarray],
                       shocks: _LazyShocks, n: int, out: dict[str, FloatArray]
                       ) -> dict[str, FloatArray]:
    return _run_policy(plan, base, overlays, happened, shocks.get(), n, out)


def _run_policy(plan: Plan, base: Mapping[str, FloatArray], overlays: tuple[_Overlay, ...],
                happened: Mapping[str, np.ndarray], shocks: FloatArray, n: int,
                out: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """Run the generic loop: every module's step, every step; returns the final state."""
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
    return s


def _blocks(n_samples: int, block_size: int = BLOCK_SIZE) -> list[tuple[int, int]]:
    full, rest = divmod(n_samples, block_size)
    sizes = [block_size] * full + ([rest] if rest else [])
    return list(enumerate(sizes))


@dataclass(frozen=True)
class BlockJob:
    """One block to simulate: everything a worker process needs (picklable)."""

    plan: Plan
    seed: SeedLike
    block: int
    n: int
    given: Mapping[str, FloatArray] | None
    dtype: type[np.floating]
    keep: Keep

    def __call__(self, out: Mapping[str, FloatArray] | None = None,
                 executor: Executor | None = None,
                 finals: Mapping[str, FloatArray] | None = None) -> BlockResult:
        """Simulate the block (writing trajectories into ``out``, outcomes into ``finals``).

        With ``executor``, fused kernels may still be running: see :func:`run_block`.
        """
        return run_block(self.plan, self.seed, self.block, self.n, self.given, self.dtype,
                         self.keep, out, executor, finals)


def block_jobs(plan: Plan, seed: SeedLike, n_samples: int, *,
               given: Mapping[str, FloatArray] | None = None,
               dtype: type[np.floating] = np.float64, keep: Keep | None = None,
               block_size: int = BLOCK_SIZE) -> list[BlockJob]:
    """Split ``n_samples`` into blocks of ``block_size`` (the last may be shorter)."""
    jobs = []
    start = 0
    for block, size in _blocks(n_samples, block_size):
        part = {k: v[start:start + size] for k, v in given.items()} if given else None
        jobs.append(BlockJob(plan, seed, block, size, part, dtype, keep or Keep()))
        start += size
    return jobs


def _call_job(job: BlockJob) -> BlockResult:
    return job()


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
    outcomes: Sequence[str] | None = None,
    quantiles: Sequence[str] | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    block_size: int = BLOCK_SIZE,
    backend: Backend = "auto",
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
        Variables to keep as trajectories (default: the model's key outputs). Pass ``[]``
        to keep none (big ensembles: use ``outcomes`` and ``quantiles``).
    samples : mapping, optional
        Parameter values to use instead of drawing them (file units), each of length
        ``n_samples``; parameters not given are drawn as usual.
    processes : int
        Worker processes (1: in this process).
    dtype : numpy floating type
        Storage type of recorded trajectories (the model always computes in float64).
    progress : callable, optional
        Called as ``progress(done_samples, n_samples)`` after each block.
    outcomes : sequence of str, optional
        Variables whose value at the horizon is kept for every sample, as
        ``final_<name>`` with dims ``(policy, sample)``.
    quantiles : sequence of str, optional
        Variables whose per-time quantiles over samples are kept (streamed, within 0.4 %
        relative), as ``q_<name>`` with dims ``(policy, quantile, time)``.
    levels : sequence of float
        Quantile levels for ``quantiles``.
    block_size : int
        Samples per block. Part of the reproducibility contract: results depend on it
        (they do not depend on ``processes``).
    backend : {"auto", "numba", "numpy"}
        Kernel implementation (results are identical; "auto" uses Numba when installed).

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
    from detente.kernels._backend import resolve_backend
    from detente.results import Results
    from detente.scenario.loading import load_scenario

    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if n_samples <= 0:
        raise InputError(f"--samples must be a positive integer, found {n_samples}")
    if processes <= 0:
        raise InputError(f"--processes must be a positive integer, found {processes}")
    if block_size <= 0:
        raise InputError(f"block_size must be a positive integer, found {block_size}")
    resolve_backend(backend)
    plan = compile_plan(scenario, policies=policies, horizon=horizon, record=record)
    keep = make_keep(plan, outcomes, quantiles, backend)
    given = _check_samples(plan, samples, n_samples)
    jobs = block_jobs(plan, seed, n_samples, given=given or None, dtype=dtype, keep=keep,
                      block_size=block_size)
    n_t = plan.n_steps + 1
    n_p = len(plan.policies)
    # every block writes its slice of these (in place, or copied from a worker process)
    full = {v: np.empty((n_p, n_t, n_samples), dtype=dtype) for v in plan.record}
    finals = {v: np.empty((n_p, n_samples)) for v in keep.outcomes}
    starts = np.cumsum([0] + [j.n for j in jobs])
    results: list[BlockResult] = []
    done = 0

    def collect(res: BlockResult, copy: bool) -> None:
        nonlocal done
        a, b = starts[res.block], starts[res.block] + res.n
        if copy:
            for v, arr in res.trajectories.items():
                full[v][:, :, a:b] = arr
            for v, arr in res.finals.items():
                finals[v][:, a:b] = arr
        res.trajectories = {}
        res.finals = {}
        results.append(res)
        done += res.n
        if progress:
            progress(done, n_samples)

    def assemble(blocks: Sequence[BlockResult]) -> xr.Dataset:
        return assemble_blocks(plan, blocks, full, finals=finals, seed=seed, keep=keep,
                               levels=levels, block_size=block_size)

    if processes > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            for res in pool.map(_call_job, jobs):
                collect(res, copy=True)
        return Results(assemble(results), scenario=plan.scenario)

    def run_in_place(job: BlockJob, executor: Executor | None = None) -> BlockResult:
        a, b = starts[job.block], starts[job.block] + job.n
        return job({v: arr[:, :, a:b] for v, arr in full.items()}, executor,
                   {v: arr[:, a:b] for v, arr in finals.items()})

    threads = _kernel_threads(plan, keep, len(jobs))
    if threads == 1:
        for job in jobs:
            collect(run_in_place(job), copy=False)
        return Results(assemble(results), scenario=plan.scenario)
    # Fused Numba kernels release the GIL: this thread does each block's interpreter work
    # and worker threads run the kernels side by side. The kernels write into arrays that
    # already exist, so the dataset can be built around them while they run; it is returned
    # only once they have finished.
    # blocks prepared ahead of the threads hold their temporaries (parameters, and float64
    # histogram buffers for the tracked variables): as many as fit in a fixed budget
    per_block = 8 * jobs[0].n * (len(plan.scenario.parameters) + len(keep.quantiles) * n_p * n_t)
    ahead = max(2 * threads, _AHEAD_BYTES // per_block)
    running: list[BlockResult] = []
    with ThreadPoolExecutor(max_workers=threads) as tpool:
        for job in jobs:
            while running and (running[0].done() or len(running) >= ahead):
                collect(running.pop(0).wait(), copy=False)
            running.append(run_in_place(job, tpool))
        early = None if keep.quantiles else assemble([*results, *running])
        for res in running:
            collect(res.wait(), copy=False)
    if early is not None and not _holds(early, full, finals):
        early = None  # the dataset copied an array before the kernels had filled it
    ds = early if early is not None else assemble(results)
    return Results(ds, scenario=plan.scenario)


def _holds(ds: xr.Dataset, full: Mapping[str, FloatArray],
           finals: Mapping[str, FloatArray]) -> bool:
    """Whether ``ds`` holds these very arrays (xarray wraps NumPy data without copying)."""
    pairs = [*((ds[v].variable.data, a) for v, a in full.items()),
             *((ds[f"final_{v}"].variable.data, a) for v, a in finals.items())]
    return all(isinstance(d, np.ndarray) and np.may_share_memory(d, a) for d, a in pairs)


def _kernel_threads(plan: Plan, keep: Keep, n_jobs: int) -> int:
    """Threads for in-process blocks: >1 only when a GIL-free fused kernel does the work."""
    import os

    from detente.kernels._backend import resolve_backend

    if n_jobs < 2 or resolve_backend(keep.backend) != "numba" or _fused_for(plan, keep) is None:
        return 1
    return max(1, min(os.cpu_count() or 1, n_jobs, 8))


def make_keep(plan: Plan, outcomes: Sequence[str] | None, quantiles: Sequence[str] | None,
              backend: Backend = "auto") -> Keep:
    """Check ``outcomes`` and ``quantiles`` against the model's variables; build a Keep."""
    names = [v.name for m in plan.modules for v in m.variables]
    for label, values in (("outcome", outcomes), ("quantile", quantiles)):
        bad = [v for v in values or () if v not in names]
        if bad:
            raise InputError(f"cannot keep {label}s of unknown variable(s) {', '.join(bad)}; "
                             f"the model has: {', '.join(names)}")
    return Keep(tuple(dict.fromkeys(outcomes or ())), tuple(dict.fromkeys(quantiles or ())),
                backend)


def merge_sketches(plan: Plan, blocks: Iterable[BlockResult]) -> QuantileSketch:
    """Sum the blocks' histograms (order does not matter: counts are integers)."""
    from detente.kernels.sketch import QuantileSketch

    total = QuantileSketch(len(plan.policies), plan.n_steps + 1)
    for b in blocks:
        if b.sketch is not None:
            total.merge(b.sketch)
    return total


def assemble_blocks(plan: Plan, blocks: Sequence[BlockResult], full: Mapping[str, FloatArray],
                    *, seed: SeedLike, keep: Keep, levels: Sequence[float],
                    block_size: int = BLOCK_SIZE,
                    finals: Mapping[str, FloatArray] | None = None) -> xr.Dataset:
    """Build the results dataset from block results and the full trajectory arrays.

    This is the one place the results layout (see :mod:`detente.results`) is built;
    ``full`` maps each recorded variable to its ``(policy, time, sample)`` array, written in
    place by the blocks, so it is not copied again; ``finals``, when given, likewise maps
    each outcome to its ``(policy, sample)`` array (else the blocks' outcomes are joined).
    Outcomes (``final_<name>``) and quantiles (``q_<name>``) follow the parameters and
    events.
    """
    import xarray as xr

    from detente.results import _seed_attr, scenario_hash

    blocks = sorted(blocks, key=lambda b: b.block)
    sc = plan.scenario
    n = sum(b.n for b in blocks)
    dates = sc.time.dates64(plan.n_steps)
    steps = np.arange(plan.n_steps + 1)
    months = steps * sc.time.step_days / DAYS_PER_MONTH
    specs = {v.name: v for m in plan.modules for v in m.variables}
    # (dims, data, attrs) tuples: xarray builds each variable once (a Variable is copied)
    data: dict[str, tuple[Any, ...]] = {}
    for var in plan.record:
        spec = specs[var]
        data[var] = (("policy", "sample", "time"), full[var].transpose(0, 2, 1),
                     {"units": spec.unit, "description": spec.description})
    for name, par in sc.parameters.items():
        arr = np.concatenate([b.params[name] for b in blocks])
        data[f"param_{name}"] = (("sample",), arr, {"units": par.unit, "source": par.source,
                                                    "uncertain": int(par.is_uncertain)})
    for name in plan.events:
        arr = np.concatenate([b.events[name] for b in blocks])
        data[f"event_{name}"] = (("sample",), arr,
                                 {"description": plan.events[name].description})
    for var in keep.outcomes:
        spec = specs[var]
        arr = (finals[var] if finals is not None
               else np.concatenate([b.finals[var] for b in blocks], axis=1))
        data[f"final_{var}"] = (("policy", "sample"), arr,
                                {"units": spec.unit,
                                 "description": f"{spec.description} At the horizon."})
    coords: dict[str, Any] = {
        "policy": np.array(plan.policies, dtype=object),
        "sample": np.arange(n),
        "time": dates,
        "step": ("time", steps),
        "month": ("time", months),
    }
    if keep.quantiles:
        sketch = merge_sketches(plan, blocks)
        coords["quantile"] = np.asarray(levels, dtype=np.float64)
        for var in keep.quantiles:
            spec = specs[var]
            data[f"q_{var}"] = (("policy", "quantile", "time"), sketch.quantiles(var, levels),
                                {"units": spec.unit,
                                 "description": f"{spec.description} Quantiles over samples."})
    return xr.Dataset(
        data,
        coords=coords,
        attrs={
            "scenario": sc.name,
            "scenario_title": sc.title,
            "scenario_hash": scenario_hash(sc),
            "seed": _seed_attr(seed),
            "detente_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "block_size": block_size,
            "step_days": sc.time.step_days,
            "start": sc.time.start.isoformat(),
            "n_samples": n,
        },
    )


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

