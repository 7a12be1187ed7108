"""Society subsystem: where Ukrainians live, reconstruction, and Ukraine's viability.

Op-ed mechanisms encoded here: "millions of refugees", "few donors will invest the hundreds
of billions of dollars needed ... under the constant threat of Russian missile and drone
barrages" (reconstruction investment falls with security risk; a settlement with
guarantees lowers the risk donors perceive), "absent reconstruction, only a small fraction
of Ukrainian refugees will return home" (return driven by security and reconstruction), and
"Ukraine will over time look more like a failed state than a fortress state" (a viability
index in [0, 1] from population at home, economy, reconstruction and military balance).

Population is closed: home + abroad + occupied + dead is constant (no births or natural
deaths over the horizon).

Reads (see :data:`READS`): from the military, this step's ``territory_change``,
``ua_killed_rate`` and ``combat_power_ratio`` and the start-of-step ``territory_ru_km2`` and
``ua_held_km2``; from strikes, ``security_risk`` and this step's
``strike_civilian_deaths``; from the economy, this step's ``ua_gdp_index``; from
bargaining, ``settlement_guarantee``.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import DAYS_PER_YEAR, param, safe_div
from detente.model.base import Module, Read, StepContext, VariableSpec

PARAMS = (
    param("ua_pop_home0", "persons",
          "Population in government-controlled Ukraine at the start.", 0.0),
    param("ua_refugees0", "persons", "Ukrainian refugees abroad at the start.", 0.0),
    param("ua_pop_occupied0", "persons",
          "Population in Russian-occupied Ukraine at the start.", 0.0),
    param("ua_refugee_net_outflow", "persons/day",
          "Net growth of the refugee population in late 2023 (calibrates flight).", None),
    param("ua_return_rate", "1/day", "Share of refugees returning per day at the start.", 0.0),
    param("ua_flight_strike_share", "fraction",
          "Share of flight abroad driven by strikes (the rest by war in general).", 0.0, 1.0),
    param("ua_return_security_sens", "ratio",
          "Sensitivity of return to security risk: return x (1+s)/(1+s*risk).", 0.0),
    param("ua_return_recon_sens", "ratio",
          "Sensitivity of return to reconstruction relative to the secure investment rate.",
          0.0),
    param("ua_front_density", "ratio",
          "Population density of newly occupied (front-line) land relative to the average "
          "of government-held land.", 0.0),
    param("recon_rate0", "USD bn/day", "Reconstruction investment at the start.", 0.0),
    param("recon_rate_secure", "USD bn/day",
          "Reconstruction investment donors would make with no security risk.", 0.0),
    param("recon_lag", "day", "Time constant of reconstruction investment's adjustment.", 1.0),
    param("recon_needs", "USD bn", "Reconstruction and recovery needs.", 0.0),
    param("guarantee_effect", "fraction",
          "Share of perceived security risk a settlement with full guarantees removes.",
          0.0, 1.0),
    param("ua_gdp_shortfall0", "fraction",
          "Ukraine's output below its pre-war level at the start.", 0.0, 1.0),
    param("viab_w_pop", "index", "Weight of the population at home in viability.", 0.0),
    param("viab_w_econ", "index", "Weight of the economy in viability.", 0.0),
    param("viab_w_recon", "index", "Weight of reconstruction progress in viability.", 0.0),
    param("viab_w_mil", "index", "Weight of the military balance in viability.", 0.0),
)


READS = (
    Read("security_risk", 1.0),  # perceived strike risk (1 = the start)
    Read("settlement_guarantee", 0.0),  # guarantees of a settlement in force
    Read("territory_change", 0.0, "step"),  # occupation and liberation
    Read("territory_ru_km2", 1.0),  # area occupied (denominator of liberation)
    Read("ua_held_km2", 1.0),  # area held (denominator of occupation)
    Read("ua_killed_rate", 0.0, "step"),  # soldiers killed
    Read("strike_civilian_deaths", 0.0, "step"),  # civilians killed by strikes
    Read("ua_gdp_index", 1.0, "step"),  # the economy, in viability
    Read("combat_power_ratio", 1.0, "step"),  # the military balance, in viability
)


def _v(name: str, unit: str, desc: str, kind: str = "stock", record: bool = True
       ) -> VariableSpec:
    return VariableSpec(name, unit, desc, kind, record)  # type: ignore[arg-type]


VARIABLES = (
    _v("pop_home", "persons", "Ukrainians in government-controlled Ukraine."),
    _v("refugees_abroad", "persons", "Ukrainian refugees abroad."),
    _v("pop_occupied", "persons", "Ukrainians under Russian occupation."),
    _v("pop_dead", "persons", "Ukrainians (soldiers and civilians) killed since the start."),
    _v("reconstruction_rate", "USD bn/day", "Reconstruction investment (per day).",
       record=False),
    _v("reconstruction_cum", "USD bn", "Reconstruction investment since the start."),
    _v("reconstruction_investment", "USD bn/year", "Reconstruction investment (annual rate).",
       "aux"),
    _v("pop_home_ratio", "ratio", "Population at home relative to the start.", "aux",
       record=False),
    _v("viability", "index",
       "Ukraine's viability in [0, 1]: near 0 a failed state, near 1 a fortress state.",
       "aux"),
)


def _viability(home: FloatArray, abroad: FloatArray, occ: FloatArray, recon_cum: FloatArray,
               gdp_index: FloatArray, cp_ratio: FloatArray, p: Params) -> FloatArray:
    """Weighted mean of four components in [0, 1]."""
    parts = (
        (p["viab_w_pop"], safe_div(home, home + abroad + occ, 0.0)),
        (p["viab_w_econ"], np.clip(gdp_index * (1.0 - p["ua_gdp_shortfall0"]), 0.0, 1.0)),
        (p["viab_w_recon"], np.clip(safe_div(recon_cum, p["recon_needs"], 1.0), 0.0, 1.0)),
        (p["viab_w_mil"], cp_ratio / (1.0 + cp_ratio)),
    )
    total = np.zeros_like(home)
    weighted = np.zeros_like(home)
    for w, c in parts:
        total = total + w
        weighted = weighted + w * c
    out: FloatArray = safe_div(weighted, total, 0.0)
    return out


def _invest_target(risk: FloatArray, p: Params) -> FloatArray:
    """Investment donors commit at perceived risk ``risk`` (1 = the start: recon_rate0)."""
    # q/(q + (1-q) risk) interpolates between full (risk 0) and the 2023 rate (risk 1)
    q = np.minimum(safe_div(p["recon_rate0"], p["recon_rate_secure"], 1.0), 1.0)
    out: FloatArray = p["recon_rate_secure"] * safe_div(q, q + (1.0 - q) * risk, 1.0)
    return out


def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return the initial state, from parameters and the military balance at the start."""
    z = np.zeros(n)
    s: dict[str, FloatArray] = {
        "pop_home": p["ua_pop_home0"] + z,
        "refugees_abroad": p["ua_refugees0"] + z,
        "pop_occupied": p["ua_pop_occupied0"] + z,
        "pop_dead": z.copy(),
        "reconstruction_rate": p["recon_rate0"] + z,
        "reconstruction_cum": z.copy(),
        "pop_home_ratio": np.ones(n),
    }
    s["reconstruction_investment"] = s["reconstruction_rate"] * DAYS_PER_YEAR
    s["viability"] = _viability(s["pop_home"], s["refugees_abroad"], s["pop_occupied"], z,
                                np.ones(n), state["combat_power_ratio"], p)
    return s


def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray], ctx: StepContext
         ) -> dict[str, FloatArray]:
    """Advance the society subsystem by one Euler step of ``ctx.dt`` days."""
    dt = ctx.dt
    home, abroad, occ = s["pop_home"], s["refugees_abroad"], s["pop_occupied"]
    risk = s["security_risk"]
    guarantee = s["settlement_guarantee"]
    # what donors and returnees perceive: a guaranteed settlement removes part of the risk
    perceived = risk * (1.0 - p["guarantee_effect"] * guarantee)
    recon = s["reconstruction_rate"]
    # flight calibrated so that flight - return = the 2023 net outflow at the start
    base_flight = np.maximum(
        safe_div(p["ua_refugee_net_outflow"] + p["ua_return_rate"] * p["ua_refugees0"],
                 p["ua_pop_home0"], 0.0), 0.0)
    w = p["ua_flight_strike_share"]
    flight = home * base_flight * (1.0 - w + w * risk)
    sig, gam = p["ua_return_security_sens"], p["ua_return_recon_sens"]
    secure = p["recon_rate_secure"]
    pull = (1.0 + sig) / (1.0 + sig * perceived) \
        * safe_div(1.0 + gam * safe_div(recon, secure, 0.0),
                   1.0 + gam * safe_div(p["recon_rate0"], secure, 0.0), 1.0)
    ret = np.minimum(abroad * p["ua_return_rate"] * pull, abroad / dt)
    # occupation and liberation move people with the front line
    d_area = x["territory_change"]
    held = s["ua_held_km2"]
    occupied_area = s["territory_ru_km2"]
    occ_in = p["ua_front_density"] * home * safe_div(np.maximum(d_area, 0.0), held, 0.0)
    occ_out = np.minimum(occ * safe_div(np.maximum(-d_area, 0.0), occupied_area, 0.0),
                         occ / dt)
    deaths = x["ua_killed_rate"] + x["strike_civilian_deaths"]
    # outflows from home cannot exceed the people there
    out = flight + occ_in + deaths
    scale = np.minimum(safe_div(home / dt, out, 1.0), 1.0)
    flight, occ_in, deaths = flight * scale, occ_in * scale, deaths * scale
    frac = np.minimum(dt / p["recon_lag"], 1.0)
    new: dict[str, FloatArray] = {
        "pop_home": home + dt * (ret + occ_out - flight - occ_in - deaths),
        "refugees_abroad": abroad + dt * (flight - ret),
        "pop_occupied": occ + dt * (occ_in - occ_out),
        "pop_dead": s["pop_dead"] + dt * deaths,
        "reconstruction_rate": recon + frac * (_invest_target(perceived, p) - recon),
        "reconstruction_cum": s["reconstruction_cum"] + dt * recon,
    }
    new["reconstruction_investment"] = new["reconstruction_rate"] * DAYS_PER_YEAR
    new["pop_home_ratio"] = safe_div(new["pop_home"], p["ua_pop_home0"], 1.0)
    new["viability"] = _viability(
        new["pop_home"], new["refugees_abroad"], new["pop_occupied"],
        new["reconstruction_cum"], x["ua_gdp_index"], x["combat_power_ratio"], p)
    return new


MODULE = Module(
    name="society",
    description="Population at home, abroad and occupied; reconstruction; viability.",
    params=PARAMS,
    variables=VARIABLES,
    init=init,
    step=step,
    reads=READS,
)

__all__ = ["MODULE", "PARAMS", "READS", "VARIABLES", "init", "step"]
