"""The compiled plan: a scenario resolved once into modules, units and overlays per policy.

Policies are overlays on the scenario: each change of a policy or of an event it can see
becomes an :class:`Overlay` that sets or scales one parameter over a range of steps, in
every sample or only where the event happened.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detente._typing import BoolArray, FloatArray
from detente.errors import InputError
from detente.model import Couplings, couple
from detente.model.base import Module, ParamSpec, VariableSpec
from detente.results.dataset import with_every_owner
from detente.scenario.schema import Change, Event, Scenario
from detente.scenario.table import ParameterTable

__all__ = [
    "Overlay", "Plan", "active_at", "compile_plan", "effective", "stretch_bounds",
]


@dataclass(frozen=True)
class Overlay:
    """One parameter change, resolved to steps and canonical units.

    Attributes
    ----------
    param : str
        The parameter changed.
    start, stop : int
        The change holds for steps ``start <= k < stop``.
    value : float or None
        New value, in the model's canonical unit (None: ``scale`` applies).
    scale : float or None
        Factor applied to the parameter's value.
    event : str or None
        The chance event the change depends on (None: every sample).
    """

    param: str
    start: int
    stop: int
    value: float | None
    scale: float | None
    event: str | None


@dataclass(frozen=True)
class Plan:
    """Everything the time loop needs, resolved once from a scenario.

    ``modules`` are in step order, and ``couplings`` says what each reads from whom
    (:func:`detente.model.couple`).
    """

    scenario: Scenario
    couplings: Couplings
    specs: Mapping[str, ParamSpec]
    table: ParameterTable  # each parameter's units, factor, bounds and distribution
    shocks: tuple[str, ...]
    record: tuple[str, ...]
    n_steps: int
    policies: tuple[str, ...]
    overlays: Mapping[str, tuple[Overlay, ...]]  # per policy
    events: Mapping[str, Event]  # every event any chosen policy can see, by name

    # read for every block: taken from the table once per plan
    @functools.cached_property
    def factors(self) -> Mapping[str, float]:
        """Factor from the file unit to the canonical unit, per parameter."""
        return self.table.factors

    @functools.cached_property
    def uncertain(self) -> tuple[str, ...]:
        """The parameters with a distribution, in file order."""
        return self.table.uncertain

    @functools.cached_property
    def constants(self) -> Mapping[str, float]:
        """The value of each parameter without a distribution, in its file unit."""
        return self.table.constants

    @property
    def modules(self) -> tuple[Module, ...]:
        """The enabled modules, in step order."""
        return self.couplings.modules

    @property
    def dt(self) -> float:
        """Step length in days."""
        return self.scenario.time.step_days

    @property
    def variables(self) -> dict[str, VariableSpec]:
        """Every variable the plan's modules own, by name, in step order."""
        return {v.name: v for m in self.modules for v in m.variables}


def compile_plan(
    scenario: Scenario,
    *,
    policies: Sequence[str] | None = None,
    horizon: int | None = None,
    record: Sequence[str] | None = None,
) -> Plan:
    """Resolve ``scenario`` into a :class:`Plan`: modules, units, overlays per policy.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    policies : sequence of str, optional
        Policies to run (default: all, in file order).
    horizon : int, optional
        Number of steps (default: the scenario's ``time.horizon_steps``).
    record : sequence of str, optional
        Variables to keep as full trajectories (default: those the modules mark ``record``);
        what one owner has is kept for every owner.

    Raises
    ------
    InputError
        An unknown policy or recorded variable, a bad horizon, or modules whose couplings do
        not fit (:func:`detente.model.couple`).
    """
    if horizon is not None:
        if horizon <= 0:
            raise InputError(f"the horizon must be a positive number of steps, found {horizon}")
        scenario = scenario.with_horizon(horizon)
    chosen = tuple(policies) if policies else tuple(scenario.policies)
    unknown = [p for p in chosen if p not in scenario.policies]
    if unknown:
        raise InputError(
            f"unknown polic{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
            f"scenario '{scenario.name}' defines: {', '.join(scenario.policies)}"
        )
    couplings = couple(scenario.enabled_modules)
    modules = couplings.modules
    specs = {ps.name: ps for m in modules for ps in m.params}
    table = scenario.table  # the one place units are converted and distributions read
    variables = [v for m in modules for v in m.variables]
    names = [v.name for v in variables]
    if record is None:
        rec = tuple(v.name for v in variables if v.record)
    else:
        bad = [r for r in record if r not in names]
        if bad:
            raise InputError(f"cannot record unknown variable(s) {', '.join(bad)}; "
                             f"the model has: {', '.join(names)}")
        # a dataset holds what the owners have of one name along one dim: keep every owner's
        rec = tuple(with_every_owner(record, names))
    overlays: dict[str, tuple[Overlay, ...]] = {}
    events: dict[str, Event] = dict(scenario.events)
    for pol in chosen:
        policy = scenario.policies[pol]
        items = [_overlay(scenario, c, None, None) for c in policy.changes]
        for ev_name, ev in {**scenario.events, **policy.events}.items():
            events.setdefault(ev_name, ev)
            items.extend(_overlay(scenario, c, ev_name, ev) for c in ev.changes)
        overlays[pol] = tuple(sorted(items, key=lambda o: o.start))
    return Plan(
        scenario=scenario,
        couplings=couplings,
        specs=specs,
        table=table,
        shocks=couplings.shocks,
        record=rec,
        n_steps=scenario.time.horizon_steps,
        policies=chosen,
        overlays=overlays,
        events=events,
    )


def _overlay(scenario: Scenario, change: Change, event_name: str | None,
             event: Event | None) -> Overlay:
    time = scenario.time
    begin: dt.date = change.from_ or (event.takes_effect if event else time.start)
    start = time.step_of(begin)
    stop = time.step_of(change.until) if change.until else time.horizon_steps + 1
    value = None
    if change.value is not None:
        # a change may state its own unit; the table takes it to the canonical one
        value = change.value * scenario.table[change.param].change_factor(change.unit)
    return Overlay(change.param, start, stop, value, change.scale, event_name)


# --------------------------------------------------------------------------- parameters
def effective(base: Mapping[str, FloatArray], active: Iterable[Overlay],
              happened: Mapping[str, BoolArray]) -> dict[str, FloatArray]:
    """Parameters with the ``active`` overlays applied, in order, where their event happened."""
    p = dict(base)
    for o in active:
        new = p[o.param] * o.scale if o.scale is not None else np.full_like(p[o.param], o.value)
        p[o.param] = new if o.event is None else np.where(happened[o.event], new, p[o.param])
    return p


def active_at(overlays: Iterable[Overlay], step: int) -> list[Overlay]:
    """Return the overlays that hold at ``step``."""
    return [o for o in overlays if o.start <= step < o.stop]


def stretch_bounds(overlays: Iterable[Overlay], n_steps: int) -> list[int]:
    """Return the steps ``0 = k_0 < ... = n_steps`` where overlays start or stop."""
    items = list(overlays)
    return sorted({0, n_steps} | {o.start for o in items if 0 < o.start < n_steps}
                  | {o.stop for o in items if 0 < o.stop < n_steps})
