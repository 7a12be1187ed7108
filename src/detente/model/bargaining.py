"""Bargaining: war or deal, every month, in every sample; ceasefire and breakdown after a deal.

Once a month (when a step crosses a month boundary, ``floor(t / M)`` with
``M = 365.25 / 12`` days) each party at an open channel's table compares every deal in a
discrete deal space with its value of fighting on; the terms are the asymmetric Nash
bargaining solution over the deals all of them accept. Equations and the parameter table are
in ``docs/settlement.md``; the pure pieces live in :mod:`detente.model._deals`.

Open channels. A channel is open in a sample while ``negotiation_channel`` equals its code
(one channel at a time, 0: none) or its own switch ``open_<channel>`` is 1
(:func:`channel_switch`), so several channels can be open at once. Each open channel holds
its round in the scenario's order of the channels, and the first whose deal is signed (not
blocked by a domestic veto) holds: the later channels are not tried that month. A deal is
thus signed whenever any open channel signs one, and the settlement comes no later than on
the channel that would settle first alone. The order is the scenario's statement of which
table prevails; the Nash products of different tables (other parties, powers and discounts)
are not on one scale, so they do not decide it. The month's one veto draw
(``settlement_veto``) is read by every channel tried, so a deal on a table with less
domestic veto risk may be signed where one on another is blocked.

The module is built for a cast (:func:`build`). The **parties** are the sides and supporters
its channels seat (:attr:`~detente.model.base.Cast.parties`, each channel a
:class:`~detente.model.base.Channel`), each with parameters ``<party>.<name>``. Every party
fights or negotiates for a side: a side for itself, a supporter for the side it supports.
The deal space is stated from the **first side**'s view (``cast.sides[0]``; the **second
side** is its enemy): a deal is one level of each of the cast's **issues**
(:class:`~detente.model.base.Issue`, ``cast.issues``; without them the six of
:data:`DIMENSIONS`), each level placed on ``[0, 1]`` with 1 the level the first side wants
most; a party for the first side values a deal at ``U = sum_k w_k x_k``, one for the second
side at ``1 - U``. Weights ``<party>.weight_<issue>`` are normalised per sample to sum to 1
(the module's check asks the file's to). An issue's **role** says what its agreed level
sets besides: ``territory`` the line of control (its positions come from km2 lines, per
sample), ``sanctions`` the ``sanctions_relief``, ``guarantees`` the
``settlement_guarantee`` and the reduction of the breakdown hazard (:class:`DealSpace`).

Value of fighting on (for party ``i``, horizon ``H_i``, discount ``r_i``)::

    L_i  = L + (drift + b_i) H_i                     projected ln(second / first side's force)
    G_i  = g H_i + kappa (drift + b_i) H_i**2 / 2    projected gain of the second side, km2
    P_2, P_1 = logistic((+-L_i - L*) / w)            believed chances of a front collapse
    E_i  = P_2 U_i(second side wins) + P_1 U_i(first side wins)
           + (1 - P_2 - P_1) U_i(stalemate at the line moved by G_i)
    V_i  = (1 - D_i) U_i(status quo) + D_i E_i - c_i A_i,   D_i = exp(-r_i H_i),
                                                          A_i = (1 - D_i) / r_i

with ``b_i = +-<party>.momentum_bias`` (towards the party's side; 0 unbiased), ``L`` and
``drift`` from the first side's combat-power ratio, ``g`` from the territory trend (without
a territory issue the stalemate is the status quo and no territory is read); the cost
rate of a side ``x`` from its casualties, lost viability and elite pressure, of a supporter
``s`` from its aid (``<s>.war_cost x <s>.aid_index``).

Acceptance, with ``r_j`` the chance that some party's hardliners block deal ``j``
(``r_i = clip(<i>.veto_base + <i>.veto_slope x onus x concession_i, 0, 1)``; both 0 by
default: no domestic veto) and ``q_i`` the channel's ``credibility_of`` supporter's
``deal_credibility`` for the parties it does not speak for (those of the other side; 1 on a
channel without one)::

    S_i = (1 - r_j) F_i q_i (U_i - V_i) >= <i>.deal_margin

Terms: ``argmax sum_i a_i log S_i`` over the acceptable deals, with ``a_first`` the first
side's projected share of combat power, ``a_second = 1 - a_first`` and ``a_s =
<s>.aid_leverage x <s>.aid_index`` for a supporter. A realised veto (shock
``settlement_veto`` below ``r_j``) blocks the deal that month. After a deal the war's
intensity falls to ``ceasefire_war_intensity``; the deal breaks down with hazard
``settlement_breakdown_rate x (1 - guarantee_breakdown_reduction x guarantee)`` (shock
``settlement_breakdown``), after which fighting resumes and talks may reopen after
``renegotiation_delay``.

Reads (all this step's values): from the military the second side's ``territory`` (with a
territory issue), the first side's ``combat_power_ratio`` and each seated side's
``casualties_cum``, whose neutral value is NaN, "not observed" (without the military the
parties assume ``bargain_territory_fallback_km2`` and ``bargain_force_ratio_fallback``, and
the casualty rates stay at their reference); from society each seated side's
``viability`` (1: no strain); from politics its ``elite_pressure`` (0), each seated
supporter's ``aid_index`` (1), the ``deal_credibility`` (1) of the supporters channels name,
and ``escalated`` (0).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

import numpy as np

from detente._typing import BoolArray, FloatArray, Params, State
from detente.errors import InputError
from detente.model._deals import (
    IntArray,
    acceptable,
    additive_utility,
    annuity,
    channel_deals,
    enumerate_deals,
    joint_veto_risk,
    level_positions,
    nash_choice,
    product_utility,
    step_probability,
    veto_risk,
    victory_probabilities,
)
from detente.model.base import (
    ROLES,
    Cast,
    Channel,
    Issue,
    Module,
    ParamSpec,
    Read,
    StepContext,
    VariableSpec,
    owned,
)
from detente.units import DAYS_PER_MONTH

__all__ = [
    "CHANNEL_PARAM",
    "DEALS",
    "DIMENSIONS",
    "DIM_NAMES",
    "MAX_DEALS",
    "PARAMS",
    "SHOCKS",
    "VARIABLES",
    "DealSpace",
    "Negotiation",
    "Outcome",
    "Table",
    "Talks",
    "build",
    "channel_switch",
    "deal_count_text",
    "deal_space",
    "issues_of",
    "negotiate",
    "talks",
    "war_values",
]

#: Tolerance on the sum of a party's issue weights in a scenario file.
WEIGHT_SUM_TOL = 1e-6
#: Smallest span (km2) between the extreme lines of control (avoids 0/0 when both coincide).
_MIN_SPAN_KM2 = 1.0


# --------------------------------------------------------------------------- the deal space
#: The issues of a deal when a scenario declares none, stated from the first side's view
#: (its land, its alignment, its guarantees and its forces; sanctions on the second side).
DIMENSIONS: tuple[Issue, ...] = (
    Issue("territory",
          ("claimed_line", "current_line", "partial_return", "pre_war_line"), "current_line",
          "Line of control: the line the second side claims, the current line, a partial "
          "return of the land taken since the war began, or the pre-war line.",
          role="territory"),
    Issue("alignment", ("neutrality", "deferred", "membership_path"), "deferred",
          "The first side's alignment: permanent neutrality, an alliance's open door with no "
          "invitation, or a path to membership."),
    Issue("guarantees", ("none", "assurances", "collective_guarantee"), "none",
          "Security guarantees for the first side: none, political assurances with arms "
          "supply, or a binding collective guarantee by its supporters.", role="guarantees"),
    Issue("sanctions", ("full_relief", "partial_relief", "no_relief"), "no_relief",
          "Sanctions relief for the second side.", role="sanctions"),
    Issue("security_order", ("rollback", "arms_control", "status_quo"), "status_quo",
          "The regional security order: the first side's allies pull their military posture "
          "back, accept arms-control and deployment limits, or keep today's."),
    Issue("armed_forces", ("strict_caps", "long_range_limits", "no_limits"), "no_limits",
          "Limits on the first side's armed forces: strict caps on size and arms, limits on "
          "long-range weapons only, or none."),
)
DIM_NAMES: tuple[str, ...] = tuple(d.name for d in DIMENSIONS)
#: Most deals a deal space may hold (the product of its issues' numbers of levels). A
#: monthly round holds a few arrays of (samples x deals / territory levels) per party: where
#: every deal is a candidate, a round of four parties over 1,024 samples takes about 0.5 s
#: and 160 MB at the default 972 deals, 1-2 s and up to 0.5 GB at this size.
MAX_DEALS = 2_500
#: Parameters only the line of control reads (a cast without a territory issue has none).
TERRITORY_PARAMS = ("bargain_territory_fallback_km2", "bargain_initial_gain",
                    "bargain_gain_per_log_ratio", "deal_prewar_held_km2",
                    "deal_claim_unheld_km2", "deal_partial_return_share")
#: Parameters only the security guarantee reads (a cast without a guarantees issue has none).
GUARANTEE_PARAMS = ("guarantee_breakdown_reduction",)
#: Variables of the line of control's trend (a cast without a territory issue has none).
TERRITORY_VARIABLES = ("bargain_ref_area", "bargain_start_area", "bargain_gain_trend",
                       "settlement_line_km2")


@dataclass(frozen=True, eq=False)
class DealSpace:
    """The issues of a cast's talks, and every deal over them.

    A deal is one level per issue; the space is enumerated once (:attr:`deals`). Its
    columns put the territory issue first (the fast round splits utilities into a territory
    part and a rest part) and the other issues in the scenario's order; where two deals
    are equally good, the first in this order is chosen.

    Attributes
    ----------
    declared : tuple of Issue
        The issues in the scenario's order (parameters and outputs are listed in it).
    issues : tuple of Issue
        The issues in column order: the territory issue first, if any.
    deals : ndarray of int64, shape (deals, issues)
        Every deal, one level index per column; the last column varies fastest.
    positions : tuple of ndarray
        Position on [0, 1] of each level of each column's issue, evenly spaced (the
        territory issue's positions are computed per sample instead).
    territory : bool
        Whether column 0 is the issue that sets the line of control.
    sanctions, guarantees : int or None
        The column of the issue that sets the sanctions relief / the security guarantee.
    """

    declared: tuple[Issue, ...]
    issues: tuple[Issue, ...]
    deals: IntArray
    positions: tuple[FloatArray, ...]
    territory: bool
    sanctions: int | None
    guarantees: int | None

    @property
    def names(self) -> tuple[str, ...]:
        """The issues' names, in column order."""
        return tuple(d.name for d in self.issues)

    @property
    def levels(self) -> tuple[int, ...]:
        """Number of levels of each column's issue."""
        return tuple(len(d.levels) for d in self.issues)

    @property
    def status_quo(self) -> tuple[int, ...]:
        """The status-quo level of each column's issue."""
        return tuple(d.status_quo_level for d in self.issues)

    @property
    def rest(self) -> int:
        """The first column that is not the territory issue (1 with one, else 0)."""
        return 1 if self.territory else 0

    @property
    def top_guarantee(self) -> float:
        """The strongest guarantee level (0 without a guarantees issue)."""
        return 0.0 if self.guarantees is None else float(self.levels[self.guarantees] - 1)


@functools.cache
def deal_space(issues: tuple[Issue, ...]) -> DealSpace:
    """Return the deal space over ``issues`` (in the scenario's order).

    Raises
    ------
    ValueError
        If there is no issue, two issues have one name, two have one role, or the space
        holds more than :data:`MAX_DEALS` deals.
    """
    if not issues:
        raise ValueError("the talks need at least one issue")
    names = [d.name for d in issues]
    twice = sorted({x for x in names if names.count(x) > 1})
    if twice:
        raise ValueError(f"the issue(s) {', '.join(twice)} are declared more than once")
    for role in ROLES:
        holders = [d.name for d in issues if d.role == role]
        if len(holders) > 1:
            raise ValueError(f"the issues {', '.join(holders)} all have the role '{role}'; "
                             "expected at most one issue per role")
    size = math.prod(len(d.levels) for d in issues)
    if size > MAX_DEALS:
        raise ValueError(f"the deal space has {size:,} deals ({deal_count_text(issues)}); "
                         f"expected at most {MAX_DEALS:,}: merge levels or issues")
    order = sorted(issues, key=lambda d: d.role != "territory")  # stable: territory first
    levels = [len(d.levels) for d in order]
    roles = [d.role for d in order]
    return DealSpace(
        declared=issues, issues=tuple(order), deals=enumerate_deals(levels),
        positions=tuple(level_positions(n) for n in levels),
        territory=roles[0] == "territory",
        sanctions=roles.index("sanctions") if "sanctions" in roles else None,
        guarantees=roles.index("guarantees") if "guarantees" in roles else None)


def deal_count_text(issues: Iterable[Issue]) -> str:
    """Say how the number of deals comes about: ``"4 x 3 x 3 levels"``."""
    return " x ".join(str(len(d.levels)) for d in issues) + " levels"


def issues_of(cast: Cast) -> tuple[Issue, ...]:
    """Return the issues of ``cast``'s talks: its own, or :data:`DIMENSIONS` when it has none."""
    return cast.issues or DIMENSIONS


_DEFAULT = deal_space(DIMENSIONS)
#: Every deal over the default issues, shape (deals, issues): 4 x 3**5 = 972 deals.
DEALS: IntArray = _DEFAULT.deals


# --------------------------------------------------------------------------- parameters
def _weight_specs(issues: Iterable[Issue]) -> list[ParamSpec]:
    return [ParamSpec(f"weight_{d.name}", "fraction",
                      f"Weight {{owner}} puts on the {d.name.replace('_', ' ')} issue.",
                      0.0, 1.0, per="party")
            for d in issues]


#: The parameter that opens one channel by its code (0: none).
CHANNEL_PARAM = "negotiation_channel"
#: Prefix of a channel's own switch (:func:`channel_switch`).
_SWITCH_PREFIX = "open_"


def channel_switch(channel: str) -> str:
    """Return the name of the switch that opens ``channel`` whatever the code says.

    >>> channel_switch("talks")
    'open_talks'
    """
    return f"{_SWITCH_PREFIX}{channel}"


#: The parameter opening a channel by its code (first among the templates).
_CHANNEL_PARAM = ParamSpec(
    CHANNEL_PARAM, "index",
    "Open channel: 0 none, else the code of a channel of the scenario.", 0.0, 1e6,
    default=0.0)
#: The templates after the issues' weights.
_AFTER_WEIGHTS: tuple[ParamSpec, ...] = (
    ParamSpec("horizon", "day", "Planning horizon of {owner}'s value of war.", 0.0, 1e5,
              per="party"),
    ParamSpec("discount_rate", "1/day", "{owner}'s discount rate.", 0.0, 10.0, per="party"),
    ParamSpec("deal_margin", "1", "Gain over war (utility) {owner} requires before it signs.",
              0.0, 100.0, per="party"),
    ParamSpec("momentum_bias", "1/day",
              "{owner}'s overestimate of the drift of the force ratio in favour of the side "
              "it fights for (0: it projects the observed drift).", -10.0, 10.0, default=0.0,
              per="party"),
    ParamSpec("veto_base", "fraction",
              "Chance that hardliners at home block a deal {owner} signs that concedes "
              "nothing (0, with veto_slope 0: no domestic veto).", 0.0, 1.0, default=0.0,
              per="party"),
    ParamSpec("veto_slope", "1",
              "Rise of that chance per unit of {owner}'s concession (utility below the "
              "status quo); 0, with veto_base 0: no domestic veto.", 0.0, 100.0, default=0.0,
              per="party"),
    ParamSpec("cost_casualties", "1/day",
              "{owner}'s cost of war (utility per day) at its reference casualty rate.",
              0.0, 10.0, per="side"),
    ParamSpec("casualty_ref_rate", "persons/day",
              "{owner}'s reference casualty rate (killed and wounded).", 0.0, 1e7,
              per="side"),
    ParamSpec("cost_strain", "1/day",
              "{owner}'s cost of war per unit of lost viability (1 - viability); 0: none.",
              0.0, 10.0, default=0.0, per="side"),
    ParamSpec("elite_cost", "1/day",
              "{owner}'s cost of war per unit of elite pressure; 0: none.", 0.0, 10.0,
              default=0.0, per="side"),
    ParamSpec("war_cost", "1/day",
              "{owner}'s cost of the war (utility per day) with its aid at today's level.",
              0.0, 10.0, per="supporter"),
    ParamSpec("aid_leverage", "1",
              "{owner}'s bargaining power per unit of continuing aid.", 0.0, 100.0,
              per="supporter"),
    ParamSpec("bargain_trend_weight", "fraction",
              "Weight of the latest month in the smoothed trends the parties project.",
              0.0, 1.0),
    ParamSpec("bargain_initial_gain", "km2/day",
              "{second}'s net territorial gain rate before the first month is observed.",
              -1e5, 1e5, start_condition=True),
    ParamSpec("bargain_initial_force_drift", "1/day",
              "Drift of ln({second}'s / {first}'s combat power) before the first month is "
              "observed.", -10.0, 10.0, start_condition=True),
    ParamSpec("bargain_gain_per_log_ratio", "km2/day",
              "Extra advance of {second} per day per unit rise of ln(force ratio).",
              0.0, 1e5),
    ParamSpec("bargain_power_lookahead", "day",
              "Lookahead of the force ratio that sets bargaining power.", 0.0, 1e5),
    ParamSpec("bargain_collapse_log_ratio", "1",
              "ln(force ratio) at which the weaker side's front is believed to break.",
              0.0, 100.0),
    ParamSpec("bargain_collapse_width", "1",
              "Spread of beliefs about the collapse threshold.", 0.0, 100.0),
    ParamSpec("bargain_force_ratio_fallback", "ratio",
              "{second}'s over {first}'s combat power when no military module reports it.",
              0.0, 1e6),
    ParamSpec("bargain_territory_fallback_km2", "km2",
              "Area of {first} that {second} holds at the start (used when no military "
              "module reports it).", 0.0, 2e7),
    ParamSpec("deal_prewar_held_km2", "km2",
              "Area of {first} that {second} held before the war began (the pre-war line).",
              0.0, 2e7),
    ParamSpec("deal_claim_unheld_km2", "km2",
              "Area of {first} that {second} claims but did not hold at the start.",
              0.0, 2e7),
    ParamSpec("deal_partial_return_share", "fraction",
              "Share of the land taken since the war began returned under a partial-return "
              "line.", 0.0, 1.0),
    ParamSpec("ceasefire_war_intensity", "fraction",
              "War intensity (1 = full war) under a ceasefire.", 0.0, 1.0),
    ParamSpec("settlement_breakdown_rate", "1/day",
              "Hazard that a deal without guarantees breaks down.", 0.0, 10.0),
    ParamSpec("guarantee_breakdown_reduction", "fraction",
              "Reduction of the breakdown hazard under the strongest guarantee.", 0.0, 1.0),
    ParamSpec("renegotiation_delay", "day",
              "Time after a breakdown before talks can reopen.", 0.0, 1e5),
)


def _param_templates(space: DealSpace) -> tuple[ParamSpec, ...]:
    """Return the parameter templates of talks over ``space`` (a role's own if it is held)."""
    dropped = ((() if space.territory else TERRITORY_PARAMS)
               + (() if space.guarantees is not None else GUARANTEE_PARAMS))
    return (_CHANNEL_PARAM, *_weight_specs(space.declared),
            *(spec for spec in _AFTER_WEIGHTS if spec.name not in dropped))


#: Parameter templates over the default issues. ``per="party"``: one per party (every side
#: and supporter a channel seats); ``per="side"`` / ``per="supporter"``: one per seated side
#: / seated supporter. ``{first}`` and ``{second}`` in a description name the sides.
#: :func:`build` puts the cast's issues' weights in place of the default ones, leaves out
#: the parameters of a role no issue has, and adds those the channels name (guarantee caps,
#: veto onus).
PARAMS: tuple[ParamSpec, ...] = _param_templates(_DEFAULT)


def _channel_specs(channels: Iterable[Channel], space: DealSpace) -> list[ParamSpec]:
    """Return each channel's switch, and the parameters the channels name (cap, onus)."""
    specs: dict[str, ParamSpec] = {}
    top = space.top_guarantee
    for ch in channels:
        specs[channel_switch(ch.name)] = ParamSpec(
            channel_switch(ch.name), "switch",
            f"1: the {ch.name} channel is open whatever {CHANNEL_PARAM} says, beside any "
            f"other open channel; 0: it is open only while {CHANNEL_PARAM} is {ch.code}.",
            0.0, 1.0, default=0.0)
        if ch.guarantee_cap and space.guarantees is not None:
            levels = space.issues[space.guarantees].levels
            listing = ", ".join(f"{i} {name}" for i, name in enumerate(levels))
            specs.setdefault(ch.guarantee_cap, ParamSpec(
                ch.guarantee_cap, "index",
                f"Highest guarantee level ({listing}) a deal on the {ch.name} channel can "
                f"contain ({top:g}: no cap).", 0.0, top, default=top))
        if ch.veto_onus:
            specs.setdefault(ch.veto_onus, ParamSpec(
                ch.veto_onus, "fraction",
                f"Share of their domestic veto risk the parties keep on the {ch.name} "
                f"channel (1: all of it).", 0.0, 1.0, default=1.0))
    return list(specs.values())


# --------------------------------------------------------------------------- variables
def _deal_specs(issues: Iterable[Issue]) -> list[VariableSpec]:
    return [VariableSpec(f"deal_{d.name}", "level",
                         f"Level of the {d.name.replace('_', ' ')} term of the latest deal "
                         f"(-1 before any; levels: {', '.join(d.levels)}).")
            for d in issues]


_BEFORE_TERMS: tuple[VariableSpec, ...] = (
    VariableSpec("settled", "switch", "1 while a negotiated settlement is in force."),
    VariableSpec("months_to_settlement", "month",
                 "Months from the start to the first settlement (NaN before one).",
                 nonnegative=True, finite=False),
)
#: The variable templates after the terms of the deal.
_AFTER_TERMS: tuple[VariableSpec, ...] = (
    VariableSpec("settlement_line_km2", "km2",
                 "Area of the first side the second holds under the line of the latest deal "
                 "(NaN before any).", nonnegative=True, finite=False),
    VariableSpec("war_intensity", "fraction",
                 "Intensity of the fighting (1 = full war; the ceasefire level after a deal)."),
    VariableSpec("sanctions_relief", "fraction",
                 "Share of sanctions lifted under the deal in force."),
    VariableSpec("settlement_guarantee", "fraction",
                 "Strength of the security guarantee in force (0 none, 1 collective)."),
    VariableSpec("veto_risk", "fraction",
                 "{owner}'s domestic veto risk for the deal on the table at the last round "
                 "(0 without a domestic veto).", per="party"),
    VariableSpec("zone_exists", "switch",
                 "1 if some deal was acceptable to every party at the table at the last round."),
    VariableSpec("settlements", "count", "Number of deals signed so far.", nonnegative=True),
    VariableSpec("breakdowns", "count", "Number of deals that broke down so far.",
                 nonnegative=True),
    VariableSpec("war_value", "1", "{owner}'s value of fighting on at the last round.",
                 record=False, per="party", finite=False),
    VariableSpec("victory_belief", "fraction",
                 "{owner}'s believed chance that the enemy of the side it fights for collapses "
                 "within its horizon.", record=False, per="party", finite=False),
    VariableSpec("bargain_ref_t", "day", "Time of the last monthly round.", record=False),
    VariableSpec("bargain_ref_area", "km2", "Area of the first side held by the second at the "
                 "last round.", record=False, nonnegative=True, finite=False),
    VariableSpec("bargain_ref_log_ratio", "1", "ln(force ratio) at the last round.",
                 record=False, finite=False),
    VariableSpec("bargain_ref_casualties", "persons",
                 "{owner}'s cumulative casualties at the last round.", record=False,
                 per="side", nonnegative=True, finite=False),
    VariableSpec("bargain_start_area", "km2", "Area of the first side held by the second at "
                 "the start.", record=False, nonnegative=True, finite=False),
    VariableSpec("bargain_gain_trend", "km2/day",
                 "Smoothed territorial gain rate of the second side.", record=False),
    VariableSpec("bargain_drift_trend", "1/day", "Smoothed drift of ln(force ratio).",
                 record=False),
    VariableSpec("bargain_casualty_rate", "persons/day",
                 "{owner}'s smoothed casualty rate.", record=False, per="side"),
    VariableSpec("bargain_last_breakdown_t", "day",
                 "Time of the last breakdown (-inf if none).", record=False, finite=False),
)


def _variable_templates(space: DealSpace) -> tuple[VariableSpec, ...]:
    """Return the variable templates of talks over ``space`` (a line's trend with a line)."""
    dropped = () if space.territory else TERRITORY_VARIABLES
    return (*_BEFORE_TERMS, *_deal_specs(space.declared),
            *(spec for spec in _AFTER_TERMS if spec.name not in dropped))


#: Variable templates over the default issues (owners as for :data:`PARAMS`).
VARIABLES: tuple[VariableSpec, ...] = _variable_templates(_DEFAULT)

SHOCKS = ("settlement_veto", "settlement_breakdown")


# --------------------------------------------------------------------------- the cast's talks
@dataclass(frozen=True)
class _Factored:
    """A channel's deals as a product: territory levels x the other issues' levels.

    The deal space enumerates the territory issue slowest, so the channel's deals, in order,
    reshape to ``(len(terr), len(rest))``; utilities then split into a territory part
    ``(m, L)`` and a rest part ``(m, R)`` that are only combined, chunk by chunk, at the end.
    Without a territory issue ``terr`` is one dummy level and the rest is every issue.
    """

    terr: IntArray  # territory levels, (L,)
    rest: IntArray  # levels of the other issues, (R, K - rest offset)
    cols: IntArray  # row of the deal space of each (territory, rest) pair, flattened (L * R,)
    rest_sets: tuple[IntArray, ...]  # the levels each other issue takes (a product)


def _factor(space: DealSpace, cols: IntArray) -> _Factored:
    sub = space.deals[cols]
    terr = np.unique(sub[:, 0]) if space.territory else np.zeros(1, dtype=np.int64)
    off = space.rest
    n_rest = sub.shape[0] // terr.size
    grid = sub.reshape(terr.size, n_rest, sub.shape[1])
    if not ((not space.territory or np.all(grid[:, :, 0] == terr[:, None]))
            and np.all(grid[:, :, off:] == grid[:1, :, off:])):  # pragma: no cover
        raise AssertionError("channel deals are not a product over territory")
    rest = np.ascontiguousarray(grid[0, :, off:])
    sets = tuple(np.unique(rest[:, j]) for j in range(rest.shape[1]))
    product = np.stack([s[i] for s, i in zip(
        sets, np.indices([s.size for s in sets]).reshape(len(sets), -1), strict=True)], axis=1)
    if not np.array_equal(product, rest):  # pragma: no cover - structural
        raise AssertionError("channel deals are not a product over the other issues")
    return _Factored(terr, rest, cols, sets)


@dataclass(frozen=True, eq=False)
class Table:
    """A channel set for a cast: who plays, the deals it can reach, who discounts them.

    Attributes
    ----------
    channel : Channel
        The channel as the scenario declares it.
    players : tuple of str
        The parties at the table, in the cast's order (the order of the Nash sum).
    reversed : tuple of bool
        For each player, whether it fights for the second side (values ``1 - U``).
    discounted : tuple of bool
        For each player, whether it discounts a deal by the ``deal_credibility`` of the
        channel's ``credibility_of`` supporter (the players of the other side).
    space : DealSpace
        The deal space of the cast's talks.
    cols : ndarray of int64
        Rows of ``space.deals`` the channel can reach (the others keep their status quo).
    factored : _Factored
        The same deals as a product over territory and the other issues.
    """

    channel: Channel
    players: tuple[str, ...]
    reversed: tuple[bool, ...]
    discounted: tuple[bool, ...]
    space: DealSpace
    cols: IntArray
    factored: _Factored

    @property
    def switch(self) -> str:
        """The parameter that opens the channel beside others (:func:`channel_switch`)."""
        return channel_switch(self.channel.name)


@dataclass(frozen=True, eq=False)
class Talks:
    """The bargaining of a cast: its two sides, its parties and its channels' tables.

    Attributes
    ----------
    first, second : str
        The side the deal space is stated for (``cast.sides[0]``) and its enemy.
    parties : tuple of str
        Sides and supporters seated at some table, in the cast's order.
    sides, supporters : tuple of str
        The seated sides and the seated supporters.
    credible : tuple of str
        The supporters whose ``deal_credibility`` some channel reads (``credibility_of``).
    fights_for : tuple of (str, str)
        The side each party fights or negotiates for.
    tables : tuple of Table
        One per channel, in the scenario's order (the order in which open channels hold
        their rounds; the first deal signed holds).
    space : DealSpace
        The issues and every deal over them.
    names : tuple of (str, str)
        Display names of every side and supporter, by id.
    """

    first: str
    second: str
    parties: tuple[str, ...]
    sides: tuple[str, ...]
    supporters: tuple[str, ...]
    credible: tuple[str, ...]
    fights_for: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]
    space: DealSpace = _DEFAULT
    names: tuple[tuple[str, str], ...] = ()

    def for_second(self, party: str) -> bool:
        """Whether ``party`` fights or negotiates for the second side."""
        return dict(self.fights_for)[party] == self.second


@functools.cache
def talks(cast: Cast) -> Talks:
    """Return the bargaining of ``cast``: its sides' roles, parties, issues and tables.

    Raises
    ------
    ValueError
        If the cast has more than two sides; its issues do not make a deal space
        (:func:`deal_space`); or a channel has code 0 or a code another channel has, moves
        an issue the cast does not have, names as ``credibility_of`` someone who is not a
        supporter, caps the guarantee where no issue has the role ``guarantees``, or names
        as its cap or onus a channel's switch (:func:`channel_switch`).
    """
    first = cast.sides[0]
    second = cast.other(first)
    space = deal_space(issues_of(cast))
    declared = tuple(d.name for d in space.declared)
    parties = cast.parties
    fights_for = tuple((a, a if a in cast.sides else cast.side_of(a)) for a in parties)
    side = dict(fights_for)
    codes: list[int] = []
    tables: list[Table] = []
    switches = {channel_switch(ch.name) for ch in cast.channels}
    for ch in cast.channels:
        taken = [x for x in (ch.guarantee_cap, ch.veto_onus) if x in switches]
        if taken:
            raise ValueError(f"channel '{ch.name}' names '{taken[0]}', the switch that opens "
                             f"a channel, as a parameter of its own; choose another name")
        if ch.code < 1 or ch.code in codes:
            raise ValueError(f"channel '{ch.name}' has the code {ch.code}: expected a whole "
                             "number of 1 or more that no other channel has (0 is no talks)")
        codes.append(ch.code)
        dims = declared if ch.dimensions is None else ch.dimensions
        unknown = [d for d in dims if d not in declared]
        if unknown:
            raise ValueError(f"channel '{ch.name}' moves the issue(s) {', '.join(unknown)}; "
                             f"the talks' issues are {', '.join(declared)}")
        if ch.credibility_of is not None and ch.credibility_of not in cast.supporters:
            raise ValueError(f"channel '{ch.name}' discounts deals by the credibility of "
                             f"'{ch.credibility_of}', which is not a supporter (supporters: "
                             f"{', '.join(cast.supporters) or 'none'})")
        if ch.guarantee_cap is not None and space.guarantees is None:
            raise ValueError(f"channel '{ch.name}' caps the guarantee with "
                             f"'{ch.guarantee_cap}', but no issue has the role 'guarantees'")
        players = tuple(a for a in parties if a in ch.parties)
        speaks_for = None if ch.credibility_of is None else cast.side_of(ch.credibility_of)
        cols = channel_deals(space.deals, [d in dims for d in space.names], space.status_quo)
        tables.append(Table(
            channel=ch, players=players,
            reversed=tuple(side[a] == second for a in players),
            discounted=tuple(speaks_for is not None and side[a] != speaks_for
                             for a in players),
            space=space, cols=cols, factored=_factor(space, cols)))
    names = tuple((a, cast.name_of(a)) for a in (*cast.sides, *cast.supporters))
    return Talks(first=first, second=second, parties=parties,
                 sides=tuple(x for x in cast.sides if x in parties),
                 supporters=tuple(s for s in cast.supporters if s in parties),
                 credible=tuple(s for s in cast.supporters
                                if any(ch.credibility_of == s for ch in cast.channels)),
                 fights_for=fights_for, tables=tuple(tables), space=space, names=names)


# --------------------------------------------------------------------------- checks
class _Nominal(Protocol):
    """What the check reads of a parameter: its nominal value and whether it is uncertain.

    The scenario layer's parameter distributions (and its ``Parameter`` objects) have both;
    the nominal value is the value, or the mode, midpoint, mean or median of the
    distribution, as a file's author means it.
    """

    @property
    def is_uncertain(self) -> bool: ...

    def nominal(self) -> float: ...


def _check(t: Talks, parameters: Mapping[str, _Nominal]) -> list[tuple[str, str]]:
    """Check the bargaining parameters of a scenario file (the module's ``check``).

    Each party's weights over the issues must all be present and must sum to 1
    (within :data:`WEIGHT_SUM_TOL`), using each parameter's nominal value: its value, or the
    mode (PERT, triangular), midpoint (uniform), mean (truncated normal) or median
    (log-normal) of its distribution. Sampled weights are renormalised per sample, so
    uncertain weights keep their sum. ``negotiation_channel`` must be a fixed code of a
    channel (or 0), and a channel's switch (``open_<channel>``) a fixed 0 or 1.

    Returns ``(path, message)`` for every problem, e.g.
    ``("parameters.red.weight_territory", "the weights of 'red' must sum to 1, ...")``.
    """
    problems: list[tuple[str, str]] = []
    issues = [d.name for d in t.space.declared]
    for a in t.parties:
        names = [owned(a, f"weight_{d}") for d in issues]
        missing = [n for n in names if n not in parameters]
        if len(missing) == len(names):
            continue  # reported as missing parameters by the loader
        if missing:
            problems.append((f"parameters.{missing[0]}",
                             f"missing weight(s) {', '.join(missing)}: every party needs a "
                             f"weight on each of {', '.join(issues)}"))
            continue
        values = [parameters[n].nominal() for n in names]
        total = math.fsum(values)
        if abs(total - 1.0) > WEIGHT_SUM_TOL:
            detail = ", ".join(f"{n}={v:g}" for n, v in zip(names, values, strict=True))
            problems.append((f"parameters.{names[0]}",
                             f"the weights of '{a}' must sum to 1, found {total:g} "
                             f"({detail})"))
    if "negotiation_channel" in parameters:
        ch = parameters["negotiation_channel"]
        codes = {0, *(tb.channel.code for tb in t.tables)}
        v = ch.nominal()
        if ch.is_uncertain or v not in codes:
            problems.append(("parameters.negotiation_channel",
                             f"expected a fixed value in {sorted(codes)}, found "
                             f"{'a distribution' if ch.is_uncertain else v}"))
    for tb in t.tables:
        if tb.switch in parameters:
            sw = parameters[tb.switch]
            v = sw.nominal()
            if sw.is_uncertain or v not in (0.0, 1.0):
                problems.append((f"parameters.{tb.switch}",
                                 f"expected a fixed value 0 (closed unless "
                                 f"{CHANNEL_PARAM} is {tb.channel.code}) or 1 (open), found "
                                 f"{'a distribution' if sw.is_uncertain else v}"))
    return problems


def _weights(space: DealSpace, p: Params, party: str) -> FloatArray:
    """Return the party's weights on the issues, per sample and column, summing to 1."""
    w = np.stack([p[owned(party, f"weight_{d}")] for d in space.names], axis=1)
    w = np.maximum(w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    if np.any(total <= 0.0):
        raise InputError(f"the weights {owned(party, 'weight_*')} are all zero in some "
                         "samples; expected non-negative weights with a positive sum")
    return np.asarray(w / total, dtype=np.float64)


# --------------------------------------------------------------------------- state readers
_NOT_OBSERVED = float("nan")


def _reads(t: Talks) -> tuple[Read, ...]:
    line = (Read(owned(t.second, "territory"), _NOT_OBSERVED, "step"),)
    return (
        *(line if t.space.territory else ()),
        Read(owned(t.first, "combat_power_ratio"), _NOT_OBSERVED, "step"),
        *(Read(owned(x, "casualties_cum"), _NOT_OBSERVED, "step") for x in t.sides),
        *(Read(owned(x, "viability"), 1.0, "step") for x in t.sides),
        *(Read(owned(x, "elite_pressure"), 0.0, "step") for x in t.sides),
        *(Read(owned(s, "aid_index"), 1.0, "step") for s in t.supporters),
        *(Read(owned(s, "deal_credibility"), 1.0, "step") for s in t.credible),
        Read("escalated", 0.0, "step"),
    )


def _observed(value: FloatArray, assumed: FloatArray) -> FloatArray:
    """``value`` where observed, ``assumed`` where not (NaN: no module reports it)."""
    return np.asarray(np.where(np.isnan(value), assumed, value), dtype=np.float64)


def _log_force_ratio(cpr: FloatArray, p: Params) -> FloatArray:
    """ln(second / first side's combat power) from the first's over the second's (NaN: assumed)."""
    with np.errstate(invalid="ignore"):
        observed = -np.log(np.maximum(cpr, 1e-12))
    assumed = np.log(np.maximum(p["bargain_force_ratio_fallback"], 1e-12))
    return _observed(observed, assumed)


def _optional_cost(rate: FloatArray, value: FloatArray) -> FloatArray:
    """``rate x value``, exactly 0 where the rate is 0 (an input a party ignores may be NaN)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(rate == 0.0, 0.0, rate * value), dtype=np.float64)


def line_returns(p: Params, area: FloatArray, start_area: FloatArray) -> FloatArray:
    """Km2 each line of control returns to the first side, relative to the current line.

    One column per level of the territory issue (claimed line, current line, partial
    return, pre-war line), one row per sample; ``area`` is what the second side holds of
    the first's now, ``start_area`` at the start.
    """
    since_war = np.maximum(area - p["deal_prewar_held_km2"], 0.0)
    unheld = np.maximum(p["deal_claim_unheld_km2"] - (area - start_area), 0.0)
    out: FloatArray = np.stack([-unheld, np.zeros_like(area),
                                p["deal_partial_return_share"] * since_war, since_war], axis=1)
    return out


# --------------------------------------------------------------------------- war values
@dataclass(frozen=True)
class Negotiation:
    """Per-sample inputs of one monthly round (arrays of shape ``(m,)`` unless noted).

    Attributes
    ----------
    weights : dict of str to ndarray (m, K)
        Normalised weights per party, one column per issue of the deal space.
    territory : ndarray (m, 4)
        Position on [0, 1] of each line of control; shape (m, 0) without a territory
        issue.
    war : dict of str to ndarray
        Each party's value of fighting on.
    status_quo : dict of str to ndarray
        Each party's utility of the status quo.
    power : dict of str to ndarray
        Each party's bargaining power (its Nash weight).
    victory : dict of str to ndarray
        Each party's believed chance that the enemy of its side collapses within its horizon.
    credibility : dict of str to ndarray
        The ``deal_credibility`` of the supporters channels name.
    """

    weights: dict[str, FloatArray]
    territory: FloatArray
    war: dict[str, FloatArray]
    status_quo: dict[str, FloatArray]
    power: dict[str, FloatArray]
    victory: dict[str, FloatArray]
    credibility: dict[str, FloatArray]

    def select(self, rows: IntArray) -> Negotiation:
        """Return the round for the samples ``rows`` only."""
        def pick(d: dict[str, FloatArray]) -> dict[str, FloatArray]:
            return {a: v[rows] for a, v in d.items()}

        return Negotiation(pick(self.weights), self.territory[rows], pick(self.war),
                           pick(self.status_quo), pick(self.power), pick(self.victory),
                           pick(self.credibility))


def _positions(space: DealSpace, territory: FloatArray) -> list[FloatArray]:
    """Each column's positions, the territory issue's ``territory`` (per sample)."""
    pos = list(space.positions)
    if space.territory:
        pos[0] = territory
    return pos


def _point_utility(space: DealSpace, w: FloatArray, levels: Sequence[int],
                   terr: FloatArray | None) -> FloatArray:
    """Return the utility (first side's orientation) of one point per sample.

    ``terr`` is the position of the line of control per sample (None without one).
    """
    deal = np.asarray([levels], dtype=np.int64)
    if terr is None:
        return additive_utility(w, deal, list(space.positions))[:, 0]
    deal[0, 0] = 0  # the territory position is given directly, as one "level"
    return additive_utility(w, deal, _positions(space, terr[:, None]))[:, 0]


def _orient(for_second: bool, u: FloatArray) -> FloatArray:
    return 1.0 - u if for_second else u


def war_values(
    t: Talks, p: Params, *, log_ratio: FloatArray, drift: FloatArray,
    cost: Mapping[str, FloatArray], aid: Mapping[str, FloatArray],
    credibility: Mapping[str, FloatArray], area: FloatArray | None = None,
    start_area: FloatArray | None = None, gain: FloatArray | None = None,
) -> Negotiation:
    """Every party's value of fighting on and power, and the positions of the lines of control.

    Parameters
    ----------
    t : Talks
        The cast's bargaining (:func:`talks`).
    p : mapping
        Parameters in canonical units, shape ``(m,)`` each.
    log_ratio, drift : ndarray
        ln(second / first side's force) and its smoothed drift per day.
    cost : mapping of str to ndarray
        Cost rate of fighting per party, utility per day.
    aid : mapping of str to ndarray
        ``aid_index`` of each seated supporter (sets its bargaining power).
    credibility : mapping of str to ndarray
        ``deal_credibility`` of each supporter a channel names.
    area, start_area : ndarray, optional
        Area of the first side held by the second now and at the start, km2 (needed with a
        territory issue, not read without one).
    gain : ndarray, optional
        Smoothed territorial gain of the second side, km2 per day (as ``area``).

    Returns
    -------
    Negotiation

    Notes
    -----
    Without a territory issue the stalemate at the horizon is the status quo: nothing on
    the table moves by fighting on but the chances of a collapse.
    """
    space = t.space
    lines = None
    if space.territory:
        if area is None or start_area is None or gain is None:
            raise InputError("the line of control needs the area held, the area held at the "
                             "start and the territorial gain")
        km2 = line_returns(p, area, start_area)
        low = km2[:, 0]
        span = np.maximum(km2[:, -1] - low, _MIN_SPAN_KM2)
        territory = (km2 - low[:, None]) / span[:, None]
        sq_terr = territory[:, space.status_quo[0]]
        lines = (gain, low, span)
    else:
        territory = np.zeros((np.shape(log_ratio)[0], 0))
        sq_terr = None
    zeros = np.zeros_like(log_ratio)
    ones = np.ones_like(log_ratio)
    losing = [0] * len(space.levels)
    winning = [n - 1 for n in space.levels]
    weights = {a: _weights(space, p, a) for a in t.parties}
    war: dict[str, FloatArray] = {}
    status_quo: dict[str, FloatArray] = {}
    victory: dict[str, FloatArray] = {}
    for a in t.parties:
        second = t.for_second(a)
        w = weights[a]
        h = p[owned(a, "horizon")]
        bias = p[owned(a, "momentum_bias")]
        slope = drift + (bias if second else -bias)  # towards the side the party fights for
        ratio_h = log_ratio + slope * h
        p_second, p_first = victory_probabilities(ratio_h, p["bargain_collapse_log_ratio"],
                                                  p["bargain_collapse_width"])
        u_sq = _orient(second, _point_utility(space, w, space.status_quo, sq_terr))
        if lines is None:
            u_stale = u_sq
        else:
            trend, low, span = lines
            gain_h = trend * h + p["bargain_gain_per_log_ratio"] * slope * h * h / 2.0
            stalemate = np.clip((-gain_h - low) / span, 0.0, 1.0)
            u_stale = _orient(second, _point_utility(space, w, space.status_quo, stalemate))
        u_second_wins = _orient(second, _point_utility(
            space, w, losing, zeros if space.territory else None))
        u_first_wins = _orient(second, _point_utility(
            space, w, winning, ones if space.territory else None))
        expected = (p_second * u_second_wins + p_first * u_first_wins
                    + (1.0 - p_second - p_first) * u_stale)
        r = p[owned(a, "discount_rate")]
        disc = np.exp(-r * h)
        war[a] = (1.0 - disc) * u_sq + disc * expected - cost[a] * annuity(r, h)
        status_quo[a] = u_sq
        victory[a] = p_second if second else p_first
    share_first = 1.0 / (1.0 + np.exp(log_ratio + drift * p["bargain_power_lookahead"]))
    share = {t.first: share_first, t.second: 1.0 - share_first}
    power = {a: share[a] if a in share else p[owned(a, "aid_leverage")] * aid[a]
             for a in t.parties}
    return Negotiation(weights, territory, war, status_quo, power, victory,
                       {s: credibility[s] for s in t.credible})


# --------------------------------------------------------------------------- one round
#: Rows x deals tested at once in the candidate stage (keeps its arrays in cache).
_CHUNK = 1 << 15
#: Slack of the candidate test (a necessary condition) against rounding at the boundary.
_SLACK = 1e-9
#: Smallest expected gain a deal must bring (margins below it are raised to it), so that a
#: deal certain to be vetoed or no better than war is never "acceptable".
_MIN_GAIN = 1e-12
#: Smallest surplus the log-Nash objective takes.
_TINY_SURPLUS = 1e-300


@dataclass(frozen=True)
class Outcome:
    """The result of one round of talks for ``m`` samples.

    Attributes
    ----------
    deal : ndarray of int64, shape (m,)
        Row of the deal space agreed, or -1.
    risk : ndarray, shape (m,)
        Chance that some player's hardliners block that deal (NaN where none).
    zone : ndarray of bool, shape (m,)
        Whether any deal was acceptable.
    party_risk : dict of str to ndarray (m,)
        Each player's own domestic veto risk for that deal (NaN where none).
    """

    deal: IntArray
    risk: FloatArray
    zone: BoolArray
    party_risk: dict[str, FloatArray]


@dataclass(frozen=True)
class _Round:
    """Per-sample factors of one round that do not depend on the deal."""

    vetoes: dict[str, tuple[FloatArray, FloatArray]]  # (base, slope x onus) of veto players
    q: FloatArray
    cap: FloatArray
    margin: dict[str, FloatArray]


def _round_inputs(table: Table, neg: Negotiation, p: Params) -> _Round:
    ch = table.channel
    m = neg.territory.shape[0]
    onus = p[ch.veto_onus] if ch.veto_onus else np.ones(m)
    vetoes: dict[str, tuple[FloatArray, FloatArray]] = {}
    for a in table.players:
        base, slope = p[owned(a, "veto_base")], p[owned(a, "veto_slope")] * onus
        if np.any(base != 0.0) or np.any(slope != 0.0):  # others' risk is exactly 0
            vetoes[a] = (base, slope)
    return _Round(
        vetoes=vetoes,
        q=(neg.credibility[ch.credibility_of] if ch.credibility_of else np.ones(m)),
        cap=(p[ch.guarantee_cap] if ch.guarantee_cap
             else np.full(m, table.space.top_guarantee)),
        margin={a: np.maximum(p[owned(a, "deal_margin")], _MIN_GAIN) for a in table.players},
    )


def _lasting(space: DealSpace, p: Params, party: str, guarantee_level: IntArray
             ) -> FloatArray:
    """Chance a deal survives the party's horizon, per sample and deal: (m, deals).

    The hazard is ``settlement_breakdown_rate x (1 - guarantee_breakdown_reduction x g)``
    with ``g`` the position of the deal's guarantee level; without a guarantees issue it is
    ``settlement_breakdown_rate`` (``guarantee_level`` is then all 0).
    """
    if space.guarantees is None:
        rate = p["settlement_breakdown_rate"][:, None]  # (m, 1): one "level"
    else:
        g = space.positions[space.guarantees]
        rate = p["settlement_breakdown_rate"][:, None] * (
            1.0 - p["guarantee_breakdown_reduction"][:, None] * g[None, :])
    table = np.exp(-rate * p[owned(party, "horizon")][:, None])  # (m, guarantee levels)
    return np.asarray(table[:, guarantee_level], dtype=np.float64)


def _guarantee_levels(space: DealSpace, levels: IntArray, offset: int = 0) -> IntArray:
    """Return the guarantee level of each deal of ``levels`` (columns from ``offset``)."""
    if space.guarantees is None:
        return np.zeros(levels.shape[0], dtype=np.int64)
    return np.asarray(levels[:, space.guarantees - offset], dtype=np.int64)


def _no_deal(m: int, players: Iterable[str]) -> Outcome:
    return Outcome(np.full(m, -1, dtype=np.int64), np.full(m, np.nan), np.zeros(m, dtype=bool),
                   {a: np.full(m, np.nan) for a in players})


def negotiate(table: Table, neg: Negotiation, p: Params) -> Outcome:
    """One round of talks at ``table`` for ``m`` samples.

    Parameters
    ----------
    table : Table
        The open channel, set for the cast (:attr:`Talks.tables`).
    neg : Negotiation
        War values, status-quo utilities, weights, powers and territory positions.
    p : mapping
        Parameters, shape ``(m,)`` each.

    Returns
    -------
    Outcome

    Notes
    -----
    The result is that of the direct evaluation over ``(m, deals)`` arrays
    (``_negotiate_dense``, kept as its twin for tests), computed faster in two stages:

    1. utilities split into a territory part ``(m, L)`` and a rest part ``(m, R)``; since
       ``S_a = hold x F_a x d_a`` with ``hold <= prod_i (1 - veto_base_i)`` and ``F_a``
       (survival, credibility) depending only on the rest part, a deal can only be
       acceptable if ``d_a >= margin_a / (prod_i (1 - veto_base_i) F_a)`` for every player:
       a cheap test over ``(m, L, R)`` booleans;
    2. the exact surpluses, acceptability and Nash objective on the candidates only.
    """
    f = table.factored
    m = neg.territory.shape[0]
    k = _round_inputs(table, neg, p)
    players = table.players
    flip = dict(zip(players, table.reversed, strict=True))
    space = table.space
    off = space.rest
    n_terr, n_rest = f.terr.size, f.rest.shape[0]
    g_level = _guarantee_levels(space, f.rest, off)
    t_part: dict[str, FloatArray] = {}
    r_part: dict[str, FloatArray] = {}
    for a in players:
        w = neg.weights[a]
        # without a territory issue the territory part is one level of utility 0
        t_part[a] = (w[:, :1] * neg.territory[:, f.terr] if space.territory
                     else np.zeros((m, 1)))
        r_part[a] = product_utility(w[:, off:], f.rest_sets, list(space.positions[off:]))
    # d_a = U_a - V_a = dt_[a][:, t] + dr_[a][:, r]; the second side's utility is 1 - U
    dt_: dict[str, FloatArray] = {}
    dr_: dict[str, FloatArray] = {}
    for a in players:
        if flip[a]:
            dt_[a] = 1.0 - t_part[a] - neg.war[a][:, None]
            dr_[a] = -r_part[a]
        else:
            dt_[a] = t_part[a] - neg.war[a][:, None]
            dr_[a] = r_part[a]
    factor = {a: _lasting(space, p, a, g_level) for a in players}
    for a, discounted in zip(players, table.discounted, strict=True):
        if discounted:
            factor[a] = factor[a] * k.q[:, None]
    # ---- stage 1: candidates (a necessary condition, with a little slack for rounding),
    # in chunks of rows small enough to stay in cache
    hold_max = np.ones(m)
    for base, slope in k.vetoes.values():
        hold_max = hold_max * np.where(slope >= 0.0, 1.0 - np.clip(base, 0.0, 1.0), 1.0)
    allowed = g_level[None, :] <= k.cap[:, None] + 0.5  # (m, R)
    if space.guarantees is None:
        allowed = np.ones((m, n_rest), dtype=bool)
    slack: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for a in players:
            need = k.margin[a][:, None] / (hold_max[:, None] * factor[a])
            slack[a] = dr_[a] - np.where(np.isnan(need), np.inf, need) + _SLACK
    found: list[tuple[IntArray, IntArray, IntArray]] = []
    chunk = max(1, _CHUNK // (n_terr * n_rest))
    for lo in range(0, m, chunk):
        sl = slice(lo, min(lo + chunk, m))
        cand = np.repeat(allowed[sl][:, None, :], n_terr, axis=1)
        for a in players:
            np.logical_and(cand, slack[a][sl][:, None, :] >= -dt_[a][sl][:, :, None],
                           out=cand)
        if cand.any():
            r_, t_, q_ = np.nonzero(cand)
            found.append((r_ + lo, t_, q_))
    if not found:
        return _no_deal(m, players)
    rows = np.concatenate([x[0] for x in found])
    ti = np.concatenate([x[1] for x in found])
    ri = np.concatenate([x[2] for x in found])
    # ---- stage 2: exact evaluation on the candidates (same arithmetic as the dense twin)
    own_risk: dict[str, FloatArray] = {}
    for a, (base, slope) in k.vetoes.items():
        u_a = _orient(flip[a], t_part[a][rows, ti] + r_part[a][rows, ri])
        conc = np.maximum(neg.status_quo[a][rows] - u_a, 0.0)
        own_risk[a] = np.clip(base[rows] + slope[rows] * conc, 0.0, 1.0)
    risk = (joint_veto_risk(list(own_risk.values())) if own_risk
            else np.zeros(rows.size))
    hold = 1.0 - risk
    ok = np.ones(rows.size, dtype=bool)
    surplus = []
    for a in players:
        s = (dt_[a][rows, ti] + dr_[a][rows, ri]) * factor[a][rows, ri] * hold
        ok &= s >= k.margin[a][rows]
        surplus.append(s)
    if not ok.any():
        return _no_deal(m, players)
    rows, ti, ri, risk = rows[ok], ti[ok], ri[ok], risk[ok]
    obj = np.zeros(rows.size)
    for s, a in zip(surplus, players, strict=True):
        obj += neg.power[a][rows] * np.log(np.maximum(s[ok], _TINY_SURPLUS))
    # the best candidate per row; ties go to the lowest deal (candidates are in deal order)
    order = np.lexsort((-obj, rows))
    first = np.ones(order.size, dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    best = order[first]
    r_best = rows[best]
    out = _no_deal(m, players)
    out.deal[r_best] = f.cols[ti[best] * n_rest + ri[best]]
    out.risk[r_best] = risk[best]
    out.zone[r_best] = True
    for a in players:
        out.party_risk[a][r_best] = own_risk[a][ok][best] if a in own_risk else 0.0
    return out


def _negotiate_dense(table: Table, neg: Negotiation, p: Params) -> Outcome:
    """Direct twin of :func:`negotiate` over full ``(m, deals)`` arrays (for tests)."""
    space = table.space
    deals = space.deals[table.cols]
    k = _round_inputs(table, neg, p)
    players = table.players
    pos = _positions(space, neg.territory)
    util = {a: _orient(rev, additive_utility(neg.weights[a], deals, pos))
            for a, rev in zip(players, table.reversed, strict=True)}
    own_risk = {a: veto_risk(util[a], neg.status_quo[a], base, slope)
                for a, (base, slope) in k.vetoes.items()}
    risk = (joint_veto_risk(list(own_risk.values())) if own_risk
            else np.zeros((neg.territory.shape[0], deals.shape[0])))
    hold = 1.0 - risk
    g_level = _guarantee_levels(space, deals)
    surplus = {a: hold * _lasting(space, p, a, g_level) * (util[a] - neg.war[a][:, None])
               for a in players}
    for a, discounted in zip(players, table.discounted, strict=True):
        if discounted:
            surplus[a] = surplus[a] * k.q[:, None]
    ok = acceptable([surplus[a] for a in players], [k.margin[a] for a in players])
    if space.guarantees is not None:
        ok &= g_level[None, :] <= k.cap[:, None] + 0.5
    choice = nash_choice([surplus[a] for a in players], [neg.power[a] for a in players], ok)
    has = choice >= 0
    safe = np.where(has, choice, 0)
    rows = np.arange(choice.size)

    def chosen(values: FloatArray) -> FloatArray:
        return np.asarray(np.where(has, values[rows, safe], np.nan), dtype=np.float64)

    party_risk = {a: chosen(own_risk[a]) if a in own_risk
                  else np.where(has, 0.0, np.nan) for a in players}
    deal = np.where(has, table.cols[safe], -1).astype(np.int64)
    return Outcome(deal, chosen(risk), has, party_risk)


# --------------------------------------------------------------------------- init / step
def _init(t: Talks, p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return initial values: war at full intensity, no deal, trends from parameters."""
    for a in t.parties:
        _weights(t.space, p, a)  # fail early on all-zero weights
    zeros = np.zeros(n)
    nan = np.full(n, np.nan)
    line = {
        "bargain_ref_area": nan.copy(),
        "bargain_start_area": nan.copy(),
        "bargain_gain_trend": np.asarray(p["bargain_initial_gain"], dtype=np.float64).copy(),
        "settlement_line_km2": nan.copy(),
    } if t.space.territory else {}
    return {
        "settled": zeros.copy(),
        "months_to_settlement": nan.copy(),
        **{f"deal_{d.name}": np.full(n, -1.0) for d in t.space.declared},
        "war_intensity": np.ones(n),
        "sanctions_relief": zeros.copy(),
        "settlement_guarantee": zeros.copy(),
        **{owned(a, "veto_risk"): zeros.copy() for a in t.parties},
        "zone_exists": zeros.copy(),
        "settlements": zeros.copy(),
        "breakdowns": zeros.copy(),
        **{owned(a, "war_value"): nan.copy() for a in t.parties},
        **{owned(a, "victory_belief"): nan.copy() for a in t.parties},
        "bargain_ref_t": zeros.copy(),
        "bargain_ref_log_ratio": nan.copy(),
        **{owned(x, "bargain_ref_casualties"): nan.copy() for x in t.sides},
        **line,
        "bargain_drift_trend": np.asarray(p["bargain_initial_force_drift"],
                                          dtype=np.float64).copy(),
        **{owned(x, "bargain_casualty_rate"):
           np.asarray(p[owned(x, "casualty_ref_rate")], dtype=np.float64).copy()
           for x in t.sides},
        "bargain_last_breakdown_t": np.full(n, -np.inf),
    }


def _fill(ref: FloatArray, value: FloatArray) -> FloatArray:
    return np.asarray(np.where(np.isnan(ref), value, ref), dtype=np.float64)


def _ema(old: FloatArray, observed: FloatArray, weight: FloatArray) -> FloatArray:
    return np.asarray(old + weight * (observed - old), dtype=np.float64)


def _sub(p: Params, rows: IntArray) -> dict[str, FloatArray]:
    return {k: v[rows] for k, v in p.items() if np.ndim(v) == 1}


def _costs(t: Talks, p: Params, x: State, out: Mapping[str, FloatArray]
           ) -> dict[str, FloatArray]:
    """Each party's cost rate of fighting on (utility per day)."""
    cost: dict[str, FloatArray] = {}
    for a in t.parties:
        if a in t.sides:
            strain = np.clip(1.0 - x[owned(a, "viability")], 0.0, 1.0)
            cost[a] = (p[owned(a, "cost_casualties")] * out[owned(a, "bargain_casualty_rate")]
                       / np.maximum(p[owned(a, "casualty_ref_rate")], 1.0)
                       + _optional_cost(p[owned(a, "cost_strain")], strain)
                       + _optional_cost(p[owned(a, "elite_cost")],
                                        x[owned(a, "elite_pressure")]))
        else:
            cost[a] = p[owned(a, "war_cost")] * x[owned(a, "aid_index")]
    return cost


def _step(t: Talks, variables: tuple[str, ...], s: State, x: State, p: Params,
          u: Mapping[str, FloatArray], ctx: StepContext) -> dict[str, FloatArray]:
    """Advance bargaining by one step (see the module docstring)."""
    n = ctx.n
    t1 = ctx.t + ctx.dt
    out = {v: np.array(s[v], dtype=np.float64, copy=True) for v in variables}

    # ---- inputs: the start of the step (s) and this step's values (x)
    line = t.space.territory  # the line of control is on the table: its area is read
    area = np.zeros(n)
    if line:
        held = owned(t.second, "territory")
        assumed_area = p["bargain_territory_fallback_km2"]
        area0 = _observed(s[held], assumed_area)
        area = _observed(x[held], assumed_area)
        out["bargain_start_area"] = _fill(out["bargain_start_area"], area0)
        out["bargain_ref_area"] = _fill(out["bargain_ref_area"], area0)
    ratio = owned(t.first, "combat_power_ratio")
    log0 = _log_force_ratio(s[ratio], p)
    log1 = _log_force_ratio(x[ratio], p)
    escalated_b = x["escalated"] > 0.5
    out["bargain_ref_log_ratio"] = _fill(out["bargain_ref_log_ratio"], log0)

    # ---- breakdown of a deal in force (commitment problem), or escalation ending it
    settled = s["settled"] > 0.5
    rate = p["settlement_breakdown_rate"]
    if t.space.guarantees is not None:
        rate = rate * (1.0 - p["guarantee_breakdown_reduction"] * s["settlement_guarantee"])
    broken = settled & ((u["settlement_breakdown"] < step_probability(rate, ctx.dt))
                        | escalated_b)
    if broken.any():
        out["settled"][broken] = 0.0
        out["war_intensity"][broken] = 1.0
        out["sanctions_relief"][broken] = 0.0
        out["settlement_guarantee"][broken] = 0.0
        out["breakdowns"][broken] += 1.0
        out["bargain_last_breakdown_t"][broken] = t1

    decision = math.floor(t1 / DAYS_PER_MONTH) > math.floor(ctx.t / DAYS_PER_MONTH)
    if not decision:
        return out

    # ---- monthly trends (smoothed), from the last round to now
    w = p["bargain_trend_weight"]
    span_t = np.maximum(t1 - out["bargain_ref_t"], ctx.dt)
    if line:
        out["bargain_gain_trend"] = _ema(out["bargain_gain_trend"],
                                         (area - out["bargain_ref_area"]) / span_t, w)
    out["bargain_drift_trend"] = _ema(out["bargain_drift_trend"],
                                      (log1 - out["bargain_ref_log_ratio"]) / span_t, w)
    for side in t.sides:
        cum = x[owned(side, "casualties_cum")]
        ref_name, rate_name = owned(side, "bargain_ref_casualties"), owned(
            side, "bargain_casualty_rate")
        ref = _fill(out[ref_name], s[owned(side, "casualties_cum")])
        old = out[rate_name]
        # casualties not observed: the rate stays at its reference
        out[rate_name] = _observed(_ema(old, np.maximum(cum - ref, 0.0) / span_t, w), old)
        out[ref_name] = np.asarray(cum, dtype=np.float64).copy()
    out["bargain_ref_t"] = np.full(n, t1)
    area_n = np.asarray(area, dtype=np.float64) + np.zeros(n)
    if line:
        out["bargain_ref_area"] = area_n.copy()
    out["bargain_ref_log_ratio"] = log1

    # ---- each party's value of fighting on (all samples: cheap, and recorded)
    lines = ({"area": area_n, "start_area": out["bargain_start_area"],
              "gain": out["bargain_gain_trend"]} if line else {})
    neg = war_values(t, p, log_ratio=log1, drift=out["bargain_drift_trend"],
                     cost=_costs(t, p, x, out),
                     aid={a: x[owned(a, "aid_index")] for a in t.supporters},
                     credibility={a: x[owned(a, "deal_credibility")] for a in t.credible},
                     **lines)
    for a in t.parties:
        out[owned(a, "war_value")] = neg.war[a]
        out[owned(a, "victory_belief")] = neg.victory[a]

    # ---- talks on each open channel, for samples at war and past the cooling-off period;
    # in the scenario's order of the channels, the first deal signed holds (module docstring)
    channel = np.rint(p[CHANNEL_PARAM]).astype(np.int64)
    talking = (~(out["settled"] > 0.5) & ~escalated_b
               & (t1 - out["bargain_last_breakdown_t"] >= p["renegotiation_delay"]))
    out["zone_exists"] = np.zeros(n)
    seen = np.zeros(n, dtype=bool)  # some channel tried this month had an acceptable deal
    for table in t.tables:
        is_open = (channel == table.channel.code) | (p[table.switch] >= 0.5)
        rows = np.flatnonzero(talking & is_open)
        if rows.size == 0:
            continue
        res = negotiate(table, neg.select(rows), _sub(p, rows))
        out["zone_exists"][rows] = np.maximum(out["zone_exists"][rows],
                                              res.zone.astype(np.float64))
        signed = res.zone & (u["settlement_veto"][rows] >= np.nan_to_num(res.risk, nan=1.0))
        # the veto risks shown are those of the deal signed, else of the first acceptable one
        shown = res.zone & (signed | ~seen[rows])
        for a in table.players:
            name = owned(a, "veto_risk")
            out[name][rows] = np.where(shown, res.party_risk[a], out[name][rows])
        seen[rows] |= res.zone
        if not signed.any():
            continue
        r = rows[signed]
        talking[r] = False  # settled: the later channels are not tried
        space = t.space
        terms = space.deals[res.deal[signed]]
        for k, d in enumerate(space.names):
            out[f"deal_{d}"][r] = terms[:, k]
        out["settled"][r] = 1.0
        if line:  # the line the deal sets, for the military to move the front to
            km2 = line_returns(p, area_n, out["bargain_start_area"])[r]
            out["settlement_line_km2"][r] = area_n[r] - km2[np.arange(r.size), terms[:, 0]]
        out["settlements"][r] += 1.0
        out["war_intensity"][r] = p["ceasefire_war_intensity"][r]
        if space.sanctions is not None:
            k = space.sanctions
            out["sanctions_relief"][r] = 1.0 - space.positions[k][terms[:, k]]
        if space.guarantees is not None:
            k = space.guarantees
            out["settlement_guarantee"][r] = space.positions[k][terms[:, k]]
        first = np.isnan(out["months_to_settlement"][r])
        out["months_to_settlement"][r[first]] = t1 / DAYS_PER_MONTH
    return out


# --------------------------------------------------------------------------- the module
_S = TypeVar("_S", ParamSpec, VariableSpec)


def _concrete(specs: Iterable[_S], t: Talks) -> list[_S]:
    """Templates made concrete for ``t``: one spec per seated owner, names filled in."""
    names = dict(t.names)
    owners = {"party": t.parties, "side": t.sides, "supporter": t.supporters}

    def fill(text: str, owner: str | None) -> str:
        text = text.replace("{first}", names[t.first]).replace("{second}", names[t.second])
        return text if owner is None else text.replace("{owner}", names[owner])

    out: list[_S] = []
    for spec in specs:
        if spec.per is None:
            out.append(replace(spec, description=fill(spec.description, None)))
            continue
        out += [replace(spec, name=owned(o, spec.name), owner=o,
                        description=fill(spec.description, o)) for o in owners[spec.per]]
    return out


@functools.cache
def build(cast: Cast) -> Module:
    """Return the bargaining module for ``cast`` (its parties are those its channels seat).

    Raises
    ------
    ValueError
        As :func:`talks`.
    """
    t = talks(cast)
    codes = [tb.channel.code for tb in t.tables]
    channel_list = ", ".join(f"{tb.channel.code} {tb.channel.name}" for tb in t.tables)
    params: list[ParamSpec] = []
    for spec in _concrete(_param_templates(t.space), t):
        if spec.name == "negotiation_channel":
            spec = replace(spec, high=float(max(codes, default=0)),
                           description=f"Open channel: 0 none"
                                       f"{', ' + channel_list if channel_list else ''}.")
        params.append(spec)
    params += _channel_specs(cast.channels, t.space)
    variables: tuple[VariableSpec, ...] = tuple(_concrete(_variable_templates(t.space), t))
    names = tuple(v.name for v in variables)

    def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
        return _init(t, p, n, state)

    def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray],
             ctx: StepContext) -> dict[str, FloatArray]:
        return _step(t, names, s, x, p, u, ctx)

    check: Callable[[Mapping[str, _Nominal]], list[tuple[str, str]]] = functools.partial(
        _check, t)
    return Module(
        name="bargaining",
        description="Monthly war-or-deal choice of the parties at each open channel's "
                    "table (the first deal signed holds); ceasefire, sanctions relief, "
                    "guarantees and breakdown after a deal.",
        params=tuple(params),
        variables=variables,
        init=init,
        step=step,
        shocks=SHOCKS,
        check=check,
        reads=_reads(t),
        cast=cast,
    )
