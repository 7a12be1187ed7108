"""What a run keeps, and the one place the results dataset is laid out.

Besides full trajectories (``plan.record``), a run can keep per-sample outcomes (each
variable's value at the horizon) and streaming per-time quantiles (from a mergeable
histogram, :class:`detente.engine.sketch.QuantileSketch`), so memory does not grow with
``n_samples`` x ``n_steps``. The variables' names and dimensions follow
:mod:`detente.results.schema`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._typing import BoolArray, FloatArray, SeedLike
from detente._version import __version__
from detente.engine.backend import Backend
from detente.engine.sketch import QuantileSketch
from detente.engine.streams import BLOCK_SIZE
from detente.errors import InputError
from detente.results import schema
from detente.results.dataset import gather_owned, with_every_owner
from detente.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    import xarray as xr

    from detente.engine.plan import Plan

__all__ = ["DEFAULT_LEVELS", "BlockResult", "Keep", "assemble", "assemble_blocks", "make_keep",
           "merge_sketches"]

#: Default quantile levels of streaming per-time quantiles.
DEFAULT_LEVELS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


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
    events: dict[str, BoolArray]  # (sample,) bool
    finals: dict[str, FloatArray] = field(default_factory=dict)  # variable -> (policy, sample)
    sketch: QuantileSketch | None = None
    pending: Future[None] | None = None  # kernels still running (see run_design's executor)

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
        Use compiled kernels where they apply (False: always the generic module loop; the
        results are the same, this exists to test that).
    """

    outcomes: tuple[str, ...] = ()
    quantiles: tuple[str, ...] = ()
    backend: Backend = "auto"
    fast_paths: bool = True


def make_keep(plan: Plan, outcomes: Sequence[str] | None, quantiles: Sequence[str] | None,
              backend: Backend = "auto") -> Keep:
    """Check ``outcomes`` and ``quantiles`` against the model's variables; build a Keep.

    What one owner has is kept for every owner (:func:`~detente.results.dataset.
    with_every_owner`): the dataset holds the owners' values along one dim.
    """
    names = list(plan.variables)
    for label, values in (("outcome", outcomes), ("quantile", quantiles)):
        bad = [v for v in values or () if v not in names]
        if bad:
            raise InputError(f"cannot keep {label}s of unknown variable(s) {', '.join(bad)}; "
                             f"the model has: {', '.join(names)}")
    return Keep(tuple(dict.fromkeys(with_every_owner(outcomes or (), names))),
                tuple(dict.fromkeys(with_every_owner(quantiles or (), names))), backend)


def merge_sketches(plan: Plan, blocks: Iterable[BlockResult]) -> QuantileSketch:
    """Sum the blocks' histograms (order does not matter: counts are integers)."""
    total = QuantileSketch(len(plan.policies), plan.n_steps + 1)
    for b in blocks:
        if b.sketch is not None:
            total.merge(b.sketch)
    return total


def assemble(plan: Plan, blocks: Sequence[BlockResult], *, seed: SeedLike,
             block_size: int = BLOCK_SIZE) -> xr.Dataset:
    """Stitch block results that carry their own trajectories into one dataset.

    The trajectories keep the blocks' storage type, and the blocks hand them over: each
    is moved into the dataset's arrays and dropped from its block (what owners have side
    by side is laid out once, by :func:`owned_buffers`), so a run's trajectories are held
    once, plus one variable's while it moves, never twice.
    """
    blocks = sorted(blocks, key=lambda b: b.block)
    n = sum(b.n for b in blocks)
    dtype = next((a.dtype for b in blocks for a in b.trajectories.values()),
                 np.dtype(np.float64))
    # untouched pages of np.empty take no memory: a buffer replaced below costs nothing
    full, stacked = owned_buffers(plan, plan.record,
                                  (len(plan.policies), plan.n_steps + 1, n), dtype)
    owned = {v for arr in stacked.values() for v in plan.record
             if np.may_share_memory(full[v], arr)}
    for var in plan.record:
        if len(blocks) == 1 and var not in owned:  # the whole run's already: not copied
            full[var] = blocks[0].trajectories.pop(var)
            continue
        start = 0
        for b in blocks:
            full[var][:, :, start:start + b.n] = b.trajectories.pop(var)
            start += b.n
    return assemble_blocks(plan, blocks, full, seed=seed, keep=Keep(), levels=DEFAULT_LEVELS,
                           block_size=block_size, stacked=stacked)


def owned_buffers(plan: Plan, names: Sequence[str], shape: tuple[int, ...], dtype: Any,
                  prefix: str = "") -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Allocate the arrays a run writes ``names`` into, owners' values side by side.

    Returns ``(buffers, stacked)``: ``buffers`` maps each name to a C-contiguous array of
    ``shape``; for what a side, supporter or party owns, each owner's buffer is a slice of
    one array, and ``stacked`` maps its dataset name (``prefix`` + base) to that array
    seen with the owner dim last, for :func:`~detente.results.dataset.gather_owned` to
    take as it is. An owner not in ``names`` is NaN there.
    """
    buffers: dict[str, FloatArray] = {}
    stacked: dict[str, FloatArray] = {}
    groups: dict[str, list[str]] = {}
    for name in names:
        spec = plan.variables[name]
        if spec.per is None or spec.owner is None:
            buffers[name] = np.empty(shape, dtype=dtype)
        else:
            groups.setdefault(spec.base, []).append(name)
    cast = plan.scenario.cast
    for base, members in groups.items():
        per = plan.variables[members[0]].per
        owners = cast.owners(per)
        block = np.empty((len(owners), *shape), dtype=dtype)
        mine = {plan.variables[m].owner: m for m in members}
        for j, owner in enumerate(owners):
            if owner in mine:
                buffers[mine[owner]] = block[j]
            else:
                block[j] = np.nan
        stacked[prefix + base] = np.moveaxis(block, 0, -1)
    return buffers, stacked


def assemble_blocks(plan: Plan, blocks: Sequence[BlockResult], full: Mapping[str, FloatArray],
                    *, seed: SeedLike, keep: Keep, levels: Sequence[float],
                    block_size: int = BLOCK_SIZE,
                    finals: Mapping[str, FloatArray] | None = None,
                    stacked: Mapping[str, FloatArray] | None = None) -> xr.Dataset:
    """Build the results dataset from block results and the full trajectory arrays.

    ``full`` maps each recorded variable to its ``(policy, time, sample)`` array, written in
    place by the blocks, so it is not copied again; ``finals``, when given, likewise maps
    each outcome to its ``(policy, sample)`` array (else the blocks' outcomes are joined).
    ``stacked`` holds, by dataset name, what owners' buffers are slices of
    (:func:`owned_buffers`, as ``(policy, time, sample, owner)`` and ``(policy, sample,
    owner)``), so that those are not copied either. Outcomes and quantiles follow the
    parameters and events.
    """
    import xarray as xr

    blocks = sorted(blocks, key=lambda b: b.block)
    sc = plan.scenario
    n = sum(b.n for b in blocks)
    dates = sc.time.dates64(plan.n_steps)
    steps = np.arange(plan.n_steps + 1)
    months = steps * sc.time.step_days / DAYS_PER_MONTH
    specs = plan.variables
    # xarray Variables wrap the arrays without copying them; what a side, supporter or party
    # owns is then gathered into one variable per base name (results.dataset.gather_owned)
    data: dict[str, xr.Variable] = {}
    for var in plan.record:
        spec = specs[var]
        data[var] = xr.Variable(schema.TRAJECTORY_DIMS, full[var].transpose(0, 2, 1),
                                {"units": spec.unit, "description": spec.description})
    for name, entry in plan.table.items():  # defaults included
        # one variable per parameter, even one a side owns: each is in its file's unit
        arr = np.concatenate([b.params[name] for b in blocks])
        data[schema.param_var(name)] = xr.Variable(
            (schema.SAMPLE,), arr,
            {"units": entry.unit, "source": entry.source,
             "uncertain": int(entry.distribution.is_uncertain)})
    for name in plan.events:
        arr = np.concatenate([b.events[name] for b in blocks])
        data[schema.event_var(name)] = xr.Variable(
            (schema.SAMPLE,), arr, {"description": plan.events[name].description})
    for var in keep.outcomes:
        spec = specs[var]
        arr = (finals[var] if finals is not None
               else np.concatenate([b.finals[var] for b in blocks], axis=1))
        data[schema.final_var(var)] = xr.Variable(
            schema.OUTCOME_DIMS, arr,
            {"units": spec.unit, "description": f"{spec.description} At the horizon."})
    coords: dict[str, Any] = {
        schema.POLICY: np.array(plan.policies, dtype=object),
        schema.SAMPLE: np.arange(n),
        schema.TIME: dates,
        "step": (schema.TIME, steps),
        "month": (schema.TIME, months),
    }
    if keep.quantiles:
        sketch = merge_sketches(plan, blocks)
        coords[schema.QUANTILE] = np.asarray(levels, dtype=np.float64)
        for var in keep.quantiles:
            spec = specs[var]
            data[schema.quantile_var(var)] = xr.Variable(
                schema.QUANTILE_DIMS, sketch.quantiles(var, levels),
                {"units": spec.unit,
                 "description": f"{spec.description} Quantiles over samples."})
    # the dataset's dims are (policy, sample, time, owner): a view of the (policy, time,
    # sample, owner) buffers
    ready = {name: np.swapaxes(arr, 1, 2) if arr.ndim == 4 else arr
             for name, arr in (stacked or {}).items()}
    laid = gather_owned(data, sc.cast, {name: spec.per for name, spec in specs.items()},
                        ready=ready)
    data = laid["data_vars"]
    coords.update(laid["coords"])
    return xr.Dataset(
        data,
        coords=coords,
        attrs={
            "scenario": sc.name,
            "scenario_title": sc.title,
            "scenario_hash": schema.scenario_hash(sc),
            "seed": schema.seed_attr(seed),
            "detente_version": __version__,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "block_size": block_size,
            "step_days": sc.time.step_days,
            "start": sc.time.start.isoformat(),
            "n_samples": n,
        },
    )
