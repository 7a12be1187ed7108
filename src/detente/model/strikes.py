"""Strikes subsystem: each side's missile and drone barrages against its enemy's air defence.

Op-ed mechanism: "few donors will invest ... under the constant threat of Russian missile
and drone barrages". Each side may strike its enemy: it launches a share of its long-range
missile and attack-drone stocks each day; the enemy intercepts a share that saturates in
its interceptor stock; hits destroy capital (USD bn) and kill civilians; a security-risk
index (1 = the strike damage rate at the start) follows the damage rate with a lag and
drives flight, reconstruction and return in :mod:`detente.model.society`.

What a side ``x`` *suffers* is named after ``x``: ``x.security_risk``,
``x.strike_damage_rate``, ``x.strike_civilian_deaths``, ``x.strike_hits``,
``x.strike_damage_cum``. What ``x`` *owns* is named after ``x`` too: its missiles, drones
and interceptors. A side without long-range weapons (stocks, production and launch rates at
their default 0) strikes nobody, and one without air defence (its interceptor parameters at
their default 0) intercepts nothing; a side nobody strikes suffers nothing, and its risk
index stays at 1, the value society reads without this module.

Reads (see :func:`build`): ``war_intensity`` (bargaining, at the start of the step) and
each side's ``interceptor_aid`` (military, this step).

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import capped, safe_div
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


def _side(name: str, unit: str, description: str, low: float | None = 0.0,
          high: float | None = None, default: float | None = 0.0, *,
          initial_of: str | None = None) -> ParamSpec:
    return ParamSpec(name, unit, description, low, high, default, per="side",
                     initial_of=initial_of)


#: Parameter templates. Every side-owned one defaults to 0: no long-range weapons, no air
#: defence, hits that do no harm (see ``docs/model.md``, Defaults).
PARAMS = (
    # the attacker's arsenal
    _side("missiles0", "missiles", "{owner}'s long-range missile stock at the start.", 0.0, 1e8,
          initial_of="missiles"),
    _side("missile_production", "missiles/day", "{owner}'s long-range missile production.",
          0.0, 1e6),
    _side("missile_launch_rate", "1/day",
          "Share of {owner}'s missile stock launched per day at full war intensity.",
          0.0, 10.0),
    _side("strike_drones0", "drones", "{owner}'s long-range attack-drone stock at the start.",
          0.0, 1e10,
          initial_of="strike_drones"),
    _side("strike_drone_production", "drones/day",
          "{owner}'s long-range attack-drone production.", 0.0, 1e8),
    _side("strike_drone_launch_rate", "1/day",
          "Share of {owner}'s long-range drone stock launched per day at full war intensity.",
          0.0, 10.0),
    # the defender's air defence
    _side("interceptors0", "interceptors", "{owner}'s interceptor stock at the start.", 0.0, 1e8,
          initial_of="interceptors"),
    _side("interceptor_production", "interceptors/day",
          "{owner}'s own interceptor production (and non-aid deliveries).", 0.0, 1e6),
    _side("intercept_max_missile", "fraction",
          "Share of missiles {owner} intercepts with ample interceptors.", high=1.0),
    _side("intercept_max_drone", "fraction",
          "Share of long-range drones {owner} shoots down with ample air defence.", high=1.0),
    _side("interceptor_half_sat", "interceptors",
          "{owner}'s interceptor stock at which interception reaches half its maximum "
          "(0: the maximum whatever the stock).", 0.0, 1e8),
    _side("interceptors_per_missile", "interceptors/missile",
          "Interceptors {owner} expends per missile intercepted.", 0.0, 100.0),
    _side("interceptors_per_drone", "interceptors/drone",
          "Interceptors {owner} expends per drone shot down (the rest: guns, electronic "
          "warfare).", 0.0, 100.0),
    # what a hit does to the side it hits
    _side("strike_damage_per_missile", "USD bn/missile", "Damage per missile hit in {owner}.",
          0.0, 100.0),
    _side("strike_damage_per_drone", "USD bn/drone",
          "Damage per long-range drone hit in {owner}.", 0.0, 100.0),
    _side("strike_deaths_per_missile", "persons/missile",
          "Civilians killed per missile hit in {owner}.", 0.0, 1e4),
    _side("strike_deaths_per_drone", "persons/drone",
          "Civilians killed per drone hit in {owner}.", 0.0, 1e4),
    ParamSpec("security_lag", "day",
              "Time constant with which perceived security risk follows the strike damage "
              "rate (one for every side).", 1.0, 1e5),
)



#: Variable templates, each owned by every side.
VARIABLES = (
    _v("missiles", "missiles", "{owner}'s long-range missile stock.", record=False,
       nonnegative=True),
    _v("strike_drones", "drones", "{owner}'s long-range attack-drone stock.", record=False,
       nonnegative=True),
    _v("missiles_campaign", "missiles",
       "{owner}'s missile stock of the war-time campaign: equal to the stock at war; under a "
       "ceasefire it evolves as if the war went on, and residual strikes are a share of its "
       "launches.", record=False, nonnegative=True),
    _v("strike_drones_campaign", "drones",
       "{owner}'s attack-drone stock of the war-time campaign (see missiles_campaign).",
       record=False, nonnegative=True),
    _v("interceptors", "interceptors", "{owner}'s interceptor stock.", nonnegative=True),
    _v("security_risk", "index",
       "Perceived security risk in {owner} (1 = the strike damage rate at the start).",
       nonnegative=True),
    _v("strike_damage_cum", "USD bn", "Damage from strikes on {owner} since the start.",
       from_start="difference", nonnegative=True),
    _v("strike_damage_ref", "USD bn/day",
       "Expected strike damage rate in {owner} at the start (the index's reference).",
       record=False, nonnegative=True),
    _v("strike_hits", "1/day", "Missiles and drones that hit {owner} per day.", "aux",
       nonnegative=True),
    _v("strike_damage_rate", "USD bn/day", "Strike damage in {owner} per day.", "aux",
       record=False, nonnegative=True),
    _v("strike_civilian_deaths", "persons/day", "Civilians killed by strikes in {owner} per day.",
       "aux", record=False, nonnegative=True),
)


def _campaign(mis: FloatArray, drn: FloatArray, p: Params, a: str, dt: float
              ) -> tuple[FloatArray, FloatArray]:
    """Return attacker ``a``'s full war-time launches per day from stocks ``mis``, ``drn``."""
    return (capped(p[owned(a, "missile_launch_rate")] * mis, mis,
                   p[owned(a, "missile_production")], dt),
            capped(p[owned(a, "strike_drone_launch_rate")] * drn, drn,
                   p[owned(a, "strike_drone_production")], dt))


def _strikes(mis: FloatArray, drn: FloatArray, icp: FloatArray, war: FloatArray,
             icp_inflow: FloatArray, p: Params, a: str, x: str, dt: float
             ) -> dict[str, FloatArray]:
    """Compute attacker ``a``'s launches on ``x``, ``x``'s interceptions and their harm per day.

    ``mis`` and ``drn`` are ``a``'s campaign stocks: the launches are ``war`` times those of
    the full war-time campaign, so a ceasefire (``war < 1``) never launches more than the
    war would have in the same sample. ``icp`` is ``x``'s interceptor stock.
    """
    full_m, full_d = _campaign(mis, drn, p, a, dt)
    launch_m, launch_d = war * full_m, war * full_d
    cover = safe_div(icp, icp + p[owned(x, "interceptor_half_sat")], 0.0)
    kill_m = launch_m * p[owned(x, "intercept_max_missile")] * cover
    kill_d = launch_d * p[owned(x, "intercept_max_drone")] * cover
    need = kill_m * p[owned(x, "interceptors_per_missile")] \
        + kill_d * p[owned(x, "interceptors_per_drone")]
    # interceptions cannot use more interceptors than there are
    avail = np.maximum(icp / dt + icp_inflow, 0.0)
    short = np.minimum(safe_div(avail, need, 1.0), 1.0)
    kill_m, kill_d, need = kill_m * short, kill_d * short, need * short
    hit_m, hit_d = launch_m - kill_m, launch_d - kill_d
    return {
        "launch_m": launch_m, "launch_d": launch_d, "full_m": full_m, "full_d": full_d,
        "used": need, "hits": hit_m + hit_d,
        "damage": hit_m * p[owned(x, "strike_damage_per_missile")]
        + hit_d * p[owned(x, "strike_damage_per_drone")],
        "deaths": hit_m * p[owned(x, "strike_deaths_per_missile")]
        + hit_d * p[owned(x, "strike_deaths_per_drone")],
    }


def _init(cast: Cast, p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return the initial stocks; every side's risk index starts at 1 by definition.

    The reference damage rate of a side is that of its enemy's full war-time campaign
    against the side's own interceptor production (``state`` is not used).
    """
    z = np.zeros(n)
    out: dict[str, FloatArray] = {}
    for x in cast.sides:
        out[owned(x, "missiles")] = p[owned(x, "missiles0")] + z
        out[owned(x, "strike_drones")] = p[owned(x, "strike_drones0")] + z
        out[owned(x, "interceptors")] = p[owned(x, "interceptors0")] + z
    for x in cast.sides:
        a = cast.other(x)
        mis, drn = out[owned(a, "missiles")], out[owned(a, "strike_drones")]
        f = _strikes(mis, drn, out[owned(x, "interceptors")], np.ones(n),
                     p[owned(x, "interceptor_production")] + z, p, a, x, 1.0)
        out |= {
            owned(a, "missiles_campaign"): mis.copy(),
            owned(a, "strike_drones_campaign"): drn.copy(),
            owned(x, "security_risk"): np.ones(n),
            owned(x, "strike_damage_cum"): z.copy(),
            owned(x, "strike_damage_ref"): f["damage"],
            owned(x, "strike_hits"): f["hits"],
            owned(x, "strike_damage_rate"): f["damage"],
            owned(x, "strike_civilian_deaths"): f["deaths"],
        }
    return out


def _step(cast: Cast, s: State, now: State, p: Params, u: Mapping[str, FloatArray],
          ctx: StepContext) -> dict[str, FloatArray]:
    """Advance the strikes subsystem by one Euler step of ``ctx.dt`` days."""
    dt = ctx.dt
    war = s["war_intensity"]
    # Under a ceasefire the residual strikes are a share of the campaign the war would run;
    # what is produced meanwhile is stockpiled (and fired if the deal breaks down).
    truce = war < 1.0
    frac = np.minimum(dt / p["security_lag"], 1.0)
    out: dict[str, FloatArray] = {}
    for x in cast.sides:  # x is struck by its enemy a
        a = cast.other(x)
        icp_in = p[owned(x, "interceptor_production")] + now[owned(x, "interceptor_aid")]
        mis, drn = s[owned(a, "missiles")], s[owned(a, "strike_drones")]
        icp = s[owned(x, "interceptors")]
        camp_m = np.where(truce, s[owned(a, "missiles_campaign")], mis)
        camp_d = np.where(truce, s[owned(a, "strike_drones_campaign")], drn)
        f = _strikes(camp_m, camp_d, icp, war, icp_in, p, a, x, dt)
        new_m = mis + dt * (p[owned(a, "missile_production")] - f["launch_m"])
        new_d = drn + dt * (p[owned(a, "strike_drone_production")] - f["launch_d"])
        ref = s[owned(x, "strike_damage_ref")]
        # a side not struck at the start has no reference: its index stays at 1
        target = safe_div(f["damage"], ref, 1.0)
        risk = s[owned(x, "security_risk")]
        out |= {
            owned(a, "missiles"): new_m,
            owned(a, "strike_drones"): new_d,
            owned(a, "missiles_campaign"): np.where(
                truce, camp_m + dt * (p[owned(a, "missile_production")] - f["full_m"]), new_m),
            owned(a, "strike_drones_campaign"): np.where(
                truce, camp_d + dt * (p[owned(a, "strike_drone_production")] - f["full_d"]),
                new_d),
            owned(x, "interceptors"): icp + dt * (icp_in - f["used"]),
            owned(x, "security_risk"): risk + frac * (target - risk),
            owned(x, "strike_damage_cum"): s[owned(x, "strike_damage_cum")] + dt * f["damage"],
            owned(x, "strike_damage_ref"): ref,
            owned(x, "strike_hits"): f["hits"],
            owned(x, "strike_damage_rate"): f["damage"],
            owned(x, "strike_civilian_deaths"): f["deaths"],
        }
    return out


@functools.cache
def build(cast: Cast) -> Module:
    """Return the strikes module for ``cast``: every side strikes its enemy (a war of two).

    Parameters
    ----------
    cast : Cast
        The sides (exactly two: a side strikes :meth:`Cast.other`) and supporters.

    Returns
    -------
    Module
        Parameters and variables of :data:`PARAMS` and :data:`VARIABLES` for each side;
        it reads ``war_intensity`` (start of the step, neutral 1) and each side's
        ``interceptor_aid`` (this step, neutral 0).

    Raises
    ------
    ValueError
        If the cast does not have exactly two sides.
    """
    for side in cast.sides:
        cast.other(side)  # raises for a war of more than two sides
    reads = (
        Read("war_intensity", 1.0),  # scales launches (a ceasefire lowers it)
        # interceptors bought with aid this step
        *(Read(owned(x, "interceptor_aid"), 0.0, "step") for x in cast.sides),
    )
    return Module(
        name="strikes",
        description="Missile and drone barrages against interceptors; damage and security "
                    "risk.",
        params=for_cast(PARAMS, cast),
        variables=for_cast(VARIABLES, cast),
        init=functools.partial(_init, cast),
        step=functools.partial(_step, cast),
        reads=reads,
        cast=cast,
    )
