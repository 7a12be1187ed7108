"""The one executor: blocks run serially, on threads, on processes or on a Dask cluster.

Blocks are independent and their random streams are keyed by ``(seed, block)``
(:mod:`detente.engine.streams`), so a block computes the same numbers wherever it runs:
every scheduler gives bit-identical results. :func:`execute` is used by
:func:`detente.simulate` and by sweeps alike.

Schedulers:

* ``"serial"``: in this process, one block after another;
* ``"threads"``: in this process; this thread does each block's interpreter work and worker
  threads run the compiled kernels, which release the GIL (only worth it when a compiled
  kernel does the work: :func:`kernel_threads`);
* ``"processes"``: a local pool of worker processes;
* ``"dask"`` (a ``LocalCluster`` for this run) or a scheduler address such as
  ``tcp://HOST:8786`` (the ``[distributed]`` extra). Workers only compute; the caller
  receives each block's result, so workers need no access to a run store's file system.

Pointing a sweep at a real cluster (see ``docs/scale.md``)::

    dask scheduler                                  # on the scheduler host: tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 1        # on each worker host, detente installed
    detente sweep lanchester-bench --samples 1000000 --out runs/ --scheduler tcp://HOST:8786

A ``LocalCluster`` must be created under ``if __name__ == "__main__":`` in scripts (its worker
processes re-import the main module).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from detente._typing import FloatArray
from detente.engine.backend import resolve_backend
from detente.engine.compiled import fused_for
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.engine.loop import BlockJob
    from detente.engine.plan import Plan
    from detente.engine.record import BlockResult, Keep

__all__ = ["SCHEDULERS", "Outputs", "dask_client", "execute", "kernel_threads",
           "parse_scheduler", "run_blocks_dask"]

#: Named schedulers (anything else must be a Dask scheduler address).
SCHEDULERS = ("serial", "threads", "processes", "dask")

#: Where a block run in this process writes: ``(trajectories, outcomes)`` arrays, or None.
Outputs = tuple[Mapping[str, FloatArray] | None, Mapping[str, FloatArray] | None]

#: Memory the threaded scheduler may spend on blocks prepared ahead of their kernels.
AHEAD_BYTES = 256 * 2**20
#: Most kernel threads the threaded scheduler starts.
MAX_THREADS = 8


def parse_scheduler(scheduler: str) -> str:
    """Validate a scheduler: one of :data:`SCHEDULERS`, ``local`` (serial) or an address."""
    s = scheduler.strip()
    if s == "local":
        return "serial"
    if s in SCHEDULERS or "://" in s or ":" in s:
        return s
    raise InputError(f"scheduler {scheduler!r}: expected serial, threads, processes, dask or "
                     "a Dask scheduler address such as tcp://HOST:8786")


def execute(jobs: Sequence[BlockJob], *, scheduler: str = "serial",
            workers: int | None = None,
            outputs: Callable[[BlockJob], Outputs] | None = None,
            on_all_submitted: Callable[[Sequence[BlockResult]], None] | None = None,
            ) -> Iterator[BlockResult]:
    """Run ``jobs``; yield each block's complete result as it finishes.

    Parameters
    ----------
    jobs : sequence of BlockJob
        The blocks (:func:`~detente.engine.block_jobs`).
    scheduler : str
        See the module docstring.
    workers : int, optional
        Threads, processes or local Dask workers (default: one per core).
    outputs : callable, optional
        For the in-process schedulers: the arrays each job writes into (default: its own
        new arrays). Results from other processes carry their own arrays.
    on_all_submitted : callable, optional
        Threads only: called once every job is submitted, with the results still in flight
        (their kernels may be running: their arrays fill up meanwhile).

    Yields
    ------
    BlockResult
        In completion order, which need not be block order.
    """
    if not jobs:
        return
    scheduler = parse_scheduler(scheduler)
    if scheduler == "serial":
        for job in jobs:
            out, finals = outputs(job) if outputs else (None, None)
            yield job(out, finals=finals)
    elif scheduler == "threads":
        yield from _threaded(jobs, workers or os.cpu_count() or 1, outputs, on_all_submitted)
    elif scheduler == "processes":
        n = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=n) as pool:
            yield from _windowed(pool, jobs, 2 * n)
    else:
        with dask_client(scheduler, workers) as client:
            yield from run_blocks_dask(client, jobs)


def kernel_threads(plan: Plan, keep: Keep, n_jobs: int) -> int:
    """Threads worth using in this process: >1 only when a GIL-free compiled kernel runs."""
    if n_jobs < 2 or resolve_backend(keep.backend) != "numba" or fused_for(plan, keep) is None:
        return 1
    return max(1, min(os.cpu_count() or 1, n_jobs, MAX_THREADS))


def _threaded(jobs: Sequence[BlockJob], threads: int,
              outputs: Callable[[BlockJob], Outputs] | None,
              on_all_submitted: Callable[[Sequence[BlockResult]], None] | None,
              ) -> Iterator[BlockResult]:
    # blocks prepared ahead of the threads hold their temporaries (parameters, and float64
    # histogram buffers for the tracked variables): as many as fit in a fixed budget
    first = jobs[0]
    n_p, n_t = len(first.plan.policies), first.plan.n_steps + 1
    per_block = 8 * first.n * (len(first.plan.table)
                               + len(first.keep.quantiles) * n_p * n_t)
    ahead = max(2 * threads, AHEAD_BYTES // max(per_block, 1))
    running: list[BlockResult] = []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for job in jobs:
            while running and (running[0].done() or len(running) >= ahead):
                yield running.pop(0).wait()
            out, finals = outputs(job) if outputs else (None, None)
            running.append(job(out, executor=pool, finals=finals))
        if on_all_submitted is not None:
            on_all_submitted(list(running))
        for res in running:
            yield res.wait()


def _call(job: BlockJob) -> BlockResult:
    return job()


def _windowed(pool: ProcessPoolExecutor, jobs: Sequence[BlockJob], window: int
              ) -> Iterator[BlockResult]:
    it = iter(jobs)
    pending: set[Future[BlockResult]] = set()
    for job in it:
        pending.add(pool.submit(_call, job))
        if len(pending) >= window:
            break
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            nxt = next(it, None)
            if nxt is not None:
                pending.add(pool.submit(_call, nxt))
            yield fut.result()


# --------------------------------------------------------------------------- Dask
def _distributed() -> Any:
    from detente._optional import import_optional

    return import_optional("distributed", extra="distributed", purpose="Running on Dask")


@contextmanager
def dask_client(address: str, workers: int | None = None) -> Iterator[Any]:
    """Yield a Dask client: a new ``LocalCluster`` for ``"dask"``, else one at ``address``.

    Parameters
    ----------
    address : str
        ``"dask"`` (start a local cluster of worker processes for this run) or a scheduler
        address such as ``tcp://10.0.0.5:8786`` (connection timeout: the environment
        variable ``DETENTE_DASK_TIMEOUT``, default ``20s``).
    workers : int, optional
        Worker processes of a local cluster (default: one per core).
    """
    dist = _distributed()
    if address == "dask":
        cluster = dist.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None)
        client = dist.Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = dist.Client(address, timeout=os.environ.get("DETENTE_DASK_TIMEOUT", "20s"))
    except OSError as exc:
        raise InputError(f"scheduler {address}: cannot reach a Dask scheduler there "
                         f"({exc})") from exc
    try:
        yield client
    finally:
        client.close()


def run_blocks_dask(client: Any, jobs: Sequence[BlockJob], *, window: int | None = None
                    ) -> Iterator[BlockResult]:
    """Run ``jobs`` on ``client``'s cluster; yield results as they finish (any order).

    At most ``window`` blocks are in flight (default: twice the cluster's threads), so
    results never pile up in memory.
    """
    dist = _distributed()
    if not jobs:
        return
    if window is None:
        threads = sum(client.nthreads().values()) or 1
        window = 2 * threads
    queued = list(jobs)
    pending = dist.as_completed()
    for job in queued[:window]:
        pending.add(client.submit(job, pure=False))
    nxt = min(window, len(queued))
    for fut in pending:
        res: BlockResult = fut.result()
        fut.release()
        if nxt < len(queued):
            pending.add(client.submit(queued[nxt], pure=False))
            nxt += 1
        yield res
