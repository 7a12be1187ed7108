"""Strikes subsystem: Russian missile and drone barrages against Ukrainian air defence.

Op-ed mechanism: "few donors will invest ... under the constant threat of Russian missile
and drone barrages". Russia launches a share of its long-range missile and Shahed-type
drone stocks each day; Ukraine intercepts a share that saturates in its interceptor stock;
hits destroy capital (USD bn) and kill civilians; a security-risk index (1 = the strike
damage rate at the start) follows the damage rate with a lag and drives flight,
reconstruction and return in :mod:`detente.model.society`.

Reads (see :data:`READS`): ``war_intensity`` (bargaining, at the start of the step) and
``ua_interceptor_aid`` (military, this step).

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import capped, param, safe_div
from detente.model.base import Module, Read, StepContext, VariableSpec

PARAMS = (
    param("ru_missiles0", "missiles", "Russia's long-range missile stock at the start.", 0.0),
    param("ru_missile_production", "missiles/day", "Russia's long-range missile production.",
          0.0),
    param("ru_missile_launch_rate", "1/day",
          "Share of Russia's missile stock launched per day at full war intensity.", 0.0),
    param("ru_shaheds0", "drones", "Russia's long-range attack-drone (Shahed) stock.", 0.0),
    param("ru_shahed_production", "drones/day", "Russia's long-range attack-drone production.",
          0.0),
    param("ru_shahed_launch_rate", "1/day",
          "Share of Russia's long-range drone stock launched per day.", 0.0),
    param("ua_interceptors0", "interceptors", "Ukraine's interceptor stock at the start.", 0.0),
    param("ua_interceptor_production", "interceptors/day",
          "Ukraine's own interceptor production (and non-aid deliveries).", 0.0),
    param("ua_intercept_max_missile", "fraction",
          "Share of missiles intercepted with ample interceptors.", 0.0, 1.0),
    param("ua_intercept_max_shahed", "fraction",
          "Share of long-range drones shot down with ample air defence.", 0.0, 1.0),
    param("ua_interceptor_half_sat", "interceptors",
          "Interceptor stock at which interception reaches half its maximum.", 0.0),
    param("ua_interceptors_per_missile", "interceptors/missile",
          "Interceptors expended per missile intercepted.", 0.0),
    param("ua_interceptors_per_shahed", "interceptors/drone",
          "Interceptors expended per drone shot down (the rest: guns, electronic warfare).",
          0.0),
    param("strike_damage_per_missile", "USD bn/missile", "Damage per missile hit.", 0.0),
    param("strike_damage_per_shahed", "USD bn/drone", "Damage per long-range drone hit.", 0.0),
    param("strike_deaths_per_missile", "persons/missile", "Civilians killed per missile hit.",
          0.0),
    param("strike_deaths_per_shahed", "persons/drone", "Civilians killed per drone hit.", 0.0),
    param("security_lag", "day",
          "Time constant with which perceived security risk follows the strike damage rate.",
          1.0),
)


READS = (
    Read("war_intensity", 1.0),  # scales launches (a ceasefire lowers it)
    Read("ua_interceptor_aid", 0.0, "step"),  # interceptors bought with aid this step
)


def _v(name: str, unit: str, desc: str, kind: str = "stock", record: bool = True
       ) -> VariableSpec:
    return VariableSpec(name, unit, desc, kind, record)  # type: ignore[arg-type]


VARIABLES = (
    _v("ru_missiles", "missiles", "Russia's long-range missile stock.", record=False),
    _v("ru_shaheds", "drones", "Russia's long-range attack-drone stock.", record=False),
    _v("ru_missiles_campaign", "missiles",
       "Missile stock of the war-time campaign: equal to the stock at war; under a ceasefire "
       "it evolves as if the war went on, and residual strikes are a share of its launches.",
       record=False),
    _v("ru_shaheds_campaign", "drones",
       "Attack-drone stock of the war-time campaign (see ru_missiles_campaign).",
       record=False),
    _v("ua_interceptors", "interceptors", "Ukraine's interceptor stock."),
    _v("security_risk", "index",
       "Perceived security risk in Ukraine (1 = the strike damage rate at the start)."),
    _v("strike_damage_cum", "USD bn", "Damage from strikes since the start."),
    _v("strike_damage_ref", "USD bn/day",
       "Expected strike damage rate at the start (the index's reference).", record=False),
    _v("strike_hits", "1/day", "Missiles and drones that hit per day.", "aux"),
    _v("strike_damage_rate", "USD bn/day", "Strike damage per day.", "aux", record=False),
    _v("strike_civilian_deaths", "persons/day", "Civilians killed by strikes per day.", "aux",
       record=False),
)


def _campaign(mis: FloatArray, sha: FloatArray, p: Params, dt: float
              ) -> tuple[FloatArray, FloatArray]:
    """Return the full war-time campaign's launches per day from stocks ``mis``, ``sha``."""
    return (capped(p["ru_missile_launch_rate"] * mis, mis, p["ru_missile_production"], dt),
            capped(p["ru_shahed_launch_rate"] * sha, sha, p["ru_shahed_production"], dt))


def _strikes(mis: FloatArray, sha: FloatArray, icp: FloatArray, war: FloatArray,
             icp_inflow: FloatArray, p: Params, dt: float) -> dict[str, FloatArray]:
    """Compute launches, interceptions and their consequences per day.

    ``mis`` and ``sha`` are the campaign stocks: the launches are ``war`` times those of
    the full war-time campaign, so a ceasefire (``war < 1``) never launches more than the
    war would have in the same sample.
    """
    full_m, full_s = _campaign(mis, sha, p, dt)
    launch_m, launch_s = war * full_m, war * full_s
    cover = safe_div(icp, icp + p["ua_interceptor_half_sat"], 0.0)
    kill_m = launch_m * p["ua_intercept_max_missile"] * cover
    kill_s = launch_s * p["ua_intercept_max_shahed"] * cover
    need = kill_m * p["ua_interceptors_per_missile"] + kill_s * p["ua_interceptors_per_shahed"]
    # interceptions cannot use more interceptors than there are
    avail = np.maximum(icp / dt + icp_inflow, 0.0)
    short = np.minimum(safe_div(avail, need, 1.0), 1.0)
    kill_m, kill_s, need = kill_m * short, kill_s * short, need * short
    hit_m, hit_s = launch_m - kill_m, launch_s - kill_s
    return {
        "launch_m": launch_m, "launch_s": launch_s, "full_m": full_m, "full_s": full_s,
        "used": need, "hits": hit_m + hit_s,
        "damage": hit_m * p["strike_damage_per_missile"]
        + hit_s * p["strike_damage_per_shahed"],
        "deaths": hit_m * p["strike_deaths_per_missile"]
        + hit_s * p["strike_deaths_per_shahed"],
    }


def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return the initial stocks; the risk index starts at 1 by definition.

    The reference damage rate is that of the full war-time campaign with Ukraine's own
    interceptor production (``state`` is not used).
    """
    z = np.zeros(n)
    mis, sha, icp = p["ru_missiles0"] + z, p["ru_shaheds0"] + z, p["ua_interceptors0"] + z
    f = _strikes(mis, sha, icp, np.ones(n), p["ua_interceptor_production"] + z, p, 1.0)
    return {
        "ru_missiles": mis, "ru_shaheds": sha, "ua_interceptors": icp,
        "ru_missiles_campaign": mis.copy(), "ru_shaheds_campaign": sha.copy(),
        "security_risk": np.ones(n), "strike_damage_cum": z.copy(),
        "strike_damage_ref": f["damage"], "strike_hits": f["hits"],
        "strike_damage_rate": f["damage"], "strike_civilian_deaths": f["deaths"],
    }


def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray], ctx: StepContext
         ) -> dict[str, FloatArray]:
    """Advance the strikes subsystem by one Euler step of ``ctx.dt`` days."""
    dt = ctx.dt
    war = s["war_intensity"]
    icp_in = p["ua_interceptor_production"] + x["ua_interceptor_aid"]
    mis, sha, icp = s["ru_missiles"], s["ru_shaheds"], s["ua_interceptors"]
    # Under a ceasefire the residual strikes are a share of the campaign the war would run;
    # what is produced meanwhile is stockpiled (and fired if the deal breaks down).
    truce = war < 1.0
    camp_m = np.where(truce, s["ru_missiles_campaign"], mis)
    camp_s = np.where(truce, s["ru_shaheds_campaign"], sha)
    f = _strikes(camp_m, camp_s, icp, war, icp_in, p, dt)
    new_m = mis + dt * (p["ru_missile_production"] - f["launch_m"])
    new_s = sha + dt * (p["ru_shahed_production"] - f["launch_s"])
    ref = s["strike_damage_ref"]
    target = safe_div(f["damage"], ref, 0.0)
    frac = np.minimum(dt / p["security_lag"], 1.0)
    return {
        "ru_missiles": new_m,
        "ru_shaheds": new_s,
        "ru_missiles_campaign": np.where(
            truce, camp_m + dt * (p["ru_missile_production"] - f["full_m"]), new_m),
        "ru_shaheds_campaign": np.where(
            truce, camp_s + dt * (p["ru_shahed_production"] - f["full_s"]), new_s),
        "ua_interceptors": icp + dt * (icp_in - f["used"]),
        "security_risk": s["security_risk"] + frac * (target - s["security_risk"]),
        "strike_damage_cum": s["strike_damage_cum"] + dt * f["damage"],
        "strike_damage_ref": ref,
        "strike_hits": f["hits"],
        "strike_damage_rate": f["damage"],
        "strike_civilian_deaths": f["deaths"],
    }


MODULE = Module(
    name="strikes",
    description="Missile and drone barrages against interceptors; damage and security risk.",
    params=PARAMS,
    variables=VARIABLES,
    init=init,
    step=step,
    reads=READS,
)

__all__ = ["MODULE", "PARAMS", "READS", "VARIABLES", "init", "step"]
