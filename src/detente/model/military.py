"""Military subsystem: personnel, munitions, the Lanchester exchange and the front line.

Written once over the scenario's two sides (the cast): each side has personnel and munitions
stocks, production with ramp-up lags, a recruitment pipeline and drones; its supporters send
aid money (turned into shells and interceptors at unit costs, capped by the supporters'
production), shells in kind (declining as stocks run down) and troops (politics'
``allied_personnel``). The exchange is a generalised Lanchester law; the front moves only
above a break-through threshold, with a slow creep below it. Op-ed mechanisms encoded here:
"by the metric of how many soldiers and munitions each side can send into battle, Ukraine is
losing the war" and "Western armament production is lagging far behind that of Russia and
its partners".

With ``mil_pipeline_switch``, ``mil_ramp_switch``, ``mil_aid_money_switch``,
``mil_drones_switch`` and ``mil_defender_switch`` all 0 (and no supplies in kind or noise),
the personnel and shell equations are exactly the shared benchmark model
(``bench/peer-model``): see ``docs/model.md``. That reduced step, :func:`core_step`, is the
module's compiled kernel (:func:`kernel`); it calls the same equations as the full step.

Reads: ``war_intensity`` (bargaining), each side's ``allied_personnel`` and each
supporter's ``aid_index`` (politics), each side's ``pop_home_ratio`` (society), all at the
start of the step.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

import functools
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
from detente.model.equations import Value, equation, safe_div


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
    param("mil_front_creep", "km2/day",
          "Front movement per unit log combat-power ratio (attritional creep).", 0.0, 1e5,
          default=0.0),
    param("mil_breakthrough_threshold", "ratio",
          "Combat-power ratio above which the stronger side breaks through.", 1.0, 100.0),
    param("mil_breakthrough_speed", "km2/day",
          "Extra front movement per unit of combat-power ratio above the threshold.", 0.0, 1e5,
          default=0.0),
    param("mil_front_max_speed", "km2/day", "Fastest possible front movement.", 0.0, 1e5),
)


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
    _v("territory", "km2", "Area of the enemy's territory {owner} holds.", nonnegative=True),
    _v("casualties_cum", "persons", "{owner}'s military casualties since the start.",
       from_start="difference", nonnegative=True, guarded_by=GUARD),
    _v("killed_cum", "persons", "{owner}'s military killed since the start.", record=False,
       from_start="difference", nonnegative=True, guarded_by=GUARD),
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
               "mil_intensity_noise")


def kernel(cast: Cast) -> Kernel:
    """Return the compiled step where the extra mechanisms are off, for ``cast``."""
    derived = (a_shell_inflow, b_shell_inflow)
    return Kernel(
        step=core_step,
        init=core_init,
        derived=derived,
        zero=(*KERNEL_ZERO, *(owned(s, "shells_in_kind") for s in cast.supporters)),
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
        leave = capped(on * q("attrition_rate") * pers, pers - dt * loss, inflow, dt, guard)
        killed = q("killed_share") * loss
        return {
            owned(x, "personnel"): pers + dt * (inflow - loss - leave),
            owned(x, "pool"): pool + dt * (inflow_pool - recruit),
            owned(x, "trainees"): train + dt * (recruit - graduate),
            owned(x, "wounded"): wounded + dt * (loss - killed - leave_wounded),
            owned(x, "casualties_cum"): s[owned(x, "casualties_cum")] + dt * loss,
            owned(x, "killed_cum"): s[owned(x, "killed_cum")] + dt * killed,
            owned(x, "killed_rate"): killed,
        }

    @staticmethod
    def front_speed(cp_first: FloatArray, cp_second: FloatArray, p: Params) -> FloatArray:
        """Return the second side's net gain in km2/day at full intensity (< 0: it loses)."""
        log_r = log_ratio(cp_second, cp_first)
        theta = p["mil_breakthrough_threshold"]
        speed = p["mil_breakthrough_speed"]
        # creep below the threshold, break-through above it, either way round; a vanishing
        # side gives an infinite ratio, which the speed limit below turns into vmax
        with np.errstate(over="ignore", invalid="ignore"):
            brk = np.sign(log_r) * np.maximum(np.exp(np.abs(log_r)) - theta, 0.0)
            brk = np.where(speed > 0.0, speed * brk, 0.0)
        v = p["mil_front_creep"] * log_r + brk
        vmax = p["mil_front_max_speed"]
        out: FloatArray = np.clip(v, -vmax, vmax)
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
        extra = p["mil_defender_switch"] * (p["mil_defender_advantage"] - 1.0)
        factor = {a: 1.0 + extra * (1.0 - attack_b), b: 1.0 + extra * attack_b}
        floor = p["mil_force_floor"]
        out = {"front": intensity * self.front_speed(cp[a], cp[b], p)}
        for x in self.sides:
            enemy = self.cast.other(x)
            out[owned(x, "loss")] = losses(intensity, cp[enemy],
                                           exposure(pers[x], allied[x], floor), factor[x])
            cons = fire_use(intensity, p[owned(x, "fire_rate")], pers[x], sup[x])
            # draw shells and drones in proportion to their share of the fires available
            out[owned(x, "shells_used")] = cons * safe_div(s[owned(x, "shells")], fire[x], 1.0)
            out[owned(x, "drones_used")] = p["mil_drones_switch"] * cons \
                * safe_div(s[owned(x, "drones")], fire[x], 0.0)
        return out

    def reads(self, s: State) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
        """Supporters' troops with each side, and each supporter's aid index, from ``s``."""
        return ({x: s[owned(x, "allied_personnel")] for x in self.sides},
                {sup: s[owned(sup, "aid_index")] for sup in self.cast.supporters})

    def init(self, p: Params, n: int, state: State) -> dict[str, FloatArray]:
        """Return the initial state: stocks from parameters, pipelines in steady state.

        The initial flows (and the wounded in steady state with them) are those at the war's
        intensity and the supporters' troops of ``state``, with aid scaled by its aid index.
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
            for k in ("shell_ramp", "drone_ramp", "killed_cum"):
                s[owned(x, k)] = z.copy()
            s[owned(x, "wounded")] = z.copy()
        allied, aid_index = self.reads(state)
        # wounded in steady state with the initial loss rate
        flows = self.flows(s, p, state["war_intensity"], allied)
        for x in self.sides:
            loss = flows[owned(x, "loss")]
            s[owned(x, "wounded")] = (1.0 - p[owned(x, "killed_share")]) * loss \
                * p[owned(x, "recovery_time")] * p["mil_pipeline_switch"]
            s[owned(x, "shells_fired")] = flows[owned(x, "shells_used")]
            s[owned(x, "killed_rate")] = p[owned(x, "killed_share")] * loss
            aid_shells, aid_int = self.aid(x, p, s, aid_index)
            s[owned(x, "aid_shells")] = aid_shells + z
            s[owned(x, "interceptor_aid")] = aid_int + z
        s[owned(b, "territory_change")] = flows["front"] + z
        s[owned(a, "territory_change")] = -flows["front"] + z
        s.update(self.aux(s, allied, p))
        return s

    def step(self, s: State, x: State, p: Params, u: Mapping[str, FloatArray],
             ctx: StepContext) -> dict[str, FloatArray]:
        """Advance the military subsystem by one Euler step of ``ctx.dt`` days."""
        n, dt = ctx.n, ctx.dt
        allied, aid_index = self.reads(s)
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
            prod = q("shell_production") + ramp_on * s[owned(xs, "shell_ramp")]
            dprod = q("drone_production") + ramp_on * s[owned(xs, "drone_ramp")]
            shells_in = inflow(prod, aid_shells + self.in_kind(xs, p, ctx.t))
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
            agap = q("aid_shell_capacity_target") - q("aid_shell_capacity")
            new[owned(xs, "aid_shell_ramp")] = ramp(s[owned(xs, "aid_shell_ramp")], agap,
                                                    q("aid_ramp_time"), ramp_on, dt)
            new.update(self.pipeline(xs, s, f[owned(xs, "loss")],
                                     s[owned(xs, "pop_home_ratio")], p, dt))
            new[owned(xs, "aid_shells")] = aid_shells + np.zeros(n)
            new[owned(xs, "interceptor_aid")] = aid_int + np.zeros(n)
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
        shocks=("combat_intensity",),
        reads=_reads(cast),
        kernel=kernel(cast),
        cast=cast,
    )


__all__ = ["KERNEL_ZERO", "PARAMS", "VARIABLES", "build", "core_init", "core_step", "kernel"]
