"""Run stores: sweeps written block by block (Zarr, Parquet), a DuckDB catalogue, resume.

Needs the ``[store]`` extra (zarr, pyarrow, duckdb).

>>> from detente.store import sweep, RunStore                     # doctest: +SKIP
>>> run = sweep("lanchester-bench", n_samples=100_000, out="runs")     # doctest: +SKIP
>>> RunStore("runs").list()                                        # doctest: +SKIP
>>> ds = run.to_dataset()                                          # doctest: +SKIP
"""

from __future__ import annotations

from detente.engine import parse_scheduler
from detente.store._run import Run, RunStore, outcome_column
from detente.store._sweep import repair, sweep

__all__ = ["Run", "RunStore", "open_run", "outcome_column", "parse_scheduler", "repair",
           "sweep"]


def open_run(store: str, run_id: str) -> Run:
    """Return the run ``run_id`` of the store at ``store`` (checked for damage when read)."""
    return RunStore(store).run(run_id)
