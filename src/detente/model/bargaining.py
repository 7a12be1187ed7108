"""Bargaining: war or deal, every month, in every sample; ceasefire and breakdown after a deal.

Once a month (when a step crosses a month boundary, ``floor(t / M)`` with
``M = 365.25 / 12`` days) each veto player on the open channel compares every deal in a
discrete deal space with its value of fighting on; the terms are the asymmetric Nash
bargaining solution over the deals all of them accept. Equations and the parameter table are
in ``docs/settlement.md``; the pure pieces live in :mod:`detente.model._deals`.

Actors: Ukraine's government (``ua``), Russia's leadership (``ru``) and the United States
(``us``, with Europe as co-funder of aid). Utilities are additive over six issue dimensions
(:data:`DIMENSIONS`), each level placed on ``[0, 1]`` with 1 the level Kyiv and Washington
want most; Russia's utility uses ``1 - position``. Weights per actor and dimension are
scenario parameters ``<actor>_weight_<dimension>``, normalised per sample to sum to 1 (see
:func:`check_parameters` for the check on the file).

Value of fighting on (for actor ``i``, horizon ``H_i``, discount ``r_i``)::

    L_i  = L + (drift + b_i) H_i                     projected ln(Russian / Ukrainian force)
    G_i  = g H_i + kappa (drift + b_i) H_i**2 / 2    projected Russian gain, km2
    P_ru, P_ua = logistic((+-L_i - L*) / w)          believed chances of a front collapse
    E_i  = P_ru U_i(Russian victory) + P_ua U_i(Ukrainian victory)
           + (1 - P_ru - P_ua) U_i(stalemate at the line moved by G_i)
    V_i  = (1 - D_i) U_i(status quo) + D_i E_i - c_i A_i,   D_i = exp(-r_i H_i),
                                                          A_i = (1 - D_i) / r_i

with ``b_ru`` Moscow's momentum bias, ``b_ua = -ua_aid_hope`` and ``b_us = 0``; ``L`` and
``drift`` from the force ratio, ``g`` from the territory trend; the cost rates ``c_i`` from
casualties, economic strain, elite pressure (Russia) and aid (US).

Acceptance, with ``r_j`` Kyiv's domestic veto risk for deal ``j`` (rising with concessions
from the status quo) and ``q`` Moscow's belief that the other side can deliver (1 on the
Kyiv–Moscow channel, ``us_deal_credibility`` on the Washington–Moscow channel)::

    S_ua = (1 - r_j) (U_ua - V_ua)  >= ua_deal_margin
    S_ru = (1 - r_j) q (U_ru - V_ru) >= ru_deal_margin
    S_us = (1 - r_j) (U_us - V_us)  >= us_deal_margin      (Washington–Moscow only)

Terms: ``argmax sum_i a_i log S_i`` over the acceptable deals, with ``a_ua`` Ukraine's
projected share of combat power, ``a_ru = 1 - a_ua`` and ``a_us = us_aid_leverage x
us_aid_index``. A realised veto (shock ``settlement_veto`` below ``r_j``) blocks the deal that
month. After a deal the war's intensity falls to ``ceasefire_war_intensity``; the deal breaks
down with hazard ``settlement_breakdown_rate x (1 - guarantee_breakdown_reduction x
guarantee)`` (shock ``settlement_breakdown``), after which fighting resumes and talks may
reopen after ``renegotiation_delay``.

Reads (see :data:`READS`), all this step's values: from the military
``territory_ru_km2``, ``combat_power_ratio`` (Ukraine / Russia) and ``ua_casualties_cum`` /
``ru_casualties_cum``, whose neutral value is NaN, "not observed" (without the military the
actors assume ``ru_held_area_start_km2`` and ``bargain_force_ratio_fallback``, and the
casualty rates stay at their reference); from society ``viability`` (1: no strain); from
politics ``ru_elite_pressure`` (0), ``us_deal_credibility`` (1), ``us_aid_index`` (1) and
``escalated`` (0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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
    level_positions,
    nash_choice,
    product_utility,
    step_probability,
    veto_risk,
    victory_probabilities,
)
from detente.model.base import Module, ParamSpec, Read, StepContext, VariableSpec
from detente.units import DAYS_PER_MONTH

__all__ = [
    "ACTORS",
    "CHANNELS",
    "DEALS",
    "DIMENSIONS",
    "MODULE",
    "READS",
    "Channel",
    "Dimension",
    "Negotiation",
    "check_parameters",
    "init",
    "negotiate",
    "step",
    "war_values",
]

#: Tolerance on the sum of an actor's dimension weights in a scenario file.
WEIGHT_SUM_TOL = 1e-6
#: Smallest span (km2) between the extreme lines of control (avoids 0/0 when both coincide).
_MIN_SPAN_KM2 = 1.0


# --------------------------------------------------------------------------- the deal space
@dataclass(frozen=True)
class Dimension:
    """An issue dimension of a deal.

    Attributes
    ----------
    name : str
        Identifier, used in parameter names (``ua_weight_<name>``) and outputs (``deal_<name>``).
    levels : tuple of str
        Level names, from Moscow's most preferred (position 0) to Kyiv's (position 1).
    status_quo : int
        The level that holds while nothing is agreed on this dimension.
    description : str
        What the dimension covers.
    """

    name: str
    levels: tuple[str, ...]
    status_quo: int
    description: str


#: The issue dimensions of a deal, as in the op-ed and issue 3.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("territory",
              ("russian_claims", "current_line", "partial_return", "pre_2022_line"), 1,
              "Line of control: Russia's claimed four oblasts, the current line, a partial "
              "return of land taken since 2022, or the line of 23 February 2022."),
    Dimension("alignment", ("neutrality", "deferred", "membership_path"), 1,
              "Ukraine's alignment: permanent neutrality, NATO's open door with no invitation "
              "(today), or a path to membership."),
    Dimension("guarantees", ("none", "assurances", "collective_guarantee"), 0,
              "Security guarantees for Ukraine: none, political assurances with arms supply, "
              "or a binding collective guarantee by Western states."),
    Dimension("sanctions", ("full_relief", "partial_relief", "no_relief"), 2,
              "Sanctions relief for Russia."),
    Dimension("european_security", ("nato_rollback", "arms_control", "status_quo"), 2,
              "European security arrangement: NATO posture pulled back, arms-control and "
              "deployment limits, or today's NATO-centric posture."),
    Dimension("armed_forces", ("strict_caps", "long_range_limits", "no_limits"), 2,
              "Limits on Ukraine's armed forces: strict caps on size and arms, limits on "
              "long-range weapons only, or none."),
)
DIM_NAMES: tuple[str, ...] = tuple(d.name for d in DIMENSIONS)
LEVELS: tuple[int, ...] = tuple(len(d.levels) for d in DIMENSIONS)
STATUS_QUO: tuple[int, ...] = tuple(d.status_quo for d in DIMENSIONS)
#: Every deal, shape (deals, dims): 4 x 3**5 = 972 deals.
DEALS: IntArray = enumerate_deals(LEVELS)
_POS: tuple[FloatArray, ...] = tuple(level_positions(n) for n in LEVELS)
_TERRITORY = DIM_NAMES.index("territory")
_SANCTIONS = DIM_NAMES.index("sanctions")
_GUARANTEES = DIM_NAMES.index("guarantees")

#: The actors and the prefixes of their parameters.
ACTORS: tuple[str, ...] = ("ua", "ru", "us")


@dataclass(frozen=True)
class Channel:
    """A negotiating channel: which dimensions it can move and who sits at the table.

    Attributes
    ----------
    code : int
        Value of the parameter ``negotiation_channel`` that opens it.
    name : str
        Label.
    open_dims : tuple of bool
        Dimensions the channel can move (others stay at their status-quo level).
    us_at_table : bool
        Whether the United States is a veto player with bargaining power.
    credible : bool
        Whether Moscow discounts deals by ``us_deal_credibility``.
    onus_param : str or None
        Parameter that scales Kyiv's domestic veto risk (None: full risk).
    cap_param : str or None
        Parameter holding the highest guarantee level the channel can deliver (None: any).
    """

    code: int
    name: str
    open_dims: tuple[bool, ...]
    us_at_table: bool
    credible: bool
    onus_param: str | None
    cap_param: str | None = None


#: Channels by code; 0 is "no talks" (the status quo).
CHANNELS: dict[int, Channel] = {
    1: Channel(1, "kyiv_moscow",
               tuple(d not in ("alignment", "european_security") for d in DIM_NAMES),
               us_at_table=False, credible=False, onus_param=None,
               cap_param="kyiv_moscow_guarantee_cap"),
    2: Channel(2, "washington_moscow", tuple(True for _ in DIM_NAMES),
               us_at_table=True, credible=True, onus_param="ua_veto_onus_direct"),
}
_CHANNEL_DEALS: dict[int, IntArray] = {
    c: channel_deals(DEALS, ch.open_dims, STATUS_QUO) for c, ch in CHANNELS.items()
}


# --------------------------------------------------------------------------- parameters
def _weight_specs() -> list[ParamSpec]:
    who = {"ua": "Kyiv", "ru": "Moscow", "us": "Washington"}
    return [ParamSpec(f"{a}_weight_{d.name}", "fraction",
                      f"Weight {who[a]} puts on the {d.name.replace('_', ' ')} dimension.",
                      0.0, 1.0)
            for a in ACTORS for d in DIMENSIONS]


def _actor_specs() -> list[ParamSpec]:
    out: list[ParamSpec] = []
    for a in ACTORS:
        out += [
            ParamSpec(f"{a}_horizon", "day", f"Planning horizon of {a}'s value of war.",
                      0.0, None),
            ParamSpec(f"{a}_discount_rate", "1/day", f"{a}'s discount rate.", 0.0, None),
            ParamSpec(f"{a}_deal_margin", "1",
                      f"Gain over war (utility) {a} requires before it signs.", 0.0, None),
        ]
    return out


PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("negotiation_channel", "index",
              "Open channel: 0 none, 1 Kyiv-Moscow (option B), 2 Washington-Moscow (C).",
              0.0, 2.0, default=0.0),
    *_weight_specs(),
    *_actor_specs(),
    ParamSpec("ua_cost_casualties", "1/day",
              "Kyiv's cost of war (utility per day) at the reference casualty rate.", 0.0, None),
    ParamSpec("ua_casualty_ref_rate", "persons/day",
              "Ukraine's reference casualty rate (killed and wounded).", 0.0, None),
    ParamSpec("ua_cost_strain", "1/day",
              "Kyiv's cost of war per unit of lost viability (1 - viability).", 0.0, None),
    ParamSpec("ru_cost_casualties", "1/day",
              "Moscow's cost of war (utility per day) at the reference casualty rate.",
              0.0, None),
    ParamSpec("ru_casualty_ref_rate", "persons/day",
              "Russia's reference casualty rate (killed and wounded).", 0.0, None),
    ParamSpec("ru_elite_cost", "1/day",
              "Moscow's cost of war per unit of elite pressure.", 0.0, None),
    ParamSpec("us_war_cost", "1/day",
              "Washington's cost of the war (utility per day) with aid at today's level.",
              0.0, None),
    ParamSpec("ru_momentum_bias", "1/day",
              "Moscow's overestimate of the drift of the force ratio in its favour.", None, None,
              default=0.0),
    ParamSpec("ua_aid_hope", "1/day",
              "Kyiv's expected drift of the force ratio in its favour from more aid.",
              None, None, default=0.0),
    ParamSpec("bargain_trend_weight", "fraction",
              "Weight of the latest month in the smoothed trends actors project.", 0.0, 1.0),
    ParamSpec("bargain_initial_gain", "km2/day",
              "Russia's net territorial gain rate before the first month is observed.",
              None, None),
    ParamSpec("bargain_initial_force_drift", "1/day",
              "Drift of ln(Russian / Ukrainian force) before the first month is observed.",
              None, None),
    ParamSpec("bargain_gain_per_log_ratio", "km2/day",
              "Extra Russian advance per day per unit rise of ln(force ratio).", 0.0, None),
    ParamSpec("bargain_power_lookahead", "day",
              "Lookahead of the force ratio that sets bargaining power.", 0.0, None),
    ParamSpec("bargain_collapse_log_ratio", "1",
              "ln(force ratio) at which the weaker side's front is believed to break.",
              0.0, None),
    ParamSpec("bargain_collapse_width", "1",
              "Spread of beliefs about the collapse threshold.", 0.0, None),
    ParamSpec("bargain_force_ratio_fallback", "ratio",
              "Russian / Ukrainian combat power when no military module reports it.",
              0.0, None),
    ParamSpec("ru_held_area_start_km2", "km2",
              "Area Russia holds at the start (used when no military module reports it).",
              0.0, None),
    ParamSpec("ru_area_pre2022_km2", "km2",
              "Area Russia held on 23 February 2022 (Crimea and parts of Donbas).", 0.0, None),
    ParamSpec("deal_claim_unheld_km2", "km2",
              "Area of the four oblasts Russia claims but did not hold at the start.",
              0.0, None),
    ParamSpec("deal_partial_return_share", "fraction",
              "Share of the land taken since 2022 returned under a partial-return line.",
              0.0, 1.0),
    ParamSpec("ua_veto_base", "fraction",
              "Chance hardliners in Kyiv block a deal that concedes nothing.", 0.0, 1.0),
    ParamSpec("ua_veto_slope", "1",
              "Rise of that chance per unit of Kyiv's concession (utility below status quo).",
              0.0, None),
    ParamSpec("ua_veto_onus_direct", "fraction",
              "Share of the domestic onus left on Kyiv when Washington negotiates.", 0.0, 1.0),
    ParamSpec("kyiv_moscow_guarantee_cap", "index",
              "Highest guarantee level (0 none, 1 assurances, 2 collective) a Kyiv-Moscow "
              "deal can contain without the guarantors at the table.", 0.0, 2.0,
              default=2.0),
    ParamSpec("us_aid_leverage", "1",
              "Washington's bargaining power per unit of continuing aid.", 0.0, None),
    ParamSpec("ceasefire_war_intensity", "fraction",
              "War intensity (1 = full war) under a ceasefire.", 0.0, 1.0),
    ParamSpec("settlement_breakdown_rate", "1/day",
              "Hazard that a deal without guarantees breaks down.", 0.0, None),
    ParamSpec("guarantee_breakdown_reduction", "fraction",
              "Reduction of the breakdown hazard under the strongest guarantee.", 0.0, 1.0),
    ParamSpec("renegotiation_delay", "day",
              "Time after a breakdown before talks can reopen.", 0.0, None),
)

# --------------------------------------------------------------------------- variables
_STOCKS_HIDDEN = (
    ("bargain_ref_t", "day", "Time of the last monthly round."),
    ("bargain_ref_area", "km2", "Russian-held area at the last round."),
    ("bargain_ref_log_ratio", "1", "ln(force ratio) at the last round."),
    ("bargain_ref_ua_cas", "persons", "Ukraine's cumulative casualties at the last round."),
    ("bargain_ref_ru_cas", "persons", "Russia's cumulative casualties at the last round."),
    ("bargain_start_area", "km2", "Russian-held area at the start."),
    ("bargain_gain_trend", "km2/day", "Smoothed Russian territorial gain rate."),
    ("bargain_drift_trend", "1/day", "Smoothed drift of ln(force ratio)."),
    ("bargain_ua_cas_rate", "persons/day", "Smoothed Ukrainian casualty rate."),
    ("bargain_ru_cas_rate", "persons/day", "Smoothed Russian casualty rate."),
    ("bargain_last_breakdown_t", "day", "Time of the last breakdown (-inf if none)."),
)

VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec("settled", "switch", "1 while a negotiated settlement is in force."),
    VariableSpec("months_to_settlement", "month",
                 "Months from the start to the first settlement (NaN before one)."),
    *(VariableSpec(f"deal_{d.name}", "level",
                   f"Level of the {d.name.replace('_', ' ')} term of the latest deal "
                   f"(-1 before any; levels: {', '.join(d.levels)}).")
      for d in DIMENSIONS),
    VariableSpec("war_intensity", "fraction",
                 "Intensity of the fighting (1 = full war; the ceasefire level after a deal)."),
    VariableSpec("sanctions_relief", "fraction",
                 "Share of sanctions lifted under the deal in force."),
    VariableSpec("settlement_guarantee", "fraction",
                 "Strength of the security guarantee in force (0 none, 1 collective)."),
    VariableSpec("ukraine_veto_risk", "fraction",
                 "Kyiv's domestic veto risk for the deal on the table at the last round."),
    VariableSpec("zone_exists", "switch",
                 "1 if some deal was acceptable to every veto player at the last round."),
    VariableSpec("settlements", "count", "Number of deals signed so far."),
    VariableSpec("breakdowns", "count", "Number of deals that broke down so far."),
    VariableSpec("ua_war_value", "1", "Kyiv's value of fighting on at the last round.",
                 record=False),
    VariableSpec("ru_war_value", "1", "Moscow's value of fighting on at the last round.",
                 record=False),
    VariableSpec("us_war_value", "1", "Washington's value of the war at the last round.",
                 record=False),
    VariableSpec("ru_victory_belief", "fraction",
                 "Moscow's believed chance that Ukraine's front collapses within its horizon.",
                 record=False),
    *(VariableSpec(name, unit, desc, record=False) for name, unit, desc in _STOCKS_HIDDEN),
)

SHOCKS = ("settlement_veto", "settlement_breakdown")


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


def check_parameters(parameters: Mapping[str, _Nominal]) -> list[tuple[str, str]]:
    """Check the bargaining parameters of a scenario file.

    Each actor's weights over the deal dimensions must all be present and must sum to 1
    (within :data:`WEIGHT_SUM_TOL`), using each parameter's nominal value: its value, or the
    mode (PERT, triangular), midpoint (uniform), mean (truncated normal) or median
    (log-normal) of its distribution. Sampled weights are renormalised per sample, so
    uncertain weights keep their sum.

    Parameters
    ----------
    parameters : mapping of str to parameter
        Every parameter of the scenario, each with ``nominal()`` and ``is_uncertain``:
        the loader passes their :class:`~detente.scenario.table.ParameterDistribution`;
        a scenario's :class:`~detente.scenario.schema.Parameter` objects do as well.

    Returns
    -------
    list of (str, str)
        ``(path, message)`` for every problem, e.g.
        ``("parameters.ru_weight_territory", "weights of ru sum to 1.1, expected 1")``;
        empty when all is well.
    """
    problems: list[tuple[str, str]] = []
    for a in ACTORS:
        names = [f"{a}_weight_{d}" for d in DIM_NAMES]
        missing = [n for n in names if n not in parameters]
        if len(missing) == len(names):
            continue  # bargaining not used by this scenario
        if missing:
            problems.append((f"parameters.{missing[0]}",
                             f"missing weight(s) {', '.join(missing)}: every actor needs a "
                             f"weight on each of {', '.join(DIM_NAMES)}"))
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
        codes = {0, *CHANNELS}
        v = ch.nominal()
        if ch.is_uncertain or v not in codes:
            problems.append(("parameters.negotiation_channel",
                             f"expected a fixed value in {sorted(codes)}, found "
                             f"{'a distribution' if ch.is_uncertain else v}"))
    return problems


def _weights(p: Params, actor: str) -> FloatArray:
    w = np.stack([p[f"{actor}_weight_{d}"] for d in DIM_NAMES], axis=1)
    w = np.maximum(w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    if np.any(total <= 0.0):
        raise InputError(f"the weights {actor}_weight_* are all zero in some samples; "
                         "expected non-negative weights with a positive sum")
    return np.asarray(w / total, dtype=np.float64)


# --------------------------------------------------------------------------- state readers
_NOT_OBSERVED = float("nan")

READS = (
    Read("territory_ru_km2", _NOT_OBSERVED, "step"),
    Read("combat_power_ratio", _NOT_OBSERVED, "step"),
    Read("ua_casualties_cum", _NOT_OBSERVED, "step"),
    Read("ru_casualties_cum", _NOT_OBSERVED, "step"),
    Read("viability", 1.0, "step"),
    Read("ru_elite_pressure", 0.0, "step"),
    Read("us_aid_index", 1.0, "step"),
    Read("us_deal_credibility", 1.0, "step"),
    Read("escalated", 0.0, "step"),
)


def _observed(value: FloatArray, assumed: FloatArray) -> FloatArray:
    """``value`` where observed, ``assumed`` where not (NaN: no module reports it)."""
    return np.asarray(np.where(np.isnan(value), assumed, value), dtype=np.float64)


def _log_force_ratio(cpr: FloatArray, p: Params) -> FloatArray:
    """ln(Russian / Ukrainian combat power) from Ukraine's over Russia's (NaN: assumed)."""
    with np.errstate(invalid="ignore"):
        observed = -np.log(np.maximum(cpr, 1e-12))
    assumed = np.log(np.maximum(p["bargain_force_ratio_fallback"], 1e-12))
    return _observed(observed, assumed)


# --------------------------------------------------------------------------- war values
@dataclass(frozen=True)
class Negotiation:
    """Per-sample inputs of one monthly round (arrays of shape ``(m,)`` unless noted).

    Attributes
    ----------
    weights : dict of str to ndarray (m, K)
        Normalised weights per actor.
    territory : ndarray (m, 4)
        Position on [0, 1] of each line of control.
    war : dict of str to ndarray
        Each actor's value of fighting on.
    status_quo : dict of str to ndarray
        Each actor's utility of the status quo.
    power_ua : ndarray
        Ukraine's projected share of combat power (its Nash weight against Russia).
    ru_victory : ndarray
        Moscow's believed chance that Ukraine's front collapses within its horizon.
    """

    weights: dict[str, FloatArray]
    territory: FloatArray
    war: dict[str, FloatArray]
    status_quo: dict[str, FloatArray]
    power_ua: FloatArray
    ru_victory: FloatArray


def _positions(territory: FloatArray) -> list[FloatArray]:
    return [territory, *_POS[1:]]


def _point_utility(w: FloatArray, levels: Sequence[int], terr: FloatArray) -> FloatArray:
    """Return the utility (Kyiv-oriented) of one point per sample, territory given."""
    deal = np.asarray([levels], dtype=np.int64)
    deal[0, _TERRITORY] = 0  # the territory position is given directly, as one "level"
    return additive_utility(w, deal, _positions(terr[:, None]))[:, 0]


def _orient(actor: str, u: FloatArray) -> FloatArray:
    return 1.0 - u if actor == "ru" else u


def war_values(
    p: Params, *, area: FloatArray, start_area: FloatArray, log_ratio: FloatArray,
    drift: FloatArray, gain: FloatArray, cost: Mapping[str, FloatArray],
) -> Negotiation:
    """Every actor's value of fighting on, and the positions of the lines of control.

    Parameters
    ----------
    p : mapping
        Parameters in canonical units, shape ``(m,)`` each.
    area, start_area : ndarray
        Russian-held area now and at the start, km2.
    log_ratio, drift : ndarray
        ln(Russian / Ukrainian force) and its smoothed drift per day.
    gain : ndarray
        Smoothed Russian territorial gain, km2 per day.
    cost : mapping of str to ndarray
        Cost rate of fighting per actor, utility per day.

    Returns
    -------
    Negotiation
    """
    since_2022 = np.maximum(area - p["ru_area_pre2022_km2"], 0.0)
    unheld = np.maximum(p["deal_claim_unheld_km2"] - (area - start_area), 0.0)
    # km2 returned to Ukraine relative to the current line, per level
    km2 = np.stack([-unheld, np.zeros_like(area),
                    p["deal_partial_return_share"] * since_2022, since_2022], axis=1)
    low = km2[:, 0]
    span = np.maximum(km2[:, -1] - low, _MIN_SPAN_KM2)
    territory = (km2 - low[:, None]) / span[:, None]
    sq_terr = territory[:, STATUS_QUO[_TERRITORY]]
    bias = {"ua": -p["ua_aid_hope"], "ru": p["ru_momentum_bias"], "us": np.zeros_like(area)}
    zeros = np.zeros_like(area)
    ones = np.ones_like(area)
    weights = {a: _weights(p, a) for a in ACTORS}
    war: dict[str, FloatArray] = {}
    status_quo: dict[str, FloatArray] = {}
    ru_victory = zeros
    for a in ACTORS:
        w = weights[a]
        h = p[f"{a}_horizon"]
        slope = drift + bias[a]
        ratio_h = log_ratio + slope * h
        gain_h = gain * h + p["bargain_gain_per_log_ratio"] * slope * h * h / 2.0
        stalemate = np.clip((-gain_h - low) / span, 0.0, 1.0)
        p_ru, p_ua = victory_probabilities(ratio_h, p["bargain_collapse_log_ratio"],
                                           p["bargain_collapse_width"])
        u_sq = _orient(a, _point_utility(w, STATUS_QUO, sq_terr))
        u_stale = _orient(a, _point_utility(w, STATUS_QUO, stalemate))
        u_ru_win = _orient(a, _point_utility(w, [0] * len(LEVELS), zeros))
        u_ua_win = _orient(a, _point_utility(w, [n - 1 for n in LEVELS], ones))
        expected = p_ru * u_ru_win + p_ua * u_ua_win + (1.0 - p_ru - p_ua) * u_stale
        r = p[f"{a}_discount_rate"]
        disc = np.exp(-r * h)
        war[a] = (1.0 - disc) * u_sq + disc * expected - cost[a] * annuity(r, h)
        status_quo[a] = u_sq
        if a == "ru":
            ru_victory = p_ru
    power_ua = 1.0 / (1.0 + np.exp(log_ratio + drift * p["bargain_power_lookahead"]))
    return Negotiation(weights, territory, war, status_quo, power_ua, ru_victory)


# --------------------------------------------------------------------------- one round
@dataclass(frozen=True)
class _Factored:
    """A channel's deals as a product: territory levels x the other dimensions' levels.

    ``DEALS`` enumerates territory slowest, so the channel's deals, in order, reshape to
    ``(len(terr), len(rest))``; utilities then split into a territory part ``(m, L)`` and a
    rest part ``(m, R)`` that are only combined, chunk by chunk, at the end.
    """

    terr: IntArray  # territory levels, (L,)
    rest: IntArray  # levels of the other dimensions, (R, K - 1)
    cols: IntArray  # row of DEALS of each (territory, rest) pair, flattened (L * R,)
    rest_sets: tuple[IntArray, ...]  # the levels each other dimension takes (a product)


def _factor(code: int) -> _Factored:
    cols = _CHANNEL_DEALS[code]
    sub = DEALS[cols]
    terr = np.unique(sub[:, _TERRITORY])
    n_rest = sub.shape[0] // terr.size
    grid = sub.reshape(terr.size, n_rest, sub.shape[1])
    if not (np.all(grid[:, :, _TERRITORY] == terr[:, None])
            and np.all(grid[:, :, 1:] == grid[:1, :, 1:])):  # pragma: no cover - structural
        raise AssertionError("channel deals are not a product over territory")
    rest = np.ascontiguousarray(grid[0, :, 1:])
    sets = tuple(np.unique(rest[:, j]) for j in range(rest.shape[1]))
    product = np.stack([s[i] for s, i in zip(
        sets, np.indices([s.size for s in sets]).reshape(len(sets), -1), strict=True)], axis=1)
    if not np.array_equal(product, rest):  # pragma: no cover - structural
        raise AssertionError("channel deals are not a product over the other dimensions")
    return _Factored(terr, rest, cols, sets)


_FACTORED: dict[int, _Factored] = {c: _factor(c) for c in CHANNELS}
#: Rows x deals tested at once in the candidate stage (keeps its arrays in cache).
_CHUNK = 1 << 15
#: Slack of the candidate test (a necessary condition) against rounding at the boundary.
_SLACK = 1e-9
#: Smallest expected gain a deal must bring (margins below it are raised to it), so that a
#: deal certain to be vetoed or no better than war is never "acceptable".
_MIN_GAIN = 1e-12
#: Smallest surplus the log-Nash objective takes.
_TINY_SURPLUS = 1e-300


def _players(ch: Channel) -> list[str]:
    return ["ua", "ru", "us"] if ch.us_at_table else ["ua", "ru"]


def _round_inputs(code: int, neg: Negotiation, p: Params, credibility: FloatArray,
                  aid: FloatArray) -> dict[str, Any]:
    """Per-sample factors of one round that do not depend on the deal."""
    ch = CHANNELS[code]
    m = neg.power_ua.size
    onus = p[ch.onus_param] if ch.onus_param else np.ones(m)
    q = credibility if ch.credible else np.ones(m)
    cap = p[ch.cap_param] if ch.cap_param else np.full(m, float(LEVELS[_GUARANTEES] - 1))
    return {
        "players": _players(ch),
        "slope": p["ua_veto_slope"] * onus,
        "base": p["ua_veto_base"],
        "q": q,
        "cap": cap,
        "power": {"ua": neg.power_ua, "ru": 1.0 - neg.power_ua,
                  "us": p["us_aid_leverage"] * aid},
        "margin": {a: np.maximum(p[f"{a}_deal_margin"], _MIN_GAIN) for a in ACTORS},
    }


def _lasting(p: Params, actor: str, guarantee_level: IntArray) -> FloatArray:
    """Chance a deal survives the actor's horizon, per sample and deal: (m, deals).

    The hazard is ``settlement_breakdown_rate x (1 - guarantee_breakdown_reduction x g)``
    with ``g`` the position of the deal's guarantee level.
    """
    g = _POS[_GUARANTEES]
    rate = p["settlement_breakdown_rate"][:, None] * (
        1.0 - p["guarantee_breakdown_reduction"][:, None] * g[None, :])
    table = np.exp(-rate * p[f"{actor}_horizon"][:, None])  # (m, guarantee levels)
    return np.asarray(table[:, guarantee_level], dtype=np.float64)


def negotiate(code: int, neg: Negotiation, p: Params, credibility: FloatArray,
              aid: FloatArray) -> tuple[IntArray, FloatArray, BoolArray]:
    """One round of talks on channel ``code`` for ``m`` samples.

    Parameters
    ----------
    code : int
        Channel (a key of :data:`CHANNELS`).
    neg : Negotiation
        War values, status-quo utilities, weights and territory positions.
    p : mapping
        Parameters, shape ``(m,)`` each.
    credibility : ndarray
        Moscow's belief that the US administration can deliver (used if the channel says so).
    aid : ndarray
        Share of US aid continuing (sets Washington's bargaining power).

    Returns
    -------
    deal : ndarray of int64, shape (m,)
        Row of :data:`DEALS` agreed, or -1.
    risk : ndarray, shape (m,)
        Kyiv's veto risk for that deal (NaN where none).
    zone : ndarray of bool, shape (m,)
        Whether any deal was acceptable.

    Notes
    -----
    The result is that of the direct evaluation over ``(m, deals)`` arrays
    (``_negotiate_dense``, kept as its twin for tests), computed faster in two stages:

    1. utilities split into a territory part ``(m, L)`` and a rest part ``(m, R)``; since
       ``S_a = hold x F_a x d_a`` with ``hold <= 1 - ua_veto_base`` and ``F_a`` (survival,
       credibility) depending only on the rest part, a deal can only be acceptable if
       ``d_a >= margin_a / ((1 - ua_veto_base) F_a)`` for every player: a cheap test over
       ``(m, L, R)`` booleans;
    2. the exact surpluses, acceptability and Nash objective on the candidates only.
    """
    f = _FACTORED[code]
    m = neg.power_ua.size
    k = _round_inputs(code, neg, p, credibility, aid)
    players: list[str] = k["players"]
    n_terr, n_rest = f.terr.size, f.rest.shape[0]
    g_level = f.rest[:, _GUARANTEES - 1]
    t_part: dict[str, FloatArray] = {}
    r_part: dict[str, FloatArray] = {}
    for a in ACTORS:
        w = neg.weights[a]
        t_part[a] = w[:, :1] * neg.territory[:, f.terr]
        r_part[a] = product_utility(w[:, 1:], f.rest_sets, list(_POS[1:]))
    # d_a = U_a - V_a = dt_[a][:, t] + dr_[a][:, r]; Russia's utility is 1 - U
    dt_: dict[str, FloatArray] = {}
    dr_: dict[str, FloatArray] = {}
    for a in players:
        if a == "ru":
            dt_[a] = 1.0 - t_part[a] - neg.war[a][:, None]
            dr_[a] = -r_part[a]
        else:
            dt_[a] = t_part[a] - neg.war[a][:, None]
            dr_[a] = r_part[a]
    factor = {a: _lasting(p, a, g_level) for a in players}
    factor["ru"] = factor["ru"] * k["q"][:, None]
    # ---- stage 1: candidates (a necessary condition, with a little slack for rounding),
    # in chunks of rows small enough to stay in cache
    hold_max = np.where(k["slope"] >= 0.0, 1.0 - np.clip(k["base"], 0.0, 1.0), 1.0)
    allowed = f.rest[None, :, _GUARANTEES - 1] <= k["cap"][:, None] + 0.5  # (m, R)
    slack: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for a in players:
            need = k["margin"][a][:, None] / (hold_max[:, None] * factor[a])
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
        return (np.full(m, -1, dtype=np.int64), np.full(m, np.nan),
                np.zeros(m, dtype=bool))
    rows = np.concatenate([x[0] for x in found])
    ti = np.concatenate([x[1] for x in found])
    ri = np.concatenate([x[2] for x in found])
    choice = np.full(m, -1, dtype=np.int64)
    chosen_risk = np.full(m, np.nan)
    zone = np.zeros(m, dtype=bool)
    if rows.size == 0:
        return choice, chosen_risk, zone
    # ---- stage 2: exact evaluation on the candidates (same arithmetic as the dense twin)
    u_ua = t_part["ua"][rows, ti] + r_part["ua"][rows, ri]
    conc = np.maximum(neg.status_quo["ua"][rows] - u_ua, 0.0)
    risk = np.clip(k["base"][rows] + k["slope"][rows] * conc, 0.0, 1.0)
    hold = 1.0 - risk
    ok = np.ones(rows.size, dtype=bool)
    surplus = []
    for a in players:
        s = (dt_[a][rows, ti] + dr_[a][rows, ri]) * factor[a][rows, ri] * hold
        ok &= s >= k["margin"][a][rows]
        surplus.append(s)
    if not ok.any():
        return choice, chosen_risk, zone
    rows, ti, ri, risk = rows[ok], ti[ok], ri[ok], risk[ok]
    obj = np.zeros(rows.size)
    for s, a in zip(surplus, players, strict=True):
        obj += k["power"][a][rows] * np.log(np.maximum(s[ok], _TINY_SURPLUS))
    # the best candidate per row; ties go to the lowest deal (candidates are in deal order)
    order = np.lexsort((-obj, rows))
    first = np.ones(order.size, dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    best = order[first]
    r_best = rows[best]
    choice[r_best] = f.cols[ti[best] * n_rest + ri[best]]
    chosen_risk[r_best] = risk[best]
    zone[r_best] = True
    return choice, chosen_risk, zone


def _negotiate_dense(code: int, neg: Negotiation, p: Params, credibility: FloatArray,
                     aid: FloatArray) -> tuple[IntArray, FloatArray, BoolArray]:
    """Direct twin of :func:`negotiate` over full ``(m, deals)`` arrays (for tests)."""
    CHANNELS[code]
    cols = _CHANNEL_DEALS[code]
    deals = DEALS[cols]
    k = _round_inputs(code, neg, p, credibility, aid)
    players: list[str] = k["players"]
    pos = _positions(neg.territory)
    util = {a: _orient(a, additive_utility(neg.weights[a], deals, pos)) for a in ACTORS}
    risk = veto_risk(util["ua"], neg.status_quo["ua"], k["base"], k["slope"])
    hold = 1.0 - risk
    g_level = deals[:, _GUARANTEES]
    surplus = {a: hold * _lasting(p, a, g_level) * (util[a] - neg.war[a][:, None])
               for a in players}
    surplus["ru"] = surplus["ru"] * k["q"][:, None]
    ok = acceptable([surplus[a] for a in players], [k["margin"][a] for a in players])
    ok &= deals[None, :, _GUARANTEES] <= k["cap"][:, None] + 0.5
    choice = nash_choice([surplus[a] for a in players], [k["power"][a] for a in players], ok)
    has = choice >= 0
    safe = np.where(has, choice, 0)
    rows = np.arange(choice.size)
    chosen_risk = np.where(has, risk[rows, safe], np.nan)
    deal = np.where(has, cols[safe], -1).astype(np.int64)
    return deal, chosen_risk, has


# --------------------------------------------------------------------------- init / step
def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return initial values: war at full intensity, no deal, trends from parameters.

    Parameters
    ----------
    p : mapping of str to ndarray
        Parameters in canonical units, each of shape ``(n,)``.
    n : int
        Number of samples.
    state : mapping
        The declared reads at the start (not used: the references are taken at the first
        step).

    Returns
    -------
    dict of str to ndarray
        Every variable in :data:`VARIABLES`, shape ``(n,)``.
    """
    for a in ACTORS:
        _weights(p, a)  # fail early on all-zero weights
    zeros = np.zeros(n)
    nan = np.full(n, np.nan)
    out = {
        "settled": zeros.copy(),
        "months_to_settlement": nan.copy(),
        **{f"deal_{d}": np.full(n, -1.0) for d in DIM_NAMES},
        "war_intensity": np.ones(n),
        "sanctions_relief": zeros.copy(),
        "settlement_guarantee": zeros.copy(),
        "ukraine_veto_risk": zeros.copy(),
        "zone_exists": zeros.copy(),
        "settlements": zeros.copy(),
        "breakdowns": zeros.copy(),
        "ua_war_value": nan.copy(),
        "ru_war_value": nan.copy(),
        "us_war_value": nan.copy(),
        "ru_victory_belief": nan.copy(),
        "bargain_ref_t": zeros.copy(),
        "bargain_ref_area": nan.copy(),
        "bargain_ref_log_ratio": nan.copy(),
        "bargain_ref_ua_cas": nan.copy(),
        "bargain_ref_ru_cas": nan.copy(),
        "bargain_start_area": nan.copy(),
        "bargain_gain_trend": np.asarray(p["bargain_initial_gain"], dtype=np.float64).copy(),
        "bargain_drift_trend": np.asarray(p["bargain_initial_force_drift"],
                                          dtype=np.float64).copy(),
        "bargain_ua_cas_rate": np.asarray(p["ua_casualty_ref_rate"], dtype=np.float64).copy(),
        "bargain_ru_cas_rate": np.asarray(p["ru_casualty_ref_rate"], dtype=np.float64).copy(),
        "bargain_last_breakdown_t": np.full(n, -np.inf),
    }
    return out


def _fill(ref: FloatArray, value: FloatArray) -> FloatArray:
    return np.asarray(np.where(np.isnan(ref), value, ref), dtype=np.float64)


def _ema(old: FloatArray, observed: FloatArray, weight: FloatArray) -> FloatArray:
    return np.asarray(old + weight * (observed - old), dtype=np.float64)


def _sub(p: Params, rows: IntArray) -> dict[str, FloatArray]:
    return {k: v[rows] for k, v in p.items() if np.ndim(v) == 1}


def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray],
         ctx: StepContext) -> dict[str, FloatArray]:
    """Advance bargaining by one step (see the module docstring).

    Parameters
    ----------
    s : mapping
        State at the start of the step.
    x : mapping
        What earlier modules (military ... politics) computed this step.
    p : mapping
        Parameters in canonical units.
    u : mapping
        Uniform(0, 1) shocks: ``settlement_veto`` and ``settlement_breakdown``.
    ctx : StepContext
        Time and step length.

    Returns
    -------
    dict of str to ndarray
        New values of every variable in :data:`VARIABLES`.
    """
    n = ctx.n
    t1 = ctx.t + ctx.dt
    out = {v.name: np.array(s[v.name], dtype=np.float64, copy=True) for v in VARIABLES}

    # ---- inputs: the start of the step (s) and this step's values (x)
    assumed_area = p["ru_held_area_start_km2"]
    area0 = _observed(s["territory_ru_km2"], assumed_area)
    area = _observed(x["territory_ru_km2"], assumed_area)
    log0 = _log_force_ratio(s["combat_power_ratio"], p)
    log1 = _log_force_ratio(x["combat_power_ratio"], p)
    escalated_b = x["escalated"] > 0.5
    out["bargain_start_area"] = _fill(out["bargain_start_area"], area0)
    out["bargain_ref_area"] = _fill(out["bargain_ref_area"], area0)
    out["bargain_ref_log_ratio"] = _fill(out["bargain_ref_log_ratio"], log0)

    # ---- breakdown of a deal in force (commitment problem), or escalation ending it
    settled = s["settled"] > 0.5
    rate = p["settlement_breakdown_rate"] * (
        1.0 - p["guarantee_breakdown_reduction"] * s["settlement_guarantee"])
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
    out["bargain_gain_trend"] = _ema(out["bargain_gain_trend"],
                                     (area - out["bargain_ref_area"]) / span_t, w)
    out["bargain_drift_trend"] = _ema(out["bargain_drift_trend"],
                                      (log1 - out["bargain_ref_log_ratio"]) / span_t, w)
    for side in ("ua", "ru"):
        cum = x[f"{side}_casualties_cum"]
        ref = _fill(out[f"bargain_ref_{side}_cas"], s[f"{side}_casualties_cum"])
        old = out[f"bargain_{side}_cas_rate"]
        # casualties not observed: the rate stays at its reference
        out[f"bargain_{side}_cas_rate"] = _observed(
            _ema(old, np.maximum(cum - ref, 0.0) / span_t, w), old)
        out[f"bargain_ref_{side}_cas"] = np.asarray(cum, dtype=np.float64).copy()
    out["bargain_ref_t"] = np.full(n, t1)
    out["bargain_ref_area"] = np.asarray(area, dtype=np.float64) + np.zeros(n)
    out["bargain_ref_log_ratio"] = log1

    # ---- each actor's value of fighting on (all samples: cheap, and recorded)
    ua_strain = np.clip(1.0 - x["viability"], 0.0, 1.0)
    elite = x["ru_elite_pressure"]
    aid = x["us_aid_index"]
    cred = x["us_deal_credibility"]
    cost = {
        "ua": p["ua_cost_casualties"] * out["bargain_ua_cas_rate"]
        / np.maximum(p["ua_casualty_ref_rate"], 1.0) + p["ua_cost_strain"] * ua_strain,
        "ru": p["ru_cost_casualties"] * out["bargain_ru_cas_rate"]
        / np.maximum(p["ru_casualty_ref_rate"], 1.0) + p["ru_elite_cost"] * elite,
        "us": p["us_war_cost"] * aid,
    }
    area_n = np.asarray(area, dtype=np.float64) + np.zeros(n)
    neg = war_values(p, area=area_n, start_area=out["bargain_start_area"], log_ratio=log1,
                     drift=out["bargain_drift_trend"], gain=out["bargain_gain_trend"],
                     cost=cost)
    out["ua_war_value"] = neg.war["ua"]
    out["ru_war_value"] = neg.war["ru"]
    out["us_war_value"] = neg.war["us"]
    out["ru_victory_belief"] = neg.ru_victory

    # ---- talks on each open channel, for samples at war and past the cooling-off period
    channel = np.rint(p["negotiation_channel"]).astype(np.int64)
    talking = (~(out["settled"] > 0.5) & ~escalated_b
               & (t1 - out["bargain_last_breakdown_t"] >= p["renegotiation_delay"]))
    out["zone_exists"] = np.zeros(n)
    for code in CHANNELS:
        rows = np.flatnonzero(talking & (channel == code))
        if rows.size == 0:
            continue
        sub_neg = Negotiation(
            {a: v[rows] for a, v in neg.weights.items()}, neg.territory[rows],
            {a: v[rows] for a, v in neg.war.items()},
            {a: v[rows] for a, v in neg.status_quo.items()},
            neg.power_ua[rows], neg.ru_victory[rows])
        deal, risk, zone = negotiate(code, sub_neg, _sub(p, rows), cred[rows], aid[rows])
        out["zone_exists"][rows] = zone.astype(np.float64)
        out["ukraine_veto_risk"][rows] = np.where(zone, risk,
                                                  out["ukraine_veto_risk"][rows])
        signed = zone & (u["settlement_veto"][rows] >= np.nan_to_num(risk, nan=1.0))
        if not signed.any():
            continue
        r = rows[signed]
        terms = DEALS[deal[signed]]
        for k, d in enumerate(DIM_NAMES):
            out[f"deal_{d}"][r] = terms[:, k]
        out["settled"][r] = 1.0
        out["settlements"][r] += 1.0
        out["war_intensity"][r] = p["ceasefire_war_intensity"][r]
        out["sanctions_relief"][r] = 1.0 - _POS[_SANCTIONS][terms[:, _SANCTIONS]]
        out["settlement_guarantee"][r] = _POS[_GUARANTEES][terms[:, _GUARANTEES]]
        first = np.isnan(out["months_to_settlement"][r])
        out["months_to_settlement"][r[first]] = t1 / DAYS_PER_MONTH
    return out


MODULE = Module(
    name="bargaining",
    description="Monthly war-or-deal choice of Kyiv, Moscow and Washington; ceasefire, "
                "sanctions relief, guarantees and breakdown after a deal.",
    params=PARAMS,
    variables=VARIABLES,
    init=init,
    step=step,
    shocks=SHOCKS,
    check=check_parameters,
    reads=READS,
)
