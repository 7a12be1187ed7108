"""Economy subsystem: Ukraine's output and budget, Russia's war economy.

Op-ed mechanisms encoded here: "Russia's economy is in greater danger of overheating from
accelerated military production than strangulating from lack of trade" (military demand
opens an output gap that drives inflation; labour drawn into the army adds to it),
"China now has a case-study of how to cope with sanctions" (sanctions pressure decays as a
coping factor grows), "cannot ... achieve peace that would allow renewed trade with the West
and a growing civilian economy" (civil-economy strain: the civilian economy's shortfall
from a peace path), and Ukraine's dependence on aid (GDP driven by territory held, capital
destroyed by strikes and labour at home; a budget gap covered by financial aid, the
uncovered part slowing growth).

Reads (see :data:`READS`): from the military, this step's ``ua_mobilised_extra`` and
``ua_held_ratio`` and the start-of-step ``ru_mobilised_extra``; from strikes, this step's
``strike_damage_rate``; from society, ``pop_home_ratio`` and ``reconstruction_rate`` (start
of the step: society steps later); from bargaining, ``sanctions_relief``.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import DAYS_PER_YEAR, capped, param, safe_div
from detente.model.base import Module, Read, StepContext, VariableSpec

PARAMS = (
    # Ukraine
    param("ua_gdp0", "USD bn/day", "Ukraine's GDP at the start (annual rate).", 0.0),
    param("ua_gdp_trend", "fraction/day",
          "Ukraine's underlying growth rate (recovery, before war effects).", -1.0, 1.0),
    param("ua_capital0", "USD bn", "Ukraine's productive capital stock at the start.", 0.0),
    param("ua_capital_elasticity", "fraction", "Output elasticity of capital.", 0.0, 1.0),
    param("ua_employment0", "persons", "Ukraine's employment at the start.", 1.0),
    param("ua_budget_gap0", "USD bn/day",
          "Ukraine's non-military budget gap at the start (annual rate).", 0.0),
    param("ua_tax_share", "fraction", "Budget revenue per unit of GDP.", 0.0, 1.0),
    param("ua_fiscal_penalty", "fraction/day",
          "Growth lost per unit of uncovered budget gap relative to GDP.", 0.0),
    param("us_fin_aid", "USD bn/day", "US financial (budget) aid to Ukraine.", 0.0,
          default=0.0),
    param("eu_fin_aid", "USD bn/day",
          "European and other donors' financial (budget) aid to Ukraine.", 0.0, default=0.0),
    # Russia
    param("ru_gdp_growth_potential", "fraction/day",
          "Russia's potential growth without sanctions.", -1.0, 1.0),
    param("ru_milex_share", "fraction", "Russia's military spending share of GDP (policy).",
          0.0, 1.0),
    param("ru_milex_neutral", "fraction",
          "Military spending share that opens no output gap (pre-war level).", 0.0, 1.0),
    param("ru_og_per_milex", "ratio",
          "Output gap opened per unit of military share above neutral.", 0.0),
    param("ru_og_per_mobilised", "ratio",
          "Output gap opened per unit share of the labour force drawn into the army.", 0.0),
    param("ru_labour_force", "persons", "Russia's labour force.", 1.0),
    param("ru_output_gap0", "fraction", "Russia's output gap at the start (overheating).",
          -1.0, 1.0),
    param("ru_og_lag", "day", "Time constant of the output gap's adjustment.", 1.0),
    param("ru_inflation0", "fraction/day", "Russia's inflation at the start.", -1.0, 1.0),
    param("ru_inflation_target", "fraction/day", "Bank of Russia's inflation target.",
          -1.0, 1.0),
    param("ru_phillips", "fraction/day", "Inflation added per unit of output gap.", 0.0),
    param("ru_inflation_lag", "day", "Time constant of inflation's adjustment.", 1.0),
    # without sanctions (intensity 0) nothing drags growth and there is nothing to cope with
    param("ru_sanctions_intensity", "index", "Sanctions regime (1 = the 2023 regime).", 0.0,
          default=0.0),
    param("ru_coping0", "fraction", "Share of sanctions' bite Russia has learnt to avoid.",
          0.0, 1.0, default=0.0),
    param("ru_coping_rate", "1/day",
          "Rate at which Russia learns to cope with the remaining bite.", 0.0, default=0.0),
    param("ru_sanctions_drag", "fraction/day",
          "Potential growth lost at full sanctions pressure.", 0.0, default=0.0),
    param("ru_peace_growth", "fraction/day",
          "Growth of Russia's civilian economy on a peace path (trade with the West).",
          -1.0, 1.0),
    param("ru_peace_gap0", "fraction",
          "How far Russia's output is below its peace path at the start.", -1.0, 1.0),
)


READS = (
    Read("pop_home_ratio", 1.0),  # labour at home, relative to the start
    Read("ua_mobilised_extra", 0.0, "step"),  # labour drawn into Ukraine's army
    Read("ua_held_ratio", 1.0, "step"),  # territory Ukraine holds, relative to the start
    Read("strike_damage_rate", 0.0, "step"),  # capital destroyed by strikes
    Read("reconstruction_rate", 0.0),  # capital rebuilt
    Read("ru_mobilised_extra", 0.0),  # labour drawn into Russia's army
    Read("sanctions_relief", 0.0),  # share of sanctions lifted by a deal
)


def _v(name: str, unit: str, desc: str, kind: str = "stock", record: bool = True
       ) -> VariableSpec:
    return VariableSpec(name, unit, desc, kind, record)  # type: ignore[arg-type]


VARIABLES = (
    _v("ua_gdp_potential", "USD bn/day", "Ukraine's output before war effects.",
       record=False),
    _v("ua_capital", "USD bn", "Ukraine's productive capital.", record=False),
    _v("ua_gdp", "USD bn/year", "Ukraine's GDP (annual rate).", "aux"),
    _v("ua_gdp_index", "ratio", "Ukraine's GDP relative to the start.", "aux", record=False),
    _v("ua_budget_uncovered", "USD bn/year",
       "Ukraine's budget gap not covered by financial aid (annual rate).", "aux"),
    _v("ru_gdp_potential", "index", "Russia's potential output (start = 1).", record=False),
    _v("ru_output_gap", "fraction", "Russia's output gap (positive: overheating).",
       record=False),
    _v("ru_inflation_rate", "fraction/day", "Russia's inflation rate (per day).",
       record=False),
    _v("ru_coping", "fraction", "Share of sanctions' bite Russia avoids.", record=False),
    _v("ru_peace_path", "index", "Russia's output on a peace path (start = 1 + gap).",
       record=False),
    _v("ru_gdp", "index", "Russia's real GDP (start = 1).", "aux"),
    _v("ru_inflation", "fraction/year", "Russia's inflation (annual rate).", "aux"),
    _v("ru_sanctions_pressure", "index",
       "Sanctions bite after coping and relief (1 = full 2023 bite, no coping).", "aux"),
    _v("ru_civil_strain", "fraction",
       "Shortfall of Russia's civilian output from its peace path (0 = none).", "aux"),
)


def _ua_gdp(yp: FloatArray, k: FloatArray, home: FloatArray, mobilised: FloatArray,
            held: FloatArray, p: Params) -> FloatArray:
    """Ukraine's GDP (USD bn/day) from potential, capital, labour and territory held.

    ``home`` is the population at home and ``held`` the territory held, both relative to the
    start; ``mobilised`` the personnel drawn into the army since the start.
    """
    alpha = p["ua_capital_elasticity"]
    labour = np.maximum(home - mobilised / p["ua_employment0"], 0.0)
    cap = np.maximum(safe_div(k, p["ua_capital0"] + np.zeros_like(k), 1.0), 0.0)
    out: FloatArray = yp * cap**alpha * labour ** (1.0 - alpha) * held
    return out


def _uncovered(y: FloatArray, p: Params) -> FloatArray:
    """Budget gap (USD bn/day) left after financial aid; revenue falls with GDP."""
    gap = p["ua_budget_gap0"] + p["ua_tax_share"] * (p["ua_gdp0"] - y)
    out: FloatArray = np.maximum(gap - p["us_fin_aid"] - p["eu_fin_aid"], 0.0)
    return out


def _ru_aux(new: Mapping[str, FloatArray], relief: FloatArray, p: Params
            ) -> dict[str, FloatArray]:
    y = new["ru_gdp_potential"] * (1.0 + new["ru_output_gap"]) / (1.0 + p["ru_output_gap0"])
    m, m0 = p["ru_milex_share"], p["ru_milex_neutral"]
    civil = y * (1.0 - m) / (new["ru_peace_path"] * (1.0 - m0))
    return {
        "ru_gdp": y,
        "ru_inflation": new["ru_inflation_rate"] * DAYS_PER_YEAR,
        "ru_sanctions_pressure": p["ru_sanctions_intensity"] * (1.0 - new["ru_coping"])
        * (1.0 - relief),
        "ru_civil_strain": np.maximum(1.0 - civil, 0.0),
    }


def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return the initial state, from parameters and the military's initial state."""
    z = np.zeros(n)
    s: dict[str, FloatArray] = {
        "ua_gdp_potential": p["ua_gdp0"] + z,
        "ua_capital": p["ua_capital0"] + z,
        "ru_gdp_potential": np.ones(n),
        "ru_output_gap": p["ru_output_gap0"] + z,
        "ru_inflation_rate": p["ru_inflation0"] + z,
        "ru_coping": p["ru_coping0"] + z,
        "ru_peace_path": 1.0 + p["ru_peace_gap0"] + z,
    }
    y = _ua_gdp(s["ua_gdp_potential"], s["ua_capital"], state["pop_home_ratio"],
                state["ua_mobilised_extra"], state["ua_held_ratio"], p)
    s["ua_gdp"] = y * DAYS_PER_YEAR
    s["ua_gdp_index"] = safe_div(y, p["ua_gdp0"] + z, 1.0)
    s["ua_budget_uncovered"] = _uncovered(y, p) * DAYS_PER_YEAR
    s.update(_ru_aux(s, z, p))
    return s


def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray], ctx: StepContext
         ) -> dict[str, FloatArray]:
    """Advance the economy subsystem by one Euler step of ``ctx.dt`` days."""
    dt = ctx.dt
    # Ukraine: output from the start-of-step state, then potential and capital. Growth
    # stocks integrate exp(rate * dt), exact for a rate held over the step, never negative
    # (a collapsing economy can shrink any amount but not below zero)
    yp, k = s["ua_gdp_potential"], s["ua_capital"]
    home = s["pop_home_ratio"]
    y = _ua_gdp(yp, k, home, s["ua_mobilised_extra"], s["ua_held_ratio"], p)
    growth = p["ua_gdp_trend"] - p["ua_fiscal_penalty"] * safe_div(_uncovered(y, p), y, 0.0)
    recon = s["reconstruction_rate"]
    damage = capped(x["strike_damage_rate"], k, recon, dt)
    new: dict[str, FloatArray] = {
        "ua_gdp_potential": yp * np.exp(dt * growth),
        "ua_capital": k + dt * (recon - damage),
    }
    # Russia: output gap from military demand and mobilised labour; inflation follows it
    relief = s["sanctions_relief"]
    mob = s["ru_mobilised_extra"] / p["ru_labour_force"]
    og_target = p["ru_og_per_milex"] * (p["ru_milex_share"] - p["ru_milex_neutral"]) \
        + p["ru_og_per_mobilised"] * mob
    og = s["ru_output_gap"]
    pi = s["ru_inflation_rate"]
    pi_target = p["ru_inflation_target"] + p["ru_phillips"] * og
    coping = s["ru_coping"]
    pressure = p["ru_sanctions_intensity"] * (1.0 - coping) * (1.0 - relief)
    g_pot = p["ru_gdp_growth_potential"] - p["ru_sanctions_drag"] * pressure
    new.update({
        "ru_output_gap": og + np.minimum(dt / p["ru_og_lag"], 1.0) * (og_target - og),
        "ru_inflation_rate": pi + np.minimum(dt / p["ru_inflation_lag"], 1.0)
        * (pi_target - pi),
        "ru_coping": coping + np.minimum(dt * p["ru_coping_rate"], 1.0) * (1.0 - coping),
        "ru_gdp_potential": s["ru_gdp_potential"] * np.exp(dt * g_pot),
        "ru_peace_path": s["ru_peace_path"] * np.exp(dt * p["ru_peace_growth"]),
    })
    # auxiliaries at the new state: military's new stocks are in x, society's still in s
    y_new = _ua_gdp(new["ua_gdp_potential"], new["ua_capital"], home,
                    x["ua_mobilised_extra"], x["ua_held_ratio"], p)
    new["ua_gdp"] = y_new * DAYS_PER_YEAR
    new["ua_gdp_index"] = safe_div(y_new, p["ua_gdp0"], 1.0)
    new["ua_budget_uncovered"] = _uncovered(y_new, p) * DAYS_PER_YEAR
    new.update(_ru_aux(new, relief, p))
    return new


MODULE = Module(
    name="economy",
    description="Ukraine's output and budget; Russia's war economy, sanctions and strain.",
    params=PARAMS,
    variables=VARIABLES,
    init=init,
    step=step,
    reads=READS,
)

__all__ = ["MODULE", "PARAMS", "READS", "VARIABLES", "init", "step"]
