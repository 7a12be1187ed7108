"""Military subsystem: personnel, munitions, the Lanchester exchange and the front line.

Op-ed mechanisms encoded here: "by the metric of how many soldiers and munitions each side
can send into battle, Ukraine is losing the war" (personnel and munitions stocks, a
generalised Lanchester exchange), "Western armament production is lagging far behind that
of Russia and its partners" (production capacities with ramp-up lags, North Korean and
Iranian shells), "the Gaza conflict is multiplying competing demands" (a share of Western
shell output diverted) and "the front lines have not moved substantially" (front movement
only above a break-through threshold, a slow creep below it).

With ``mil_pipeline_switch``, ``mil_ramp_switch``, ``mil_aid_money_switch``,
``mil_drones_switch`` and ``mil_defender_switch`` all 0 (and no partner supplies or noise),
the personnel and shell equations are exactly the shared benchmark model
(``bench/peer-model``): see ``docs/model.md``. That reduced step, :func:`core_step`, is the
module's compiled kernel (:data:`KERNEL`); it calls the same equations as :func:`step`.

Reads (see :data:`READS`): ``war_intensity`` (bargaining), ``nato_personnel`` and
``us_aid_index`` (politics), ``pop_home_ratio`` (society), all at the start of the step.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import capped, log_ratio, param, ramp, ratio, switch
from detente.model.base import Kernel, Module, ParamSpec, Read, StepContext, VariableSpec
from detente.model.equations import Value, equation, safe_div

SIDES = ("ua", "ru")

_SIDE_NAMES = {"ua": "Ukraine", "ru": "Russia"}


def _side_params(x: str) -> list[ParamSpec]:
    side = _SIDE_NAMES[x]
    return [
        param(f"{x}_personnel0", "persons", f"{side}'s front-line personnel at the start.",
              0.0),
        param(f"{x}_effectiveness", "1/day",
              f"Casualties {side}'s fire inflicts per {side} combatant per day at full "
              "munitions supply (Lanchester aimed-fire coefficient).", 0.0),
        param(f"{x}_fire_rate", "1/day",
              f"Shell-equivalents {side} fires per combatant per day at full supply.", 0.0),
        param(f"{x}_half_sat", "rounds",
              f"Munitions stock (shell-equivalents) at which {side} fires at half its "
              "desired rate (supply factor M/(M+half_sat)).", 0.0),
        param(f"{x}_shells0", "rounds", f"{side}'s artillery-shell stock at the start.", 0.0),
        param(f"{x}_shell_production", "rounds/day",
              f"{side}'s own shell production at the start (and its floor).", 0.0),
        param(f"{x}_shell_production_target", "rounds/day",
              f"Shell production {side}'s industry is ramping toward.", 0.0),
        # a side without front-line attack drones: none in stock, none made, none planned
        param(f"{x}_drones0", "drones", f"{side}'s stock of front-line attack drones.", 0.0,
              default=0.0),
        param(f"{x}_drone_production", "drones/day",
              f"{side}'s attack-drone production at the start.", 0.0, default=0.0),
        param(f"{x}_drone_production_target", "drones/day",
              f"Attack-drone production {side} is ramping toward.", 0.0, default=0.0),
        param(f"{x}_drone_equiv", "rounds/drone",
              f"Shell-equivalents of fire one {side} attack drone delivers.", 0.0,
              default=0.0),
        param(f"{x}_ramp_time", "day",
              f"Time constant of {side}'s production ramp-up (first-order lag).", 1.0),
        param(f"{x}_reinforcement", "persons/day",
              f"Constant reinforcement of {side}'s front (used when the pipeline switch "
              "is 0, as in the benchmark).", 0.0, default=0.0),
        param(f"{x}_recruit_rate", "1/day",
              f"Share of {side}'s mobilisable pool recruited per day (policy-set).", 0.0,
              default=0.0),
        param(f"{x}_pool0", "persons", f"{side}'s mobilisable pool at the start.", 0.0),
        param(f"{x}_pool_inflow", "persons/day",
              f"Men entering {side}'s mobilisable pool per day (cohort ageing).", 0.0,
              default=0.0),
        param(f"{x}_training_time", "day", f"{side}'s mean training time of recruits.", 1.0),
        param(f"{x}_killed_share", "fraction",
              f"Share of {side}'s casualties who are killed (the rest wounded).", 0.0, 1.0),
        param(f"{x}_return_share", "fraction",
              f"Share of {side}'s wounded who return to duty.", 0.0, 1.0),
        param(f"{x}_recovery_time", "day",
              f"Mean time before {side}'s wounded return to duty or are discharged.", 1.0),
        param(f"{x}_attrition_rate", "1/day",
              f"Share of {side}'s front personnel leaving per day for reasons other than "
              "combat (rotation away, end of service, illness, desertion).", 0.0,
              default=0.0),
    ]


PARAMS = (
    *_side_params("ua"),
    *_side_params("ru"),
    switch("mil_pipeline_switch",
           "1: recruitment from the pool, training and returning wounded; 0: constant "
           "reinforcement (benchmark)."),
    switch("mil_ramp_switch", "1: production capacities ramp toward their targets."),
    switch("mil_aid_money_switch",
           "1: Western military aid is money turned into munitions at unit costs, capped by "
           "Western production; 0: aid is only the direct shell flow (benchmark)."),
    switch("mil_drones_switch", "1: attack drones add to each side's fire."),
    switch("mil_defender_switch", "1: the attacker suffers the defender's advantage."),
    switch("mil_stock_guard_switch",
           "1: outflows are limited to what a stock holds, so no stock overshoots below zero "
           "in an Euler step; 0: plain Euler (benchmark)."),
    param("mil_force_floor", "persons",
          "Floor in the loss term own/(own + floor) that keeps losses finite as a force "
          "vanishes.", 0.0, default=0.0),
    param("mil_defender_advantage", "ratio",
          "Factor by which an attacker's losses per exchange exceed a defender's.", 1.0,
          default=1.0),
    param("mil_initiative_sharpness", "ratio",
          "Steepness k of the attack share 1/(1 + (cp_ua/cp_ru)^k) around parity.", 0.0),
    param("mil_intensity_noise", "fraction",
          "Half-width of the weekly combat-intensity noise (uniform, mean 1).", 0.0, 1.0,
          default=0.0),
    param("mil_front_creep", "km2/day",
          "Front movement per unit log combat-power ratio (attritional creep).", 0.0,
          default=0.0),
    param("mil_breakthrough_threshold", "ratio",
          "Combat-power ratio above which the stronger side breaks through.", 1.0),
    param("mil_breakthrough_speed", "km2/day",
          "Extra front movement per unit of combat-power ratio above the threshold.", 0.0,
          default=0.0),
    param("mil_front_max_speed", "km2/day", "Fastest possible front movement.", 0.0),
    param("mil_territory_ru0", "km2", "Area of Ukraine held by Russia at the start.", 0.0),
    param("ua_area", "km2", "Ukraine's internationally recognised area.", 1.0),
    param("ru_partner_shells", "rounds/day",
          "Shells delivered to Russia by partners (North Korea, Iran) at the start.", 0.0,
          default=0.0),
    param("ru_partner_decline", "1/day",
          "Exponential decline rate of partner deliveries (finite partner stockpiles).", 0.0,
          default=0.0),
    param("us_mil_aid", "USD bn/day", "US military aid to Ukraine (money).", 0.0,
          default=0.0),
    param("eu_mil_aid", "USD bn/day",
          "European (EU and member states, other donors) military aid to Ukraine (money).",
          0.0, default=0.0),
    param("ua_aid_shell_share", "fraction", "Share of military aid spent on shells.",
          0.0, 1.0),
    param("ua_aid_interceptor_share", "fraction",
          "Share of military aid spent on air-defence interceptors.", 0.0, 1.0),
    param("west_shell_cost", "USD bn/round", "Unit cost of a Western artillery shell.", 0.0),
    param("west_interceptor_cost", "USD bn/interceptor",
          "Average unit cost of an air-defence interceptor.", 0.0),
    param("west_shell_capacity", "rounds/day",
          "Western shell production available to Ukraine at the start.", 0.0),
    param("west_shell_capacity_target", "rounds/day",
          "Western shell production available to Ukraine once ramped up.", 0.0),
    param("west_ramp_time", "day", "Time constant of the Western production ramp-up.", 1.0),
    param("west_competing_demand", "fraction",
          "Share of Western shell output diverted to competing demands (e.g. Israel).",
          0.0, 1.0, default=0.0),
    param("ua_shell_aid_direct", "rounds/day",
          "Shells delivered to Ukraine per day independent of aid money (the benchmark's "
          "aid flow).", 0.0, default=0.0),
)


def _v(name: str, unit: str, desc: str, kind: str = "stock", record: bool = True
       ) -> VariableSpec:
    return VariableSpec(name, unit, desc, kind, record)  # type: ignore[arg-type]


VARIABLES = (
    _v("ua_personnel", "persons", "Ukraine's front-line personnel."),
    _v("ru_personnel", "persons", "Russia's front-line personnel."),
    _v("ua_trainees", "persons", "Ukrainian recruits in training.", record=False),
    _v("ru_trainees", "persons", "Russian recruits in training.", record=False),
    _v("ua_wounded", "persons", "Ukrainian wounded not yet returned or discharged.",
       record=False),
    _v("ru_wounded", "persons", "Russian wounded not yet returned or discharged.",
       record=False),
    _v("ua_pool", "persons", "Ukraine's mobilisable pool.", record=False),
    _v("ru_pool", "persons", "Russia's mobilisable pool.", record=False),
    _v("ua_shells", "rounds", "Ukraine's artillery-shell stock."),
    _v("ru_shells", "rounds", "Russia's artillery-shell stock."),
    _v("ua_drones", "drones", "Ukraine's front-line attack-drone stock.", record=False),
    _v("ru_drones", "drones", "Russia's front-line attack-drone stock.", record=False),
    _v("ua_shell_ramp", "rounds/day", "Ukrainian shell capacity added since the start.",
       record=False),
    _v("ru_shell_ramp", "rounds/day", "Russian shell capacity added since the start.",
       record=False),
    _v("ua_drone_ramp", "drones/day", "Ukrainian drone capacity added since the start.",
       record=False),
    _v("ru_drone_ramp", "drones/day", "Russian drone capacity added since the start.",
       record=False),
    _v("west_shell_ramp", "rounds/day", "Western shell capacity added since the start.",
       record=False),
    _v("territory_ru_km2", "km2", "Area of Ukraine held by Russia."),
    _v("ua_casualties_cum", "persons", "Ukrainian military casualties since the start."),
    _v("ru_casualties_cum", "persons", "Russian military casualties since the start."),
    _v("ua_killed_cum", "persons", "Ukrainian military killed since the start.",
       record=False),
    _v("ru_killed_cum", "persons", "Russian military killed since the start.", record=False),
    _v("combat_power_ratio", "ratio",
       "Ukraine's combat power over Russia's (effectiveness x personnel x supply).", "aux"),
    _v("territory_ru_pct", "%", "Share of Ukraine held by Russia.", "aux"),
    _v("ua_shells_fired", "rounds/day", "Shells Ukraine fires per day.", "aux"),
    _v("ru_shells_fired", "rounds/day", "Shells Russia fires per day.", "aux"),
    _v("territory_change", "km2/day", "Russia's net territorial gain per day.", "aux",
       record=False),
    _v("ua_killed_rate", "persons/day", "Ukrainian military killed per day.", "aux",
       record=False),
    _v("ua_interceptor_aid", "interceptors/day",
       "Interceptors delivered to Ukraine per day from aid money.", "aux", record=False),
    _v("ua_aid_shells", "rounds/day", "Shells delivered to Ukraine per day as aid.", "aux",
       record=False),
    _v("ua_held_km2", "km2", "Area of Ukraine held by Ukraine.", "aux", record=False),
    _v("ua_held_ratio", "ratio", "Area held by Ukraine relative to the start.", "aux",
       record=False),
    _v("ua_mobilised_extra", "persons",
       "Ukrainian personnel and trainees above their initial number.", "aux", record=False),
    _v("ru_mobilised_extra", "persons",
       "Russian personnel and trainees above their initial number.", "aux", record=False),
)


READS = (
    Read("war_intensity", 1.0),  # scales combat (a ceasefire lowers it)
    Read("nato_personnel", 0.0),  # NATO troops on Ukraine's side
    Read("us_aid_index", 1.0),  # share of US military aid that continues
    Read("pop_home_ratio", 1.0),  # Ukraine's population at home relative to the start
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
@equation
def core_init(ua_personnel0: Value, ru_personnel0: Value, ua_shells0: Value,
              ru_shells0: Value) -> tuple[Value, ...]:
    """Return forces, shells and casualties at the start (in :func:`core_step`'s order)."""
    return ua_personnel0, ru_personnel0, ua_shells0, ru_shells0, 0.0, 0.0


@equation
def ua_shell_inflow(ua_shell_production: Value, ua_shell_aid_direct: Value
                    ) -> Value:
    """Ukraine's shell inflow with the aid money and ramp-up off (constant)."""
    return inflow(ua_shell_production, ua_shell_aid_direct)


@equation
def core_step(ua_personnel: Value, ru_personnel: Value, ua_shells: Value, ru_shells: Value,
              ua_casualties_cum: Value, ru_casualties_cum: Value, ua_effectiveness: Value,
              ru_effectiveness: Value, ua_fire_rate: Value, ru_fire_rate: Value,
              ua_half_sat: Value, ru_half_sat: Value, mil_force_floor: Value,
              ua_shell_inflow: Value, ru_shell_production: Value, ua_reinforcement: Value,
              ru_reinforcement: Value, war_intensity: Value, nato_personnel: Value, dt: Value
              ) -> tuple[Value, ...]:
    """One step with every extra mechanism off: the shared benchmark model.

    With the switches and amplitudes of :data:`KERNEL` at 0, :func:`step` computes exactly
    these operations on these stocks (the terms it adds are exact zeros and ones): no
    drones (fires are shells), no defender's advantage (factor 1), constant reinforcement,
    no ramp-up, no aid money, no partner supplies, no noise, no stock guard.
    """
    sup_ua = supply(ua_shells, ua_half_sat)
    sup_ru = supply(ru_shells, ru_half_sat)
    cp_ua = combat_power(ua_effectiveness, ua_personnel + nato_personnel, sup_ua)
    cp_ru = combat_power(ru_effectiveness, ru_personnel, sup_ru)
    loss_ua = losses(war_intensity, cp_ru,
                     exposure(ua_personnel, nato_personnel, mil_force_floor), 1.0)
    loss_ru = losses(war_intensity, cp_ua, exposure(ru_personnel, 0.0, mil_force_floor), 1.0)
    used_ua = fire_use(war_intensity, ua_fire_rate, ua_personnel, sup_ua)
    used_ru = fire_use(war_intensity, ru_fire_rate, ru_personnel, sup_ru)
    return (
        ua_personnel + dt * (ua_reinforcement - loss_ua),
        ru_personnel + dt * (ru_reinforcement - loss_ru),
        ua_shells + dt * (ua_shell_inflow - used_ua),
        ru_shells + dt * (ru_shell_production - used_ru),
        ua_casualties_cum + dt * loss_ua,
        ru_casualties_cum + dt * loss_ru,
    )


#: The compiled form of the step where the extra mechanisms are off (``lanchester-bench``).
KERNEL = Kernel(
    step=core_step,
    init=core_init,
    derived=(ua_shell_inflow,),
    zero=("mil_pipeline_switch", "mil_ramp_switch", "mil_aid_money_switch",
          "mil_drones_switch", "mil_defender_switch", "mil_stock_guard_switch",
          "mil_intensity_noise", "ru_partner_shells"),
)


# --------------------------------------------------------------------------- pieces
def _fires(shells: FloatArray, drones: FloatArray, x: str, p: Params) -> FloatArray:
    out: FloatArray = fires(shells, drones, p["mil_drones_switch"], p[f"{x}_drone_equiv"])
    return out


def _supply(fires: FloatArray, x: str, p: Params) -> FloatArray:
    out: FloatArray = supply(fires, p[f"{x}_half_sat"])
    return out


def _combat_power(pers_ua: FloatArray, pers_ru: FloatArray, sup_ua: FloatArray,
                  sup_ru: FloatArray, nato: FloatArray, p: Params
                  ) -> tuple[FloatArray, FloatArray]:
    """Combat power of each side; NATO troops fight at Ukraine's effectiveness."""
    return (combat_power(p["ua_effectiveness"], pers_ua + nato, sup_ua),
            combat_power(p["ru_effectiveness"], pers_ru, sup_ru))


def _trainees0(x: str, p: Params) -> FloatArray:
    """Trainees in a steady pipeline at the start: recruitment x training time."""
    out: FloatArray = p["mil_pipeline_switch"] * p[f"{x}_recruit_rate"] * p[f"{x}_pool0"] \
        * p[f"{x}_training_time"]
    return out


def _pipeline(x: str, s: State, loss: FloatArray, home: FloatArray, p: Params, dt: float
              ) -> dict[str, FloatArray]:
    """Recruitment, training, wounded and personnel of side ``x`` after one step."""
    on = p["mil_pipeline_switch"]
    pers, pool = s[f"{x}_personnel"], s[f"{x}_pool"]
    train, wounded = s[f"{x}_trainees"], s[f"{x}_wounded"]
    inflow_pool = p[f"{x}_pool_inflow"]
    guard = p["mil_stock_guard_switch"]
    recruit = capped(on * p[f"{x}_recruit_rate"] * pool * home, pool, inflow_pool, dt, guard)
    # a step longer than the training or recovery time would take out more than there is
    graduate = capped(train / p[f"{x}_training_time"], train, recruit, dt, guard)
    leave_wounded = capped(wounded / p[f"{x}_recovery_time"], wounded, 0.0, dt, guard)
    returned = p[f"{x}_return_share"] * leave_wounded
    # switch 0: the benchmark's constant reinforcement; switch 1: the pipeline
    inflow = (1.0 - on) * p[f"{x}_reinforcement"] + on * (graduate + returned)
    loss = capped(loss, pers, inflow, dt, guard)
    leave = capped(on * p[f"{x}_attrition_rate"] * pers, pers - dt * loss, inflow, dt, guard)
    killed = p[f"{x}_killed_share"] * loss
    return {
        f"{x}_personnel": pers + dt * (inflow - loss - leave),
        f"{x}_pool": pool + dt * (inflow_pool - recruit),
        f"{x}_trainees": train + dt * (recruit - graduate),
        f"{x}_wounded": wounded + dt * (loss - killed - leave_wounded),
        f"{x}_casualties_cum": s[f"{x}_casualties_cum"] + dt * loss,
        f"{x}_killed_cum": s[f"{x}_killed_cum"] + dt * killed,
        "_killed": killed,
    }


def _front_speed(cp_ua: FloatArray, cp_ru: FloatArray, p: Params) -> FloatArray:
    """Russia's net gain in km2/day at full intensity (negative: Ukraine advances)."""
    log_r = log_ratio(cp_ru, cp_ua)
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


def _aid(p: Params, s: State, aid_index: FloatArray
         ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Aid shells (rounds/day), aid interceptors (per day) and Western capacity for Ukraine."""
    on = p["mil_aid_money_switch"]
    # US aid is scaled by politics' us_aid_index (aid continuing, cut after a change of
    # administration); without the politics module it flows as the parameter says
    money = p["us_mil_aid"] * aid_index + p["eu_mil_aid"]
    west_cap = (p["west_shell_capacity"] + p["mil_ramp_switch"] * s["west_shell_ramp"]) \
        * (1.0 - p["west_competing_demand"])
    bought = safe_div(money * p["ua_aid_shell_share"], p["west_shell_cost"], 0.0)
    shells = p["ua_shell_aid_direct"] + on * np.minimum(bought, west_cap)
    interceptors = on * safe_div(money * p["ua_aid_interceptor_share"],
                                 p["west_interceptor_cost"], 0.0)
    return shells, interceptors, west_cap


def _aux(new: Mapping[str, FloatArray], nato: FloatArray, p: Params
         ) -> dict[str, FloatArray]:
    """Auxiliaries that describe the state (combat-power ratio, territory shares)."""
    sup = {x: _supply(_fires(new[f"{x}_shells"], new[f"{x}_drones"], x, p), x, p)
           for x in SIDES}
    cp_ua, cp_ru = _combat_power(new["ua_personnel"], new["ru_personnel"], sup["ua"],
                                 sup["ru"], nato, p)
    area = p["ua_area"]
    terr = new["territory_ru_km2"]
    held0 = area - p["mil_territory_ru0"]
    out = {
        "combat_power_ratio": ratio(cp_ua, cp_ru),
        "territory_ru_pct": 100.0 * terr / area,
        "ua_held_km2": area - terr,
        "ua_held_ratio": safe_div(area - terr, held0, 1.0),
    }
    for x in SIDES:
        base = p[f"{x}_personnel0"] + _trainees0(x, p)
        out[f"{x}_mobilised_extra"] = new[f"{x}_personnel"] + new[f"{x}_trainees"] - base
    return out


# --------------------------------------------------------------------------- contract
def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return the initial state: stocks from parameters, pipelines in steady state.

    The initial flows (and the wounded in steady state with them) are those at the war's
    intensity and the NATO troops of ``state``, with US aid scaled by its ``us_aid_index``.
    """
    z = np.zeros(n)
    core = core_init(p["ua_personnel0"], p["ru_personnel0"], p["ua_shells0"], p["ru_shells0"])
    s: dict[str, FloatArray] = {name: value + z for name, value in zip(
        ("ua_personnel", "ru_personnel", "ua_shells", "ru_shells", "ua_casualties_cum",
         "ru_casualties_cum"), core, strict=True)}
    s["territory_ru_km2"] = p["mil_territory_ru0"] + z
    s["west_shell_ramp"] = z.copy()
    for x in SIDES:
        s[f"{x}_pool"] = p[f"{x}_pool0"] + z
        s[f"{x}_trainees"] = _trainees0(x, p) + z
        s[f"{x}_drones"] = p[f"{x}_drones0"] + z
        for k in ("shell_ramp", "drone_ramp", "killed_cum"):
            s[f"{x}_{k}"] = z.copy()
        s[f"{x}_wounded"] = z.copy()
    nato = state["nato_personnel"]
    # wounded in steady state with the initial loss rate
    flows = _flows(s, p, state["war_intensity"], nato)
    for x in SIDES:
        s[f"{x}_wounded"] = (1.0 - p[f"{x}_killed_share"]) * flows[f"{x}_loss"] \
            * p[f"{x}_recovery_time"] * p["mil_pipeline_switch"]
    s["ua_shells_fired"] = flows["ua_shells_used"]
    s["ru_shells_fired"] = flows["ru_shells_used"]
    s["territory_change"] = flows["front"]
    s["ua_killed_rate"] = p["ua_killed_share"] * flows["ua_loss"]
    aid_shells, aid_int, _ = _aid(p, s, state["us_aid_index"])
    s["ua_aid_shells"] = aid_shells + z
    s["ua_interceptor_aid"] = aid_int + z
    s.update(_aux(s, nato, p))
    return s


def _flows(s: State, p: Params, intensity: FloatArray, nato: FloatArray
           ) -> dict[str, FloatArray]:
    """Combat flows at the start-of-step state ``s`` (per day)."""
    fire = {x: _fires(s[f"{x}_shells"], s[f"{x}_drones"], x, p) for x in SIDES}
    sup = {x: _supply(fire[x], x, p) for x in SIDES}
    cp_ua, cp_ru = _combat_power(s["ua_personnel"], s["ru_personnel"], sup["ua"], sup["ru"],
                                 nato, p)
    # the stronger side holds the initiative (attacks) and pays the defender's advantage;
    # the attack share moves from 0 to 1 around parity, more sharply the larger k
    k = p["mil_initiative_sharpness"]
    with np.errstate(over="ignore"):
        attack_ru = 1.0 / (1.0 + np.exp(-k * log_ratio(cp_ru, cp_ua)))
    extra = p["mil_defender_switch"] * (p["mil_defender_advantage"] - 1.0)
    fac_ua = 1.0 + extra * (1.0 - attack_ru)
    fac_ru = 1.0 + extra * attack_ru
    floor = p["mil_force_floor"]
    ua, ru = s["ua_personnel"], s["ru_personnel"]
    out = {
        "ua_loss": losses(intensity, cp_ru, exposure(ua, nato, floor), fac_ua),
        "ru_loss": losses(intensity, cp_ua, exposure(ru, 0.0, floor), fac_ru),
        "front": intensity * _front_speed(cp_ua, cp_ru, p),
    }
    for x in SIDES:
        cons = fire_use(intensity, p[f"{x}_fire_rate"], s[f"{x}_personnel"], sup[x])
        # draw shells and drones in proportion to their share of the fires available
        out[f"{x}_shells_used"] = cons * safe_div(s[f"{x}_shells"], fire[x], 1.0)
        out[f"{x}_drones_used"] = p["mil_drones_switch"] * cons \
            * safe_div(s[f"{x}_drones"], fire[x], 0.0)
    return out


def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray], ctx: StepContext
         ) -> dict[str, FloatArray]:
    """Advance the military subsystem by one Euler step of ``ctx.dt`` days."""
    n, dt = ctx.n, ctx.dt
    nato = s["nato_personnel"]
    noise = 1.0 + p["mil_intensity_noise"] * (2.0 * u["combat_intensity"] - 1.0)
    intensity = s["war_intensity"] * noise
    f = _flows(s, p, intensity, nato)
    ramp_on = p["mil_ramp_switch"]
    aid_shells, aid_int, _ = _aid(p, s, s["us_aid_index"])
    partner = p["ru_partner_shells"] * np.exp(-p["ru_partner_decline"] * ctx.t)
    imports = {"ua": aid_shells, "ru": partner}
    home = {"ua": s["pop_home_ratio"], "ru": np.ones(n)}
    new: dict[str, FloatArray] = {}
    for xs in SIDES:
        prod = p[f"{xs}_shell_production"] + ramp_on * s[f"{xs}_shell_ramp"]
        dprod = p[f"{xs}_drone_production"] + ramp_on * s[f"{xs}_drone_ramp"]
        shells_in = inflow(prod, imports[xs])
        guard = p["mil_stock_guard_switch"]
        used = capped(f[f"{xs}_shells_used"], s[f"{xs}_shells"], shells_in, dt, guard)
        dused = capped(f[f"{xs}_drones_used"], s[f"{xs}_drones"], dprod, dt, guard)
        new[f"{xs}_shells"] = s[f"{xs}_shells"] + dt * (shells_in - used)
        new[f"{xs}_drones"] = s[f"{xs}_drones"] + dt * (dprod - dused)
        new[f"{xs}_shells_fired"] = used
        lag = p[f"{xs}_ramp_time"]
        gap = p[f"{xs}_shell_production_target"] - p[f"{xs}_shell_production"]
        new[f"{xs}_shell_ramp"] = ramp(s[f"{xs}_shell_ramp"], gap, lag, ramp_on, dt)
        dgap = p[f"{xs}_drone_production_target"] - p[f"{xs}_drone_production"]
        new[f"{xs}_drone_ramp"] = ramp(s[f"{xs}_drone_ramp"], dgap, lag, ramp_on, dt)
        pipe = _pipeline(xs, s, f[f"{xs}_loss"], home[xs], p, dt)
        killed = pipe.pop("_killed")
        if xs == "ua":
            new["ua_killed_rate"] = killed
        new.update(pipe)
    wgap = p["west_shell_capacity_target"] - p["west_shell_capacity"]
    new["west_shell_ramp"] = ramp(s["west_shell_ramp"], wgap, p["west_ramp_time"], ramp_on, dt)
    area = p["ua_area"]
    terr = np.clip(s["territory_ru_km2"] + dt * f["front"], 0.0, area)
    new["territory_change"] = (terr - s["territory_ru_km2"]) / dt
    new["territory_ru_km2"] = terr
    new["ua_aid_shells"] = aid_shells + np.zeros(n)
    new["ua_interceptor_aid"] = aid_int + np.zeros(n)
    new.update(_aux(new, nato, p))
    return new


MODULE = Module(
    name="military",
    description="Personnel, munitions, a generalised Lanchester exchange and the front line.",
    params=tuple(PARAMS),
    variables=VARIABLES,
    init=init,
    step=step,
    shocks=("combat_intensity",),
    reads=READS,
    kernel=KERNEL,
)

__all__ = ["KERNEL", "MODULE", "PARAMS", "READS", "VARIABLES", "core_init", "core_step",
           "init", "step"]
