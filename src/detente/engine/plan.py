"""The compiled plan: a scenario resolved once into modules, units and overlays per policy.

Policies are overlays on the scenario: each change of a policy or of an event it can see
becomes an :class:`Overlay` that sets or scales one parameter over a range of steps, in
every sample or only where the event happened; each event a policy cancels or gives
another probability has a :class:`Chance` under that policy.

Order of application
--------------------
A policy's overlays are applied in the order of the day each begins (its ``from``, else
its event's effective date, else the start); on the same day, first the scenario's events,
then the policy's own events, then the policy's changes (each in file order), so that a
policy's change holds over a scenario event of the same day, and a change that begins later
holds over one that began earlier. Where two overlays hold at once on one parameter, the
later in this order is applied last (a value replaces, a scale multiplies what is there).
"""

from __future__ import annotations

import dataclasses
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
from detente.scenario.schema import Change, Event, EventChance, Policy, Scenario
from detente.scenario.table import ParameterTable

__all__ = [
    "Chance", "Overlay", "Plan", "active_at", "compile_plan", "effective", "stretch_bounds",
]

#: Ranks of the overlays that begin on the same day: they apply in this order.
SCENARIO_EVENT, POLICY_EVENT, POLICY_CHANGE = 0, 1, 2


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
    scale_param : str or None
        The parameter whose value in each sample is the factor (``scale`` is then None).
    """

    param: str
    start: int
    stop: int
    value: float | None
    scale: float | None
    event: str | None
    scale_param: str | None = None


@dataclass(frozen=True)
class Chance:
    """The probability of a chance event under one policy: a threshold on its uniform draw.

    The event happens in a sample where the sample's uniform draw for the event (one per
    event and sample, the same under every policy: :mod:`detente.engine.streams`) is below
    the probability, so changing the probability moves only the threshold.

    Attributes
    ----------
    param : str or None
        The parameter holding the probability (None: ``fixed``).
    factor : float
        Factor from that parameter's file unit to a share.
    fixed : float
        The probability when no parameter holds it (1: a certain event; 0: cancelled).
    scale : float or None
        Factor on that probability (None: none).
    """

    param: str | None = None
    factor: float = 1.0
    fixed: float = 1.0
    scale: float | None = None

    @classmethod
    def of(cls, event: Event, factors: Mapping[str, float]) -> Chance:
        """Return the chance ``event`` states (certain without a probability)."""
        if event.probability is None:
            return cls()
        return cls(event.probability, factors[event.probability])

    @property
    def constant(self) -> float | None:
        """The probability where it is the same in every sample (no parameter holds it)."""
        if self.param is not None:
            return None
        return self.fixed if self.scale is None else self.fixed * self.scale

    @property
    def needs_draw(self) -> bool:
        """Whether the event's uniform draw decides it (it is neither certain nor impossible)."""
        c = self.constant
        return c is None or 0.0 < c < 1.0

    def happened(self, uniform: FloatArray | None, params_file_units: Mapping[str, FloatArray],
                 n: int) -> BoolArray:
        """Per sample: whether the event happens, given its uniform draw (None if not drawn).

        Raises
        ------
        InputError
            If the chance needs the event's draw and ``uniform`` is None.
        """
        if not self.needs_draw:
            c = self.constant
            return np.full(n, c is not None and c >= 1.0, dtype=bool)
        if uniform is None:
            raise InputError("an event's chance needs its uniform draw, and none was given "
                             "(Noise.given(..., uniforms=...))")
        prob: FloatArray | float = (self.fixed if self.param is None
                                    else params_file_units[self.param] * self.factor)
        if self.scale is not None:
            prob = prob * self.scale
        return np.asarray(uniform < prob, dtype=bool)


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
    overlays: Mapping[str, tuple[Overlay, ...]]  # per policy, in the order they apply
    events: Mapping[str, Event]  # every event any chosen policy can see, by name
    # the chance of each event as first stated (the draw a run records), and per policy
    # the events whose chance it changes (cancelled, another probability, redefined)
    stated: Mapping[str, Chance]
    chances: Mapping[str, Mapping[str, Chance]]

    @functools.cached_property
    def drawn(self) -> tuple[str, ...]:
        """The events whose uniform draw some chance reads (as stated or under a policy)."""
        every = [*self.stated.items(),
                 *(item for per in self.chances.values() for item in per.items())]
        return tuple(dict.fromkeys(name for name, ch in every if ch.needs_draw))

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
    for pol in chosen:  # the first statement of an event is the one a run records
        for ev_name, ev in scenario.policies[pol].events.items():
            events.setdefault(ev_name, ev)
    factors = table.factors
    stated = {name: Chance.of(ev, factors) for name, ev in events.items()}
    chances: dict[str, dict[str, Chance]] = {}
    for pol in chosen:
        policy = scenario.policies[pol]
        _check_overridden(scenario, pol, policy)
        ranked: list[tuple[dt.date, int, Overlay]] = []
        own: dict[str, Chance] = {}
        # a policy's event of a scenario event's name replaces it under the policy
        for ev_name, ev in {**scenario.events, **policy.events}.items():
            if ev_name in policy.cancel:
                own[ev_name] = Chance(fixed=0.0)
                continue
            rank = POLICY_EVENT if ev_name in policy.events else SCENARIO_EVENT
            ranked += [_overlay(scenario, c, ev_name, ev, rank) for c in ev.changes]
            chance = (Chance.of(ev, factors) if ev_name not in policy.chances
                      else _chance(scenario, ev, policy.chances[ev_name], factors))
            if chance != stated[ev_name]:
                own[ev_name] = chance
        ranked += [_overlay(scenario, c, None, None, POLICY_CHANGE) for c in policy.changes]
        # by day, then by rank; sorted() is stable, so file order holds within a rank
        overlays[pol] = tuple(o for *_, o in sorted(ranked, key=lambda r: (r[0], r[1])))
        chances[pol] = own
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
        stated=stated,
        chances=chances,
    )


def _overlay(scenario: Scenario, change: Change, event_name: str | None,
             event: Event | None, rank: int) -> tuple[dt.date, int, Overlay]:
    """Return the day the change begins, its rank on that day, and its overlay."""
    time = scenario.time
    begin: dt.date = change.from_ or (event.takes_effect if event else time.start)
    start = time.step_of(begin)
    stop = time.step_of(change.until) if change.until else time.horizon_steps + 1
    value = None
    if change.value is not None:
        # a change may state its own unit; the table takes it to the canonical one
        value = change.value * scenario.table[change.param].change_factor(change.unit)
    # a factor may be a parameter: a change of uncertain size, drawn in each sample
    named = change.scale if isinstance(change.scale, str) else None
    scale = None if named is not None or change.scale is None else float(change.scale)
    # a change from before the start holds from the start, like one from the start
    return max(begin, time.start), rank, Overlay(change.param, start, stop, value, scale,
                                                 event_name, named)


def _check_overridden(scenario: Scenario, name: str, policy: Policy) -> None:
    """Raise where a policy cancels, or changes the chance of, an event the scenario lacks.

    The loader says the same, located in the file; this guards scenarios made in Python.
    """
    for ev_name in (*policy.cancel, *policy.chances):
        if ev_name not in scenario.events:
            known = ", ".join(scenario.events) or "none"
            raise InputError(f"policy '{name}' cancels or changes the chance of event "
                             f"'{ev_name}', which is not an event of scenario "
                             f"'{scenario.name}' (its events: {known})")
    for ev_name, over in policy.chances.items():
        if isinstance(over.probability, str) and over.probability not in scenario.table:
            raise InputError(f"policy '{name}' gives event '{ev_name}' the probability "
                             f"'{over.probability}', which is not a parameter of scenario "
                             f"'{scenario.name}'")


def _chance(scenario: Scenario, event: Event, over: EventChance,
            factors: Mapping[str, float]) -> Chance:
    """Return the chance of ``event`` under a policy's ``over``."""
    if over.scale is not None:
        return dataclasses.replace(Chance.of(event, factors), scale=over.scale)
    if isinstance(over.probability, str):
        return Chance(over.probability, scenario.table[over.probability].probability_factor())
    return Chance(fixed=1.0 if over.probability is None else over.probability)


# --------------------------------------------------------------------------- parameters
def effective(base: Mapping[str, FloatArray], active: Iterable[Overlay],
              happened: Mapping[str, BoolArray]) -> dict[str, FloatArray]:
    """Parameters with the ``active`` overlays applied, in order, where their event happened."""
    p = dict(base)
    for o in active:
        if o.scale_param is not None:  # the factor as drawn in each sample (canonical: ratio)
            new = p[o.param] * base[o.scale_param]
        elif o.scale is not None:
            new = p[o.param] * o.scale
        else:
            new = np.full_like(p[o.param], o.value)
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
