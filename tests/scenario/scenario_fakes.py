"""Helpers for the scenario tests: a minimal valid scenario and a small fake module registry.

A uniquely named module (not ``conftest``) so that ``import`` finds it from any test file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from detente.errors import Problem, ScenarioError
from detente.model.base import Module, ParamSpec

MINIMAL = """\
schema_version: 1
name: mini
title: A minimal scenario
sources:
  isw: Institute for the Study of War, 2023
time:
  start: 2023-12-01
  step_days: 7
  horizon_steps: 104
sides:
  blue: {name: Blue}
  red: {name: Red}
modules: [military, economy]
parameters:
  blue.recruitment:
    value: 30000
    unit: persons/month
    source: fact:ua_mobilisation_request
  blue.share:
    dist: pert
    low: 10
    mode: 20
    high: 40
    unit: "%"
    source: ref:isw
  shell_use:
    dist: uniform
    low: 2
    high: 4
    unit: thousand rounds/day
    source: assumption
  red.growth:
    value: 3
    unit: "%/year"
    source: Rosstat 2023
  p_change:
    value: 0.5
    unit: fraction
    source: assumption
    note: a coin flip
events:
  election:
    date: 2024-11-05
    effective: 2025-01-20
    probability: p_change
    changes:
      - {param: blue.share, scale: 0.5}
policies:
  status_quo:
    description: Carry on.
  aid_surge:
    changes:
      - {param: shell_use, value: 5, unit: thousand rounds/day, from: 2024-03-01}
"""


def _init(p: object, n: int) -> dict[str, np.ndarray]:
    return {}


def _step(*args: object) -> dict[str, np.ndarray]:
    return {}


MILITARY = Module(
    name="military", description="fake military", variables=(), init=_init, step=_step,
    params=(
        ParamSpec("blue.recruitment", "persons/day", "Recruits joining per day.", 0.0, None),
        ParamSpec("blue.share", "fraction", "A share of something.", 0.0, 1.0),
        ParamSpec("shell_use", "rounds/day", "Shells fired per day.", 0.0, 1e5),
    ),
)
ECONOMY = Module(
    name="economy", description="fake economy", variables=(), init=_init, step=_step,
    params=(ParamSpec("red.growth", "fraction/day", "Real growth rate.", -0.01, 0.01),),
    requires=("military",),
)
POLITICS = Module(
    name="politics", description="fake politics", variables=(), init=_init, step=_step,
    params=(ParamSpec("elite_pressure", "index", "Elite pressure.", 0.0, 1.0),),
)
FAKE_MODULES: Mapping[str, Module] = {m.name: m for m in (MILITARY, ECONOMY, POLITICS)}


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    assert len(hits) >= nth, f"{needle!r} not in text"
    return hits[nth - 1]


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def find(err: ScenarioError, *, path: str | None = None, line: int | None = None,
         contains: tuple[str, ...] = ()) -> Problem:
    """The one problem matching ``path``/``line`` whose message has every ``contains``."""
    for p in err.problems:
        if path is not None and p.path != path:
            continue
        if line is not None and p.line != line:
            continue
        if all(c in p.message for c in contains):
            return p
    raise AssertionError(f"no problem with path={path!r} line={line!r} contains={contains!r} "
                         f"in:\n{err}")


Writer = Callable[..., Path]


def make_writer(folder: Path) -> Writer:
    """A function that writes text or bytes to a file in ``folder`` and returns its path."""

    def write(text: str | bytes, name: str = "scenario.yaml") -> Path:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
