"""Running blocks on a Dask cluster (the ``[distributed]`` extra).

Blocks are independent and their random streams are keyed by ``(seed, block)``, so a block
computes the same numbers on any worker: a sweep on a cluster is bit-identical to a serial
one. Workers only compute; the process that called the sweep receives each block's result
and writes the store, so workers need no access to the store's file system.

Pointing a sweep at a real cluster (see ``docs/scale.md``)::

    dask scheduler                                  # on the scheduler host: tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 1        # on each worker host, detente installed
    detente sweep ukraine-2023 --samples 1000000 --out runs/ --scheduler tcp://HOST:8786

A ``LocalCluster`` must be created under ``if __name__ == "__main__":`` in scripts (its worker
processes re-import the main module).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.engine import BlockJob, BlockResult


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
    import os

    try:
        client = dist.Client(address, timeout=os.environ.get("DETENTE_DASK_TIMEOUT", "20s"))
    except OSError as exc:
        from detente.errors import InputError

        raise InputError(f"--scheduler {address}: cannot reach a Dask scheduler there "
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


__all__ = ["dask_client", "run_blocks_dask"]
