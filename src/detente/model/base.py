"""The contract every model subsystem (module) fulfils.

A module is a named bundle of

* ``params``: the parameters it reads, each with the canonical unit the code uses
  (scenario files may use any convertible unit; the loader converts);
* ``variables``: the state variables and auxiliaries it owns and writes;
* ``shocks``: names of the uniform(0, 1) random draws it needs each step;
* ``init(p, n)``: initial values of all its variables;
* ``step(s, x, p, u, ctx)``: new values of all its variables for the next time point;
* ``check(parameters)`` (optional): cross-parameter checks the loader runs, e.g. weights
  that must sum to 1, returned as ``(dotted path, message)`` pairs.

The engine runs enabled modules in :data:`detente.model.MODULE_ORDER` every step:

.. code-block:: python

    x = {}
    for module in modules:
        x.update(module.step(s, x, p, u, ctx))   # s: state at t; x: this step so far
    s = {**s, **x}                                # state at t + dt

so a module reads the state at the start of the step from ``s`` (Euler, as Vensim) and
what earlier modules computed this step (e.g. strike hits) from ``x``. Step functions are
pure: arrays in, a new dict of arrays out, no I/O, no randomness except ``u``. Every array
has shape ``(n,)``, one row per sample; there are no Python loops over samples.

Canonical units: time is in days (rates are per day, ``ctx.dt`` is the step in days),
people in persons, munitions in rounds (or drones, missiles, interceptors), money in
USD bn, area in km2, shares as fractions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from detente._typing import FloatArray, Params, State


@dataclass(frozen=True)
class ParamSpec:
    """A parameter a module reads.

    Attributes
    ----------
    name : str
        Identifier used in scenario files (``snake_case``, prefixed by side: ``ua_``, ``ru_``,
        ``us_``, ``eu_``, or a subsystem prefix).
    unit : str
        Canonical unit the model code expects (see :mod:`detente.scenario.units`).
    description : str
        One sentence: what the number means.
    low, high : float or None
        Physically admissible range in the canonical unit (e.g. 0 and 1 for a share);
        the loader rejects values or distribution supports outside it.
    """

    name: str
    unit: str
    description: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class VariableSpec:
    """A variable a module owns (a stock or an auxiliary).

    Attributes
    ----------
    name : str
        Output name, e.g. ``ua_personnel`` or ``territory_ru_km2``.
    unit : str
        Unit of the recorded value.
    description : str
        One sentence: what it measures.
    kind : {"stock", "aux"}
        A stock integrates over time; an auxiliary is recomputed each step.
    record : bool
        Recorded in results by default.
    """

    name: str
    unit: str
    description: str
    kind: Literal["stock", "aux"] = "stock"
    record: bool = True


@dataclass(frozen=True)
class StepContext:
    """Where the engine is in time.

    Attributes
    ----------
    step : int
        Index of the step being taken (0 for the step from the start date).
    t : float
        Days since the scenario's start date at the beginning of the step.
    dt : float
        Step length in days.
    n : int
        Number of samples in the block.
    """

    step: int
    t: float
    dt: float
    n: int


InitFn = Callable[[Params, int], dict[str, FloatArray]]
#: Cross-parameter check of a scenario's parameters: returns (dotted path, message) pairs.
CheckFn = Callable[[Mapping[str, Any]], list[tuple[str, str]]]
StepFn = Callable[[State, State, Params, Mapping[str, FloatArray], StepContext],
                  dict[str, FloatArray]]


@dataclass(frozen=True)
class Module:
    """A model subsystem; see the module docstring for the contract."""

    name: str
    description: str
    params: tuple[ParamSpec, ...]
    variables: tuple[VariableSpec, ...]
    init: InitFn
    step: StepFn
    shocks: tuple[str, ...] = ()
    requires: tuple[str, ...] = field(default_factory=tuple)
    check: CheckFn | None = None
