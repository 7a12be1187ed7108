"""The engine: a scenario's plan run over blocks of samples, with reproducible streams.

* :mod:`~detente.engine.plan`: the compiled plan (modules, units, overlays per policy);
* :mod:`~detente.engine.streams`: the reproducibility contract (seeds, stream keys, block
  size, Latin hypercube, event draws, design noise);
* :mod:`~detente.engine.loop`: the time loop and its public seam, :func:`run_design`
  ("run these parameters under this noise") and :func:`run_policy`;
* :mod:`~detente.engine.compiled`: compiled kernels (Numba, or NumPy running the same code);
* :mod:`~detente.engine.executor`: the one executor (serial, threads, processes, Dask);
* :mod:`~detente.engine.record`: what a block and a run keep, and the results dataset's
  layout;
* :mod:`~detente.engine.sketch`: streaming quantiles;
* :mod:`~detente.engine.ensemble`: :func:`simulate`, an ensemble in memory.
"""

from __future__ import annotations

from detente.engine.backend import Backend, numba_available, resolve_backend
from detente.engine.ensemble import simulate
from detente.engine.executor import execute, parse_scheduler
from detente.engine.loop import (
    BlockJob,
    block_jobs,
    run_block,
    run_design,
    run_modules,
    run_policy,
)
from detente.engine.plan import Overlay, Plan, compile_plan
from detente.engine.record import (
    DEFAULT_LEVELS,
    BlockResult,
    Keep,
    assemble,
    assemble_blocks,
    make_keep,
)
from detente.engine.streams import BLOCK_SIZE, Noise, block_noise, design_noise

__all__ = [
    "BLOCK_SIZE", "DEFAULT_LEVELS", "Backend", "BlockJob", "BlockResult", "Keep", "Noise",
    "Overlay", "Plan", "assemble", "assemble_blocks", "block_jobs", "block_noise",
    "compile_plan", "design_noise", "execute", "make_keep", "numba_available",
    "parse_scheduler", "resolve_backend", "run_block", "run_design", "run_modules",
    "run_policy",
    "simulate",
]
