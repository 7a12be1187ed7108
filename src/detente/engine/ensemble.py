"""``simulate``: a Monte Carlo ensemble of a scenario under each policy, in memory."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.engine.backend import Backend, resolve_backend
from detente.engine.executor import execute, kernel_threads
from detente.engine.loop import BlockJob, block_jobs
from detente.engine.plan import Plan, compile_plan
from detente.engine.record import (
    DEFAULT_LEVELS,
    BlockResult,
    assemble_blocks,
    make_keep,
    owned_buffers,
)
from detente.engine.streams import BLOCK_SIZE
from detente.errors import InputError
from detente.results import Results, schema
from detente.scenario.loading import load_scenario

if TYPE_CHECKING:
    import xarray as xr

    from detente.scenario.schema import Scenario

__all__ = ["simulate"]


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
        to keep none (big ensembles: use ``outcomes`` and ``quantiles``). What one side or
        supporter owns is kept for every owner (``blue.personnel`` keeps
        ``red.personnel``): the results hold it along the owner dim. So are
        ``outcomes`` and ``quantiles``.
    samples : mapping, optional
        Parameter values to use instead of drawing them (file units), each of length
        ``n_samples``; parameters not given are drawn as usual.
    processes : int
        Worker processes (1: in this process; 0: one per core, at most one per block).
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
    >>> res = dt.simulate("lanchester-bench", n_samples=200, seed=1)  # doctest: +SKIP
    >>> res.ds.sizes["sample"]  # doctest: +SKIP
    200
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    for name, value in (("n_samples", n_samples), ("block_size", block_size)):
        if value <= 0:
            raise InputError(f"{name} must be a positive integer, found {value}")
    if processes < 0:
        raise InputError(f"processes must be a positive integer (or 0: one per core), "
                         f"found {processes}")
    resolve_backend(backend)
    plan = compile_plan(scenario, policies=policies, horizon=horizon, record=record)
    keep = make_keep(plan, outcomes, quantiles, backend)
    given = _check_samples(plan, samples, n_samples)
    jobs = block_jobs(plan, seed, n_samples, given=given or None, dtype=dtype, keep=keep,
                      block_size=block_size)
    n_t = plan.n_steps + 1
    n_p = len(plan.policies)
    # every block writes its slice of these (in place, or copied from a worker process)
    # (what the sides own side by side: the dataset wraps these arrays without a copy)
    full, stacked = owned_buffers(plan, plan.record, (n_p, n_t, n_samples), dtype)
    finals, stacked_finals = owned_buffers(plan, keep.outcomes, (n_p, n_samples), np.float64,
                                           prefix=schema.FINAL_PREFIX)
    stacked.update(stacked_finals)
    starts = np.cumsum([0] + [j.n for j in jobs])

    def in_place(job: BlockJob) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
        a, b = starts[job.block], starts[job.block] + job.n
        return ({v: arr[:, :, a:b] for v, arr in full.items()},
                {v: arr[:, a:b] for v, arr in finals.items()})

    def assemble(blocks: Sequence[BlockResult]) -> xr.Dataset:
        return assemble_blocks(plan, blocks, full, finals=finals, seed=seed, keep=keep,
                               levels=levels, block_size=block_size, stacked=stacked)

    if processes == 0:  # one per core, as the CLI's --processes 0
        processes = min(os.cpu_count() or 1, len(jobs))
    if processes > 1 and len(jobs) > 1:
        scheduler, workers = "processes", processes
    else:
        workers = kernel_threads(plan, keep, len(jobs))
        scheduler = "threads" if workers > 1 else "serial"
    # with threads the kernels write into arrays that already exist, so the dataset can be
    # built around them while the last ones run; it is returned only once they have finished
    early: list[xr.Dataset] = []
    results: list[BlockResult] = []

    def build_early(running: Sequence[BlockResult]) -> None:
        if not keep.quantiles:  # quantiles need every block's histogram
            early.append(assemble([*results, *running]))

    done = 0
    for res in execute(jobs, scheduler=scheduler, workers=workers, outputs=in_place,
                       on_all_submitted=build_early):
        if scheduler == "processes":  # results from another process carry their own arrays
            a, b = starts[res.block], starts[res.block] + res.n
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
    if early and _holds(early[0], full, finals):
        return Results(early[0], scenario=plan.scenario)
    return Results(assemble(results), scenario=plan.scenario)


def _holds(ds: xr.Dataset, full: Mapping[str, FloatArray],
           finals: Mapping[str, FloatArray]) -> bool:
    """Whether ``ds`` holds these very arrays (xarray wraps NumPy data without copying).

    What a side owns is gathered into one variable along an owner dim; where that copied
    the arrays, the dataset does not hold them (and is built again once every block is in).
    """
    pairs = [*((schema.select(ds, v).variable.data, a) for v, a in full.items()),
             *((schema.select(ds, schema.final_var(v)).variable.data, a)
               for v, a in finals.items())]
    return all(isinstance(d, np.ndarray) and np.may_share_memory(d, a) for d, a in pairs)


def _check_samples(plan: Plan, samples: Mapping[str, Sequence[float] | FloatArray] | None,
                   n: int) -> dict[str, FloatArray]:
    if not samples:
        return {}
    out: dict[str, FloatArray] = {}
    for name, values in samples.items():
        if name not in plan.table:
            raise InputError(f"samples name unknown parameter '{name}'")
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape != (n,):
            raise InputError(f"samples['{name}'] has shape {arr.shape}, expected ({n},)")
        out[name] = arr
    return out
