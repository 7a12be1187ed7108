"""The parameter table: for each scenario parameter, who reads it, its units and its values.

The loader builds the table once, while it checks a scenario, and the scenario carries it
(:attr:`Scenario.table <detente.scenario.schema.Scenario.table>`); a scenario made in Python
builds its own on first use, or :meth:`ParameterTable.of` builds one against any module
registry. This is the one place where a parameter's unit is converted to the model's and
where its numbers are read as a value or a distribution.

Each :class:`TableEntry` holds

* the :class:`~detente.model.base.ParamSpec` of the enabled module that reads the parameter
  (None when no enabled module does) and that module's name;
* the parameter as the file states it, or None for a parameter the file leaves out and the
  table holds at its spec's default (a fixed value in the canonical unit, source
  :data:`DEFAULT_SOURCE`): the engine, the analyses and the results see it like any other;
* the file unit, the canonical unit (the spec's; ``fraction`` for an event's probability;
  else the file unit) and the factor from the one to the other;
* the bounds, in the canonical unit;
* its :class:`ParameterDistribution`: what its numbers mean, in the file unit (central and
  nominal values, whether it is uncertain, draws from unit uniforms).

Examples
--------
>>> import detente
>>> entry = detente.load("lanchester-bench").table["blue.personnel0"]
>>> entry.module, entry.unit, entry.canonical, entry.factor
('military', 'thousand persons', 'persons', 1000.0)
>>> entry.distribution.nominal() * entry.factor
400000.0
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from detente._typing import FloatArray
from detente.errors import InputError, UnitError
from detente.model.base import Module, ParamSpec
from detente.units import conversion_factor

if TYPE_CHECKING:
    from detente.scenario.schema import Distribution, Parameter, Scenario

__all__ = [
    "DEFAULT_SOURCE", "PROBABILITY_UNITS", "SCALE_UNITS", "ParameterDistribution",
    "ParameterTable", "TableEntry", "change_scales",
]

#: Units an event's probability may be written in besides those that convert to a fraction.
PROBABILITY_UNITS = ("1", "probability")
#: Units of a parameter that a change reads as its factor (``scale: PARAM``).
SCALE_UNITS = ("ratio", "1")
#: The source of a parameter the file leaves out, held at its documented default.
DEFAULT_SOURCE = "default"


@dataclass(frozen=True)
class ParameterDistribution:
    """What a parameter's numbers mean, in its file unit: a fixed value or a distribution.

    Attributes
    ----------
    value : float or None
        The fixed value, or None for a distribution.
    dist : Distribution or None
        The distribution (:mod:`detente.scenario.schema`), or None for a fixed value.
    """

    value: float | None
    dist: Distribution | None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.dist is None):
            raise ValueError("expected exactly one of a value or a distribution")

    @classmethod
    def of(cls, parameter: Parameter) -> ParameterDistribution:
        """Read a parameter's value or distribution."""
        return cls(parameter.value, parameter.dist)

    @property
    def is_uncertain(self) -> bool:
        """True for a distribution."""
        return self.dist is not None

    def central(self) -> float:
        """Return the value the central (default) run uses: the value, or the median."""
        if self.dist is not None:
            return self.dist.median()
        return self._value()

    def nominal(self) -> float:
        """Return what a file's author means by the parameter.

        The value; or the mode of a PERT or triangular distribution, the midpoint of a
        uniform one, the mean of a truncated normal, the median of a log-normal.
        """
        d = self.dist
        if d is None:
            return self._value()
        if d.dist == "pert" or d.dist == "triangular":
            return float(d.mode)
        if d.dist == "uniform":
            return 0.5 * (float(d.low) + float(d.high))
        if d.dist == "truncnormal":
            return float(d.mean)
        return self.central()

    def sample(self, u: FloatArray) -> FloatArray:
        """Values at uniform(0, 1) draws ``u`` (the quantile function; a fixed value repeats)."""
        if self.dist is not None:
            return self.dist.ppf(u)
        return np.full(u.shape, self._value(), dtype=np.float64)

    def bounds(self) -> tuple[tuple[str, float], ...]:
        """Return the fields that bound the values, with their values.

        ``(("value", v),)`` for a fixed value, ``(("low", lo), ("high", hi))`` for a
        distribution's support (infinite where it is unbounded).
        """
        if self.dist is None:
            return (("value", self._value()),)
        low, high = self.dist.support()
        return ("low", low), ("high", high)

    def to_scipy(self) -> Any:
        """Return the frozen ``scipy.stats`` distribution with the same quantile function.

        Uniform, triangular, PERT (a scaled beta), truncated normal or log-normal; for
        tools that take SciPy distributions (e.g. the EMA Workbench).

        Raises
        ------
        InputError
            For a fixed value (it has no distribution).
        """
        from scipy import stats

        d = self.dist
        if d is not None and d.dist == "uniform":
            return stats.uniform(loc=d.low, scale=d.high - d.low)
        if d is not None and d.dist == "triangular":
            span = d.high - d.low
            return stats.triang(c=(d.mode - d.low) / span, loc=d.low, scale=span)
        if d is not None and d.dist == "pert":
            span = d.high - d.low
            a = 1.0 + d.lamb * (d.mode - d.low) / span
            b = 1.0 + d.lamb * (d.high - d.mode) / span
            return stats.beta(a, b, loc=d.low, scale=span)
        if d is not None and d.dist == "truncnormal":
            return stats.truncnorm((d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd,
                                   loc=d.mean, scale=d.sd)
        if d is not None and d.dist == "lognormal":
            return stats.lognorm(s=d.sigma, scale=d.median_)
        raise InputError(f"a fixed value ({self.value!r}) has no distribution")

    def _value(self) -> float:
        return cast("float", self.value)  # not None without a dist (__post_init__)


def _scale_factor(name: str, unit: str) -> float:
    """Factor from ``unit`` to a multiplier; raise if it is not a pure number."""
    if unit.strip().lower() in SCALE_UNITS:
        return 1.0
    raise UnitError(f"parameter '{name}' is in '{unit}'; a change's factor is in "
                    f"{' or '.join(repr(u) for u in SCALE_UNITS)}")


def _probability_factor(name: str, unit: str) -> float:
    """Factor from ``unit`` to a probability (a fraction); raise if it is not a share."""
    if unit.strip().lower() in PROBABILITY_UNITS:
        return 1.0
    try:
        return conversion_factor(unit, "fraction")
    except UnitError:
        raise UnitError(f"parameter '{name}' is in '{unit}'; a probability is in "
                        "'fraction', '%' or '1'") from None


@dataclass(frozen=True)
class TableEntry:
    """One parameter of a scenario, resolved against the enabled modules.

    Attributes
    ----------
    name : str
        The parameter's name.
    parameter : Parameter or None
        The parameter as the file states it; None when the file leaves it out and the
        table holds it at its spec's default.
    spec : ParamSpec or None
        What the module that reads it expects; None when no enabled module reads it.
    module : str or None
        The name of that module.
    unit : str
        The unit the file uses.
    canonical : str
        The unit the model uses: the spec's, ``fraction`` for a parameter only events read
        as a probability, ``ratio`` for one only changes read as their factor, else the
        file's own.
    factor : float
        A value in ``unit`` times ``factor`` is in ``canonical``.
    low, high : float or None
        Admissible range in ``canonical`` (the spec's; [0, 1] for a probability).
    distribution : ParameterDistribution
        The parameter's value or distribution, in ``unit``.
    """

    name: str
    parameter: Parameter | None
    spec: ParamSpec | None
    module: str | None
    unit: str
    canonical: str
    factor: float
    low: float | None
    high: float | None
    distribution: ParameterDistribution

    @classmethod
    def build(cls, name: str, parameter: Parameter, spec: ParamSpec | None = None,
              module: str | None = None, *, probability: bool = False,
              scale: bool = False) -> TableEntry:
        """Resolve one parameter.

        Parameters
        ----------
        name : str
            The parameter's name.
        parameter : Parameter
            The parameter as the file states it.
        spec : ParamSpec, optional
            The spec of the enabled module that reads it.
        module : str, optional
            That module's name.
        probability : bool
            Whether an event reads it as its probability (used when no module reads it).
        scale : bool
            Whether a change reads it as its factor (used when no module reads it).

        Raises
        ------
        UnitError
            If the unit does not convert to the module's, naming the module; for a
            probability, if it is not a share; for a factor, if it is not a pure number.
        """
        unit = parameter.unit
        distribution = ParameterDistribution.of(parameter)
        if spec is not None:
            try:
                factor = conversion_factor(unit, spec.unit)
            except UnitError as exc:
                raise UnitError(f"{exc}; module '{module}' reads '{name}' in {spec.unit}",
                                ) from None
            return cls(name, parameter, spec, module, unit, spec.unit, factor, spec.low,
                       spec.high, distribution)
        if probability:
            share = _probability_factor(name, unit)
            return cls(name, parameter, None, None, unit, "fraction", share, 0.0, 1.0,
                       distribution)
        if scale:
            factor = _scale_factor(name, unit)
            return cls(name, parameter, None, None, unit, "ratio", factor, 0.0, None,
                       distribution)
        return cls(name, parameter, None, None, unit, unit, 1.0, None, None, distribution)

    @classmethod
    def default(cls, spec: ParamSpec, module: str) -> TableEntry:
        """Hold a parameter the file leaves out at its spec's default.

        A fixed value in the canonical unit (factor 1), with the spec's bounds.

        Raises
        ------
        ValueError
            If the spec has no default.
        """
        if spec.default is None:
            raise ValueError(f"parameter '{spec.name}' has no default; a scenario must "
                             "state it")
        return cls(spec.name, None, spec, module, spec.unit, spec.unit, 1.0, spec.low,
                   spec.high, ParameterDistribution(spec.default, None))

    @property
    def is_default(self) -> bool:
        """True for a parameter the file leaves out, held at its default."""
        return self.parameter is None

    @property
    def source(self) -> str:
        """The parameter's source as the file states it, or :data:`DEFAULT_SOURCE`."""
        return DEFAULT_SOURCE if self.parameter is None else self.parameter.source

    def change_factor(self, unit: str | None = None) -> float:
        """Return the factor that takes a change's ``value`` to the canonical unit.

        Parameters
        ----------
        unit : str, optional
            The unit the change states; None: the parameter's file unit.

        Returns
        -------
        float
            ``value * factor`` is in :attr:`canonical`: :attr:`factor` times the factor
            from ``unit`` to the file unit (in that order, the engine's).

        Raises
        ------
        UnitError
            If ``unit`` does not convert to the unit the module reads (naming the module),
            or, when no module reads the parameter, to the file unit.
        """
        if unit is None:
            return self.factor
        if self.spec is not None:
            try:
                conversion_factor(unit, self.spec.unit)
            except UnitError as exc:
                raise UnitError(f"{exc}; module '{self.module}' reads '{self.name}' in "
                                f"{self.spec.unit}") from None
        return self.factor * conversion_factor(unit, self.unit)

    def factor_to(self, unit: str) -> float:
        """Return the factor that takes a value in the file unit to ``unit``.

        For showing a parameter in a unit of one's choice (e.g. a dashboard control).

        Raises
        ------
        UnitError
            If ``unit`` measures another quantity than the file unit.
        """
        return conversion_factor(self.unit, unit)

    def probability_factor(self) -> float:
        """Return the factor from the file unit to a probability.

        ``1`` and ``probability`` count as probabilities as they are; other units must
        convert to ``fraction``.

        Raises
        ------
        UnitError
            If the unit is not a share.
        """
        return _probability_factor(self.name, self.unit)


def _event_probabilities(scenario: Scenario) -> set[str]:
    events = [*scenario.events.values()]
    events += [e for pol in scenario.policies.values() for e in pol.events.values()]
    out = {e.probability for e in events if e.probability is not None}
    # a policy may give an event another parameter as its probability
    out |= {c.probability for pol in scenario.policies.values()
            for c in pol.chances.values() if isinstance(c.probability, str)}
    return out


def change_scales(scenario: Scenario) -> set[str]:
    """Return the parameters that changes read as their factor (``scale: PARAM``)."""
    changes = [c for e in scenario.events.values() for c in e.changes]
    for pol in scenario.policies.values():
        changes += [*pol.changes, *(c for e in pol.events.values() for c in e.changes)]
    return {c.scale for c in changes if isinstance(c.scale, str)}


class ParameterTable(Mapping[str, TableEntry]):
    """Every parameter of a scenario, resolved once: a mapping of name to :class:`TableEntry`.

    Entries are in the file's order, then the parameters the file leaves out that an
    enabled module reads with a default (:attr:`defaults`), in the modules' order. Build one
    with :meth:`of` (from a scenario) or
    :meth:`build` (from parameters and modules); a loaded scenario carries the one the
    loader built, as :attr:`Scenario.table <detente.scenario.schema.Scenario.table>`.

    Attributes
    ----------
    errors : mapping of str to UnitError
        Parameters left out because their unit does not convert (only with
        ``strict=False``; empty otherwise).
    """

    def __init__(self, entries: Iterable[TableEntry],
                 errors: Mapping[str, UnitError] | None = None) -> None:
        self._entries = {e.name: e for e in entries}
        self.errors: Mapping[str, UnitError] = dict(errors or {})

    @classmethod
    def build(cls, parameters: Mapping[str, Parameter], modules: Iterable[Module], *,
              probabilities: Collection[str] = (), scales: Collection[str] = (),
              strict: bool = True) -> ParameterTable:
        """Resolve parameters against the modules that read them.

        A parameter an enabled module reads with a default
        (:attr:`ParamSpec.default <detente.model.base.ParamSpec.default>`) and that
        ``parameters`` leave out enters the table at that default
        (:meth:`TableEntry.default`).

        Parameters
        ----------
        parameters : mapping of str to Parameter
            The scenario's parameters, in file order.
        modules : iterable of Module
            The enabled modules.
        probabilities : collection of str
            Names of the parameters that events read as their probability.
        scales : collection of str
            Names of the parameters that changes read as their factor (``scale: PARAM``).
        strict : bool
            True: raise on the first unit that does not convert. False: leave such a
            parameter out and record it in :attr:`errors` (the loader reports them all).

        Raises
        ------
        UnitError
            With ``strict``, for the first parameter whose unit does not convert.
        """
        modules = list(modules)
        specs = {spec.name: (spec, mod.name) for mod in modules for spec in mod.params}
        entries: list[TableEntry] = []
        errors: dict[str, UnitError] = {}
        for name, par in parameters.items():
            spec, module = specs.get(name, (None, None))
            try:
                entries.append(TableEntry.build(name, par, spec, module,
                                                probability=name in probabilities,
                                                scale=name in scales))
            except UnitError as exc:
                if strict:
                    raise
                errors[name] = exc
        entries += [TableEntry.default(spec, module) for spec, module in specs.values()
                    if spec.default is not None and spec.name not in parameters]
        return cls(entries, errors)

    @classmethod
    def of(cls, scenario: Scenario, *,
           modules: Mapping[str, Module] | None = None) -> ParameterTable:
        """Build the table of a scenario.

        Parameters
        ----------
        scenario : Scenario
            The scenario.
        modules : mapping of str to Module, optional
            The module registry; default: the modules of :mod:`detente.model`.

        Raises
        ------
        UnitError
            If a parameter's unit does not convert to the unit its module reads.
        KeyError
            If the scenario names a module the registry does not have.
        """
        if modules is None:
            enabled = scenario.enabled_modules
        else:
            enabled = tuple(modules[name] for name in scenario.modules)
        return cls.build(scenario.parameters, enabled,
                         probabilities=_event_probabilities(scenario),
                         scales=change_scales(scenario))

    def __getitem__(self, name: str) -> TableEntry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return (f"ParameterTable({len(self)} parameters, {len(self.uncertain)} uncertain, "
                f"{len(self.defaults)} at their default)")

    @property
    def factors(self) -> dict[str, float]:
        """Factor from the file unit to the canonical unit, per parameter."""
        return {name: e.factor for name, e in self._entries.items()}

    @property
    def specs(self) -> dict[str, ParamSpec]:
        """The spec of each parameter an enabled module reads."""
        return {name: e.spec for name, e in self._entries.items() if e.spec is not None}

    @property
    def defaults(self) -> tuple[str, ...]:
        """Names of the parameters held at their default (the file leaves them out)."""
        return tuple(n for n, e in self._entries.items() if e.is_default)

    @property
    def uncertain(self) -> tuple[str, ...]:
        """Names of the parameters that carry a distribution, in file order."""
        return tuple(n for n, e in self._entries.items() if e.distribution.is_uncertain)

    @property
    def constants(self) -> dict[str, float]:
        """The value of each parameter without a distribution, in its file unit."""
        return {name: e.distribution.central() for name, e in self._entries.items()
                if not e.distribution.is_uncertain}

    def central(self) -> dict[str, float]:
        """Return every parameter's central value (value or median), in its file unit."""
        return {name: e.distribution.central() for name, e in self._entries.items()}
