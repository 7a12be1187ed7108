"""Run an external sampling design (Saltelli, Morris) with common random numbers per group.

Sobol and Morris estimators compare model runs that differ in one parameter. Where the
model also draws chance (per-step shocks, chance events), comparing rows that were given
different noise adds that noise to every index. :func:`run_design` therefore simulates a
design in which consecutive groups of ``group`` rows (one Saltelli base row with its
``D + 2`` variants, or one Morris trajectory of ``D + 1`` points) share the same shocks
and the same uniform for every chance event; only the parameters differ inside a group.

The rows go through the engine's public seam (:func:`detente.engine.run_design`) with the
noise of :func:`detente.engine.design_noise` (the streams are defined, with every other
stream, in :mod:`detente.engine.streams`), so a design's results are reproducible from its
seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import FloatArray, SeedLike
from detente.errors import InputError
from detente.results import Results

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["run_design", "unit_to_file_units"]


def unit_to_file_units(scenario: Scenario, names: Sequence[str], u: FloatArray,
                       ) -> dict[str, FloatArray]:
    """Map unit-hypercube points to parameter values through each distribution's quantile.

    Parameters
    ----------
    scenario : Scenario
        The scenario whose parameters ``names`` are.
    names : sequence of str
        One name per column of ``u``.
    u : ndarray, shape (n, len(names))
        Points in [0, 1]; clipped away from 0 and 1 so unbounded distributions stay finite.
    """
    eps = np.finfo(np.float64).eps
    uu = np.clip(u, eps, 1.0 - eps)
    table = scenario.table
    return {name: table[name].distribution.sample(uu[:, j]) for j, name in enumerate(names)}


def run_design(
    scenario: Scenario,
    design: Mapping[str, FloatArray],
    *,
    group: int,
    seed: SeedLike = 0,
    policies: Sequence[str] | None = None,
    horizon: int | None = None,
    record: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    dtype: type[np.floating] = np.float64,
) -> Results:
    """Simulate the rows of a design, sharing noise within groups of ``group`` rows.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    design : mapping of str to ndarray
        Parameter values per row (file units), each of the same length, a multiple of
        ``group``; parameters not given keep their central value.
    group : int
        Rows per noise group (``D + 2`` for a Saltelli design without second-order
        indices, ``D + 1`` for Morris).
    seed : int, SeedSequence or None
        Root seed of the noise.
    policies, horizon, record
        As for :func:`detente.simulate`.
    progress : callable, optional
        Called as ``progress(rows_done, rows_total)``.
    dtype : numpy floating type
        Storage type of the recorded trajectories (the model itself runs in double
        precision): ``numpy.float32`` halves what a design holds.

    Returns
    -------
    Results
        One sample per design row, in design order.
    """
    # the engine (and its worker pools) loads when a design runs, not with detente.analysis
    from detente.engine import BlockResult, assemble, compile_plan, design_noise
    from detente.engine import run_design as run_rows
    from detente.engine.streams import ROWS_PER_CHUNK, seed_sequence

    plan = compile_plan(scenario, policies=policies, horizon=horizon, record=record)
    lengths = {len(v) for v in design.values()}
    if len(lengths) != 1:
        raise InputError("every design column must have the same length")
    n_rows = lengths.pop()
    if group <= 0 or n_rows % group:
        raise InputError(f"the design has {n_rows} rows, not a multiple of the group "
                         f"size {group}")
    unknown = [k for k in design if k not in plan.table]
    if unknown:
        raise InputError(f"the design names unknown parameters: {', '.join(unknown)}")
    root = seed_sequence(seed)
    groups_per_chunk = max(1, ROWS_PER_CHUNK // group)
    n_groups = n_rows // group
    central = plan.table.central()
    blocks: list[BlockResult] = []
    for chunk, g0 in enumerate(range(0, n_groups, groups_per_chunk)):
        g1 = min(n_groups, g0 + groups_per_chunk)
        r0, r1 = g0 * group, g1 * group
        n = r1 - r0
        file_params: dict[str, FloatArray] = {}
        for name, value in central.items():
            if name in design:
                file_params[name] = np.asarray(design[name][r0:r1], dtype=np.float64)
            else:
                file_params[name] = np.full(n, value, dtype=np.float64)
        noise = design_noise(plan, root, chunk, g1 - g0, group, file_params)
        blocks.append(run_rows(plan, file_params, noise=noise, block=chunk, dtype=dtype))
        if progress is not None:
            progress(r1, n_rows)
    return Results(assemble(plan, blocks, seed=seed))
