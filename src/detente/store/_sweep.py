"""Sweeps: a scenario's ensemble written block by block into a run store, resumable."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from detente.engine import (
    BLOCK_SIZE,
    DEFAULT_LEVELS,
    Backend,
    Plan,
    block_jobs,
    compile_plan,
    execute,
    make_keep,
    parse_scheduler,
    resolve_backend,
)
from detente.errors import InputError
from detente.results import scenario_hash
from detente.results.dataset import key_outputs
from detente.scenario.loading import load_scenario
from detente.store import _catalog
from detente.store._run import Run, RunStore, make_manifest, now

if TYPE_CHECKING:
    from detente.engine import BlockJob
    from detente.scenario.schema import Scenario


def _default_vars(plan: Plan, which: Sequence[str] | None) -> tuple[str, ...]:
    if which is not None:
        return tuple(which)
    key = key_outputs(plan.variables)
    return tuple(key or [v.name for v in plan.variables.values() if v.record])


def _new_id(name: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return f"{name}-{stamp}-{secrets.token_hex(3)}"


def sweep(
    scenario: Scenario | str | None = None,
    *,
    out: str | os.PathLike[str],
    n_samples: int | None = None,
    seed: int = 0,
    policies: Sequence[str] | None = None,
    horizon: int | None = None,
    record: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
    quantiles: Sequence[str] | None = None,
    levels: Sequence[float] | None = None,
    block_size: int | None = None,
    dtype: str = "float64",
    scheduler: str = "local",
    workers: int | None = None,
    resume: str | None = None,
    backend: Backend = "auto",
    progress: Callable[[int, int], None] | None = None,
    checkpoint_every: float = 30.0,
) -> Run:
    """Run an ensemble into a run store, block by block; or resume an interrupted one.

    Parameters
    ----------
    scenario : Scenario, str or None
        Scenario (object, built-in name or file). With ``resume`` it may be omitted (the run
        keeps its scenario); if given it must be the same (same hash).
    out : path
        The run store's folder (created when new).
    n_samples : int
        Samples (required for a new run).
    seed : int
        Root seed.
    policies, horizon
        As for :func:`detente.simulate`.
    record : sequence of str
        Variables whose full trajectories are kept (Zarr). Default: none. What one side or
        supporter owns is kept for every owner (as :func:`detente.simulate` keeps it), and
        so are ``outcomes`` and ``quantiles``.
    outcomes : sequence of str, optional
        Variables whose value at the horizon is kept per sample (Parquet). Default: the
        key outputs the model has.
    quantiles : sequence of str, optional
        Variables whose per-time quantiles are kept (streamed). Default: as ``outcomes``.
    levels : sequence of float, optional
        Quantile levels (default :data:`detente.engine.DEFAULT_LEVELS`).
    block_size : int, optional
        Samples per block (default :data:`detente.engine.BLOCK_SIZE`); recorded in the run.
    dtype : {"float64", "float32"}
        Storage type of recorded trajectories.
    scheduler : str
        ``local`` (this process), ``processes`` (a local process pool of ``workers``),
        ``dask`` (a Dask ``LocalCluster`` for this run) or a Dask scheduler address.
    workers : int, optional
        Processes for ``processes`` and ``dask`` (default: one per core).
    resume : str, optional
        Id of an interrupted run in ``out`` to complete.
    backend : {"auto", "numba", "numpy"}
        Kernel implementation (results are identical).
    progress : callable, optional
        Called as ``progress(samples_done, n_samples)`` after each committed block.
    checkpoint_every : float
        Seconds between checkpoints of the summed quantile histograms and of the
        catalogue's progress (each block's own histograms are kept with it, so a resume
        never recomputes a committed block whatever this is).

    Returns
    -------
    Run
        The completed run.

    Raises
    ------
    InputError
        For bad arguments, a damaged run (resume it after ``detente runs verify --repair``)
        and a failure to write (a full disk, say): the blocks committed so far are kept and
        the message says how to resume.
    """
    scheduler = parse_scheduler(scheduler)
    resolve_backend(backend)
    if dtype not in ("float64", "float32"):
        raise InputError(f"dtype must be float64 or float32, found {dtype!r}")
    if resume is not None:
        store = RunStore(out)
        run = store.run(resume)
        run.check()
        m = run.manifest
        sc = load_scenario(run.path / "scenario.yaml")
        if scenario_hash(sc) != m["scenario_hash"]:
            raise InputError(f"{run.path / 'scenario.yaml'}: does not match the run's scenario "
                             "hash; the run folder was modified")
        if scenario is not None:
            given = load_scenario(scenario) if isinstance(scenario, str) else scenario
            if scenario_hash(given) != m["scenario_hash"]:
                raise InputError(f"run {resume} was made with another version of scenario "
                                 f"'{m['scenario']}' (hash {m['scenario_hash']}); omit the "
                                 "scenario to resume with the run's own copy")
        if n_samples is not None and n_samples != m["n_samples"]:
            raise InputError(f"run {resume} has {m['n_samples']} samples; n_samples = "
                             f"{n_samples} does not match")
        plan = compile_plan(sc, policies=m["policies"], horizon=m["n_steps"],
                            record=m["record"])
        keep = make_keep(plan, m["outcomes"], m["quantiles"], backend)
    else:
        if scenario is None:
            raise InputError("name a scenario (or the run to resume)")
        if n_samples is None or n_samples <= 0:
            raise InputError(f"n_samples must be a positive integer, found {n_samples}")
        bs = BLOCK_SIZE if block_size is None else block_size
        if bs <= 0:
            raise InputError(f"block_size must be a positive integer, found {bs}")
        sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
        plan = compile_plan(sc, policies=policies, horizon=horizon, record=record)
        keep = make_keep(plan, _default_vars(plan, outcomes), _default_vars(plan, quantiles),
                         backend)
        store = RunStore(out, create=True)
        sample_params = list(sc.table.uncertain)
        m = make_manifest(_new_id(sc.name), scenario=sc, plan=plan, seed=seed,
                          n_samples=n_samples, block_size=bs, record=plan.record,
                          outcomes=keep.outcomes, quantiles=keep.quantiles,
                          levels=levels if levels is not None else DEFAULT_LEVELS,
                          dtype=dtype, sample_params=sample_params)
        from detente.scenario.saving import save_scenario, scenario_yaml

        # the run keeps its scenario and, for a calibrated one, the draws it samples from
        run = store.new_run(m, scenario_yaml(sc))
        if sc.draws is not None:
            save_scenario(sc, run.path / "scenario.yaml")
        run.create_arrays(m)
        _catalog.upsert(store.path, store.catalog_row(run))
    jobs = block_jobs(plan, int(m["seed"]), int(m["n_samples"]), keep=keep,
                      dtype=np.dtype(m["dtype"]).type, block_size=int(m["block_size"]))
    starts = np.cumsum([0] + [j.n for j in jobs])
    _write(run, store, m, jobs, starts, tracked=bool(keep.quantiles), scheduler=scheduler,
           workers=workers, progress=progress, checkpoint_every=checkpoint_every)
    return run


def repair(
    store: str | os.PathLike[str],
    run_id: str,
    *,
    scheduler: str = "local",
    workers: int | None = None,
    backend: Backend = "auto",
) -> list[int]:
    """Recompute exactly the damaged blocks of a run; return them (empty when it is sound).

    The damaged blocks' files are deleted and the blocks simulated again from their random
    streams, keyed by (seed, block): the repaired run is bit-identical to an undamaged one.
    Blocks that were never committed stay so (complete the run with ``sweep(resume=...)``).

    Raises
    ------
    InputError
        For damage a recomputation cannot repair (the run's manifest or scenario), and for
        a failure to write.
    """
    scheduler = parse_scheduler(scheduler)
    resolve_backend(backend)
    st = RunStore(store)
    run = st.run(run_id)
    found = run.inspect()
    if not found:
        return []
    blocks = run.discard(found)
    run.check()  # what is left must now be sound
    m = run.manifest
    sc = load_scenario(run.path / "scenario.yaml")
    plan = compile_plan(sc, policies=m["policies"], horizon=m["n_steps"], record=m["record"])
    keep = make_keep(plan, m["outcomes"], m["quantiles"], backend)
    jobs = block_jobs(plan, int(m["seed"]), int(m["n_samples"]), keep=keep,
                      dtype=np.dtype(m["dtype"]).type, block_size=int(m["block_size"]))
    starts = np.cumsum([0] + [j.n for j in jobs])
    was_complete = run.status()["status"] == "complete"
    # a complete run is completed again (its quantiles rewritten); an interrupted one gets
    # back its damaged blocks only, and stays interrupted
    targets = None if was_complete else set(blocks)
    _write(run, st, m, jobs, starts, tracked=bool(keep.quantiles), scheduler=scheduler,
           workers=workers, progress=None, checkpoint_every=30.0, only=targets)
    return blocks


def _write(run: Run, store: RunStore, m: Mapping[str, Any], jobs: Sequence[BlockJob],
           starts: NDArray[np.int64], **kw: Any) -> None:
    try:
        _complete(run, store, m, jobs, starts, **kw)
    except OSError as exc:  # a full disk, a lost mount: what is committed stays committed
        raise InputError(
            f"{exc.filename or run.path}: cannot write run {run.id} "
            f"({exc.strerror or exc}). The blocks committed so far are kept and checked: "
            f"free some space (or fix the folder) and resume with `detente sweep --resume "
            f"{run.id} --out {store.path}`.") from exc


def _complete(run: Run, store: RunStore, m: Mapping[str, Any], jobs: Sequence[BlockJob],
              starts: NDArray[np.int64], *, tracked: bool, scheduler: str, workers: int | None,
              progress: Callable[[int, int], None] | None, checkpoint_every: float,
              only: set[int] | None = None) -> None:
    """Simulate and commit the blocks of ``run`` not yet committed, then finish it.

    With ``only``, just those blocks, and the run is finished only if it is then whole.
    """
    done = run.committed()
    n_policies, n_times = len(m["policies"]), int(m["n_steps"]) + 1
    sketch, counted = run.load_sketch(n_policies, n_times)
    # committed blocks are never recomputed (their histograms are read back), except in a
    # run written before blocks kept their histograms
    queued = [j for j in jobs if j.block not in done or (tracked and j.block not in counted)]
    if only is not None:
        queued = [j for j in queued if j.block in only]
    run.set_status("running")
    n_total = int(m["n_samples"])
    samples_done = sum(j.n for j in jobs if j.block in done)
    last = time.monotonic()
    for res in execute(queued, scheduler=scheduler, workers=workers):
        if res.block not in done:
            run.commit_block(res, int(starts[res.block]), m)
            done.add(res.block)
            samples_done += res.n
        if tracked and res.block not in counted and res.sketch is not None:
            sketch.merge(res.sketch)
            counted.add(res.block)
        if progress is not None:
            progress(samples_done, n_total)
        if time.monotonic() - last > checkpoint_every:
            if tracked:
                run.save_sketch(sketch, counted)
            _catalog.update_progress(store.path, run.id, len(done), "running", now())
            last = time.monotonic()
    if len(done) < len(jobs):
        if tracked:
            run.save_sketch(sketch, counted)
        run.set_status("interrupted")
        _catalog.upsert(store.path, store.catalog_row(run))
        return
    if tracked:
        run.save_sketch(sketch, counted)
        run.write_quantiles(sketch, m)
    run.set_status("complete")
    _catalog.upsert(store.path, store.catalog_row(run))
