"""The contract every model subsystem (module) fulfils, and the cast it is written over.

A scenario's **cast** (:class:`Cast`) names its sides (the belligerents) and its supporters
(outside states and coalitions, each supporting one side). Model code is written once over
the cast: a model module is built for a cast (``build(cast)``), and what one side or one
supporter owns (its parameters, its variables) is named ``"<owner>.<name>"``
(:func:`owned`), e.g. ``blue.personnel0``. No module names a side.

A module is a named bundle of

* ``params``: the parameters it reads, each with the canonical unit the code uses
  (scenario files may use any convertible unit; the loader converts) and, where one value
  leaves its mechanism off, that value as a default a scenario may omit;
* ``variables``: the state variables and auxiliaries it owns and writes;
* ``reads``: the variables of *other* modules it reads (:class:`Read`), each with the
  neutral value it sees when no enabled module writes it, and whether it reads the value at
  the start of the step or the one an earlier module computed this step;
* ``shocks``: names of the uniform(0, 1) random draws it needs each step;
* ``init(p, n, state)``: initial values of all its variables; ``state`` holds its declared
  reads as the modules initialised before it set them up (the neutral value for the others);
* ``step(s, x, p, u, ctx)``: new values of all its variables for the next time point;
* ``check(parameters)`` (optional): cross-parameter checks the loader runs, e.g. weights
  that must sum to 1, returned as ``(dotted path, message)`` pairs;
* ``kernel`` (optional): a compiled form of the step in a reduced configuration
  (:class:`Kernel`);
* ``requires`` (optional): modules that must be enabled with this one (the loader checks).

The engine orders the enabled modules so that every module stepping on this step's value of
a variable steps after its writer (ties in :data:`detente.model.MODULE_ORDER`), and runs
them every step (:mod:`detente.model.couplings`):

.. code-block:: python

    x = {}
    for module in modules:
        x.update(module.step(s, x, p, u, ctx))   # s: state at t; x: this step so far
    s = {**s, **x}                                # state at t + dt

so a module reads the state at the start of the step from ``s`` (Euler, as Vensim) and
what earlier modules computed this step (e.g. strike hits) from ``x``. ``s`` holds the
module's own variables and its declared reads, ``x`` its reads declared ``"step"``; reading
any other name raises :class:`~detente.errors.UndeclaredReadError`. Step functions
are pure: arrays in, a new dict of arrays out, no I/O, no randomness except ``u``. Every
array has shape ``(n,)``, one row per sample; there are no Python loops over samples.

Canonical units: time is in days (rates are per day, ``ctx.dt`` is the step in days),
people in persons, munitions in rounds (or drones, missiles, interceptors), money in
USD bn, area in km2, shares as fractions.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from detente._typing import FloatArray, Params, State
from detente.units import DAYS_PER_MONTH

#: Who owns a parameter or a variable: nobody, each side, each supporter, or each party to
#: the talks (a side or supporter named in a negotiation channel).
Per = Literal["side", "supporter", "party"] | None

#: How a variable is measured from the start date (:attr:`VariableSpec.from_start`): a
#: count since the start (0 there) or an index relative to it (1 there).
FromStart = Literal["difference", "ratio"]
#: The identifier of a side or supporter (and of a base name): lower-case snake_case.
IDENT = re.compile(r"[a-z][a-z0-9_]*")
#: Prefixes an owner's id may not start with: results name their own variables with them
#: (``param_``, ``event_``, ``final_``, ``q_``), and ``q_army.x`` would read as a quantile.
RESERVED_PREFIXES = ("param_", "event_", "final_", "q_")

#: The longest step, in days, the model integrates safely (the loader rejects a longer one):
#: one month. See :data:`MAX_STEP_REASON` and ``docs/model.md`` ("Step length").
MAX_STEP_DAYS = DAYS_PER_MONTH
#: Why a step longer than :data:`MAX_STEP_DAYS` is refused, in the loader's message.
MAX_STEP_REASON = (
    "the model integrates explicitly (forward Euler): each step takes a step's losses, "
    "production, flight and front movement from the state at its start, and the talks meet "
    "once a month. A longer step skips rounds of talks, and its outflows can exceed what a "
    "stock holds (measured on the built-in scenarios: at 40 days plain-Euler forces "
    "overshoot below 0 in 15 % of samples, against 5 % at 7 days, and with the stock guard "
    "on a front line moves twice as far as with daily steps; docs/model.md)")


def owned(owner: str, base: str) -> str:
    """Return the name of what ``owner`` (a side or supporter) owns of ``base``.

    >>> owned("blue", "personnel0")
    'blue.personnel0'
    """
    return f"{owner}.{base}"


def split_owned(name: str) -> tuple[str | None, str]:
    """Return ``(owner, base)`` of a model name (owner None for a name nobody owns).

    >>> split_owned("blue.personnel0"), split_owned("war_intensity")
    (('blue', 'personnel0'), (None, 'war_intensity'))
    """
    owner, dot, base = name.partition(".")
    return (owner, base) if dot else (None, name)


@dataclass(frozen=True)
class Channel:
    """A negotiation channel: who sits at the table, and the value that opens it.

    Attributes
    ----------
    name : str
        The channel's id in the scenario.
    code : int
        The value of the parameter ``negotiation_channel`` that opens it (0 is "no talks").
    parties : tuple of str
        The sides and supporters at the table, each a veto player.
    dimensions : tuple of str or None
        The issue dimensions the channel can move (None: all; the others keep their
        status-quo level).
    credibility_of : str or None
        The supporter whose ``deal_credibility`` discounts the deal for the parties it does
        not speak for (None: no discount).
    guarantee_cap : str or None
        Parameter holding the highest guarantee level the channel can deliver (None: any).
    veto_onus : str or None
        Parameter that scales the domestic veto risk on this channel (None: full risk).
    """

    name: str
    code: int
    parties: tuple[str, ...]
    dimensions: tuple[str, ...] | None = None
    credibility_of: str | None = None
    guarantee_cap: str | None = None
    veto_onus: str | None = None


#: What an issue's agreed level sets besides the deal's terms: the line of control, the
#: sanctions relief or the security guarantee (``docs/settlement.md``).
Role = Literal["territory", "sanctions", "guarantees"]
ROLES: tuple[Role, ...] = ("territory", "sanctions", "guarantees")
#: Levels of an issue with the role ``territory``: the lines of control, in km2 from the
#: current line (what the second side claims, the current line, a partial return, the
#: pre-war line).
TERRITORY_LEVELS = 4


@dataclass(frozen=True)
class Issue:
    """An issue the parties bargain over: its levels, its status quo and what it sets.

    Attributes
    ----------
    name : str
        The issue's id (snake_case), in parameter names (``<party>.weight_<name>``) and
        outputs (``deal_<name>``).
    levels : tuple of str
        Level names (snake_case), from the second side's most preferred to the first
        side's; at least two.
    status_quo : str
        The level that holds while nothing is agreed on the issue.
    description : str
        What the issue covers.
    role : {"territory", "sanctions", "guarantees"} or None
        What the agreed level sets (:data:`ROLES`): the line of control (an issue of
        :data:`TERRITORY_LEVELS` levels), the sanctions relief, or the security guarantee;
        None: only the parties' utilities.

    Raises
    ------
    ValueError
        If a name is not snake_case, there are fewer than two levels or one is listed twice,
        the status quo is not a level, the role is unknown, or a territory issue does not
        have four levels.
    """

    name: str
    levels: tuple[str, ...]
    status_quo: str
    description: str = ""
    role: Role | None = None

    def __post_init__(self) -> None:
        bad = [i for i in (self.name, *self.levels) if not IDENT.fullmatch(i)]
        if bad:
            raise ValueError(f"issue '{self.name}': {', '.join(map(repr, bad))} are not "
                             "snake_case identifiers")
        if len(self.levels) < 2:
            raise ValueError(f"issue '{self.name}' has {len(self.levels)} level(s); expected "
                             "at least two")
        twice = sorted({lv for lv in self.levels if self.levels.count(lv) > 1})
        if twice:
            raise ValueError(f"issue '{self.name}' lists the level(s) {', '.join(twice)} "
                             "more than once")
        if self.status_quo not in self.levels:
            raise ValueError(f"issue '{self.name}' has the status quo '{self.status_quo}', "
                             f"which is not one of its levels ({', '.join(self.levels)})")
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"issue '{self.name}' has the role '{self.role}'; expected one "
                             f"of {', '.join(ROLES)}")
        if self.role == "territory" and len(self.levels) != TERRITORY_LEVELS:
            raise ValueError(f"issue '{self.name}' sets the line of control and has "
                             f"{len(self.levels)} levels; expected {TERRITORY_LEVELS}: the "
                             "second side's claim, the current line, a partial return, the "
                             "pre-war line")

    @property
    def status_quo_level(self) -> int:
        """The index of the status-quo level in :attr:`levels`."""
        return self.levels.index(self.status_quo)


@dataclass(frozen=True)
class Cast:
    """Who fights and who helps: the sides and supporters a module is built for.

    Attributes
    ----------
    sides : tuple of str
        The belligerents' ids, in the scenario's order (at least two).
    supporters : tuple of str
        The outside supporters' ids, in the scenario's order.
    supports : tuple of str
        For each supporter (same order), the id of the side it supports.
    channels : tuple of Channel
        The negotiation channels the scenario opens, each with its parties.
    names : tuple of (str, str)
        Display name of each side and supporter, by id (ids are their own names otherwise).
    issues : tuple of Issue
        The issues the talks can settle, in the scenario's order (empty: the bargaining
        module's six default issues, :data:`detente.model.bargaining.DIMENSIONS`).

    Raises
    ------
    ValueError
        If an id is not snake_case or is used twice, there are fewer than two sides, or a
        supporter supports a side the cast does not have.
    """

    sides: tuple[str, ...]
    supporters: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()
    names: tuple[tuple[str, str], ...] = ()
    issues: tuple[Issue, ...] = ()

    def __post_init__(self) -> None:
        ids = (*self.sides, *self.supporters)
        bad = [i for i in ids if not IDENT.fullmatch(i)]
        if bad:
            raise ValueError(f"the id(s) {', '.join(map(repr, bad))} are not snake_case "
                             "identifiers (a lower-case letter, then letters, digits, _)")
        reserved = [i for i in ids if i.startswith(RESERVED_PREFIXES)]
        if reserved:
            raise ValueError(f"the id(s) {', '.join(map(repr, reserved))} start with a prefix "
                             f"results use for their own names ({', '.join(RESERVED_PREFIXES)})")
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"the id(s) {', '.join(twice)} name more than one side or "
                             "supporter")
        if len(self.sides) < 2:
            raise ValueError(f"a war needs at least two sides; found {len(self.sides)}")
        if len(self.supports) != len(self.supporters):
            raise ValueError("each supporter needs the side it supports")
        unseated = sorted({p for ch in self.channels for p in ch.parties if p not in ids})
        if unseated:
            raise ValueError(f"a channel seats {', '.join(unseated)}, which is neither a side "
                             "nor a supporter")
        unknown = sorted({s for s in self.supports if s not in self.sides})
        if unknown:
            raise ValueError(f"a supporter supports {', '.join(unknown)}, which is not a "
                             f"side (sides: {', '.join(self.sides)})")

    def other(self, side: str) -> str:
        """Return the opponent of ``side``, in a war of two sides.

        Raises
        ------
        ValueError
            If the cast has more than two sides (the mechanism asking joins two).
        """
        if len(self.sides) != 2:
            raise ValueError(f"this mechanism joins two sides; the scenario has "
                             f"{len(self.sides)} ({', '.join(self.sides)})")
        a, b = self.sides
        return b if side == a else a

    def supporters_of(self, side: str) -> tuple[str, ...]:
        """Return the supporters of ``side``, in the scenario's order."""
        return tuple(s for s, x in zip(self.supporters, self.supports, strict=True)
                     if x == side)

    def side_of(self, supporter: str) -> str:
        """Return the side ``supporter`` supports."""
        return self.supports[self.supporters.index(supporter)]

    def owners(self, per: Per) -> tuple[str, ...]:
        """Return the owners of what ``per`` names: the sides or the supporters."""
        if per == "side":
            return self.sides
        if per == "supporter":
            return self.supporters
        if per == "party":
            return self.parties
        raise ValueError(f"nobody owns what per={per!r} names")

    @property
    def parties(self) -> tuple[str, ...]:
        """Sides and supporters that sit in at least one channel, in the cast's order."""
        seated = {p for ch in self.channels for p in ch.parties}
        return tuple(i for i in (*self.sides, *self.supporters) if i in seated)

    def name_of(self, owner: str) -> str:
        """Return the display name of a side or supporter (its id when it has none)."""
        return dict(self.names).get(owner, owner)


@dataclass(frozen=True)
class ParamSpec:
    """A parameter a module reads.

    Attributes
    ----------
    name : str
        Identifier used in scenario files (``snake_case``): for a parameter one side or one
        supporter owns, ``"<owner>.<base>"`` (:func:`owned`), else the base name itself
        (often with a subsystem prefix, e.g. ``mil_``).
    unit : str
        Canonical unit the model code expects (see :mod:`detente.units`).
    description : str
        One sentence: what the number means.
    low, high : float or None
        Physically admissible range in the canonical unit (e.g. 0 and 1 for a share);
        the loader rejects values or distribution supports outside it.
    default : float or None
        The neutral value, in the canonical unit, that a scenario file may leave out: the
        value at which the parameter's mechanism is off or has no effect (0 for a switch,
        for an aid flow, a partner supply or a noise amplitude; 1 for a factor). None: a
        scenario must state the parameter (it describes the war: forces, stocks,
        effectiveness, areas, populations, time constants, costs, weights).
        ``docs/model.md`` says why each default is neutral.
    per : {None, "side", "supporter"}
        Who owns the parameter: nobody (one value for the war), each side, or each supporter.
    owner : str or None
        The side or supporter a built module's parameter belongs to (None in a template or an
        unowned parameter).
    initial_of : str or None
        The variable (its base name, owned like the parameter) whose value at the start the
        parameter is: ``"personnel"`` for ``personnel0``. A scenario restarted at another
        date takes the parameter from that variable's record there, where one is given
        (:func:`detente.analysis.restart`).
    start_condition : bool
        The parameter describes the war at the start date without being one variable's
        initial value (employment, a budget gap or a production rate at the start). A
        restart cannot read it from a record and widens its prior instead. Implied by
        ``initial_of``.

    Raises
    ------
    ValueError
        If the default is not a finite number within ``[low, high]``.
    """

    name: str
    unit: str
    description: str
    low: float | None = None
    high: float | None = None
    default: float | None = None
    per: Per = None
    owner: str | None = None
    initial_of: str | None = None
    start_condition: bool = False

    @property
    def base(self) -> str:
        """The name without its owner (``personnel0`` for ``blue.personnel0``)."""
        return split_owned(self.name)[1]

    @property
    def describes_start(self) -> bool:
        """Whether the parameter is part of the state at the start (see ``initial_of``)."""
        return self.initial_of is not None or self.start_condition

    @property
    def initial_variable(self) -> str | None:
        """The name of the variable ``initial_of`` names, owned by this parameter's owner.

        >>> ParamSpec("blue.personnel0", "persons", "", owner="blue",
        ...           initial_of="personnel").initial_variable
        'blue.personnel'
        """
        if self.initial_of is None or self.owner is None:
            return self.initial_of
        return owned(self.owner, self.initial_of)

    def __post_init__(self) -> None:
        d = self.default
        if d is None:
            return
        if not math.isfinite(d) or (self.low is not None and d < self.low) or (
                self.high is not None and d > self.high):
            raise ValueError(f"parameter '{self.name}' has the default {d!r}, outside its "
                             f"range [{self.low}, {self.high}] {self.unit}")


@dataclass(frozen=True)
class VariableSpec:
    """A variable a module owns (a stock or an auxiliary).

    Attributes
    ----------
    name : str
        Output name, e.g. ``war_intensity``, or ``"<owner>.<base>"`` for what a side or
        supporter owns (``blue.personnel``).
    unit : str
        Unit of the recorded value.
    description : str
        One sentence: what it measures.
    kind : {"stock", "aux"}
        A stock integrates over time; an auxiliary is recomputed each step.
    record : bool
        Recorded in results by default.
    per, owner
        As for :class:`ParamSpec`: a side-owned variable is recorded with a ``side``
        dimension, a supporter-owned one with a ``supporter`` dimension.
    from_start : {None, "difference", "ratio"}
        How the variable is measured from the start date: ``"difference"`` for a count since
        the start (0 there: casualties since the start), ``"ratio"`` for an index relative
        to the start (1 there); None for a level. A record compared with a run that starts
        at another date is rebased to it: the value at each date minus (or divided by) the
        value at the run's start.
    nonnegative : bool
        The variable counts or measures something that cannot be negative (persons, rounds,
        km2 held, USD spent): the engine stops a run where it goes below 0, which only a
        step the integration cannot take (or a defect) produces.
    finite : bool
        The variable is a finite number at every step (the engine stops a run where it is
        NaN or infinite). False where NaN or an infinity is a value the variable takes on
        purpose ("no settlement yet", "no breakdown yet").
    guarded_by : str or None
        The 0/1 switch under which the module keeps a ``nonnegative`` variable at or above 0
        (None: always). Where the switch is 0 the module integrates by plain Euler, as a
        benchmark may define it, and the variable may overshoot below 0 near exhaustion: the
        engine does not stop those samples.
    """

    name: str
    unit: str
    description: str
    kind: Literal["stock", "aux"] = "stock"
    record: bool = True
    per: Per = None
    owner: str | None = None
    from_start: FromStart | None = None
    nonnegative: bool = False
    finite: bool = True
    guarded_by: str | None = None

    @property
    def base(self) -> str:
        """The name without its owner (``personnel`` for ``blue.personnel``)."""
        return split_owned(self.name)[1]


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


@dataclass(frozen=True)
class Read:
    """A variable a module reads from another module.

    Attributes
    ----------
    name : str
        The variable, as the module that writes it names it.
    neutral : float
        The value the reader sees when no enabled module writes the variable: the value at
        which the coupling has no effect on the reader (e.g. 1 for ``war_intensity``, 0 for
        ``nato_personnel``). NaN says "not observed"; the reader then falls back on its own
        parameters.
    when : {"start", "step"}
        ``"start"``: the value at the start of the step, from ``s`` (the writer may step
        before or after the reader). ``"step"``: the value the writer computed this step,
        from ``x`` (and the start value from ``s``); the writer steps first.
    """

    name: str
    neutral: float
    when: Literal["start", "step"] = "start"


#: Arguments of a kernel step that are not model names: time and step length in days.
KERNEL_CONTEXT = ("t", "dt")


@dataclass(frozen=True)
class Kernel:
    """A module's step in a reduced configuration, written to compile (see ``docs/model.md``).

    Every function here is an :func:`~detente.model.equations.equation`, and its signature
    is the declaration: each argument is named after what it receives.

    Attributes
    ----------
    step : callable
        The reduced step over one sample's floats (or every sample's arrays). Its arguments
        are the state variables it advances (module variables; it returns their new values,
        in argument order), parameters, declared reads (held at their neutral values: a
        kernel runs only when its module runs alone), derived inputs (below) and ``t`` /
        ``dt`` (:data:`KERNEL_CONTEXT`).
    init : callable
        The state variables' initial values, in ``step``'s order, from parameters (and
        reads); the module's own ``init`` uses it for them, so they agree.
    zero : tuple of str
        Parameters that must be exactly 0 in every sample for ``step`` to equal the module's
        step (switches of the mechanisms it leaves out, noise amplitudes).
    derived : tuple of callable
        Inputs constant while the parameters are: each an equation over parameters (and
        reads), named after the input it computes, evaluated once per stretch of steps
        instead of every step.
    names : tuple of (str, str)
        The model name each argument stands for where the two differ: an argument is an
        identifier, a name a side owns is not (``a_personnel`` stands for
        ``blue.personnel``). Arguments not listed are model names.
    """

    step: Callable[..., tuple[Any, ...]]
    init: Callable[..., tuple[Any, ...]]
    zero: tuple[str, ...]
    derived: tuple[Callable[..., Any], ...] = ()
    names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class KernelLayout:
    """The arguments of a kernel's functions, by kind (see :class:`Kernel`).

    Attributes
    ----------
    arguments : tuple of str
        Every argument of ``step``, in order.
    state : tuple of str
        Variables the kernel advances; ``step`` and ``init`` return them in this order.
    params : tuple of str
        Parameters ``step`` reads.
    reads : tuple of str
        Declared reads ``step`` reads (at their neutral values).
    derived : tuple of str
        Derived inputs ``step`` reads.
    init_arguments : tuple of str
        The arguments of ``init`` (parameters and reads).
    derived_arguments : tuple of tuple of str
        The arguments of each function of ``Kernel.derived``.
    """

    arguments: tuple[str, ...]
    state: tuple[str, ...]
    params: tuple[str, ...]
    reads: tuple[str, ...]
    derived: tuple[str, ...]
    init_arguments: tuple[str, ...]
    derived_arguments: tuple[tuple[str, ...], ...]


InitFn = Callable[[Params, int, State], dict[str, FloatArray]]
#: Cross-parameter check of a scenario's parameters: returns (dotted path, message) pairs.
CheckFn = Callable[[Mapping[str, Any]], list[tuple[str, str]]]
StepFn = Callable[[State, State, Params, Mapping[str, FloatArray], StepContext],
                  dict[str, FloatArray]]

Spec = ParamSpec | VariableSpec


S = TypeVar("S", ParamSpec, VariableSpec)


def possessive(name: str) -> str:
    """``Blue's``; a name ending in *s* takes the apostrophe alone (``Communist forces'``)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def for_cast(specs: Iterable[S], cast: Cast) -> tuple[S, ...]:
    """Return ``specs`` for ``cast``: each owned template once per owner, named and described.

    A template (``per`` set, ``name`` its base) becomes one spec per side or supporter, named
    :func:`owned` and with ``{owner}`` in its description replaced by the owner's display
    name; an unowned spec stays as it is.
    """
    out: list[S] = []
    for spec in specs:
        if spec.per is None:
            out.append(spec)
            continue
        for owner in cast.owners(spec.per):
            name = cast.name_of(owner)
            whose = possessive(name)
            text = spec.description.replace("{owner}'s", whose).replace("{owner}", name)
            out.append(replace(spec, name=owned(owner, spec.name), owner=owner,
                               description=text))
    return tuple(out)


def template_name(spec: Spec) -> str:
    """Return how a listing names a spec: ``<side>.base``, ``<supporter>.base`` or the name."""
    base = spec.base
    return base if spec.per is None else f"<{spec.per}>.{base}"


@dataclass(frozen=True)
class Module:
    """A model subsystem; see the module docstring for the contract.

    Declarations are checked when the module is defined: names are unique, a module does
    not read its own variables, and a kernel's arguments are names the module knows.
    ``cast`` is the cast the module was built for (None for a module that owns nothing).
    """

    name: str
    description: str
    params: tuple[ParamSpec, ...]
    variables: tuple[VariableSpec, ...]
    init: InitFn
    step: StepFn
    shocks: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    check: CheckFn | None = None
    reads: tuple[Read, ...] = ()
    kernel: Kernel | None = None
    cast: Cast | None = None

    def __post_init__(self) -> None:
        own = [v.name for v in self.variables]
        for what, names in (("variable", own), ("parameter", [p.name for p in self.params]),
                            ("read", [r.name for r in self.reads])):
            twice = sorted({x for x in names if names.count(x) > 1})
            if twice:
                raise ValueError(f"module '{self.name}' declares the {what}(s) "
                                 f"{', '.join(twice)} more than once")
        mine = sorted({r.name for r in self.reads} & set(own))
        if mine:
            raise ValueError(f"module '{self.name}' declares reads of its own variable(s) "
                             f"{', '.join(mine)}; a module reads its own state from s "
                             "without declaring it")
        if self.kernel is not None:
            _ = self.kernel_layout  # checks the declaration now (and keeps the result)

    @functools.cached_property
    def kernel_layout(self) -> KernelLayout:
        """The kernel's arguments by kind (:func:`kernel_layout`); needs a kernel."""
        return kernel_layout(self)

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the variables the module owns, in declaration order."""
        return tuple(v.name for v in self.variables)


def kernel_layout(module: Module) -> KernelLayout:
    """Sort the arguments of ``module``'s kernel functions by kind (see :class:`Kernel`).

    Raises
    ------
    ValueError
        If the module has no kernel, or an argument or a ``zero`` name is not one the module
        declares.
    """
    kernel = module.kernel
    if kernel is None:
        raise ValueError(f"module '{module.name}' declares no kernel")
    variables = set(module.variable_names)
    params = {p.name for p in module.params}
    reads = {r.name for r in module.reads}

    named = dict(kernel.names)

    def arguments(fn: Callable[..., Any], allowed: set[str], what: str) -> tuple[str, ...]:
        args = tuple(named.get(a, a) for a in inspect.signature(fn).parameters)
        unknown = [a for a in args if a not in allowed]
        if unknown:
            raise ValueError(f"{what} of module '{module.name}' ({fn.__name__}) takes "
                             f"{', '.join(unknown)}: expected {expected[what]}")
        return args

    derived = {named.get(fn.__name__, fn.__name__): fn for fn in kernel.derived}
    expected = {
        "the kernel step": "the module's variables, parameters or declared reads, its "
                           f"derived inputs, or {' / '.join(KERNEL_CONTEXT)}",
        "the kernel init": "the module's parameters or declared reads",
        "a derived input": "the module's parameters or declared reads",
    }
    args = arguments(kernel.step, variables | params | reads | set(derived)
                     | set(KERNEL_CONTEXT), "the kernel step")
    init_args = arguments(kernel.init, params | reads, "the kernel init")
    derived_args = tuple(arguments(fn, params | reads, "a derived input")
                         for fn in kernel.derived)
    not_params = [z for z in kernel.zero if z not in params]
    if not_params:
        raise ValueError(f"the kernel of module '{module.name}' needs {', '.join(not_params)} "
                         "to be 0, but the module has no such parameter")
    return KernelLayout(
        arguments=args,
        state=tuple(a for a in args if a in variables),
        params=tuple(a for a in args if a in params),
        reads=tuple(a for a in args if a in reads),
        derived=tuple(a for a in args if a in derived),
        init_arguments=init_args,
        derived_arguments=derived_args,
    )
