"""Military subsystem: personnel, munitions, the Lanchester exchange and the front line.

Written once over the scenario's two sides (the cast): each side has personnel and munitions
stocks, production with ramp-up lags, a recruitment pipeline (with a draft-age rule and
desertion) and drones; its supporters send aid money (turned into shells and interceptors at
unit costs, capped by the supporters' production), shells in kind (declining as stocks run
down) and troops (politics' ``allied_personnel``, and more in a wider war). The exchange is
a generalised Lanchester law; the front is fought as assaults that buy ground at a price per
km2 set by the defender's fires (shells, drones, air-delivered bombs), its density and its
fortification: one continuous law from creep to break-through (docs/model.md section 1.5).
A deal in force freezes the front or moves it to the deal's line. Op-ed mechanisms encoded
here: "by the metric of how many soldiers and munitions each side can send into battle,
Ukraine is losing the war" and "Western armament production is lagging far behind that of
Russia and its partners".

With ``mil_pipeline_switch``, ``mil_ramp_switch``, ``mil_aid_money_switch``,
``mil_drones_switch`` and ``mil_defender_switch`` all 0 (and no supplies in kind or noise),
the personnel and shell equations are exactly the shared benchmark model
(``bench/peer-model``): see ``docs/model.md``. That reduced step, :func:`core_step`, is the
module's compiled kernel (:func:`kernel`); it calls the same equations as the full step.

Reads: ``war_intensity``, ``settled`` and ``settlement_line_km2`` (bargaining), each side's
``allied_personnel``, each supporter's ``aid_index`` and ``escalated`` (politics), each
side's ``pop_home_ratio`` (society), all at the start of the step.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import (
    capped,
    log_ratio,
    pair_names,
    param,
    ramp,
    ratio,
    switch,
)
from detente.model._common import (
    variable as _v,
)
from detente.model.base import (
    Cast,
    Kernel,
    Module,
    ParamSpec,
    Read,
    StepContext,
    for_cast,
    owned,
)
from detente.model.equations import Value, equation, maximum, safe_div, where


def _side(name: str, unit: str, description: str, low: float | None = None,
          high: float | None = None, *, default: float | None = None,
          initial_of: str | None = None, start_condition: bool = False) -> ParamSpec:
    return param(name, unit, description, low, high, default=default, per="side",
                 initial_of=initial_of, start_condition=start_condition)


PARAMS = (
    _side("personnel0", "persons", "{owner}'s front-line personnel at the start.", 0.0, 1e10,
          initial_of="personnel"),
    _side("effectiveness", "1/day",
          "Casualties {owner}'s fire inflicts per {owner} combatant per day at full munitions "
          "supply (Lanchester aimed-fire coefficient).", 0.0, 10.0),
    _side("fire_rate", "1/day",
          "Shell-equivalents {owner} fires per combatant per day at full supply.", 0.0, 1e3),
    _side("half_sat", "rounds",
          "Munitions stock (shell-equivalents) at which {owner} fires at half its desired "
          "rate (supply factor M/(M+half_sat)).", 0.0, 1e12),
    _side("shells0", "rounds", "{owner}'s artillery-shell stock at the start.", 0.0, 1e12,
          initial_of="shells"),
    _side("shell_production", "rounds/day",
          "{owner}'s own shell production at the start (and its floor).", 0.0, 1e9,
          start_condition=True),
    _side("shell_production_target", "rounds/day",
          "Shell production {owner}'s industry is ramping toward.", 0.0, 1e9),
    # a side without front-line attack drones: none in stock, none made, none planned
    _side("drones0", "drones", "{owner}'s stock of front-line attack drones.", 0.0, 1e10,
          default=0.0, initial_of="drones"),
    _side("drone_production", "drones/day", "{owner}'s attack-drone production at the start.",
          0.0, 1e8, default=0.0, start_condition=True),
    _side("drone_production_target", "drones/day",
          "Attack-drone production {owner} is ramping toward.", 0.0, 1e8, default=0.0),
    _side("drone_equiv", "rounds/drone",
          "Shell-equivalents of fire one {owner} attack drone delivers.", 0.0, 1e4, default=0.0),
    _side("ramp_time", "day",
          "Time constant of {owner}'s production ramp-up (first-order lag).", 1.0, 1e5),
    _side("reinforcement", "persons/day",
          "Constant reinforcement of {owner}'s front (used when the pipeline switch is 0, as "
          "in the benchmark).", 0.0, 1e7, default=0.0),
    _side("recruit_rate", "1/day",
          "Share of {owner}'s mobilisable pool recruited per day (policy-set).", 0.0, 10.0,
          default=0.0),
    _side("pool0", "persons", "{owner}'s mobilisable pool at the start.", 0.0, 1e10,
          initial_of="pool"),
    _side("pool_inflow", "persons/day",
          "Men entering {owner}'s mobilisable pool per day (cohort ageing).", 0.0, 1e7,
          default=0.0),
    _side("training_time", "day", "{owner}'s mean training time of recruits.", 1.0, 1e5),
    _side("killed_share", "fraction",
          "Share of {owner}'s casualties who are killed (the rest wounded).", 0.0, 1.0),
    _side("return_share", "fraction", "Share of {owner}'s wounded who return to duty.",
          0.0, 1.0),
    _side("recovery_time", "day",
          "Mean time before {owner}'s wounded return to duty or are discharged.", 1.0, 1e5),
    _side("attrition_rate", "1/day",
          "Share of {owner}'s front personnel leaving per day for reasons other than combat "
          "(rotation away, end of service, illness, desertion).", 0.0, 10.0, default=0.0),
    # the front: a side whose own territory the enemy cannot reach has no area open to it
    _side("area", "km2",
          "Area of {owner}'s own territory the front can reach (0: the war is not fought on "
          "it).", 0.0, 2e7, default=0.0),
    _side("territory0", "km2", "Area of the enemy's territory {owner} holds at the start.",
          0.0, 2e7, default=0.0, initial_of="territory"),
    # what the side's supporters' aid money buys: nothing unless a share is spent on it
    _side("aid_shell_share", "fraction", "Share of {owner}'s military aid spent on shells.",
          0.0, 1.0, default=0.0),
    _side("aid_interceptor_share", "fraction",
          "Share of {owner}'s military aid spent on air-defence interceptors.", 0.0, 1.0,
          default=0.0),
    _side("aid_shell_cost", "USD bn/round",
          "Unit cost of an artillery shell bought with {owner}'s aid (0: none is bought).",
          0.0, 1.0, default=0.0),
    _side("aid_interceptor_cost", "USD bn/interceptor",
          "Average unit cost of an interceptor bought with {owner}'s aid (0: none is "
          "bought).", 0.0, 10.0, default=0.0),
    _side("aid_shell_capacity", "rounds/day",
          "Shell production of {owner}'s supporters available to {owner} at the start (caps "
          "what aid money buys).", 0.0, 1e9, default=0.0, start_condition=True),
    _side("aid_shell_capacity_target", "rounds/day",
          "Shell production of {owner}'s supporters available to {owner} once ramped up.",
          0.0, 1e9, default=0.0),
    # immaterial while the target equals the capacity (the ramp has no gap to close)
    _side("aid_ramp_time", "day",
          "Time constant of the ramp-up of {owner}'s supporters' shell production.", 1.0, 1e5,
          default=365.0),
    _side("aid_competing_demand", "fraction",
          "Share of the supporters' shell output diverted from {owner} to competing demands.",
          0.0, 1.0, default=0.0),
    _side("shell_aid_direct", "rounds/day",
          "Shells delivered to {owner} per day independent of aid money (the benchmark's aid "
          "flow).", 0.0, 1e9, default=0.0),
    param("mil_aid", "USD bn/day", "{owner}'s military aid to the side it supports (money).",
          0.0, 1e3, default=0.0, per="supporter"),
    param("shells_in_kind", "rounds/day",
          "Shells {owner} delivers to the side it supports at the start, from its stocks.",
          0.0, 1e9, default=0.0, per="supporter", start_condition=True),
    param("shells_decline", "1/day",
          "Exponential decline rate of {owner}'s deliveries in kind (finite stockpiles).", 0.0,
          10.0,
          default=0.0, per="supporter"),
    switch("mil_pipeline_switch",
           "1: recruitment from the pool, training and returning wounded; 0: constant "
           "reinforcement (benchmark)."),
    switch("mil_ramp_switch", "1: production capacities ramp toward their targets."),
    switch("mil_aid_money_switch",
           "1: military aid is money turned into munitions at unit costs, capped by the "
           "supporters' production; 0: aid is only the direct shell flow (benchmark)."),
    switch("mil_drones_switch", "1: attack drones add to each side's fire."),
    switch("mil_defender_switch", "1: the attacker suffers the defender's advantage."),
    switch("mil_steady_start_switch",
           "1: each side's shell and drone stocks start where its fire equals its supply (no "
           "jump of the supply factor in the first weeks); 0: the stocks the parameters give."),
    switch("mil_stock_guard_switch",
           "1: outflows are limited to what a stock holds, so no stock overshoots below zero "
           "in an Euler step; 0: plain Euler (benchmark)."),
    param("mil_force_floor", "persons",
          "Floor in the loss term own/(own + floor) that keeps losses finite as a force "
          "vanishes.", 0.0, 1e10, default=0.0),
    param("mil_defender_advantage", "ratio",
          "Factor by which an attacker's losses per exchange exceed a defender's.", 1.0, 100.0,
          default=1.0),
    param("mil_initiative_sharpness", "ratio",
          "Steepness k of the second side's attack share 1/(1 + (cp_first/cp_second)^k) "
          "around parity.", 0.0, 100.0),
    param("mil_intensity_noise", "fraction",
          "Half-width of the weekly combat-intensity noise (uniform, mean 1).", 0.0, 1.0,
          default=0.0),
    # the front: assaults buy ground at a price per km2 (docs/model.md section 1.5)
    _side("assault_tempo", "1/day",
          "Share of {owner}'s front-line personnel it accepts losing per day in assaults (the "
          "attacker's prosecution rate, its choice; a policy lever).", 0.0, 1.0,
          default=0.0),
    _side("give_ground", "fraction",
          "Share by which {owner}, defending, cuts the price of its ground and its own losses "
          "in assaults by withdrawing instead of holding (trading space for attrition).", 0.0,
          0.99, default=0.0),
    _side("ground_price_factor", "ratio",
          "Factor on the price {owner} pays per km2 it takes, for what the fires, the "
          "defender's density and its fortification leave out: its assault tactics "
          "(infantry-led or mechanised), training and equipment.", 0.0, 100.0, default=1.0),
    _side("fortification", "ratio",
          "Extra price of {owner}'s ground from prepared defences (lines, minefields): the "
          "price is multiplied by 1 + fortification.", 0.0, 100.0, default=0.0),
    _side("air_fires", "bombs/day",
          "Air-delivered bombs (glide bombs and the like) {owner} drops on the front per day "
          "at the start.", 0.0, 1e6, default=0.0, start_condition=True),
    _side("air_fires_target", "bombs/day",
          "Air-delivered bombs per day {owner} is ramping toward.", 0.0, 1e6, default=0.0),
    _side("air_fires_equiv", "rounds/bomb",
          "Shell-equivalents of fire one {owner} air-delivered bomb adds to its fires at the "
          "front.", 0.0, 1e4, default=0.0),
    _side("air_lethality", "persons/bomb",
          "Enemy casualties per {owner} air-delivered bomb at full intensity.", 0.0, 1e3,
          default=0.0),
    _side("drone_lethality", "persons/drone",
          "Enemy casualties per {owner} attack drone used, beyond its shell-equivalent in the "
          "exchange.", 0.0, 1e2, default=0.0),
    _side("desertion_per_casualty", "fraction",
          "{owner}'s soldiers leaving the front (desertion, refusal, exhaustion) per casualty "
          "it takes.", 0.0, 10.0, default=0.0),
    _side("draft_age", "year",
          "Lowest age at which {owner} calls men up (a mobilisation rule; lowering it opens "
          "younger cohorts to the pool).", 0.0, 100.0, default=18.0),
    _side("cohort_size", "persons/year",
          "Men per year of age that lowering {owner}'s draft age adds to its mobilisable pool.",
          0.0, 1e8, default=0.0),
    _side("escalation_troops", "persons",
          "Troops {owner}'s supporters send to the front once a wider war breaks out.", 0.0,
          1e9, default=0.0),
    _side("escalation_air_fires", "bombs/day",
          "Air-delivered bombs per day {owner}'s supporters add once a wider war breaks out.",
          0.0, 1e6, default=0.0),
    param("mil_ground_price", "persons/km2",
          "Attacker's assault casualties per km2 gained at equal fires, the reference "
          "density and no fortification (0: assaults gain nothing).", 0.0, 1e7),
    param("mil_success_floor", "fraction",
          "Share of a side's assaults that gain ground when it is much the weaker; the share "
          "rises to 1 with its initiative (attack share). 1: the force ratio does not matter.",
          0.0, 1.0, default=1.0),
    param("mil_fires_elasticity", "1",
          "Exponent of the defender's over the attacker's fires in the price of ground.", 0.0,
          10.0, default=0.0),
    param("mil_fires_floor", "rounds/day",
          "Fire every side has beyond what is counted (small arms, mortars): keeps the fires "
          "ratio finite.", 1e-9, 1e9, default=1.0),
    param("mil_density_elasticity", "1",
          "Exponent of the defender's troop density in the price of ground (a thinned line "
          "is cheap to take).", 0.0, 10.0, default=0.0),
    param("mil_front_length", "km", "Length of the front line.", 0.0, 1e5, default=0.0),
    param("mil_reference_density", "persons/km",
          "Troops per km of front at which the density factor of the price is 1.", 1e-9, 1e7,
          default=1.0),
    param("mil_assault_exchange", "ratio",
          "Defender's casualties per attacker's assault casualty (before it gives ground).",
          0.0, 100.0, default=0.0),
    param("mil_exploitation_speed", "km2/day",
          "Fastest the front moves when nothing stops it (mechanised exploitation): the "
          "asymptote of the gain, not a cap between regimes.", 0.0, 1e5),
    param("mil_campaign_sd", "1",
          "Standard deviation of the log of each side's campaign factor, the persistent "
          "swings of its assault tempo (offensives prepared, launched and paused).", 0.0, 5.0,
          default=0.0),
    param("mil_campaign_time", "day",
          "Correlation time of the campaign factor (how long an offensive or a pause lasts).",
          1.0, 1e4, default=90.0),
    param("mil_handover_time", "day",
          "Time constant with which the front moves to the line a deal in force sets.", 1.0,
          1e4, default=90.0),
)


#: Scale of a uniform(0, 1) draw less 1/2 to unit standard deviation (sqrt 12).
UNIFORM_TO_UNIT_SD = math.sqrt(12.0)

#: The switch under which the pipeline's and the munitions' outflows are capped at what the
#: stocks hold (0: plain Euler, the benchmark's choice, which may overshoot below 0).
GUARD = "mil_stock_guard_switch"

VARIABLES = (
    _v("personnel", "persons", "{owner}'s front-line personnel.",
       nonnegative=True, guarded_by=GUARD),
    _v("trainees", "persons", "{owner}'s recruits in training.", record=False,
       nonnegative=True, guarded_by=GUARD),
    _v("wounded", "persons", "{owner}'s wounded not yet returned or discharged.",
       record=False, nonnegative=True, guarded_by=GUARD),
    _v("pool", "persons", "{owner}'s mobilisable pool.", record=False,
       nonnegative=True, guarded_by=GUARD),
    _v("shells", "rounds", "{owner}'s artillery-shell stock.", nonnegative=True, guarded_by=GUARD),
    _v("drones", "drones", "{owner}'s front-line attack-drone stock.", record=False,
       nonnegative=True, guarded_by=GUARD),
    _v("shell_ramp", "rounds/day", "{owner}'s shell capacity added since the start.",
       record=False, from_start="difference"),
    _v("drone_ramp", "drones/day", "{owner}'s drone capacity added since the start.",
       record=False, from_start="difference"),
    _v("aid_shell_ramp", "rounds/day",
       "Shell capacity {owner}'s supporters added since the start.", record=False,
       from_start="difference"),
    _v("air_ramp", "bombs/day", "Air-delivered bombs per day {owner} added since the start.",
       record=False, from_start="difference"),
    _v("campaign", "ratio",
       "{owner}'s campaign factor: its assault tempo relative to the planned one (mean 1).",
       nonnegative=True, record=False),
    _v("draft_age_open", "year", "Lowest draft age {owner} has opened to its pool so far.",
       record=False),
    _v("territory", "km2", "Area of the enemy's territory {owner} holds.", nonnegative=True),
    _v("casualties_cum", "persons", "{owner}'s military casualties since the start.",
       from_start="difference", nonnegative=True, guarded_by=GUARD),
    _v("killed_cum", "persons", "{owner}'s military killed since the start.", record=False,
       from_start="difference", nonnegative=True, guarded_by=GUARD),
    _v("ground_gained_cum", "km2",
       "Ground {owner}'s attacks have taken since the start, gross of what the enemy took "
       "(its net gain is the change of its territory).", record=False,
       from_start="difference", nonnegative=True),
    _v("combat_power_ratio", "ratio",
       "{owner}'s combat power over its enemy's (effectiveness x personnel x supply).",
       "aux"),
    _v("territory_pct", "%", "Share of the enemy's area open to the front that {owner} holds.",
       "aux"),
    _v("shells_fired", "rounds/day", "Shells {owner} fires per day.", "aux",
       nonnegative=True, guarded_by=GUARD),
    _v("territory_change", "km2/day", "{owner}'s net territorial gain per day.", "aux",
       record=False),
    _v("killed_rate", "persons/day", "{owner}'s military killed per day.", "aux",
       record=False, nonnegative=True, guarded_by=GUARD),
    _v("casualty_rate", "persons/day", "{owner}'s military casualties per day.", "aux",
       nonnegative=True, guarded_by=GUARD),
    _v("casualty_ratio", "ratio",
       "{owner}'s casualties per casualty of its enemy (daily rates).", "aux", finite=False),
    _v("ground_price", "persons/km2",
       "Assault casualties {owner} pays per km2 it gains (its price of ground).", "aux",
       finite=False),
    _v("assault_losses", "persons/day", "{owner}'s casualties in assaults per day.", "aux",
       record=False, nonnegative=True, guarded_by=GUARD),
    _v("interceptor_aid", "interceptors/day",
       "Interceptors delivered to {owner} per day from aid money.", "aux", record=False,
       nonnegative=True),
    _v("aid_shells", "rounds/day", "Shells delivered to {owner} per day as aid.", "aux",
       record=False, nonnegative=True),
    _v("held_km2", "km2", "Area of {owner}'s own territory open to the front that it holds.",
       "aux", record=False, nonnegative=True),
    _v("held_ratio", "ratio", "Area {owner} holds of its own relative to the start.", "aux",
       record=False, from_start="ratio"),
    _v("mobilised_extra", "persons",
       "{owner}'s personnel and trainees above their initial number.", "aux", record=False,
       from_start="difference"),
)


def _reads(cast: Cast) -> tuple[Read, ...]:
    return (
        Read("war_intensity", 1.0),  # scales combat (a ceasefire lowers it)
        # a deal in force freezes the front, or moves it to the line it sets (NaN: none);
        # a wider war brings the supporters' troops and air power
        Read("settled", 0.0),
        Read("settlement_line_km2", math.nan),
        Read("escalated", 0.0),
        # supporters' troops fighting with a side; a supporter's share of aid that continues;
        # a side's population at home relative to the start
        *(Read(owned(x, "allied_personnel"), 0.0) for x in cast.sides),
        *(Read(owned(s, "aid_index"), 1.0) for s in cast.supporters),
        *(Read(owned(x, "pop_home_ratio"), 1.0) for x in cast.sides),
    )


# --------------------------------------------------------------------------- equations
@equation
def fires(shells: Value, drones: Value, drones_on: Value,
          drone_equiv: Value) -> Value:
    """Munitions available to fire, in shell-equivalents."""
    return shells + drones_on * drone_equiv * drones


@equation
def supply(fires: Value, half_sat: Value) -> Value:
    """Saturating supply factor M / (M + half_sat) (1 when half_sat is 0 and M > 0)."""
    return safe_div(fires, fires + half_sat, 0.0)


@equation
def combat_power(effectiveness: Value, personnel: Value, supply: Value
                 ) -> Value:
    """Casualties per day a side inflicts at full intensity, before the defender factor."""
    return effectiveness * personnel * supply


@equation
def exposure(own: Value, allies: Value, floor: Value) -> Value:
    """Share of the enemy's fire that hits a side's own forces: own / (own + allies + floor)."""
    return safe_div(own, own + allies + floor, 0.0)


@equation
def losses(intensity: Value, enemy_power: Value, exposure: Value,
           factor: Value) -> Value:
    """Return a side's casualties per day."""
    return intensity * enemy_power * exposure * factor


@equation
def fire_use(intensity: Value, fire_rate: Value, personnel: Value,
             supply: Value) -> Value:
    """Shell-equivalents a side fires per day."""
    return intensity * fire_rate * personnel * supply


@equation
def inflow(production: Value, imports: Value) -> Value:
    """Munitions entering a stock per day: own production and imports (aid, partners)."""
    return production + imports


@equation
def ground_price(base: Value, defender_fires: Value, attacker_fires: Value,
                 fires_floor: Value, fires_elasticity: Value, density: Value,
                 reference_density: Value, density_elasticity: Value,
                 fortification: Value, give_ground: Value) -> Value:
    """Attacker's assault casualties per km2 gained (persons/km2).

    ``base`` at equal fires, the reference density and no fortification; dearer the more
    the defender fires and the denser its line, cheaper the more the attacker fires and the
    more ground the defender gives instead of holding it.
    """
    # a force or a fire rounded to -1e-12 below 0 counts as none (a power of it is NaN)
    fires = ((maximum(defender_fires, 0.0) + fires_floor)
             / (maximum(attacker_fires, 0.0) + fires_floor)) ** fires_elasticity
    thick = safe_div(maximum(density, 0.0), reference_density, 1.0) ** density_elasticity
    return base * fires * thick * (1.0 + fortification) * (1.0 - give_ground)


@equation
def advance(assault: Value, price: Value, exploitation_speed: Value) -> Value:
    """Ground an attack gains per day (km2/day): assault casualties bought at the price.

    ``assault / price`` saturates smoothly at the exploitation speed ``V``:
    ``g V / (V + g)`` rises continuously with the assault and falls with the price, with no
    threshold between creeping, attritional and break-through regimes.
    """
    g = safe_div(assault, price, 0.0)
    return safe_div(g * exploitation_speed, exploitation_speed + g, 0.0)


@equation
def steady_stocks(shell_inflow: Value, drone_inflow: Value, drone_equiv: Value,
                  drones_on: Value, full_use: Value, half_sat: Value
                  ) -> tuple[Value, Value, Value]:
    """Shell and drone stocks at which a side fires exactly what it receives.

    With ``c = full_use`` (the fire wanted at full supply, shell-equivalents/day) the stocks
    ``S = in_s h / (c - in_s - e in_d)`` and ``D = in_d h / (c - in_s - e in_d)`` make the
    draws equal the inflows. Returns ``(S, D, reachable)``: ``reachable`` is 0 where the
    inflow meets the whole wanted fire (the stocks then grow whatever they are) or there is
    no saturation (``half_sat`` 0).
    """
    room = full_use - shell_inflow - drones_on * drone_equiv * drone_inflow
    ok = where((room > 0.0) & (half_sat > 0.0), 1.0, 0.0)
    shells = safe_div(shell_inflow * half_sat, room, 0.0)
    drones = safe_div(drones_on * drone_inflow * half_sat, room, 0.0)
    return shells, drones, ok


# --------------------------------------------------------------------------- the kernel
# The kernel is written over a pair of sides: ``a_`` names the first side's, ``b_`` the
# second's (:func:`~detente.model._common.pair_names` maps them to the cast's names).
@equation
def core_init(a_personnel0: Value, b_personnel0: Value, a_shells0: Value,
              b_shells0: Value) -> tuple[Value, ...]:
    """Return forces, shells and casualties at the start (in :func:`core_step`'s order)."""
    return a_personnel0, b_personnel0, a_shells0, b_shells0, 0.0, 0.0


@equation
def a_shell_inflow(a_shell_production: Value, a_shell_aid_direct: Value) -> Value:
    """Return the first side's shell inflow with the aid money and ramp-up off (constant)."""
    return inflow(a_shell_production, a_shell_aid_direct)


@equation
def b_shell_inflow(b_shell_production: Value, b_shell_aid_direct: Value) -> Value:
    """Return the second side's shell inflow with the aid money and ramp-up off (constant)."""
    return inflow(b_shell_production, b_shell_aid_direct)


@equation
def core_step(a_personnel: Value, b_personnel: Value, a_shells: Value, b_shells: Value,
              a_casualties_cum: Value, b_casualties_cum: Value, a_effectiveness: Value,
              b_effectiveness: Value, a_fire_rate: Value, b_fire_rate: Value,
              a_half_sat: Value, b_half_sat: Value, mil_force_floor: Value,
              a_shell_inflow: Value, b_shell_inflow: Value, a_reinforcement: Value,
              b_reinforcement: Value, war_intensity: Value, a_allied_personnel: Value,
              b_allied_personnel: Value, dt: Value) -> tuple[Value, ...]:
    """One step with every extra mechanism off: the shared benchmark model.

    With the switches and amplitudes of the kernel's ``zero`` at 0, :func:`step` computes
    exactly these operations on these stocks (the terms it adds are exact zeros and ones):
    no drones (fires are shells), no defender's advantage (factor 1), constant
    reinforcement, no ramp-up, no aid money, no supplies in kind, no noise, no stock guard.
    """
    sup_a = supply(a_shells, a_half_sat)
    sup_b = supply(b_shells, b_half_sat)
    cp_a = combat_power(a_effectiveness, a_personnel + a_allied_personnel, sup_a)
    cp_b = combat_power(b_effectiveness, b_personnel + b_allied_personnel, sup_b)
    loss_a = losses(war_intensity, cp_b,
                    exposure(a_personnel, a_allied_personnel, mil_force_floor), 1.0)
    loss_b = losses(war_intensity, cp_a,
                    exposure(b_personnel, b_allied_personnel, mil_force_floor), 1.0)
    used_a = fire_use(war_intensity, a_fire_rate, a_personnel, sup_a)
    used_b = fire_use(war_intensity, b_fire_rate, b_personnel, sup_b)
    return (
        a_personnel + dt * (a_reinforcement - loss_a),
        b_personnel + dt * (b_reinforcement - loss_b),
        a_shells + dt * (a_shell_inflow - used_a),
        b_shells + dt * (b_shell_inflow - used_b),
        a_casualties_cum + dt * loss_a,
        b_casualties_cum + dt * loss_b,
    )


#: Switches and amplitudes that must be 0 for :func:`core_step` to be the module's step
#: (and, for every supporter, ``shells_in_kind``).
KERNEL_ZERO = ("mil_pipeline_switch", "mil_ramp_switch", "mil_aid_money_switch",
               "mil_drones_switch", "mil_defender_switch", "mil_stock_guard_switch",
               "mil_intensity_noise", "mil_steady_start_switch")
#: Per-side parameters that must be 0 too: assaults, air fires, the drones' own lethality
#: and the troops and air power of a wider war all change the exchange.
KERNEL_ZERO_PER_SIDE = ("assault_tempo", "air_fires", "air_fires_target", "drone_lethality",
                        "escalation_troops", "escalation_air_fires")


def kernel(cast: Cast) -> Kernel:
    """Return the compiled step where the extra mechanisms are off, for ``cast``."""
    derived = (a_shell_inflow, b_shell_inflow)
    return Kernel(
        step=core_step,
        init=core_init,
        derived=derived,
        zero=(*KERNEL_ZERO, *(owned(s, "shells_in_kind") for s in cast.supporters),
              *(owned(x, name) for x in cast.sides for name in KERNEL_ZERO_PER_SIDE)),
        names=pair_names(cast, core_step, core_init, *derived),
    )


# --------------------------------------------------------------------------- the model
class _Military:
    """The subsystem's init and step for one cast (a front between its two sides)."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.sides = cast.sides
        self.first, self.second = cast.sides[0], cast.other(cast.sides[0])

    def fires(self, shells: FloatArray, drones: FloatArray, x: str, p: Params) -> FloatArray:
        out: FloatArray = fires(shells, drones, p["mil_drones_switch"],
                                p[owned(x, "drone_equiv")])
        return out

    def supply(self, fires_x: FloatArray, x: str, p: Params) -> FloatArray:
        out: FloatArray = supply(fires_x, p[owned(x, "half_sat")])
        return out

    def combat_power(self, pers: Mapping[str, FloatArray], sup: Mapping[str, FloatArray],
                     allied: Mapping[str, FloatArray], p: Params) -> dict[str, FloatArray]:
        """Combat power of each side; supporters' troops fight at their side's effectiveness."""
        return {x: combat_power(p[owned(x, "effectiveness")], pers[x] + allied[x], sup[x])
                for x in self.sides}

    @staticmethod
    def trainees0(x: str, p: Params) -> FloatArray:
        """Trainees in a steady pipeline at the start: recruitment x training time."""
        out: FloatArray = p["mil_pipeline_switch"] * p[owned(x, "recruit_rate")] \
            * p[owned(x, "pool0")] * p[owned(x, "training_time")]
        return out

    @staticmethod
    def pipeline(x: str, s: State, loss: FloatArray, home: FloatArray, p: Params, dt: float
                 ) -> dict[str, FloatArray]:
        """Recruitment, training, wounded and personnel of side ``x`` after one step."""
        def q(base: str) -> FloatArray:
            return p[owned(x, base)]

        on = p["mil_pipeline_switch"]
        pers, pool = s[owned(x, "personnel")], s[owned(x, "pool")]
        train, wounded = s[owned(x, "trainees")], s[owned(x, "wounded")]
        inflow_pool = q("pool_inflow")
        guard = p["mil_stock_guard_switch"]
        recruit = capped(on * q("recruit_rate") * pool * home, pool, inflow_pool, dt, guard)
        # a step longer than the training or recovery time would take out more than there is
        graduate = capped(train / q("training_time"), train, recruit, dt, guard)
        leave_wounded = capped(wounded / q("recovery_time"), wounded, 0.0, dt, guard)
        returned = q("return_share") * leave_wounded
        # switch 0: the benchmark's constant reinforcement; switch 1: the pipeline
        inflow = (1.0 - on) * q("reinforcement") + on * (graduate + returned)
        loss = capped(loss, pers, inflow, dt, guard)
        leave = capped(on * (q("attrition_rate") * pers + q("desertion_per_casualty") * loss),
                       pers - dt * loss, inflow, dt, guard)
        killed = q("killed_share") * loss
        # a lower draft age opens its cohorts to the pool at once (raising it again sends no
        # one home: the men called up are serving)
        opened = s[owned(x, "draft_age_open")]
        rule = np.minimum(opened, q("draft_age"))
        called = on * q("cohort_size") * (opened - rule) * home
        return {
            owned(x, "personnel"): pers + dt * (inflow - loss - leave),
            owned(x, "pool"): pool + dt * (inflow_pool - recruit) + called,
            owned(x, "draft_age_open"): rule,
            owned(x, "trainees"): train + dt * (recruit - graduate),
            owned(x, "wounded"): wounded + dt * (loss - killed - leave_wounded),
            owned(x, "casualties_cum"): s[owned(x, "casualties_cum")] + dt * loss,
            owned(x, "killed_cum"): s[owned(x, "killed_cum")] + dt * killed,
            owned(x, "killed_rate"): killed,
            owned(x, "casualty_rate"): loss,
        }

    def front(self, s: State, p: Params, gain: Mapping[str, FloatArray]) -> FloatArray:
        """Return the second side's net gain in km2/day (< 0: it loses ground).

        At war, the second side's advance less the first's; while a deal is in force the
        front is frozen where it stands, or closes on the line the deal sets
        (``settlement_line_km2``, with the time constant ``mil_handover_time``); a breakdown
        restarts the fighting.
        """
        a, b = self.first, self.second
        settled = np.where(s["settled"] > 0.5, 1.0, 0.0)
        line = s["settlement_line_km2"]
        position = s[owned(b, "territory")] - s[owned(a, "territory")]
        handover = np.where(np.isfinite(line), (np.nan_to_num(line) - position)
                            / p["mil_handover_time"], 0.0)
        out: FloatArray = (1.0 - settled) * (gain[b] - gain[a]) + settled * handover
        return out

    def aid(self, x: str, p: Params, s: State, aid_index: Mapping[str, FloatArray]
            ) -> tuple[FloatArray, FloatArray]:
        """Aid shells (rounds/day) and aid interceptors (per day) for side ``x``."""
        def q(base: str) -> FloatArray:
            return p[owned(x, base)]

        on = p["mil_aid_money_switch"]
        # each supporter's aid is scaled by politics' aid_index (aid continuing, cut after a
        # change of leadership); without the politics module it flows as the parameter says
        money: FloatArray | float = 0.0
        for k, sup in enumerate(self.cast.supporters_of(x)):
            term = p[owned(sup, "mil_aid")] * aid_index[sup]
            money = term if k == 0 else money + term
        cap = (q("aid_shell_capacity") + p["mil_ramp_switch"] * s[owned(x, "aid_shell_ramp")]) \
            * (1.0 - q("aid_competing_demand"))
        bought = safe_div(money * q("aid_shell_share"), q("aid_shell_cost"), 0.0)
        shells = q("shell_aid_direct") + on * np.minimum(bought, cap)
        interceptors = on * safe_div(money * q("aid_interceptor_share"),
                                     q("aid_interceptor_cost"), 0.0)
        return shells, interceptors

    def in_kind(self, x: str, p: Params, t: float) -> FloatArray | float:
        """Shells side ``x``'s supporters deliver from their stocks per day at day ``t``."""
        total: FloatArray | float = 0.0
        for k, sup in enumerate(self.cast.supporters_of(x)):
            term = p[owned(sup, "shells_in_kind")] * np.exp(-p[owned(sup, "shells_decline")] * t)
            total = term if k == 0 else total + term
        return total

    def supplies(self, x: str, p: Params, s: State, aid_shells: FloatArray, t: float
                 ) -> tuple[FloatArray, FloatArray]:
        """Shells (own production, aid, deliveries in kind) and drones side ``x`` receives.

        Per day at day ``t``, with its production ramps as ``s`` holds them.
        """
        ramp_on = p["mil_ramp_switch"]
        prod = p[owned(x, "shell_production")] + ramp_on * s[owned(x, "shell_ramp")]
        drones: FloatArray = p[owned(x, "drone_production")] \
            + ramp_on * s[owned(x, "drone_ramp")]
        shells: FloatArray = inflow(prod, aid_shells + self.in_kind(x, p, t))
        return shells, drones

    @staticmethod
    def campaign(factor: FloatArray, shock: FloatArray, p: Params, dt: float) -> FloatArray:
        """Return the campaign factor after one step: log-normal, mean 1, AR(1) in its log.

        ``x = ln(factor) + sd^2 / 2`` follows a mean-reverting AR(1) about 0 with
        correlation time ``mil_campaign_time`` and stationary standard deviation
        ``mil_campaign_sd``; innovations are uniform (the step's shock). Offensives are
        surges well above 1, pauses stretches near 0; the factor is never negative.
        """
        sd = p["mil_campaign_sd"]
        half_var = 0.5 * sd * sd
        keep = np.exp(-dt / p["mil_campaign_time"])
        spread = sd * np.sqrt(1.0 - keep * keep) * UNIFORM_TO_UNIT_SD
        x = keep * (np.log(factor) + half_var) + spread * (shock - 0.5)
        out: FloatArray = np.exp(x - half_var)
        return out

    @staticmethod
    def air(x: str, s: State, p: Params) -> FloatArray:
        """Air-delivered bombs per day side ``x`` drops on the front (its supporters' too)."""
        out: FloatArray = p[owned(x, "air_fires")] + p["mil_ramp_switch"] \
            * s[owned(x, "air_ramp")] + s["escalated"] * p[owned(x, "escalation_air_fires")]
        return out

    def territory(self, held: Mapping[str, FloatArray], gain_second: FloatArray, p: Params,
                  dt: float) -> dict[str, FloatArray]:
        """Each side's holding of the enemy's area after the second side gains ``dt * gain``.

        The front's position is what the second side holds of the first's area less what
        the first holds of the second's; it moves between the first side's whole area and
        the second's, and each side holds its positive part.
        """
        a, b = self.first, self.second
        position = held[b] - held[a]
        moved = np.clip(position + dt * gain_second, 0.0 - p[owned(b, "area")],
                        p[owned(a, "area")])
        return {b: np.maximum(moved, 0.0), a: np.maximum(-moved, 0.0)}

    def aux(self, new: Mapping[str, FloatArray], allied: Mapping[str, FloatArray], p: Params
            ) -> dict[str, FloatArray]:
        """Auxiliaries that describe the state (combat-power ratios, territory shares)."""
        sup = {x: self.supply(self.fires(new[owned(x, "shells")], new[owned(x, "drones")], x, p),
                              x, p) for x in self.sides}
        cp = self.combat_power({x: new[owned(x, "personnel")] for x in self.sides}, sup,
                               allied, p)
        out: dict[str, FloatArray] = {}
        for x in self.sides:
            enemy = self.cast.other(x)
            area, lost = p[owned(x, "area")], new[owned(enemy, "territory")]
            held0 = area - p[owned(enemy, "territory0")]
            out[owned(x, "combat_power_ratio")] = ratio(cp[x], cp[enemy])
            out[owned(x, "territory_pct")] = safe_div(100.0 * new[owned(x, "territory")],
                                                      p[owned(enemy, "area")], 0.0)
            out[owned(x, "held_km2")] = area - lost
            out[owned(x, "held_ratio")] = safe_div(area - lost, held0, 1.0)
            base = p[owned(x, "personnel0")] + self.trainees0(x, p)
            out[owned(x, "mobilised_extra")] = new[owned(x, "personnel")] \
                + new[owned(x, "trainees")] - base
            out[owned(x, "casualty_ratio")] = ratio(new[owned(x, "casualty_rate")],
                                                    new[owned(enemy, "casualty_rate")])
        return out

    def flows(self, s: State, p: Params, intensity: FloatArray,
              allied: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        """Combat flows at the start-of-step state ``s`` (per day)."""
        a, b = self.first, self.second
        fire = {x: self.fires(s[owned(x, "shells")], s[owned(x, "drones")], x, p)
                for x in self.sides}
        sup = {x: self.supply(fire[x], x, p) for x in self.sides}
        pers = {x: s[owned(x, "personnel")] for x in self.sides}
        cp = self.combat_power(pers, sup, allied, p)
        # the stronger side holds the initiative (attacks) and pays the defender's advantage;
        # the attack share moves from 0 to 1 around parity, more sharply the larger k
        k = p["mil_initiative_sharpness"]
        with np.errstate(over="ignore"):
            attack_b = 1.0 / (1.0 + np.exp(-k * log_ratio(cp[b], cp[a])))
        attack = {a: 1.0 - attack_b, b: attack_b}
        extra = p["mil_defender_switch"] * (p["mil_defender_advantage"] - 1.0)
        factor = {a: 1.0 + extra * (1.0 - attack_b), b: 1.0 + extra * attack_b}
        floor = p["mil_force_floor"]
        out: dict[str, FloatArray] = {}
        front_fires: dict[str, FloatArray] = {}
        air = {x: self.air(x, s, p) for x in self.sides}
        for x in self.sides:
            cons = fire_use(intensity, p[owned(x, "fire_rate")], pers[x], sup[x])
            # draw shells and drones in proportion to their share of the fires available
            out[owned(x, "shells_used")] = cons * safe_div(s[owned(x, "shells")], fire[x], 1.0)
            out[owned(x, "drones_used")] = p["mil_drones_switch"] * cons \
                * safe_div(s[owned(x, "drones")], fire[x], 0.0)
            front_fires[x] = cons + intensity * p[owned(x, "air_fires_equiv")] * air[x]
        # assaults buy ground at a price per km2 set by the defender's fires and density
        gain: dict[str, FloatArray] = {}
        for x in self.sides:
            y = self.cast.other(x)
            # without a front length the density factor is 1 (the reference density)
            density = np.where(p["mil_front_length"] > 0.0,
                               safe_div(pers[y] + allied[y], p["mil_front_length"], 0.0),
                               p["mil_reference_density"])
            price = ground_price(p["mil_ground_price"] * p[owned(x, "ground_price_factor")],
                                 front_fires[y], front_fires[x],
                                 p["mil_fires_floor"], p["mil_fires_elasticity"], density,
                                 p["mil_reference_density"], p["mil_density_elasticity"],
                                 p[owned(y, "fortification")], p[owned(y, "give_ground")])
            # each side chooses its assaults (tempo and campaign); the stronger side's gain
            # more often (the share of attacks that gain ground rises with the force ratio)
            assault = intensity * p[owned(x, "assault_tempo")] * s[owned(x, "campaign")] \
                * pers[x]
            success = p["mil_success_floor"] + (1.0 - p["mil_success_floor"]) * attack[x]
            out[owned(x, "assault_losses")] = assault
            out[owned(x, "ground_price")] = price
            gain[x] = advance(assault * success, price, p["mil_exploitation_speed"])
        out["front"] = self.front(s, p, gain)
        # what each side's attacks take while the fighting goes on (a deal stops them)
        fighting = np.where(s["settled"] > 0.5, 0.0, 1.0)
        for x in self.sides:
            out[owned(x, "advance")] = fighting * gain[x]
        for x in self.sides:
            y = self.cast.other(x)
            fire_losses = losses(intensity, cp[y], exposure(pers[x], allied[x], floor),
                                 factor[x])
            # what the enemy's assaults, bombs and drones cost a side beyond the exchange
            struck = out[owned(y, "assault_losses")] * p["mil_assault_exchange"] \
                * (1.0 - p[owned(x, "give_ground")]) \
                + intensity * p[owned(y, "air_lethality")] * air[y] \
                + p[owned(y, "drone_lethality")] * out[owned(y, "drones_used")]
            out[owned(x, "loss")] = fire_losses + out[owned(x, "assault_losses")] + struck
        return out

    def reads(self, s: State, p: Params
              ) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
        """Supporters' troops with each side, and each supporter's aid index, from ``s``.

        A wider war (``escalated``) adds the troops the supporters then send.
        """
        return ({x: s[owned(x, "allied_personnel")]
                 + s["escalated"] * p[owned(x, "escalation_troops")] for x in self.sides},
                {sup: s[owned(sup, "aid_index")] for sup in self.cast.supporters})

    def steady(self, s: dict[str, FloatArray], p: Params, intensity: FloatArray,
               aid_shells: Mapping[str, FloatArray]) -> None:
        """Set each side's shell and drone stocks where its fire equals its supply.

        Only where ``mil_steady_start_switch`` is 1 and that point exists (the inflow is
        below the fire the side wants at full supply); elsewhere the stocks stay as given.
        """
        on = p["mil_steady_start_switch"] > 0.5
        for x in self.sides:
            def q(base: str, x: str = x) -> FloatArray:
                return p[owned(x, base)]

            shells_in, drones_in = self.supplies(x, p, s, aid_shells[x], 0.0)
            want = fire_use(intensity, q("fire_rate"), s[owned(x, "personnel")], 1.0)
            shells, drones, ok = steady_stocks(shells_in, drones_in,
                                               q("drone_equiv"), p["mil_drones_switch"], want,
                                               q("half_sat"))
            use = on & (ok > 0.5)
            s[owned(x, "shells")] = np.where(use, shells, s[owned(x, "shells")])
            drones_on = np.asarray(p["mil_drones_switch"]) > 0.5
            s[owned(x, "drones")] = np.where(use & drones_on, drones, s[owned(x, "drones")])

    def init(self, p: Params, n: int, state: State) -> dict[str, FloatArray]:
        """Return the initial state: stocks from parameters, pipelines in steady state.

        The initial flows (and the wounded in steady state with them) are those at the war's
        intensity and the supporters' troops of ``state``, with aid scaled by its aid index.
        With ``mil_steady_start_switch`` the munition stocks start in steady state too.
        """
        a, b = self.first, self.second
        z = np.zeros(n)
        core = core_init(p[owned(a, "personnel0")], p[owned(b, "personnel0")],
                         p[owned(a, "shells0")], p[owned(b, "shells0")])
        s: dict[str, FloatArray] = {name: value + z for name, value in zip(
            (owned(a, "personnel"), owned(b, "personnel"), owned(a, "shells"),
             owned(b, "shells"), owned(a, "casualties_cum"), owned(b, "casualties_cum")),
            core, strict=True)}
        for x in self.sides:
            s[owned(x, "territory")] = p[owned(x, "territory0")] + z
            s[owned(x, "aid_shell_ramp")] = z.copy()
            s[owned(x, "pool")] = p[owned(x, "pool0")] + z
            s[owned(x, "trainees")] = self.trainees0(x, p) + z
            s[owned(x, "drones")] = p[owned(x, "drones0")] + z
            s[owned(x, "draft_age_open")] = p[owned(x, "draft_age")] + z
            # no campaign under way: the log factor at its median, 0
            s[owned(x, "campaign")] = np.exp(-0.5 * p["mil_campaign_sd"] ** 2) + z
            for k in ("shell_ramp", "drone_ramp", "air_ramp", "killed_cum",
                      "ground_gained_cum"):
                s[owned(x, k)] = z.copy()
            s[owned(x, "wounded")] = z.copy()
        allied, aid_index = self.reads(state, p)
        aid = {x: self.aid(x, p, s, aid_index) for x in self.sides}
        self.steady(s, p, state["war_intensity"] + z, {x: aid[x][0] for x in self.sides})
        # wounded in steady state with the initial loss rate
        view = {**state, **s}
        flows = self.flows(view, p, state["war_intensity"], allied)
        for x in self.sides:
            loss = flows[owned(x, "loss")]
            s[owned(x, "wounded")] = (1.0 - p[owned(x, "killed_share")]) * loss \
                * p[owned(x, "recovery_time")] * p["mil_pipeline_switch"]
            s[owned(x, "shells_fired")] = flows[owned(x, "shells_used")]
            s[owned(x, "killed_rate")] = p[owned(x, "killed_share")] * loss
            s[owned(x, "casualty_rate")] = loss + z
            s[owned(x, "assault_losses")] = flows[owned(x, "assault_losses")] + z
            s[owned(x, "ground_price")] = flows[owned(x, "ground_price")] + z
            s[owned(x, "aid_shells")] = aid[x][0] + z
            s[owned(x, "interceptor_aid")] = aid[x][1] + z
        s[owned(b, "territory_change")] = flows["front"] + z
        s[owned(a, "territory_change")] = -flows["front"] + z
        s.update(self.aux(s, allied, p))
        return s

    def step(self, s: State, x: State, p: Params, u: Mapping[str, FloatArray],
             ctx: StepContext) -> dict[str, FloatArray]:
        """Advance the military subsystem by one Euler step of ``ctx.dt`` days."""
        n, dt = ctx.n, ctx.dt
        allied, aid_index = self.reads(s, p)
        noise = 1.0 + p["mil_intensity_noise"] * (2.0 * u["combat_intensity"] - 1.0)
        intensity = s["war_intensity"] * noise
        f = self.flows(s, p, intensity, allied)
        ramp_on = p["mil_ramp_switch"]
        guard = p["mil_stock_guard_switch"]
        new: dict[str, FloatArray] = {}
        for xs in self.sides:
            def q(base: str, xs: str = xs) -> FloatArray:
                return p[owned(xs, base)]

            aid_shells, aid_int = self.aid(xs, p, s, aid_index)
            shells_in, dprod = self.supplies(xs, p, s, aid_shells, ctx.t)
            used = capped(f[owned(xs, "shells_used")], s[owned(xs, "shells")], shells_in, dt,
                          guard)
            dused = capped(f[owned(xs, "drones_used")], s[owned(xs, "drones")], dprod, dt,
                           guard)
            new[owned(xs, "shells")] = s[owned(xs, "shells")] + dt * (shells_in - used)
            new[owned(xs, "drones")] = s[owned(xs, "drones")] + dt * (dprod - dused)
            new[owned(xs, "shells_fired")] = used
            lag = q("ramp_time")
            gap = q("shell_production_target") - q("shell_production")
            new[owned(xs, "shell_ramp")] = ramp(s[owned(xs, "shell_ramp")], gap, lag, ramp_on,
                                                dt)
            dgap = q("drone_production_target") - q("drone_production")
            new[owned(xs, "drone_ramp")] = ramp(s[owned(xs, "drone_ramp")], dgap, lag, ramp_on,
                                                dt)
            air_gap = q("air_fires_target") - q("air_fires")
            new[owned(xs, "air_ramp")] = ramp(s[owned(xs, "air_ramp")], air_gap, lag, ramp_on,
                                              dt)
            agap = q("aid_shell_capacity_target") - q("aid_shell_capacity")
            new[owned(xs, "aid_shell_ramp")] = ramp(s[owned(xs, "aid_shell_ramp")], agap,
                                                    q("aid_ramp_time"), ramp_on, dt)
            new.update(self.pipeline(xs, s, f[owned(xs, "loss")],
                                     s[owned(xs, "pop_home_ratio")], p, dt))
            new[owned(xs, "aid_shells")] = aid_shells + np.zeros(n)
            new[owned(xs, "interceptor_aid")] = aid_int + np.zeros(n)
            new[owned(xs, "campaign")] = self.campaign(s[owned(xs, "campaign")],
                                                       u[owned(xs, "campaign")], p, dt)
            new[owned(xs, "assault_losses")] = f[owned(xs, "assault_losses")]
            new[owned(xs, "ground_gained_cum")] = s[owned(xs, "ground_gained_cum")] \
                + dt * f[owned(xs, "advance")]
            new[owned(xs, "ground_price")] = f[owned(xs, "ground_price")]
        held = {xs: s[owned(xs, "territory")] for xs in self.sides}
        for xs, value in self.territory(held, f["front"], p, dt).items():
            new[owned(xs, "territory")] = value
            new[owned(xs, "territory_change")] = (value - held[xs]) / dt
        new.update(self.aux(new, allied, p))
        return new


@functools.cache
def build(cast: Cast) -> Module:
    """Return the military module for ``cast`` (a front between its two sides).

    Raises
    ------
    ValueError
        If the cast has more than two sides: the front and the exchange join two.
    """
    model = _Military(cast)
    return Module(
        name="military",
        description="Personnel, munitions, a generalised Lanchester exchange and the front "
                    "line.",
        params=for_cast(PARAMS, cast),
        variables=for_cast(VARIABLES, cast),
        init=model.init,
        step=model.step,
        shocks=("combat_intensity", *(owned(x, "campaign") for x in cast.sides)),
        reads=_reads(cast),
        kernel=kernel(cast),
        cast=cast,
    )


__all__ = ["KERNEL_ZERO", "PARAMS", "VARIABLES", "build", "core_init", "core_step", "kernel"]
