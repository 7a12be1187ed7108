"""The ``actors`` section of a scenario: who shapes the talks, where each stands, how much.

Optional in every scenario. Each entry under ``actors`` is one actor of the negotiation
(a government, a faction, a capital), keyed by its id::

    actors:
      hardliners:
        name: The hardliners
        party: blue                  # the side or supporter whose deal it acts on
        role: veto                   # lead | veto | influence
        description: ...
        capability: {value: 10, source: assumption, note: ...}
        position:                    # one entry per issue of the talks
          line: {dist: pert, low: 0.8, mode: 1.0, high: 1.0, source: "fact:KEY"}
        salience:
          line: {value: 0.9, source: "ref:KEY"}

Every number is on a unit-less scale, with a source (``fact:KEY``, ``ref:KEY``, a
citation, or ``assumption``, which needs a distribution) and, where uncertain, a
distribution of the scenario file's kinds, written inline as a parameter's is:

* **position** on an issue, on ``[0, 1]``: 0 is the issue's first level (the second side's
  most preferred), 1 its last (the first side's), the levels evenly spaced between;
* **salience** of an issue, on ``[0, 1]``: the share of the actor's attention the issue
  takes (0: indifferent, 1: nothing matters more);
* **capability**, ``>= 0``: the actor's potential influence on the talks, relative to the
  others' (only ratios matter; 0-100 reads well).

``party`` maps the actor onto the bargaining model's parties: ``lead`` speaks for the
party at the table (at most one per party; its saliences can set the party's issue
weights, :func:`detente.analysis.negotiation.coupled_scenario`), ``veto`` can block the
party's deal at home (a domestic veto player), ``influence`` shapes the party's stance
without a seat. Every actor states a position and a salience on every issue of the talks
(the scenario's ``issues``, or the six default ones).

The section is read by :mod:`detente.analysis.negotiation`; the dynamics never read it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente._typing import FloatArray

if TYPE_CHECKING:
    from detente.scenario.facts import PartialDate
    from detente.scenario.schema import Scenario

__all__ = ["ACTOR_ROLES", "QUANTITIES", "Actor", "ActorValue", "actor_keys", "actor_problems",
           "register_distributions"]

#: What an actor can be to its party: its voice at the table, a veto player at home, or an
#: influence without a seat.
ActorRole = Literal["lead", "veto", "influence"]
ACTOR_ROLES: tuple[str, ...] = ("lead", "veto", "influence")
#: Each quantity an actor states, with the closed range of its unit-less scale.
QUANTITIES: dict[str, tuple[float, float]] = {
    "position": (0.0, 1.0), "salience": (0.0, 1.0), "capability": (0.0, math.inf),
}
_IDENT = r"^[a-z][a-z0-9_]*$"
#: The fields each distribution kind takes (besides ``dist``), as a parameter writes them.
_DIST_FIELDS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high", "lamb"), "truncnormal": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sigma"),
}
_OWN = ("value", "dist", "source", "note")
Finite = Annotated[float, Field(allow_inf_nan=False)]
#: The scenario file's distribution models by kind; the schema, which defines them (and
#: imports this module), hands them over with :func:`register_distributions`.
_DISTRIBUTIONS: dict[str, type[BaseModel]] = {}


def register_distributions(models: Mapping[str, type[BaseModel]]) -> None:
    """Give the actors' numbers the scenario file's distribution models (by kind)."""
    _DISTRIBUTIONS.update(models)


def _file_keys(model: type[BaseModel]) -> list[str]:
    """Return the keys a file may write in a mapping that ``model`` reads."""
    return [f.alias or k for k, f in model.model_fields.items()]


#: Errors a check of the whole scenario finds: (path in the file, message, value found).
Located = list[tuple[tuple[str | int, ...], str, Any]]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ActorValue(_Frozen):
    """One number an actor states: a value or a distribution, with its source.

    Written ``{value: X, source: S}`` or ``{dist: KIND, <its fields>, source: S}`` with the
    fields a parameter's distribution of that kind takes (``low``, ``mode``, ``high``,
    ``lamb``, ``mean``, ``sd``, ``median``, ``sigma``).
    """

    value: Finite | None = None
    dist: Literal["uniform", "triangular", "pert", "truncnormal", "lognormal"] | None = None
    low: float | None = None
    mode: Finite | None = None
    high: float | None = None
    lamb: Finite | None = None
    mean: Finite | None = None
    sd: Finite | None = None
    median_: Finite | None = Field(None, alias="median")
    sigma: Finite | None = None
    source: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _one_of(self) -> ActorValue:
        if (self.value is None) == (self.dist is None):
            raise ValueError("expected exactly one of 'value' or 'dist' (a distribution: "
                             f"{', '.join(_DIST_FIELDS)}), found "
                             + ("both" if self.value is not None else "neither"))
        if self.dist is None:
            stray = sorted(set(self._dist_fields()))
            if stray:
                raise ValueError(f"a fixed value takes no distribution fields, found "
                                 f"{', '.join(stray)}")
            return self
        allowed = _DIST_FIELDS[self.dist]
        stray = sorted(k for k in self._dist_fields() if k not in allowed)
        if stray:
            raise ValueError(f"a {self.dist} distribution takes {', '.join(allowed)}, found "
                             f"{', '.join(stray)}")
        self.distribution_model()  # the distribution's own checks (order, bounds)
        return self

    @model_validator(mode="after")
    def _assumption_is_uncertain(self) -> ActorValue:
        if self.source.strip() == "assumption" and self.dist is None:
            raise ValueError("an assumption needs a distribution (a guess is uncertain): give "
                             "'dist' and its fields, or cite a source for the value")
        return self

    def _dist_fields(self) -> list[str]:
        names = {"median_": "median"}
        return [names.get(k, k) for k in self.model_fields_set
                if k not in ("value", "dist", "source", "note")]

    def distribution_model(self) -> BaseModel | None:
        """Return the scenario file's distribution model of this value (None: a fixed value).

        Raises
        ------
        ValueError
            If the distribution's fields do not fit together (``low`` above ``high``, ...).
        """
        if self.dist is None:
            return None
        from pydantic import ValidationError

        fields = {k: getattr(self, "median_" if k == "median" else k)
                  for k in _DIST_FIELDS[self.dist]}
        given = {k: v for k, v in fields.items() if v is not None}
        try:
            return _DISTRIBUTIONS[self.dist].model_validate({"dist": self.dist, **given})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            what = str(first["msg"]).removeprefix("Value error, ")
            if first["type"] == "missing":
                what = f"missing required key '{where}' of a {self.dist} distribution"
            raise ValueError(what) from None

    def support(self) -> tuple[float, float]:
        """Smallest and largest values the number can take."""
        if self.value is not None:
            return self.value, self.value
        model = self.distribution_model()
        lo, hi = model.support()  # type: ignore[union-attr]
        return float(lo), float(hi)

    def central(self) -> float:
        """Return the fixed value, or the distribution's median."""
        if self.value is not None:
            return self.value
        model = self.distribution_model()
        return float(model.median())  # type: ignore[union-attr]

    def sample(self, u: FloatArray) -> FloatArray:
        """Values at uniform(0, 1) draws ``u``."""
        import numpy as np

        if self.value is not None:
            return np.full(np.shape(u), self.value, dtype=np.float64)
        model = self.distribution_model()
        return np.asarray(model.ppf(u), dtype=np.float64)  # type: ignore[union-attr]

    def described(self) -> str:
        """Describe the value or the distribution, as a table shows it."""
        if self.value is not None:
            return f"{self.value:g}"
        args = ", ".join(f"{k}={getattr(self, 'median_' if k == 'median' else k):g}"
                         for k in _DIST_FIELDS[self.dist or "uniform"]
                         if getattr(self, "median_" if k == "median" else k) is not None)
        return f"{self.dist}({args})"


class Actor(_Frozen):
    """One actor of the negotiation: who it is, whose deal it acts on, and its numbers."""

    name: str = Field(min_length=1, max_length=80)
    party: str = Field(pattern=_IDENT)
    role: ActorRole
    description: str = ""
    capability: ActorValue
    position: dict[Annotated[str, Field(pattern=_IDENT)], ActorValue] = Field(min_length=1)
    salience: dict[Annotated[str, Field(pattern=_IDENT)], ActorValue] = Field(min_length=1)

    def values(self) -> list[tuple[tuple[str, ...], ActorValue]]:
        """Every number of the actor with its path below the actor (``("position", i)``)."""
        return [(("capability",), self.capability),
                *((("position", i), v) for i, v in self.position.items()),
                *((("salience", i), v) for i, v in self.salience.items())]


def actor_keys(path: tuple[str, ...]) -> list[str] | None:
    """List the keys valid in the mapping at ``path`` (list indices as ``"#"``) of a file.

    Parameters
    ----------
    path : tuple of str
        A path that starts with ``"actors"``.
    """
    n = len(path)
    if n == 2:
        return _file_keys(Actor)
    if (n == 3 and path[2] == "capability") or (n == 4 and path[2] in ("position",
                                                                        "salience")):
        return [*_OWN[:2], *dict.fromkeys(k for ks in _DIST_FIELDS.values() for k in ks),
                *_OWN[2:]]
    return None


def _source_problems(scenario: Scenario, path: tuple[str | int, ...], source: str,
                     ) -> Located:
    """List what is wrong with an actor's source.

    A ``fact:KEY`` the bundled facts table lacks, a ``ref:KEY`` the scenario's ``sources``
    lack, or (in a forecast) a source not shown public by the as-of date.
    """
    from detente.scenario._paths import suggest

    s = source.strip()
    if s == "assumption":
        return []
    knowledge = scenario.knowledge
    as_of = scenario.as_of
    checked = (knowledge is not None and knowledge.kind == "forecast" and as_of is not None
               and s not in knowledge.later)
    public: PartialDate | None = None
    if s.startswith("ref:"):
        key = s[4:].strip()
        if key not in scenario.sources:
            return [(path, f"unknown reference '{key}': expected a key of 'sources'"
                           f"{suggest(key, scenario.sources)}", s)]
        ref = scenario.sources[key]
        if ref.derived:
            return []
        public = ref.published
    elif s.startswith("fact:"):
        from detente.scenario.facts import bundled_facts

        facts = bundled_facts()
        key = s[5:].strip()
        if key not in facts:
            return [(path, f"unknown fact '{key}': not a key of {facts.name}"
                           f"{suggest(key, facts)}", s)]
        public = facts[key].public_on
    if checked and as_of is not None and (public is None or public.last > as_of):
        when = f"was published on {public}" if public is not None else "has no published date"
        return [(path, f"'{s}' {when}, after the scenario's as-of date {as_of}: an actor of "
                       "a forecast cites what was public by then (a dated 'ref:KEY' or "
                       "'fact:KEY'), or lists the source in knowledge.later with the reason",
                 s)]
    return []


def actor_problems(scenario: Scenario) -> Located:
    """Check the actors against the rest of the scenario; each problem located in the file.

    Every actor's party is a side or a supporter; each party has at most one ``lead``;
    every actor states a position and a salience on each issue of the talks, and no other;
    each number can only take values on its scale; some actor has capability and salience.
    """
    errors: Located = []
    from detente.model.bargaining import DIM_NAMES

    issues = tuple(scenario.issues) or DIM_NAMES
    owners = (*scenario.sides, *scenario.supporters)
    leads: dict[str, str] = {}
    for aid, actor in scenario.actors.items():
        at = ("actors", aid)
        if actor.party not in owners:
            errors.append(((*at, "party"), "expected a side or supporter of the scenario "
                           f"({', '.join(owners)}), found '{actor.party}'", actor.party))
        if actor.role == "lead":
            if actor.party in leads:
                errors.append(((*at, "role"), f"expected one lead per party; "
                               f"'{leads[actor.party]}' already leads '{actor.party}' "
                               "(make this one a 'veto' or an 'influence')", actor.role))
            leads.setdefault(actor.party, aid)
        for what in ("position", "salience"):
            stated: Mapping[str, ActorValue] = getattr(actor, what)
            missing = [i for i in issues if i not in stated]
            if missing:
                errors.append(((*at, what), f"expected a {what} on every issue of the talks "
                               f"({', '.join(issues)}); missing {', '.join(missing)}",
                               sorted(stated)))
            for i in stated:
                if i not in issues:
                    from detente.scenario._paths import suggest

                    errors.append(((*at, what, i), f"expected one of the issues of the talks "
                                   f"({', '.join(issues)}), found '{i}'{suggest(i, issues)}",
                                   i))
        for sub, value in actor.values():
            errors += _source_problems(scenario, (*at, *sub, "source"), value.source)
            lo, hi = QUANTITIES[sub[0]]
            vlo, vhi = value.support()
            if vlo < lo or vhi > hi:
                scale = f"[{lo:g}, {hi:g}]" if math.isfinite(hi) else f">= {lo:g}"
                shown = (f"{value.value:g}" if value.value is not None else
                         f"a distribution over [{vlo:g}, {vhi:g}]")
                errors.append(((*at, *sub), f"expected a {sub[0]} on its scale {scale}, "
                               f"found {shown}", value.value))
    if scenario.actors and not any(
            a.capability.support()[1] > 0 and any(v.support()[1] > 0
                                                  for v in a.salience.values())
            for a in scenario.actors.values()):
        errors.append((("actors",), "expected some actor with capability and salience above "
                       "0 (the forecasts weigh positions by capability x salience)", None))
    return errors
