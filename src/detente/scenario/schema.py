"""Typed, frozen models of a scenario file.

A scenario file (YAML or TOML) has these top-level keys::

    schema_version: 1
    name: border-war                   # identifier: lower-case letters, digits, '-' and '_'
    title: ...
    description: ...
    sources:                           # references that parameters may name as "ref:KEY"
      KEY: citation                    # undated, or dated:
      KEY: {citation: ..., published: 2023-11-03, refers_to: 2023-10-31}
      KEY: {citation: ..., derived: true}   # computed from what the notes cite
    time: {start: 2023-12-01, step_days: 7, horizon_steps: 156, war_began: 2022-02-24}
    knowledge:                         # what the scenario may know (look-ahead)
      kind: forecast                   # forecast | reconstruction
      as_of: 2023-12-01                # optional: default time.start
      later: {SOURCE_OR_PARAMETER: REASON, ...}   # used although published (or referring)
                                                  # after as_of; each is a loud warning
    sides: {blue: {name: Blue, description: ...}, red: {name: Red}}
    supporters: {donor: {name: Donor, supports: blue}}   # optional: outside supporters
    issues: {line: {levels: [claim, current, partial, pre_war], status_quo: current,
             role: territory}, ...}          # optional: what the talks settle (six by default)
    channels: {talks: {code: 1, parties: [blue, red]}}    # optional: negotiation channels
    modules: [military, strikes, economy, society]
    parameters:
      NAME: {value: 1.0, unit: ..., source: ..., note: ..., as_of: 1952}
      NAME: {dist: pert, low: .., mode: .., high: .., unit: ..., source: ...}
    events:
      NAME: {date: ..., effective: ..., probability: PARAM, changes: [...], description: ...}
      NAME: {date: ..., public: ..., changes: [...]}   # of the war's record, before the start
    # a change: {param: P, value: X, unit: U} or {param: P, scale: F | PARAM}, from:, until:
    policies:
      NAME: {description: ..., changes: [...], events: {...},
             cancel: [EVENT, ...], chances: {EVENT: {probability: P | PARAM} | {scale: F}}}
    levers:                            # optional: the dashboard's controls, in this order
      PARAM: {label: ..., unit: ..., low: .., high: .., step: .., description: ...}
    claims:                            # optional: an argument's claims as tests on outputs
      ID: {text: ..., source: ..., policies: [...], test: {kind: change|compare|event|
           difference|rank|all|any, ...}}   # or untestable: REASON instead of test;
                                            # assumption: WHY for a test true by construction
    actors:                            # optional: the negotiation's actors (scenario.actors)
      ID: {name: ..., party: SIDE_OR_SUPPORTER, role: lead|veto|influence, capability: ...,
           position: {ISSUE: ...}, salience: {ISSUE: ...}}

A *source* is ``fact:KEY`` (a row of the shared facts table), ``ref:KEY`` (an entry of
``sources``), a free-text citation, or exactly ``assumption`` (then the number must carry a
distribution, unless it is a structural switch or a unit-free modelling choice explained in
``note``).

Look-ahead (:mod:`detente.scenario.lookahead`): a scenario with ``knowledge`` declares
itself a **forecast** as of a date D (every source a parameter cites, in ``source`` or as
``fact KEY``/``fact:KEY``/``ref:KEY`` in ``note``, was *published* by D: a fact's
``published`` date in the facts table, a reference's ``published``; an undated reference or
citation is not shown public, unless ``derived``) or a historical **reconstruction** as of D
(every value *refers* to a date up to D: a parameter's own ``as_of``, else the facts'
``as_of`` and the references' ``refers_to``; sources may be published later, so hindsight
is possible). Dates may be a day, a month or a year, each checked at its last day. A
violation is a located error unless ``knowledge.later`` lists the source or the parameter
with the reason; every such entry must be needed, and each is shown as a warning when the
scenario is validated or run, and in the report (:attr:`Scenario.hindsight`). Without
``knowledge`` nothing is checked, and the report says so.
"""  # noqa: D214, D405, D406, D407, D411

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from detente._typing import FloatArray
from detente.model.bargaining import DIMENSIONS, MAX_DEALS, deal_count_text
from detente.model.base import ROLES, TERRITORY_LEVELS, Cast, Channel, Issue, Module, Role
from detente.model.registry import resolve_modules
from detente.scenario.actors import Actor, actor_problems, register_distributions
from detente.scenario.facts import PartialDate
from detente.scenario.posterior import PosteriorDraws, read_posterior
from detente.scenario.table import ParameterDistribution, ParameterTable

if TYPE_CHECKING:
    from detente.scenario.lookahead import Hindsight

NAME_RE = r"^[a-z][a-z0-9_\-]*$"
IDENT_RE = r"^[a-z][a-z0-9_]*$"
#: A parameter's name: an identifier, or ``owner.identifier`` for what a side, supporter or
#: party to the talks owns (``blue.personnel0``).
PARAM_RE = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$"


#: A date as precise as it is known: ``2023-11-03``, ``2023-11`` or ``2023`` (checked at the
#: period's last day); written back as text.
WhenKnown = Annotated[
    PartialDate,
    PlainValidator(PartialDate.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"anyOf": [
        {"type": "string", "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"},
        {"type": "integer", "minimum": 1, "maximum": 9999}],
        "description": "A date YYYY-MM-DD, a month YYYY-MM or a year YYYY (a month or year "
                       "counts as its last day)."}),
]


#: A number a file may give where only a finite one means anything (not .nan, .inf).
Finite = Annotated[float, Field(allow_inf_nan=False)]
#: Largest PERT shape accepted: beyond it the distribution is a spike at the mode.
MAX_PERT_SHAPE = 1000.0
#: Probabilities this close to 0 or 1 are drawn from a PERT by ``scipy.stats.beta.ppf``
#: itself. Below about 1e-60 its Boost root finding may give up, and it gives up differently
#: from ``scipy.special.betaincinv``; the margin costs nothing, as a block's Latin hypercube
#: almost never comes this close.
PERT_TAIL = 1e-12
#: Largest log-normal log-scale deviation accepted: e**(8.3 * 20) is past any float.
MAX_LOG_SIGMA = 20.0


def file_keys(model: type[BaseModel]) -> list[str]:
    """Return the keys a file may write in a mapping that ``model`` reads (aliases first)."""
    return [f.alias or k for k, f in model.model_fields.items()]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- distributions
class Uniform(_Frozen):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low must be < high, found low={self.low}, high={self.high}")
        return self

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at probabilities ``u``."""
        return np.asarray(self.low + (self.high - self.low) * u, dtype=np.float64)

    def support(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can take."""
        return self.low, self.high

    def median(self) -> float:
        """Return the distribution's median (used for the default, central run)."""
        return float(self.ppf(np.array([0.5]))[0])


class Triangular(_Frozen):
    """Triangular on ``[low, high]`` with mode ``mode``."""

    dist: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "expected low <= mode <= high with low < high, "
                f"found low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at probabilities ``u``."""
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.asarray(np.where(u < fc, left, right), dtype=np.float64)

    def support(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can take."""
        return self.low, self.high

    def median(self) -> float:
        """Return the distribution's median."""
        return float(self.ppf(np.array([0.5]))[0])


class Pert(_Frozen):
    """PERT (scaled beta) on ``[low, high]`` with mode ``mode`` and shape ``lamb`` (4)."""

    dist: Literal["pert"]
    low: Finite
    mode: Finite
    high: Finite
    lamb: float = Field(4.0, gt=0, le=MAX_PERT_SHAPE, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> Pert:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "expected low <= mode <= high with low < high, "
                f"found low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at probabilities ``u``.

        The bits of ``low + (high - low) * scipy.stats.beta.ppf(u, a, b)``, computed without
        the argument checks ``rv_continuous.ppf`` makes on every call:
        ``scipy.special.betaincinv`` runs the same Boost inverse that ``beta.ppf`` runs, and
        returns the same bits wherever its root finding converges. Probabilities within
        :data:`PERT_TAIL` of 0 or 1, outside ``(0, 1)`` or NaN are left to ``beta.ppf``
        itself: so far out, the two give up differently (``tests/scenario/
        test_schema_quantiles.py`` checks the equality).
        """
        from scipy import special

        span = self.high - self.low
        a = 1.0 + self.lamb * (self.mode - self.low) / span
        b = 1.0 + self.lamb * (self.high - self.mode) / span
        q = np.asarray(u, dtype=np.float64)
        x = np.asarray(special.betaincinv(a, b, q), dtype=np.float64)
        tail = ~((q > PERT_TAIL) & (q < 1.0 - PERT_TAIL))
        if tail.any():
            from scipy import stats  # imported only here: it takes longer than a block's draws

            x[tail] = stats.beta.ppf(q[tail], a, b)
        return np.asarray(self.low + span * x, dtype=np.float64)

    def support(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can take."""
        return self.low, self.high

    def median(self) -> float:
        """Return the distribution's median."""
        return float(self.ppf(np.array([0.5]))[0])


def _log_gauss_mass(a: float, b: float) -> float:
    """Log of the standard normal's mass on ``[a, b]``, as ``scipy.stats.truncnorm`` has it."""
    from scipy import special

    lo, hi = np.array([a]), np.array([b])
    if not b <= 0 and a > 0:  # the right tail, mirrored to the left one
        lo, hi = -hi, -lo
    elif not b <= 0:  # astride 0
        return float(special.log1p(-special.ndtr(lo) - special.ndtr(-hi))[0])
    diff = special.logsumexp([special.log_ndtr(hi), special.log_ndtr(lo) + np.pi * 1j], axis=0)
    return float(np.real(diff)[0])


class TruncNormal(_Frozen):
    """Normal(``mean``, ``sd``) truncated to ``[low, high]``."""

    dist: Literal["truncnormal"]
    mean: Finite
    sd: float = Field(gt=0, allow_inf_nan=False)
    low: float = -math.inf
    high: float = math.inf

    @model_validator(mode="after")
    def _order(self) -> TruncNormal:
        if not self.low < self.high:
            raise ValueError(f"low must be < high, found low={self.low}, high={self.high}")
        return self

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at probabilities ``u``.

        The bits of ``scipy.stats.truncnorm.ppf(u, a, b, loc=mean, scale=sd)``, computed
        with ``scipy.special`` the way ``truncnorm`` computes them (SciPy 1.17; the terms of
        the bounds once per call): drawing never imports ``scipy.stats``, whose import costs
        more than a second of a command's start-up (``tests/scenario/
        test_schema_quantiles.py`` checks the equality).
        """
        from scipy import special

        a = (self.low - self.mean) / self.sd
        b = (self.high - self.mean) / self.sd
        q = np.asarray(u, dtype=np.float64)
        x = np.full(q.shape, np.nan)
        if not a < b:  # bounds a step apart in the standard scale: no distribution
            return x
        x[q == 0.0] = a * self.sd + self.mean
        x[q == 1.0] = b * self.sd + self.mean
        inner = (q > 0.0) & (q < 1.0)
        if inner.any():
            qi = q[inner]
            mass = _log_gauss_mass(a, b)
            # from the nearer tail: the left one for a < 0, else the right one, mirrored
            end, log_q, sign = ((a, np.log(qi), 1.0) if a < 0
                                else (-b, np.log1p(-qi), -1.0))
            log_end = special.log_ndtr(np.full(qi.shape, end))
            log_cdf = special.logsumexp([log_end, log_q + mass], axis=0)
            x[inner] = sign * special.ndtri_exp(log_cdf) * self.sd + self.mean
        return x

    def support(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can take."""
        return self.low, self.high

    def median(self) -> float:
        """Return the distribution's median."""
        return float(self.ppf(np.array([0.5]))[0])


class LogNormal(_Frozen):
    """Log-normal with median ``median`` and log-scale standard deviation ``sigma``."""

    dist: Literal["lognormal"]
    median_: float = Field(alias="median", gt=0, allow_inf_nan=False)
    sigma: float = Field(gt=0, le=MAX_LOG_SIGMA, allow_inf_nan=False)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at probabilities ``u``."""
        from scipy import special

        z = np.sqrt(2.0) * special.erfinv(2.0 * u - 1.0)
        return np.asarray(self.median_ * np.exp(self.sigma * z), dtype=np.float64)

    def support(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can take."""
        return 0.0, math.inf

    def median(self) -> float:
        """Return the distribution's median."""
        return self.median_


Distribution = Annotated[
    Uniform | Triangular | Pert | TruncNormal | LogNormal, Field(discriminator="dist")
]
DIST_KINDS = ("uniform", "triangular", "pert", "truncnormal", "lognormal")
#: The model of each distribution, by the name a file gives it.
DIST_MODELS: dict[str, type[BaseModel]] = {
    "uniform": Uniform, "triangular": Triangular, "pert": Pert, "truncnormal": TruncNormal,
    "lognormal": LogNormal,
}
register_distributions(DIST_MODELS)  # the actors' numbers take the same distributions


# --------------------------------------------------------------------------- parameters
SOURCE_HELP = "'fact:KEY', 'ref:KEY', a citation, or 'assumption'"


class Parameter(_Frozen):
    """One model parameter: a value or a distribution, with a unit and a source.

    Written in the file either as ``{value: X, unit: U, source: S}`` or as
    ``{dist: KIND, <its fields>, unit: U, source: S}``. ``as_of`` (optional) is the date
    the value refers to, when it is not its sources' (a rate reconstructed from a later
    record, say): a reconstruction checks it instead of theirs.
    """

    value: float | None = None
    dist: Distribution | None = None
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str = ""
    as_of: WhenKnown | None = None

    @model_validator(mode="before")
    @classmethod
    def _lift_dist(cls, data: Any) -> Any:
        # A distribution is written inline ({dist: pert, low: ...}); gather its fields.
        if isinstance(data, dict) and isinstance(data.get("dist"), str):
            own = {"value", "unit", "source", "note", "as_of"}
            dist = {k: v for k, v in data.items() if k not in own}
            rest = {k: v for k, v in data.items() if k in own}
            return {**rest, "dist": dist}
        return data

    @model_validator(mode="after")
    def _one_of(self) -> Parameter:
        if (self.value is None) == (self.dist is None):
            raise ValueError(
                "expected exactly one of 'value' or 'dist' "
                f"(a distribution: {', '.join(DIST_KINDS)}), found "
                + ("both" if self.value is not None else "neither")
            )
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"value must be a finite number, found {self.value}")
        return self

    @property
    def is_uncertain(self) -> bool:
        """True when the parameter carries a distribution."""
        return self.dist is not None

    @property
    def distribution(self) -> ParameterDistribution:
        """What the numbers mean (:class:`~detente.scenario.table.ParameterDistribution`)."""
        return ParameterDistribution.of(self)

    def central(self) -> float:
        """Return the fixed value, or the distribution's median (in the file's unit)."""
        return self.distribution.central()

    def nominal(self) -> float:
        """Return what the author means: the value, or the mode, midpoint, mean or median."""
        return self.distribution.nominal()

    def sample(self, u: FloatArray) -> FloatArray:
        """Values at uniform(0,1) draws ``u`` (in the file's unit)."""
        return self.distribution.sample(u)


# --------------------------------------------------------------------------- time and sides
class TimeSpec(_Frozen):
    """Simulated period: start date, step length and number of steps.

    ``war_began`` (optional) is the date the war began, on or before the start: the
    outside view (base rates of how long wars last) counts from it.
    """

    start: dt.date
    step_days: float = Field(gt=0, le=366)
    horizon_steps: int = Field(gt=0, le=100_000)
    war_began: dt.date | None = Field(
        None, description="The date the war began, on or before the start.")

    @field_validator("war_began")
    @classmethod
    def _began_by_the_start(cls, v: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start")
        if v is not None and isinstance(start, dt.date) and v > start:
            raise ValueError(f"expected the date the war began, on or before the start "
                             f"({start}), found {v}")
        return v

    @model_validator(mode="after")
    def _end_is_a_date(self) -> TimeSpec:
        try:
            self.end  # noqa: B018
        except OverflowError:
            raise ValueError(
                f"the horizon ({self.horizon_steps} steps of {self.step_days} days from "
                f"{self.start}) runs past the year 9999; shorten it") from None
        return self

    @property
    def end(self) -> dt.date:
        """Date of the last recorded point."""
        return self.start + dt.timedelta(days=self.step_days * self.horizon_steps)

    def step_of(self, when: dt.date) -> int:
        """Index of the first step that starts on or after ``when`` (0 for dates ≤ start)."""
        days = (when - self.start).days
        return max(0, math.ceil(days / self.step_days - 1e-9))

    def dates(self, n_steps: int | None = None) -> list[dt.date]:
        """Dates of the recorded points 0..n_steps."""
        dates: list[dt.date] = self._day_array(n_steps).tolist()
        return dates

    def dates64(self, n_steps: int | None = None) -> NDArray[np.datetime64]:
        """:meth:`dates` as a ``datetime64[ns]`` array."""
        return self._day_array(n_steps).astype("datetime64[ns]")

    def _day_array(self, n_steps: int | None) -> NDArray[np.datetime64]:
        # start + timedelta(days=step_days * k), without a Python loop over k
        n = self.horizon_steps if n_steps is None else n_steps
        offsets = self.step_days * np.arange(n + 1)
        days = np.floor(offsets)
        # ``timedelta(days=x)`` rounds x to the microsecond first; only an x within a
        # microsecond below a whole day can round up, so those few are left to it
        for k in np.flatnonzero(offsets - days > 1.0 - 1e-6):
            days[k] = dt.timedelta(days=float(offsets[k])).days
        out: NDArray[np.datetime64] = np.datetime64(self.start, "D") + days.astype(
            "timedelta64[D]")
        return out


class Side(_Frozen):
    """A belligerent: its display name and what it stands for."""

    name: str = Field(min_length=1, max_length=80)
    description: str = ""


class Supporter(_Frozen):
    """An outside state or coalition that supports one side (with aid, munitions, troops)."""

    name: str = Field(min_length=1, max_length=80)
    supports: str = Field(pattern=IDENT_RE)
    description: str = ""


class ChannelDecl(_Frozen):
    """A negotiation channel: who sits at the table, what it can move, what opens it.

    ``code`` is the value of the parameter ``negotiation_channel`` that opens the channel
    (0 means "no talks"); the channel's own switch ``open_<id>`` opens it beside other open
    channels, the first listed whose deal is signed holding (``docs/settlement.md``, §1);
    ``dimensions`` lists the issue dimensions it can move (all when
    omitted); ``credibility_of`` names the supporter whose credibility discounts a deal;
    ``guarantee_cap`` and ``veto_onus`` name parameters (see ``docs/settlement.md``).
    """

    description: str = ""
    code: int = Field(ge=1, le=1_000_000)
    parties: tuple[Annotated[str, Field(pattern=IDENT_RE)], ...] = Field(min_length=2)
    dimensions: tuple[Annotated[str, Field(pattern=IDENT_RE)], ...] | None = None
    credibility_of: str | None = Field(None, pattern=IDENT_RE)
    guarantee_cap: str | None = Field(None, pattern=PARAM_RE)
    veto_onus: str | None = Field(None, pattern=PARAM_RE)


class IssueDecl(_Frozen):
    """An issue the talks can settle (the key under ``issues`` is its id).

    ``levels`` run from the second side's most preferred to the first side's (at least
    two); ``status_quo`` is the level that holds while nothing is agreed; ``role``
    (optional; each role at most once in a scenario) says what the agreed level sets
    besides: ``territory`` the line of control (four levels: the second side's claim, the
    current line, a partial return, the pre-war line), ``sanctions`` the sanctions relief,
    ``guarantees`` the security guarantee (see ``docs/settlement.md``).
    """

    description: str = ""
    levels: tuple[Annotated[str, Field(pattern=IDENT_RE)], ...]
    status_quo: str = Field(pattern=IDENT_RE)
    role: Role | None = None

    @field_validator("levels")
    @classmethod
    def _two_distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(v) < 2:
            raise ValueError(f"expected at least two levels (from the second side's most "
                             f"preferred to the first side's), found {len(v)}")
        twice = sorted({x for x in v if v.count(x) > 1})
        if twice:
            raise ValueError(f"expected each level once, found {', '.join(twice)} twice")
        return v

    @field_validator("status_quo")
    @classmethod
    def _a_level(cls, v: str, info: ValidationInfo) -> str:
        levels = info.data.get("levels")
        if levels is not None and v not in levels:
            raise ValueError(f"expected one of the issue's levels ({', '.join(levels)}), "
                             f"found '{v}'")
        return v

    @field_validator("role")
    @classmethod
    def _four_lines(cls, v: Role | None, info: ValidationInfo) -> Role | None:
        levels = info.data.get("levels")
        if v == "territory" and levels is not None and len(levels) != TERRITORY_LEVELS:
            raise ValueError(f"the line of control has {TERRITORY_LEVELS} levels (the second "
                             "side's claim, the current line, a partial return, the pre-war "
                             f"line), found {len(levels)}")
        return v

    def issue(self, name: str) -> Issue:
        """Return the model's :class:`~detente.model.base.Issue` of this declaration."""
        return Issue(name=name, levels=self.levels, status_quo=self.status_quo,
                     description=self.description, role=self.role)


def _located(title: str, errors: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
    """Raise ``errors`` (location in the file, message, value found) as one validation error."""
    if errors:
        raise ValidationError.from_exception_data(title, [
            InitErrorDetails(type=PydanticCustomError("value_error", "{message}",
                                                      {"message": message}),
                             loc=loc, input=found)
            for loc, message, found in errors])


# ------------------------------------------------------------------- changes, events, policies
def _number_or_name(v: Any, check: Callable[[float], str | None], what: str) -> Any:
    """Return ``v`` as a float that ``check`` accepts (None: no problem), or a parameter name.

    ``what`` says what number was expected, in the message for anything else.
    """
    if v is None:
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        problem = check(float(v))
        if problem is not None:
            raise ValueError(problem)
        return float(v)
    if isinstance(v, str) and re.match(PARAM_RE, v):
        return v
    raise ValueError(f"expected {what} or the name of the parameter holding it, found {v!r}")


class Change(_Frozen):
    """A change to one parameter from a date (and optionally until one).

    Exactly one of ``value`` (replace; in ``unit`` or the parameter's own unit) or ``scale``
    (multiply) is given. ``scale`` is a number, or the name of a parameter (in ``ratio``)
    whose value in each sample is the factor: a change of uncertain size, such as an
    offensive whose tempo is known only as a distribution. Without ``from``, the change
    applies from the start (in a policy) or from the event's effective date (in an event).
    """

    param: str = Field(pattern=PARAM_RE)
    value: Finite | None = None
    scale: float | str | None = None
    unit: str | None = None
    from_: dt.date | None = Field(None, alias="from")
    until: dt.date | None = None

    @field_validator("scale", mode="before")
    @classmethod
    def _factor_or_name(cls, v: Any) -> Any:
        def factor(x: float) -> str | None:
            if not math.isfinite(x):
                return f"expected a finite number, found {x}"
            return f"expected a factor of at least 0, found {x}" if x < 0.0 else None

        return _number_or_name(v, factor, "a factor (a number of at least 0)")

    @model_validator(mode="after")
    def _one_of(self) -> Change:
        if (self.value is None) == (self.scale is None):
            raise ValueError("expected exactly one of 'value' or 'scale', found "
                             + ("both" if self.value is not None else "neither"))
        if self.scale is not None and self.unit is not None:
            raise ValueError("'unit' applies to 'value', not to 'scale' (a pure multiplier)")
        if self.from_ and self.until and self.until <= self.from_:
            raise ValueError(f"'until' ({self.until}) must be after 'from' ({self.from_})")
        return self


class Event(_Frozen):
    """A dated event; with ``probability`` (a parameter name) it happens in some samples only."""

    description: str = ""
    date: dt.date
    effective: dt.date | None = None
    probability: str | None = Field(None, pattern=PARAM_RE)
    changes: tuple[Change, ...] = ()
    #: For an event of the war's record (dated before the scenario's start, which a
    #: restart from an earlier origin replays): the date from which it was publicly known
    #: or expected (announced, reported as planned). A restart from an earlier origin
    #: leaves it out: a forecast made then could not know it.
    public: dt.date | None = None

    @model_validator(mode="after")
    def _dates(self) -> Event:
        if self.effective is not None and self.effective < self.date:
            raise ValueError(f"'effective' ({self.effective}) is before 'date' ({self.date})")
        return self

    def known_on(self, date: dt.date) -> bool:
        """Whether a forecast made on ``date`` could know the event (see ``public``)."""
        return self.public is None or self.public <= date

    @property
    def takes_effect(self) -> dt.date:
        """The date from which the event's changes apply."""
        return self.effective or self.date


class EventChance(_Frozen):
    """How likely one of the scenario's events is under a policy (``chances`` of a policy).

    Exactly one of ``probability`` (the name of a parameter holding it, or a fixed number
    in [0, 1]) or ``scale`` (a factor on the event's own probability; a certain event's is
    1). The event keeps its random draw: in each sample it happens when the same uniform
    draw falls below the new probability, so a likelier event happens in every sample the
    less likely one did, and in some more.
    """

    probability: float | str | None = None
    scale: float | None = Field(None, ge=0, allow_inf_nan=False)

    @field_validator("probability", mode="before")
    @classmethod
    def _share_or_name(cls, v: Any) -> Any:
        def share(x: float) -> str | None:
            return (None if math.isfinite(x) and 0.0 <= x <= 1.0
                    else f"expected a probability in [0, 1], found {x}")

        return _number_or_name(v, share, "a probability (a number in [0, 1])")

    @model_validator(mode="after")
    def _one_of(self) -> EventChance:
        if (self.probability is None) == (self.scale is None):
            raise ValueError("expected exactly one of 'probability' (a number in [0, 1] or a "
                             "parameter's name) or 'scale' (a factor on the event's own "
                             "probability), found "
                             + ("both" if self.probability is not None else "neither"))
        return self


class Policy(_Frozen):
    """A policy option: an overlay on the scenario.

    ``changes`` set or scale parameters from a date; ``events`` adds events of the policy's
    own (one with the name of a scenario event replaces it under this policy: dates,
    changes and probability, on the same random draw); ``cancel`` lists scenario events
    that do not happen under the policy; ``chances`` gives scenario events another
    probability (:class:`EventChance`). On any day, the scenario's events apply first, then
    the policy's events, then the policy's changes, so the policy's change holds; a change
    that begins on a later day applies after one that began earlier (``docs/model.md``,
    "Policies: overlays on the scenario").
    """

    description: str = ""
    extends: str | None = Field(None, pattern=IDENT_RE, description=(
        "Another policy of the scenario this one builds on: its changes first, then this "
        "one's; its events, cancellations and chances unless this one restates them."))
    changes: tuple[Change, ...] = ()
    events: dict[Annotated[str, Field(pattern=IDENT_RE)], Event] = Field(default_factory=dict)
    cancel: tuple[Annotated[str, Field(pattern=IDENT_RE)], ...] = ()
    chances: dict[Annotated[str, Field(pattern=IDENT_RE)], EventChance] = Field(
        default_factory=dict)

    def on_top_of(self, base: Policy) -> Policy:
        """Return this policy applied on top of ``base`` (what ``extends`` means).

        ``base``'s changes come first, so this policy's hold where both change a parameter
        on the same day; an event this policy defines, cancels or gives a chance replaces
        what ``base`` does with it. The result extends nothing.
        """
        own = {*self.events, *self.cancel, *self.chances}
        return Policy(
            description=self.description or base.description,
            changes=(*base.changes, *self.changes),
            events={**{k: v for k, v in base.events.items() if k not in own}, **self.events},
            cancel=(*(c for c in base.cancel if c not in own), *self.cancel),
            chances={**{k: v for k, v in base.chances.items() if k not in own},
                     **self.chances})

    @model_validator(mode="after")
    def _each_event_once(self) -> Policy:
        errors: list[tuple[tuple[str | int, ...], str, Any]] = []
        for i, name in enumerate(self.cancel):
            if name in self.cancel[:i]:
                errors.append((("cancel", i), f"expected each event once, found '{name}' "
                               "again", name))
            elif name in self.chances:
                errors.append((("cancel", i), f"event '{name}' is both cancelled and given "
                               "a chance under 'chances'; keep one", name))
        for name in dict.fromkeys((*self.cancel, *self.chances)):
            if name in self.events:
                where = ("cancel", self.cancel.index(name)) if name in self.cancel else (
                    "chances", name)
                errors.append((where, f"the policy defines its own event '{name}' under "
                               "'events'; state its probability there (leave the event out "
                               "to cancel it)", name))
        _located("Policy", errors)
        return self


# --------------------------------------------------------------------------- levers
class Lever(_Frozen):
    """A parameter the dashboard offers as a control, in a unit people read easily.

    The lever's key under ``levers`` names the parameter. ``low``, ``high`` and ``step``
    are in ``unit``, which must measure what the parameter does: the parameter table
    converts the parameter's value to it (``scenario.table[name].factor_to(unit)``).
    ``unit_label`` is how the control writes the unit when that differs from ``unit``
    (``per year`` for ``1/year``). The control starts at the parameter's central value and
    fixes the parameter in every sample.
    """

    label: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    unit_label: str | None = Field(None, min_length=1)
    low: float
    high: float
    step: float = Field(gt=0)
    description: str = ""

    @model_validator(mode="after")
    def _range(self) -> Lever:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"low and high must be finite numbers, found low={self.low}, "
                             f"high={self.high}")
        if not self.low < self.high:
            raise ValueError(f"low must be < high, found low={self.low}, high={self.high}")
        if not math.isfinite(self.step):
            raise ValueError(f"step must be a finite number, found {self.step}")
        return self

    @property
    def shown_unit(self) -> str:
        """The unit as the control writes it: ``unit_label``, else ``unit``."""
        return self.unit_label or self.unit


# --------------------------------------------------------------------------- claims
#: When a claim's reading is taken: a date, or the first ("start") or last ("end") point.
TimeRef = dt.date | Literal["start", "end"]
#: Comparison operators a claim's test may use.
Op = Literal["<", "<=", ">", ">=", "==", "!="]
#: How a window of a trajectory is reduced to one number per sample.
Reduce = Literal["mean", "min", "max", "sum", "integral", "first", "last", "any", "all"]
#: Default probability at or above which a claim is "supported".
SUPPORTED_AT = 0.8
#: Default probability at or below which a claim is "refuted".
REFUTED_AT = 0.2


#: The modal words a claim may declare (``Claim.modal``); the verdict rule of each is in
#: :data:`detente.analysis.claims.MODAL_RULES`.
Modal = Literal["will", "likely", "most", "may", "never"]


class Thresholds(_Frozen):
    """Probabilities that turn a claim's probability into a verdict."""

    supported: float = Field(SUPPORTED_AT, ge=0, le=1)
    refuted: float = Field(REFUTED_AT, ge=0, le=1)

    @model_validator(mode="after")
    def _order(self) -> Thresholds:
        if self.refuted > self.supported:
            raise ValueError(f"'refuted' ({self.refuted}) must not exceed 'supported' "
                             f"({self.supported})")
        return self


class _Reading(_Frozen):
    """How an expression's trajectory becomes one number per sample.

    Either ``at`` a time, or ``over`` a window ``[from, to]`` with ``reduce``.
    """

    metric: str = Field(min_length=1)
    at: TimeRef | None = None
    over: tuple[TimeRef, TimeRef] | None = None
    reduce: Reduce | None = None

    @model_validator(mode="after")
    def _when(self) -> _Reading:
        if (self.at is None) == (self.over is None):
            raise ValueError("expected exactly one of 'at' (a time) or 'over' (a window "
                             "[from, to] with 'reduce'), found "
                             + ("both" if self.at is not None else "neither"))
        if self.over is not None and self.reduce is None:
            raise ValueError("'over' needs 'reduce' (mean, min, max, sum, integral, first, "
                             "last, any, all)")
        if self.at is not None and self.reduce is not None:
            raise ValueError("'reduce' applies to 'over', not to 'at'")
        return self


class ChangeTest(_Reading):
    """A metric at one time compared with the same metric at another time.

    Per sample: ``metric(at) op factor * metric(than)``.
    """

    kind: Literal["change"]
    policy: str | None = Field(None, pattern=IDENT_RE)
    op: Op
    than: TimeRef
    factor: float = 1.0
    given: str | None = None


class CompareTest(_Reading):
    """A metric compared with a threshold, or with another policy.

    Against ``threshold`` (a number), or against the same metric under the policy
    ``versus`` in the same sample (common random numbers).
    """

    kind: Literal["compare"]
    policy: str | None = Field(None, pattern=IDENT_RE)
    op: Op
    threshold: float | None = None
    versus: str | None = Field(None, pattern=IDENT_RE)
    given: str | None = None

    @model_validator(mode="after")
    def _against(self) -> CompareTest:
        if (self.threshold is None) == (self.versus is None):
            raise ValueError("expected exactly one of 'threshold' (a number) or 'versus' "
                             "(a policy), found "
                             + ("both" if self.threshold is not None else "neither"))
        return self


class EventTest(_Frozen):
    """Whether an event (a condition on outputs) happens between ``from`` and ``by``.

    With ``happens: false`` the claim is that it does not.
    """

    kind: Literal["event"]
    policy: str | None = Field(None, pattern=IDENT_RE)
    when: str = Field(min_length=1)
    from_: TimeRef = Field("start", alias="from")
    by: TimeRef = "end"
    happens: bool = True
    given: str | None = None


class DifferenceTest(_Reading):
    """The difference of a metric between two policies.

    Per sample: ``metric(policy) - metric(versus) op by``.
    """

    kind: Literal["difference"]
    policy: str = Field(pattern=IDENT_RE)
    versus: str = Field(pattern=IDENT_RE)
    op: Op
    by: float = 0.0
    given: str | None = None


class RankTest(_Reading):
    """An ordering of policies on one metric, per sample (common random numbers).

    Holds in a sample when the metric under ``order[0]`` is better than under
    ``order[1]``, which is better than under ``order[2]``, and so on; ``better`` says
    whether higher or lower values are better, ``strict`` whether a tie breaks the
    ordering (it does by default: a policy that does no better is not ranked above).
    """

    kind: Literal["rank"]
    order: tuple[Annotated[str, Field(pattern=IDENT_RE)], ...] = Field(min_length=2)
    better: Literal["higher", "lower"] = "higher"
    strict: bool = True
    given: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> RankTest:
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"'order' names a policy twice, found {list(self.order)}")
        return self


class AllTest(_Frozen):
    """Every one of the tests ``of`` holds (in the same sample)."""

    kind: Literal["all"]
    of: tuple[ClaimTest, ...] = Field(min_length=1)


class AnyTest(_Frozen):
    """At least one of the tests ``of`` holds (in the same sample)."""

    kind: Literal["any"]
    of: tuple[ClaimTest, ...] = Field(min_length=1)


ClaimTest = Annotated[
    ChangeTest | CompareTest | EventTest | DifferenceTest | RankTest | AllTest | AnyTest,
    Field(discriminator="kind"),
]
TEST_KINDS = ("change", "compare", "event", "difference", "rank", "all", "any")


class Claim(_Frozen):
    """A claim of an argument, stated as a test on model outputs (or marked untestable).

    The claim's id is its key under ``claims``. Exactly one of ``test`` or ``untestable``
    (the reason the model cannot test it) is given.
    """

    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    policies: tuple[Annotated[str, Field(pattern=IDENT_RE)], ...] = ()
    test: ClaimTest | None = None
    untestable: str | None = Field(None, min_length=1)
    modal: Modal | None = Field(None, description=(
        "The sentence's modal word, which sets the verdict's thresholds (docs/claims.md, "
        "'Verdicts follow the modal word'): will, likely, most, may (can, could, might), "
        "never."))
    thresholds: Thresholds | None = None
    assumption: str | None = Field(None, min_length=1, description=(
        "Why the test holds (or fails) by construction of the model or of its inputs: the "
        "claim is then a model assumption, shown as such and not as a finding, and the "
        "claim-lint accepts it."))
    note: str = ""

    @model_validator(mode="after")
    def _one_of(self) -> Claim:
        if (self.test is None) == (self.untestable is None):
            raise ValueError("expected exactly one of 'test' or 'untestable' (the reason the "
                             "model cannot test the claim), found "
                             + ("both" if self.test is not None else "neither"))
        if self.assumption is not None and self.test is None:
            _located("Claim", [(("assumption",), (
                "an assumption is a test the model passes by construction; expected a "
                "'test' beside it, found 'untestable'"), self.assumption)])
        if self.modal is not None and self.thresholds is not None:
            _located("Claim", [(("thresholds",), (
                f"expected either a modal word or thresholds, found both (modal "
                f"'{self.modal}' sets the thresholds)"), self.thresholds)])
        return self


AllTest.model_rebuild()
AnyTest.model_rebuild()


# --------------------------------------------------------------------------- what it may know
#: What a scenario declares it is: a forecast as of a date, or a historical reconstruction.
KnowledgeKind = Literal["forecast", "reconstruction"]


class Reference(_Frozen):
    """An entry of ``sources``: a citation, with the dates the look-ahead check reads.

    Written as plain text (an undated citation) or as a mapping ``{citation: ...,
    published: ..., refers_to: ...}`` (both dates optional: a day, a month or a year).
    ``published`` is when the work was first public; ``refers_to`` the latest date the
    numbers taken from it describe, where that is after the scenario's start (a history
    written of a later period). ``{citation: ..., derived: true}`` marks values computed
    from the facts and references named in the notes of the parameters that cite it (a
    calibration): those are checked in its place.
    """

    citation: str = Field(min_length=1)
    published: WhenKnown | None = None
    refers_to: WhenKnown | None = None
    derived: bool = Field(False, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _plain_citation(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"citation": data}
        if not isinstance(data, Mapping | Reference):
            shown = "a list" if isinstance(data, list | tuple) else repr(data)
            raise ValueError("expected a citation (text) or a mapping with 'citation' and "
                             "optionally 'published', 'refers_to' or 'derived', found "
                             f"{shown}")
        return data

    @model_validator(mode="after")
    def _dates_or_derived(self) -> Reference:
        if self.derived and (self.published is not None or self.refers_to is not None):
            raise ValueError("a derived reference takes its dates from the facts and "
                             "references the notes name; give 'derived: true' or dates, "
                             "not both")
        return self

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> Any:
        # an undated citation is written back as the plain text it was read from
        if self.published is None and self.refers_to is None and not self.derived:
            return self.citation
        return handler(self)

    def __str__(self) -> str:
        return self.citation


class Knowledge(_Frozen):
    """What a scenario may know: a forecast as of a date, or a historical reconstruction.

    ``kind: forecast``: every source a parameter cites was published on or before
    ``as_of``. ``kind: reconstruction``: every value refers to a date on or before
    ``as_of`` (it may have been published later: hindsight is possible). ``as_of``
    defaults to the start. ``later`` lists, each with the reason, the sources (``fact:KEY``,
    ``ref:KEY``) or parameters used although they break that rule; each entry must be
    needed, and each is shown as a warning and in the report.
    """

    kind: KnowledgeKind = Field(description="'forecast' (every cited source was public by "
                                            "as_of) or 'reconstruction' (every value refers "
                                            "to a date up to as_of; it may be published later)")
    as_of: dt.date | None = Field(None, description="The date of what the scenario may know, "
                                                    "on or before the start (default: the "
                                                    "start).")
    later: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="Sources ('fact:KEY', 'ref:KEY') or parameters used although they break "
                    "the rule, each with the reason: the explicit opt-in, shown loudly.")


class PosteriorRef(_Frozen):
    """Where a scenario's joint posterior draws are: a CSV file beside it.

    One column per parameter (the scenario's names, in each parameter's file unit) and,
    optionally, a weight column; see :mod:`detente.scenario.posterior`.
    """

    file: str = Field(min_length=1, description="The CSV file of draws, relative to the "
                                                "scenario file.")
    weights: str | None = Field(None, min_length=1, description="The weight column (default: "
                                                                "every row weighs the same).")
    note: str = Field("", description="What the draws are and how they were made.")


# --------------------------------------------------------------------------- the scenario
#: What edits a scenario (:func:`detente.scenario.editing.with_changes`, which checks the copy
#: with the loader's checks and so imports this module: it registers itself here).
_EDITOR: Any = None


def set_editor(editor: Any) -> None:
    """Register the function :meth:`Scenario.with_changes` calls."""
    global _EDITOR
    _EDITOR = editor


class Scenario(_Frozen):
    """A complete scenario: metadata, time, sides, parameters, events, policies and levers."""

    schema_version: Literal[1] = 1
    name: str = Field(pattern=NAME_RE, max_length=64)
    title: str = Field(min_length=1)
    description: str = ""
    sources: dict[str, Reference] = Field(default_factory=dict)
    time: TimeSpec
    knowledge: Knowledge | None = None
    sides: dict[Annotated[str, Field(pattern=IDENT_RE)], Side] = Field(min_length=2)
    supporters: dict[Annotated[str, Field(pattern=IDENT_RE)], Supporter] = Field(
        default_factory=dict)
    issues: dict[Annotated[str, Field(pattern=IDENT_RE)], IssueDecl] = Field(
        default_factory=dict)
    channels: dict[Annotated[str, Field(pattern=IDENT_RE)], ChannelDecl] = Field(
        default_factory=dict)
    modules: tuple[str, ...] = Field(min_length=1)
    parameters: dict[Annotated[str, Field(pattern=PARAM_RE)], Parameter]
    posterior: PosteriorRef | None = None
    events: dict[Annotated[str, Field(pattern=IDENT_RE)], Event] = Field(default_factory=dict)
    policies: dict[Annotated[str, Field(pattern=IDENT_RE)], Policy] = Field(min_length=1)
    levers: dict[Annotated[str, Field(pattern=PARAM_RE)], Lever] = Field(default_factory=dict)
    claims: dict[Annotated[str, Field(pattern=IDENT_RE)], Claim] = Field(default_factory=dict)
    actors: dict[Annotated[str, Field(pattern=IDENT_RE)], Actor] = Field(default_factory=dict)

    @field_validator("modules")
    @classmethod
    def _unique_modules(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({m for m in v if v.count(m) > 1})
        if dup:
            raise ValueError(f"modules listed twice: {', '.join(dup)}")
        return v

    @model_validator(mode="after")
    def _issues_the_talks_can_hold(self) -> Scenario:
        # located at the field at fault: a role held twice, the size of the deal space, a
        # channel moving an issue the talks do not have (the six defaults without issues)
        errors: list[tuple[tuple[str | int, ...], str, Any]] = []
        for role in ROLES:
            holders = [iid for iid, d in self.issues.items() if d.role == role]
            errors += [(("issues", iid, "role"), f"expected each role once; '{role}' is "
                        f"already the role of issue '{holders[0]}'", role)
                       for iid in holders[1:]]
        size = math.prod(len(d.levels) for d in self.issues.values())
        if size > MAX_DEALS:
            text = deal_count_text(Issue(i, d.levels, d.status_quo)
                                   for i, d in self.issues.items())
            errors.append((("issues",), f"expected at most {MAX_DEALS:,} deals (the product "
                           f"of the issues' numbers of levels), found {size:,} ({text})",
                           size))
        known = tuple(self.issues) or tuple(d.name for d in DIMENSIONS)
        has_guarantees = (any(d.role == "guarantees" for d in self.issues.values())
                          or not self.issues)
        for cid, ch in self.channels.items():
            for i, name in enumerate(ch.dimensions or ()):
                if name not in known:
                    what = "the scenario's issues" if self.issues else "the default issues"
                    errors.append((("channels", cid, "dimensions", i),
                                   f"expected one of {what} ({', '.join(known)}), found "
                                   f"'{name}'", name))
            if ch.guarantee_cap is not None and not has_guarantees:
                errors.append((("channels", cid, "guarantee_cap"),
                               "expected no guarantee cap: no issue has the role "
                               f"'guarantees', found '{ch.guarantee_cap}'", ch.guarantee_cap))
        _located("Scenario", errors)
        return self

    @model_validator(mode="after")
    def _policies_resolved(self) -> Scenario:
        # a policy that extends another holds the other's overlay too, so everything
        # downstream reads one flat overlay per policy (and a dump re-reads as it is)
        errors: list[tuple[tuple[str | int, ...], str, Any]] = []
        resolved: dict[str, Policy] = {}

        def resolve(name: str, chain: tuple[str, ...]) -> Policy | None:
            if name in resolved:
                return resolved[name]
            policy = self.policies[name]
            parent = policy.extends
            if parent is None:
                resolved[name] = policy
                return policy
            if parent not in self.policies:
                known = [p for p in self.policies if p != name]
                errors.append((("policies", name, "extends"), (
                    f"expected one of the scenario's other policies ({', '.join(known)}), "
                    f"found '{parent}'"), parent))
                return None
            if parent in (*chain, name):
                loop = " -> ".join((*chain, name, parent))
                errors.append((("policies", name, "extends"),
                               f"expected no loop of policies extending each other, found "
                               f"{loop}", parent))
                return None
            base = resolve(parent, (*chain, name))
            if base is None:
                return None
            resolved[name] = policy.on_top_of(base)
            return resolved[name]

        if any(p.extends is not None for p in self.policies.values()):
            for name in self.policies:
                resolve(name, ())
            _located("Scenario", errors)
            self.__dict__["policies"] = {n: resolved[n] for n in self.policies}
        return self

    @model_validator(mode="after")
    def _actors_fit_the_cast(self) -> Scenario:
        _located("Scenario", actor_problems(self))  # see detente.scenario.actors
        return self

    @model_validator(mode="after")
    def _knows_by_the_start(self) -> Scenario:
        as_of = self.knowledge.as_of if self.knowledge is not None else None
        if as_of is not None and as_of > self.time.start:
            _located("Scenario", [(("knowledge", "as_of"), (
                f"expected a date on or before the start ({self.time.start}), found {as_of}: "
                "a scenario knows what was known when it starts; list what it needs from "
                "later in knowledge.later, with the reason"), as_of)])
        return self

    def with_changes(self, parameters: Mapping[str, Any] | None = None, **fields: Any
                     ) -> Scenario:
        """Return a copy with parameters and fields changed, checked as a file is.

        See :func:`detente.scenario.editing.with_changes`: ``parameters`` maps a name to a
        new value (unit, source and note kept) or a new entry; ``fields`` replace top-level
        fields. Raises :class:`~detente.errors.ScenarioError` listing every problem.

        Examples
        --------
        >>> import detente as dt
        >>> sc = dt.load("lanchester-bench")
        >>> sc.with_changes({"blue.personnel0": 1.2e5}).parameters["blue.personnel0"].value
        120000.0
        """
        if _EDITOR is None:  # pragma: no cover - set when detente.scenario is imported
            raise RuntimeError("detente.scenario.editing is not loaded")
        edited: Scenario = _EDITOR(self, parameters, **fields)
        return edited

    def __repr__(self) -> str:
        uncertain = len(self.uncertain)
        return (f"<Scenario {self.name}: {self.title!r}; {len(self.sides)} sides, "
                f"{len(self.supporters)} supporters; {len(self.parameters)} parameters "
                f"({uncertain} uncertain); {len(self.policies)} policies, "
                f"{len(self.claims)} claims; from {self.time.start}, "
                f"{self.time.horizon_steps} steps of {self.time.step_days:g} days>")

    @property
    def as_of(self) -> dt.date | None:
        """The date of what the scenario may know (``knowledge.as_of``, else the start).

        None when the scenario declares no ``knowledge`` (look-ahead is then unchecked).
        """
        if self.knowledge is None:
            return None
        return self.knowledge.as_of or self.time.start

    @functools.cached_property
    def hindsight(self) -> tuple[Hindsight, ...]:
        """Each entry of ``knowledge.later`` with what it lets through, in file order.

        A loaded scenario carries what its look-ahead check found; one made in Python
        checks itself against the bundled facts table on first use (see
        :func:`detente.scenario.lookahead.check_lookahead`).
        """
        from detente.scenario.lookahead import check_lookahead

        return check_lookahead(self).hindsight

    @functools.cached_property
    def cast(self) -> Cast:
        """Who fights, who helps and who talks: the cast the model is built for.

        Raises
        ------
        ValueError
            If the cast does not hang together (a supporter of no side, a channel seating a
            stranger, ...); the loader reports each such problem at its field.
        """
        names = (*((i, d.name) for i, d in self.sides.items()),
                 *((i, d.name) for i, d in self.supporters.items()))
        return Cast(
            sides=tuple(self.sides),
            supporters=tuple(self.supporters),
            supports=tuple(s.supports for s in self.supporters.values()),
            channels=tuple(
                Channel(name=cid, code=ch.code, parties=ch.parties, dimensions=ch.dimensions,
                        credibility_of=ch.credibility_of, guarantee_cap=ch.guarantee_cap,
                        veto_onus=ch.veto_onus)
                for cid, ch in self.channels.items()),
            names=names,
            issues=tuple(d.issue(iid) for iid, d in self.issues.items()))

    def name_of(self, owner: str) -> str:
        """Display name of a side or supporter (the id itself for anything else)."""
        return self.cast.name_of(owner)

    @functools.cached_property
    def enabled_modules(self) -> tuple[Module, ...]:
        """The modules the scenario enables, built for its cast, in the registry's order.

        Raises
        ------
        KeyError
            If the scenario names a module the installation does not have.
        """
        return tuple(resolve_modules(self.modules, self.cast))

    @property
    def uncertain(self) -> list[str]:
        """Names of the parameters that carry a distribution, in file order."""
        return [k for k, p in self.parameters.items() if p.is_uncertain]

    @functools.cached_property
    def table(self) -> ParameterTable:
        """The parameter table: each parameter's spec, units, factor, bounds and values.

        A loaded scenario carries the table the loader built against the modules it
        checked with; a scenario made in Python builds it on first use, against the modules
        of :mod:`detente.model` (:meth:`ParameterTable.of
        <detente.scenario.table.ParameterTable.of>` builds one against others).

        Raises
        ------
        UnitError
            If a parameter's unit does not convert to the unit its module reads.
        """
        return ParameterTable.of(self)

    @functools.cached_property
    def draws(self) -> PosteriorDraws | None:
        """The joint posterior draws ``posterior`` names, or None without one.

        A loaded scenario carries the draws the loader read beside its file; one made in
        Python reads ``posterior.file`` relative to the working folder on first use.

        Raises
        ------
        ScenarioError
            If the file is missing or its draws do not fit the parameters
            (:func:`~detente.scenario.posterior.read_posterior`).
        """
        if self.posterior is None:
            return None
        return read_posterior(self.posterior.file, self.table,
                              weights=self.posterior.weights, note=self.posterior.note)

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        """Return a copy; one with changed fields builds its own parameter table."""
        copied = super().model_copy(update=update, deep=deep)
        if update:
            # each cached value belongs to the old fields
            for cached in ("table", "cast", "enabled_modules", "hindsight"):
                copied.__dict__.pop(cached, None)
            if "posterior" in update:  # the draws read beside the file stay with it
                copied.__dict__.pop("draws", None)
        return copied

    def with_horizon(self, horizon_steps: int) -> Scenario:
        """Return a copy with another number of steps."""
        time = self.time.model_copy(update={"horizon_steps": horizon_steps})
        return self.model_copy(update={"time": time})

    def source_kind(self, name: str) -> Literal["fact", "ref", "assumption", "citation"]:
        """Classify the source of parameter ``name``."""
        src = self.parameters[name].source.strip()
        if src == "assumption":
            return "assumption"
        if re.match(r"^fact:", src):
            return "fact"
        if re.match(r"^ref:", src):
            return "ref"
        return "citation"
