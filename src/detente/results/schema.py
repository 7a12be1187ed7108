"""The results dataset's schema: dimension names, variable names and run attributes.

Layout of a results dataset (built by :mod:`detente.engine.record`):

* model variables with dims ``(policy, sample, time)``, attrs ``units`` and ``description``;
* ``param_<name>`` with dim ``sample``: each sample's parameter value, in the file's unit;
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
    from detente.scenario.schema import Scenario

__all__ = [
    "EVENT_PREFIX", "FINAL_PREFIX", "KEY_OUTPUTS", "OUTCOME_DIMS", "PARAM_PREFIX", "POLICY",
    "QUANTILE", "QUANTILE_DIMS", "QUANTILE_PREFIX", "SAMPLE", "TIME", "TRAJECTORY_DIMS",
    "event_var", "final_var", "param_var", "quantile_var", "scenario_hash", "seed_attr",
    "split_name",
]

POLICY = "policy"
SAMPLE = "sample"
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

#: Variables shown in terminal tables, in order (those a scenario's model lacks are skipped).
KEY_OUTPUTS: tuple[str, ...] = (
    "combat_power_ratio", "ua_personnel", "ru_personnel", "ua_shells", "ru_shells",
    "territory_ru_km2", "territory_ru_pct", "ua_casualties_cum", "ru_casualties_cum",
    "refugees_abroad", "reconstruction_cum", "viability", "ru_inflation",
)


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
