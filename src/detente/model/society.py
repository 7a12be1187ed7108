"""Society subsystem: where each side's people live, reconstruction, and viability.

Per side: the population at home, abroad (refugees), under the enemy's occupation and
killed; reconstruction investment; and a viability index. Every parameter defaults to the
value that leaves the side's society unmodelled and inert: no population (its population
ratio at home then stays 1, the neutral value the military and the economy read), no
reconstruction, and viability 1 (no weights).

Op-ed mechanisms encoded here: "millions of refugees", "few donors will invest the hundreds
of billions of dollars needed ... under the constant threat of ... missile and drone
barrages" (reconstruction investment falls with security risk; a settlement with
guarantees lowers the risk donors perceive), "absent reconstruction, only a small fraction
of ... refugees will return home" (return driven by security and reconstruction), and
"... will over time look more like a failed state than a fortress state" (a viability
index in [0, 1] from population at home, economy, reconstruction and military balance).

Population is closed: home + abroad + occupied + dead is constant (no births or natural
deaths over the horizon).

Reads (per side ``x``, its enemy ``e``; see :func:`build`): from the military, this step's
``e.territory_change``, ``x.killed_rate`` and ``x.combat_power_ratio`` and the
start-of-step ``e.territory`` and ``x.held_km2``; from strikes, ``x.security_risk`` and
this step's ``x.strike_civilian_deaths``; from the economy, this step's ``x.gdp_index``;
from bargaining, ``settlement_guarantee``.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import DAYS_PER_YEAR, of_owner, own, param, safe_div
from detente.model._common import variable as _v
from detente.model.base import (
    Cast,
    Module,
    ParamSpec,
    Read,
    StepContext,
    for_cast,
    owned,
)

__all__ = ["PARAMS", "VARIABLES", "build"]


def _param(base: str, unit: str, description: str, low: float | None = None,
           high: float | None = None, *, initial_of: str | None = None,
           start_condition: bool = False) -> ParamSpec:
    # a template each side owns; its default 0 leaves the side's society out (see the
    # module docstring)
    return param(base, unit, description, low, high, default=0.0, per="side",
                 initial_of=initial_of, start_condition=start_condition)


#: Parameter templates, each owned by every side (``<side>.<base>``).
PARAMS = (
    _param("pop_home0", "persons",
           "Population in {owner}'s own held territory at the start (0: not modelled).",
           0.0, 1e10, initial_of="pop_home"),
    _param("refugees0", "persons", "{owner}'s refugees abroad at the start.", 0.0, 1e10,
           initial_of="refugees_abroad"),
    _param("pop_occupied0", "persons",
           "Population in {owner}'s territory held by the enemy at the start.", 0.0, 1e10,
           initial_of="pop_occupied"),
    _param("refugee_net_outflow", "persons/day",
           "Net growth of {owner}'s refugee population at the start (calibrates flight).",
           -1e7, 1e7,
           start_condition=True),
    _param("return_rate", "1/day",
           "Share of {owner}'s refugees returning per day at the start.", 0.0, 10.0,
           start_condition=True),
    _param("flight_strike_share", "fraction",
           "Share of {owner}'s flight abroad driven by strikes (the rest by war in "
           "general).", 0.0, 1.0),
    _param("return_security_sens", "ratio",
           "Sensitivity of {owner}'s refugees' return to security risk: return x "
           "(1+s)/(1+s*risk).", 0.0, 100.0),
    _param("return_recon_sens", "ratio",
           "Sensitivity of {owner}'s refugees' return to reconstruction relative to the "
           "secure investment rate.", 0.0, 100.0),
    _param("front_density", "ratio",
           "Population density of {owner}'s newly occupied (front-line) land relative to "
           "the average of its held land.", 0.0, 100.0),
    _param("recon_rate0", "USD bn/day",
           "Reconstruction investment in {owner} at the start.", 0.0, 1e3,
           initial_of="reconstruction_rate"),
    _param("recon_rate_secure", "USD bn/day",
           "Reconstruction investment donors would make in {owner} with no security risk.",
           0.0, 1e3),
    _param("recon_lag", "day",
           "Time constant of the adjustment of reconstruction investment in {owner} (0: "
           "within a step).", 0.0, 1e5),
    _param("recon_needs", "USD bn", "{owner}'s reconstruction and recovery needs.", 0.0, 1e6),
    _param("guarantee_effect", "fraction",
           "Share of the security risk {owner}'s donors and returnees perceive that a "
           "settlement with full guarantees removes.", 0.0, 1.0),
    _param("gdp_shortfall0", "fraction",
           "{owner}'s output below its pre-war level at the start.", 0.0, 1.0,
           start_condition=True),
    _param("viab_w_pop", "index", "Weight of the population at home in {owner}'s viability.",
           0.0, 100.0),
    _param("viab_w_econ", "index", "Weight of the economy in {owner}'s viability.", 0.0, 100.0),
    _param("viab_w_recon", "index",
           "Weight of reconstruction progress in {owner}'s viability.", 0.0, 100.0),
    _param("viab_w_mil", "index", "Weight of the military balance in {owner}'s viability.",
           0.0, 100.0),
)



#: Variable templates, each owned by every side.
VARIABLES = (
    _v("pop_home", "persons", "{owner}'s population in its own held territory.", nonnegative=True),
    _v("refugees_abroad", "persons", "{owner}'s refugees abroad.", nonnegative=True),
    _v("pop_occupied", "persons", "{owner}'s population under the enemy's occupation.",
       nonnegative=True),
    _v("pop_dead", "persons",
       "{owner}'s people (soldiers and civilians) killed since the start.",
       from_start="difference", nonnegative=True),
    _v("reconstruction_rate", "USD bn/day", "Reconstruction investment in {owner} (per day).",
       record=False, nonnegative=True),
    _v("reconstruction_cum", "USD bn", "Reconstruction investment in {owner} since the start.",
       from_start="difference", nonnegative=True),
    _v("reconstruction_investment", "USD bn/year",
       "Reconstruction investment in {owner} (annual rate).", "aux", nonnegative=True),
    _v("pop_home_ratio", "ratio", "{owner}'s population at home relative to the start.",
       "aux", record=False, from_start="ratio"),
    _v("viability", "index",
       "{owner}'s viability in [0, 1]: near 0 a failed state, near 1 a fortress state.",
       "aux"),
)

_BASES = tuple(spec.name for spec in PARAMS)




def _viability(home: FloatArray, abroad: FloatArray, occ: FloatArray, recon_cum: FloatArray,
               gdp_index: FloatArray, cp_ratio: FloatArray, q: Mapping[str, FloatArray]
               ) -> FloatArray:
    """Weighted mean of four components in [0, 1]; 1 where every weight is 0."""
    parts = (
        (q["viab_w_pop"], safe_div(home, home + abroad + occ, 0.0)),
        (q["viab_w_econ"], np.clip(gdp_index * (1.0 - q["gdp_shortfall0"]), 0.0, 1.0)),
        (q["viab_w_recon"], np.clip(safe_div(recon_cum, q["recon_needs"], 1.0), 0.0, 1.0)),
        (q["viab_w_mil"], cp_ratio / (1.0 + cp_ratio)),
    )
    total = np.zeros_like(home)
    weighted = np.zeros_like(home)
    for w, c in parts:
        total = total + w
        weighted = weighted + w * c
    # without weights viability is not modelled: 1, what bargaining sees without society
    out: FloatArray = safe_div(weighted, total, 1.0)
    return out


def _invest_target(risk: FloatArray, q: Mapping[str, FloatArray]) -> FloatArray:
    """Investment donors commit at perceived risk ``risk`` (1 = the start: recon_rate0)."""
    # q/(q + (1-q) risk) interpolates between full (risk 0) and the start's rate (risk 1)
    secured = np.minimum(safe_div(q["recon_rate0"], q["recon_rate_secure"], 1.0), 1.0)
    out: FloatArray = q["recon_rate_secure"] * safe_div(
        secured, secured + (1.0 - secured) * risk, 1.0)
    return out


@functools.cache
def build(cast: Cast) -> Module:
    """Return the society module for ``cast``: every side's population and viability.

    Parameters
    ----------
    cast : Cast
        The sides (two: occupation moves people between a side and its enemy).

    Returns
    -------
    Module
        Parameters and variables ``<side>.<base>`` of :data:`PARAMS` and
        :data:`VARIABLES`.

    Raises
    ------
    ValueError
        If the cast has more than two sides.
    """
    sides = cast.sides
    enemy = {x: cast.other(x) for x in sides}

    def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
        """Return the initial state, from parameters and the military balance at the start."""
        z = np.zeros(n)
        out: dict[str, FloatArray] = {}
        for x in sides:
            q = of_owner(p, x, _BASES)
            v: dict[str, FloatArray] = {
                "pop_home": q["pop_home0"] + z,
                "refugees_abroad": q["refugees0"] + z,
                "pop_occupied": q["pop_occupied0"] + z,
                "pop_dead": z.copy(),
                "reconstruction_rate": q["recon_rate0"] + z,
                "reconstruction_cum": z.copy(),
                "pop_home_ratio": np.ones(n),
            }
            v["reconstruction_investment"] = v["reconstruction_rate"] * DAYS_PER_YEAR
            v["viability"] = _viability(v["pop_home"], v["refugees_abroad"], v["pop_occupied"],
                                        z, np.ones(n), state[owned(x, "combat_power_ratio")],
                                        q)
            out.update({owned(x, base): a for base, a in v.items()})
        return out

    def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray], ctx: StepContext
             ) -> dict[str, FloatArray]:
        """Advance the society subsystem by one Euler step of ``ctx.dt`` days."""
        dt = ctx.dt
        guarantee = s["settlement_guarantee"]
        out: dict[str, FloatArray] = {}
        for side in sides:
            q = of_owner(p, side, _BASES)
            start = functools.partial(own, s, side)  # at the start of the step
            now = functools.partial(own, x, side)  # computed this step by earlier modules
            home, abroad, occ = start("pop_home"), start("refugees_abroad"), start("pop_occupied")
            risk = start("security_risk")
            # what donors and returnees perceive: a guaranteed settlement removes part of it
            perceived = risk * (1.0 - q["guarantee_effect"] * guarantee)
            recon = start("reconstruction_rate")
            # flight calibrated so that flight - return = the net outflow at the start
            base_flight = np.maximum(
                safe_div(q["refugee_net_outflow"] + q["return_rate"] * q["refugees0"],
                         q["pop_home0"], 0.0), 0.0)
            w = q["flight_strike_share"]
            flight = home * base_flight * (1.0 - w + w * risk)
            sig, gam = q["return_security_sens"], q["return_recon_sens"]
            secure = q["recon_rate_secure"]
            pull = (1.0 + sig) / (1.0 + sig * perceived) \
                * safe_div(1.0 + gam * safe_div(recon, secure, 0.0),
                           1.0 + gam * safe_div(q["recon_rate0"], secure, 0.0), 1.0)
            ret = np.minimum(abroad * q["return_rate"] * pull, abroad / dt)
            # occupation and liberation move people with the front line: the enemy's gains
            # of this side's land
            d_area = x[owned(enemy[side], "territory_change")]
            held = start("held_km2")
            occupied_area = s[owned(enemy[side], "territory")]
            occ_in = q["front_density"] * home * safe_div(np.maximum(d_area, 0.0), held, 0.0)
            occ_out = np.minimum(occ * safe_div(np.maximum(-d_area, 0.0), occupied_area, 0.0),
                                 occ / dt)
            deaths = now("killed_rate") + now("strike_civilian_deaths")
            # outflows from home cannot exceed the people there
            outflow = flight + occ_in + deaths
            scale = np.minimum(safe_div(home / dt, outflow, 1.0), 1.0)
            flight, occ_in, deaths = flight * scale, occ_in * scale, deaths * scale
            frac = np.minimum(safe_div(np.full(np.shape(q["recon_lag"]), dt), q["recon_lag"],
                                       1.0), 1.0)
            new: dict[str, FloatArray] = {
                "pop_home": home + dt * (ret + occ_out - flight - occ_in - deaths),
                "refugees_abroad": abroad + dt * (flight - ret),
                "pop_occupied": occ + dt * (occ_in - occ_out),
                "pop_dead": start("pop_dead") + dt * deaths,
                "reconstruction_rate": recon + frac * (_invest_target(perceived, q) - recon),
                "reconstruction_cum": start("reconstruction_cum") + dt * recon,
            }
            new["reconstruction_investment"] = new["reconstruction_rate"] * DAYS_PER_YEAR
            new["pop_home_ratio"] = safe_div(new["pop_home"], q["pop_home0"], 1.0)
            new["viability"] = _viability(
                new["pop_home"], new["refugees_abroad"], new["pop_occupied"],
                new["reconstruction_cum"], now("gdp_index"), now("combat_power_ratio"), q)
            out.update({owned(side, base): a for base, a in new.items()})
        return out

    reads = [Read("settlement_guarantee", 0.0)]  # guarantees of a settlement in force
    for side in sides:
        reads += [
            Read(owned(side, "security_risk"), 1.0),  # perceived strike risk (1 = start)
            Read(owned(enemy[side], "territory_change"), 0.0, "step"),  # occupation, liberation
            Read(owned(enemy[side], "territory"), 1.0),  # area occupied (liberation's base)
            Read(owned(side, "held_km2"), 1.0),  # area held (occupation's base)
            Read(owned(side, "killed_rate"), 0.0, "step"),  # soldiers killed
            Read(owned(side, "strike_civilian_deaths"), 0.0, "step"),  # civilians killed
            Read(owned(side, "gdp_index"), 1.0, "step"),  # the economy, in viability
            Read(owned(side, "combat_power_ratio"), 1.0, "step"),  # the balance, in viability
        ]
    return Module(
        name="society",
        description="Each side's population at home, abroad and occupied; reconstruction; "
                    "viability.",
        params=for_cast(PARAMS, cast),
        variables=for_cast(VARIABLES, cast),
        init=init,
        step=step,
        reads=tuple(reads),
        cast=cast,
    )
