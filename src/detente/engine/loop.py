"""The time loop: parameters and noise in, trajectories and outcomes out.

The public seam is :func:`run_design`: "run these parameters under this noise, under every
policy of the plan". Everything that simulates goes through it: :func:`run_block` (one
block of a Monte Carlo ensemble, with its parameters and noise from the block's streams),
the analyses' external designs, the run store and the tests. :func:`run_policy` is the
generic loop under one policy: every module's step, every step; it is :func:`run_modules`,
the one time loop, which also runs any set of coupled modules without a scenario (the model's
tests drive modules through it).

Where the structure of a plan and the parameter values allow it, a policy's run goes
through a compiled kernel (:mod:`detente.engine.compiled`) that computes the same
floating-point operations in the same order, so the results are bit-identical.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray, SeedLike
from detente.engine.compiled import compiled_run, fused_for
from detente.engine.invariants import InvariantError, Invariants
from detente.engine.plan import Overlay, Plan, active_at, effective
from detente.engine.record import BlockResult, Keep
from detente.engine.sketch import QuantileSketch
from detente.engine.streams import (
    BLOCK_SIZE,
    Noise,
    block_noise,
    block_parameters,
    blocks,
    constant_array,
    seed_sequence,
)
from detente.model import Couplings
from detente.model.base import StepContext

__all__ = ["BlockJob", "block_jobs", "canonical", "run_block", "run_design", "run_modules",
           "run_policy"]


def canonical(plan: Plan, file_params: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
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


def run_policy(plan: Plan, params: Mapping[str, FloatArray], overlays: tuple[Overlay, ...],
               events: Mapping[str, BoolArray], shocks: FloatArray, n: int,
               out: Mapping[str, FloatArray], *,
               inputs: Mapping[str, FloatArray] | None = None,
               invariants: Invariants | None = None) -> dict[str, FloatArray]:
    """Run the generic loop under one policy; return the final state.

    Parameters
    ----------
    plan : Plan
        From :func:`~detente.engine.compile_plan`.
    params : mapping
        Parameters in canonical units, each of shape ``(n,)``.
    overlays : tuple of Overlay
        The policy's overlays (``plan.overlays[policy]``).
    events : mapping
        Per sample: whether each event happened.
    shocks : ndarray, shape (n_steps, n_shocks, n)
        Uniform shocks in ``plan.shocks`` order.
    n : int
        Number of samples.
    out : mapping
        Variable -> array ``(n_steps + 1, n)`` that receives its trajectory.
    inputs : mapping, optional
        Values for variables no enabled module writes (see :func:`run_modules`).
    invariants : Invariants, optional
        The invariants checked after every step (default: those the plan's variables
        declare).
    """
    if invariants is None:
        invariants = Invariants.of(plan.variables.values())
    return run_modules(plan.couplings, params, n=n, n_steps=plan.n_steps, dt=plan.dt,
                       shocks=shocks, out=out, overlays=overlays, events=events,
                       inputs=inputs, invariants=invariants)


def run_modules(couplings: Couplings, params: Mapping[str, FloatArray], *, n: int,
                n_steps: int, dt: float, shocks: FloatArray, out: Mapping[str, FloatArray],
                overlays: tuple[Overlay, ...] = (),
                events: Mapping[str, BoolArray] | None = None,
                inputs: Mapping[str, FloatArray] | None = None,
                invariants: Invariants | None = None) -> dict[str, FloatArray]:
    """Run the time loop: every coupled module's ``init``, then its ``step``, every step.

    Parameters
    ----------
    couplings : Couplings
        The modules in step order (:func:`detente.model.couple`; a plan's
        ``plan.couplings``).
    params : mapping
        Parameters in canonical units, each of shape ``(n,)``.
    n : int
        Number of samples.
    n_steps : int
        Number of steps.
    dt : float
        Step length in days.
    shocks : ndarray, shape (n_steps, n_shocks, n)
        Uniform shocks in ``couplings.shocks`` order.
    out : mapping
        Variable -> array ``(n_steps + 1, n)`` that receives its trajectory.
    overlays : tuple of Overlay
        Parameter changes over ranges of steps (a policy's, from a plan).
    events : mapping, optional
        Per sample: whether each event the overlays depend on happened.
    inputs : mapping, optional
        Values, shape ``(n,)``, held over the run for variables the modules read and none
        of them writes (``couplings.free``), in place of the readers' neutral values.
    invariants : Invariants, optional
        Checked on the initial state and after every step (:mod:`detente.engine.invariants`);
        None: no check.

    Returns
    -------
    dict
        The state after the last step.

    Raises
    ------
    InvariantError
        If a state breaks an invariant: the first sample, variable and step that does.
    """
    happened = events or {}
    # steps at which the set of active overlays changes
    bounds = {o.start for o in overlays} | {o.stop for o in overlays}
    p = effective(params, active_at(overlays, 0), happened)
    run = couplings.stepper(n, inputs)
    s = run.init(p)
    start = s
    check = invariants.bind(p, start) if invariants is not None else None
    units = invariants.specs if invariants is not None else {}

    def stop_at(k: int) -> None:
        found = check(s, k) if check is not None else None
        if found is not None:
            spec = units.get(found.variable)
            raise InvariantError(found, unit=spec.unit if spec else "", step_days=dt)

    stop_at(-1)
    _write_row(out, s, 0)
    names = couplings.shocks
    for k in range(n_steps):
        if k in bounds and k > 0:
            p = effective(params, active_at(overlays, k), happened)
            if invariants is not None:  # a policy may switch a guard on or off
                check = invariants.bind(p, start)
        u = {name: shocks[k, j] for j, name in enumerate(names)}
        ctx = StepContext(step=k, t=k * dt, dt=dt, n=n)
        s = run.step(s, p, u, ctx)
        stop_at(k)
        _write_row(out, s, k + 1)
    return s


def _write_row(out: Mapping[str, FloatArray], state: Mapping[str, FloatArray], row: int
               ) -> None:
    """Write the state's recorded variables into row ``row`` of their trajectories.

    Trajectories kept in single precision take a double beyond its range as infinite (a
    ratio's stand-in for "no enemy power left" is the largest double), without a warning.
    """
    with np.errstate(over="ignore"):
        for v, arr in out.items():
            arr[row] = state[v]


def run_design(plan: Plan, params: Mapping[str, FloatArray], *, noise: Noise,
               keep: Keep | None = None, block: int = 0,
               dtype: type[np.floating] = np.float64,
               out: Mapping[str, FloatArray] | None = None,
               finals: Mapping[str, FloatArray] | None = None,
               executor: Executor | None = None,
               first_sample: int | None = None) -> BlockResult:
    """Simulate ``n`` samples with these parameters under this noise, under every policy.

    Parameters
    ----------
    plan : Plan
        From :func:`~detente.engine.compile_plan`.
    params : mapping
        Every scenario parameter's values in the scenario file's units, shape ``(n,)``.
    noise : Noise
        The samples' chance events and shocks (:mod:`detente.engine.streams`); each
        policy sees the events as it has them (:meth:`Noise.under
        <detente.engine.streams.Noise.under>`).
    keep : Keep, optional
        Outcomes and quantiles to keep, and the kernel backend.
    block : int
        Index recorded in the result (where the samples sit in a larger run).
    dtype : numpy floating type
        Storage type of the recorded trajectories.
    out : mapping, optional
        Variable -> array ``(policy, time, n)`` to write the recorded trajectories into
        (default: new arrays).
    finals : mapping, optional
        Variable -> array ``(policy, n)`` to write the outcomes into (default: new arrays).
    executor : Executor, optional
        Where to run the compiled kernels (which release the GIL). The Python work
        (resolving overlays, gathering inputs) is done here, in the calling thread; the runs
        themselves (every write to ``out`` and ``finals`` included) are submitted as one
        call, and the result is complete only after :meth:`BlockResult.wait`.
    first_sample : int, optional
        Index in the run of the block's first sample (named in an error).

    Returns
    -------
    BlockResult
        Trajectories ``(policy, time, n)`` of ``plan.record``, the parameters and events.

    Raises
    ------
    InvariantError
        If a policy's run produces a negative stock or a non-finite value (see
        :mod:`detente.engine.invariants`): the first sample, variable, step and date.
    """
    keep = keep or Keep()
    n = len(next(iter(params.values()))) if params else 0
    base = canonical(plan, params)
    n_t = plan.n_steps + 1
    n_p = len(plan.policies)
    traj = dict(out) if out is not None else {
        v: np.empty((n_p, n_t, n), dtype=dtype) for v in plan.record}
    result = BlockResult(block, n, traj, dict(params), dict(noise.events),
                         dict(finals) if finals is not None else
                         {v: np.empty((n_p, n)) for v in keep.outcomes})
    if keep.quantiles:
        result.sketch = QuantileSketch(n_p, n_t)
    fused = fused_for(plan, keep)
    invariants = Invariants.of(plan.variables.values())

    def prepared(ip: int, pol: str) -> tuple[Callable[[], Mapping[str, FloatArray]],
                                             Callable[[Mapping[str, FloatArray]], None]]:
        # policy ip's run, ready to call (the compiled kernel where it applies, else the
        # generic loop), and the call that stores its results
        rec = {v: a[ip] for v, a in traj.items()}
        # tracked variables are histogrammed from float64 values
        extra = {v: np.empty((n_t, n)) for v in keep.quantiles
                 if v not in rec or rec[v].dtype != np.float64}
        outputs = {**rec, **extra}
        overlays = plan.overlays[pol]
        happened = noise.under(plan, pol, params)  # the events as the policy has them
        generic = functools.partial(_generic_run, plan, base, overlays, happened, noise, n,
                                    outputs, invariants)
        run = compiled_run(plan, fused, base, overlays, happened, n, outputs, keep.backend)
        if run is not None:
            run = functools.partial(_checked_compiled, run, generic, invariants, base,
                                    outputs)
        checked = functools.partial(_located, run or generic, plan, pol, block,
                                    first_sample)
        return checked, functools.partial(_finish_policy, result, keep, ip, outputs)

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


def _generic_run(plan: Plan, base: Mapping[str, FloatArray], overlays: tuple[Overlay, ...],
                 happened: Mapping[str, BoolArray], noise: Noise, n: int,
                 out: Mapping[str, FloatArray], invariants: Invariants
                 ) -> dict[str, FloatArray]:
    return run_policy(plan, base, overlays, happened, noise.shocks, n, out,
                      invariants=invariants)


def _checked_compiled(run: Callable[[], dict[str, FloatArray]],
                      generic: Callable[[], dict[str, FloatArray]], invariants: Invariants,
                      base: Mapping[str, FloatArray], out: Mapping[str, FloatArray]
                      ) -> dict[str, FloatArray]:
    """Run a compiled kernel, then test its trajectories and final state as a whole.

    The kernel does not stop at a broken invariant; where its results break one, the
    generic loop (bit-identical, checked every step) reruns the policy and names the first
    sample, variable and step.
    """
    final = run()
    check = invariants.bind(base, {v: a[0] for v, a in out.items()} | final)
    if check.scan(final) or check.scan(out):
        return generic()  # the checked loop raises the located error
    return final


def _located(run: Callable[[], dict[str, FloatArray]], plan: Plan, policy: str, block: int,
             first_sample: int | None) -> dict[str, FloatArray]:
    """Run a policy; name its policy, sample and date in an invariant error."""
    try:
        return run()
    except InvariantError as exc:
        v = exc.violation
        start = plan.scenario.time.start
        date = start + datetime.timedelta(days=plan.dt * (v.step + 1))
        sample = None if first_sample is None else first_sample + v.row
        raise InvariantError(v, unit=exc.unit, sample=sample, block=block, policy=policy,
                             date=date, step_days=plan.dt) from None


def _finish_policy(result: BlockResult, keep: Keep, ip: int, traj: Mapping[str, FloatArray],
                   final: Mapping[str, FloatArray]) -> None:
    """Store policy ``ip``'s outcomes and add its tracked trajectories to the sketch."""
    for v in keep.outcomes:
        result.finals[v][ip] = final[v]
    if result.sketch is not None:
        for v in keep.quantiles:
            result.sketch.add_values(v, ip, traj[v], keep.backend)


def run_block(plan: Plan, seed: SeedLike, block: int, n: int,
              given: Mapping[str, FloatArray] | None = None,
              dtype: type[np.floating] = np.float64, keep: Keep | None = None,
              out: Mapping[str, FloatArray] | None = None,
              executor: Executor | None = None,
              finals: Mapping[str, FloatArray] | None = None,
              first_sample: int | None = None) -> BlockResult:
    """Simulate block ``block`` of ``n`` samples of an ensemble under every policy.

    The block's parameters and noise come from its streams (:mod:`detente.engine.streams`);
    ``given`` (file units) replaces drawn parameters. The other arguments are those of
    :func:`run_design`.
    """
    root = seed_sequence(seed)
    params = block_parameters(plan, root, block, n, given)
    noise = block_noise(plan, root, block, n, params)
    return run_design(plan, params, noise=noise, keep=keep, block=block, dtype=dtype,
                      out=out, finals=finals, executor=executor, first_sample=first_sample)


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
    first_sample: int | None = None  # the block's first sample in the run

    def __call__(self, out: Mapping[str, FloatArray] | None = None,
                 executor: Executor | None = None,
                 finals: Mapping[str, FloatArray] | None = None) -> BlockResult:
        """Simulate the block (writing trajectories into ``out``, outcomes into ``finals``).

        With ``executor``, compiled kernels may still be running: see :func:`run_design`.
        """
        return run_block(self.plan, self.seed, self.block, self.n, self.given, self.dtype,
                         self.keep, out, executor, finals, self.first_sample)


def block_jobs(plan: Plan, seed: SeedLike, n_samples: int, *,
               given: Mapping[str, FloatArray] | None = None,
               dtype: type[np.floating] = np.float64, keep: Keep | None = None,
               block_size: int = BLOCK_SIZE) -> list[BlockJob]:
    """Split ``n_samples`` into blocks of ``block_size`` (the last may be shorter)."""
    jobs = []
    start = 0
    for block, size in blocks(n_samples, block_size):
        part = {k: v[start:start + size] for k, v in given.items()} if given else None
        jobs.append(BlockJob(plan, seed, block, size, part, dtype, keep or Keep(), start))
        start += size
    return jobs
