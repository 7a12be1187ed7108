"""The results dataset's schema: dimension names, variable names and run attributes.

Layout of a results dataset (built by :mod:`detente.engine.record`):

* model variables with dims ``(policy, sample, time)``, attrs ``units`` and ``description``;
  what each side owns (``blue.personnel`` in the model) is one variable (``personnel``)
  with a last dim ``side``, and likewise ``supporter`` and ``party`` (:data:`OWNER_DIMS`):
  coords ``side`` (ids) and ``side_name`` (display names) on it; :func:`select` reads the
  model's name (``select(ds, "final_blue.personnel")``) from either form;
* ``param_<name>`` with dim ``sample``: each sample's parameter value, in the file's unit
  (one variable per parameter, ``param_blue.personnel0`` too: units differ by file);
* ``event_<name>`` with dim ``sample``: whether a chance event happened in that sample;
* ``final_<name>`` with dims ``(policy, sample)``: a variable's value at the horizon;
* ``q_<name>`` with dims ``(policy, quantile, time)``: streamed per-time quantiles;
* coords ``policy`` (names), ``sample`` (0..n-1), ``time`` (dates), ``step`` and ``month``
  (months since the start, on the ``time`` dim), ``quantile`` (levels) with ``q_`` variables;
* attrs: scenario name, title and hash, seed, detente version, creation time, block size,
  step length in days, start date and number of samples.

Every other part of detente reads and writes these names through this module.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np

from detente._typing import SeedLike

if TYPE_CHECKING:
    import xarray as xr

    from detente.scenario.schema import Scenario

__all__ = [
    "EVENT_PREFIX", "FINAL_PREFIX", "KEY_OUTPUTS", "OUTCOME_DIMS", "OWNER_DIMS", "PARAM_PREFIX",
    "PARTY", "POLICY", "QUANTILE", "QUANTILE_DIMS", "QUANTILE_PREFIX", "SAMPLE", "SIDE",
    "SUPPORTER", "TIME", "TRAJECTORY_DIMS", "dataset_name", "event_var", "final_var", "has",
    "model_names", "name_dim", "param_var", "quantile_var", "scenario_hash", "seed_attr",
    "select", "split_name",
]

POLICY = "policy"
SAMPLE = "sample"
SIDE = "side"
SUPPORTER = "supporter"
PARTY = "party"
#: The dims of what a side, a supporter or a party to the talks owns, by the model's ``per``.
OWNER_DIMS: dict[str, str] = {"side": SIDE, "supporter": SUPPORTER, "party": PARTY}
TIME = "time"
QUANTILE = "quantile"
#: Dims of a recorded trajectory, of an outcome and of streamed quantiles.
TRAJECTORY_DIMS = (POLICY, SAMPLE, TIME)
OUTCOME_DIMS = (POLICY, SAMPLE)
QUANTILE_DIMS = (POLICY, QUANTILE, TIME)

PARAM_PREFIX = "param_"
EVENT_PREFIX = "event_"
FINAL_PREFIX = "final_"
QUANTILE_PREFIX = "q_"

#: Variables shown in terminal tables, in order, each for every side that has it (those a
#: scenario's model lacks are skipped): base names of what sides own, or plain names.
KEY_OUTPUTS: tuple[str, ...] = (
    "combat_power_ratio", "personnel", "shells", "territory", "territory_pct",
    "casualties_cum", "refugees_abroad", "reconstruction_cum", "viability", "inflation",
)


def name_dim(dim: str) -> str:
    """Return the coordinate of an owner dim that holds the display names (``side_name``)."""
    return f"{dim}_name"


def _owner_dim(ds: xr.Dataset, var: str, owner: str) -> str | None:
    """Return the owner dim of dataset variable ``var`` that has ``owner`` (None: none has)."""
    if var not in ds.data_vars:
        return None
    for dim in ds[var].dims:
        if dim in OWNER_DIMS.values() and owner in ds.indexes[dim]:
            return str(dim)
    return None


def dataset_name(ds: xr.Dataset, var: str) -> tuple[str, tuple[str, str] | None]:
    """Where the model's name ``var`` lives: the dataset variable and the (dim, owner).

    ``final_blue.personnel`` lives in ``final_personnel`` at ``side="blue"``; a name
    nobody owns (``war_intensity``), or one the dataset holds as it is, lives under itself.
    """
    _, name = split_name(var)
    owner, dot, base = name.partition(".")
    if not dot or var in ds.data_vars:
        return var, None
    stacked = var[:len(var) - len(name)] + base
    dim = _owner_dim(ds, stacked, owner)
    return (stacked, (dim, owner)) if dim is not None else (var, None)


def has(ds: xr.Dataset, var: str) -> bool:
    """Whether the dataset holds the model's name ``var`` (owned or not)."""
    stacked, at = dataset_name(ds, var)
    return stacked in ds.data_vars and (at is not None or stacked == var)


def select(ds: xr.Dataset, var: str) -> xr.DataArray:
    """Return the values of the model's name ``var`` (``blue.personnel``, ``final_...``, ...).

    Raises
    ------
    KeyError
        If the dataset does not hold it.
    """
    stacked, at = dataset_name(ds, var)
    if at is None:
        if var not in ds.data_vars:
            raise KeyError(var)
        return ds[var]
    dim, owner = at
    out = ds[stacked].sel({dim: owner}, drop=True)
    return out.drop_vars([c for c in out.coords if c == name_dim(dim)], errors="ignore")


def model_names(ds: xr.Dataset, kind: str = "model") -> list[str]:
    """Return the model's names of the dataset's variables of ``kind`` (owned ones per owner).

    ``kind`` is as :func:`split_name` gives it: ``"model"`` lists the trajectories,
    ``"final"`` the outcomes, and so on; each name is returned without its prefix.
    """
    out: list[str] = []
    for var, arr in ds.data_vars.items():
        k, name = split_name(str(var))
        if k != kind:
            continue
        dims = [d for d in arr.dims if d in OWNER_DIMS.values()]
        if not dims:
            out.append(name)
            continue
        out += [f"{owner}.{name}" for owner in ds.indexes[dims[0]]]
    return out


def param_var(name: str) -> str:
    """Dataset name of parameter ``name``'s per-sample values."""
    return PARAM_PREFIX + name


def event_var(name: str) -> str:
    """Dataset name of chance event ``name``'s per-sample occurrence."""
    return EVENT_PREFIX + name


def final_var(name: str) -> str:
    """Dataset name of variable ``name``'s value at the horizon."""
    return FINAL_PREFIX + name


def quantile_var(name: str) -> str:
    """Dataset name of variable ``name``'s streamed quantiles."""
    return QUANTILE_PREFIX + name


def split_name(var: str) -> tuple[str, str]:
    """``(kind, name)`` of a dataset variable: kind is param, event, final, q or model."""
    for kind, prefix in (("param", PARAM_PREFIX), ("event", EVENT_PREFIX),
                         ("final", FINAL_PREFIX), ("q", QUANTILE_PREFIX)):
        if var.startswith(prefix):
            return kind, var[len(prefix):]
    return "model", var


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON (first 16 hex digits)."""
    return hashlib.sha256(scenario.model_dump_json(by_alias=True).encode()).hexdigest()[:16]


def seed_attr(seed: SeedLike) -> str:
    """How a run's seed is written in its attributes."""
    if isinstance(seed, np.random.SeedSequence):
        return f"SeedSequence({seed.entropy}, spawn_key={seed.spawn_key})"
    return str(seed)
