"""Economy subsystem: each side's war-torn economy and its war economy under sanctions.

Every side carries two models of its economy, each with neutral defaults that leave it
inert, so a scenario states only the one (or both) it models for a side:

* **the war-torn economy** (output and budget): GDP from potential output, capital
  destroyed by strikes and rebuilt, labour at home and territory held; a budget gap,
  growing as revenue falls with GDP, covered by the supporters' financial aid, the
  uncovered part slowing growth. Off when ``gdp0`` is 0 (its default).
* **the war economy under sanctions**: military demand and labour drawn into the army open
  an output gap that drives inflation; sanctions drag potential growth, less a coping
  factor that grows and less the relief of a deal; the civilian economy's shortfall from a
  peace path is the side's civil strain. Off with its defaults (no military demand above
  the neutral share, no sanctions, no gap, no inflation).

A side's ``gdp_index`` (GDP relative to the start) is the product of the two models'
indexes; each is exactly 1 for a model that is off.

Op-ed mechanisms encoded here: an economy "in greater danger of overheating from
accelerated military production than strangulating from lack of trade" (military demand
opens an output gap that drives inflation; labour drawn into the army adds to it), "a
case-study of how to cope with sanctions" (sanctions pressure decays as a coping factor
grows), "cannot ... achieve peace that would allow renewed trade ... and a growing
civilian economy" (civil strain: the civilian economy's shortfall from a peace path), and
the dependence of a side on its supporters' aid (the budget gap they finance).

Reads (per side ``x``, see :func:`build`): from the military, this step's
``x.mobilised_extra`` and ``x.held_ratio`` (and their start-of-step values); from strikes,
this step's ``x.strike_damage_rate``; from society, ``x.pop_home_ratio`` and
``x.reconstruction_rate`` (start of the step: society steps later); from politics, each
supporter's ``aid_index`` (start of the step); from bargaining, ``sanctions_relief``.

Equations and units are in ``docs/model.md``; time is in days.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._common import (
    DAYS_PER_YEAR,
    capped,
    of_owner,
    own,
    param,
    safe_div,
)
from detente.model._common import (
    variable as _v,
)
from detente.model.base import (
    Cast,
    Module,
    ParamSpec,
    Per,
    Read,
    StepContext,
    for_cast,
    owned,
)

__all__ = ["PARAMS", "VARIABLES", "build"]


def _param(base: str, unit: str, description: str, low: float | None = None,
           high: float | None = None, *, default: float, per: Per = "side",
           initial_of: str | None = None, start_condition: bool = False) -> ParamSpec:
    # a template each side owns, unless it says a supporter does
    return param(base, unit, description, low, high, default=default, per=per,
                 initial_of=initial_of, start_condition=start_condition)


#: Parameter templates: each side's (``<side>.<base>``) and each supporter's.
PARAMS = (
    # the war-torn economy; gdp0 = 0 (the default) leaves it off: no output, index 1
    _param("gdp0", "USD bn/day",
           "{owner}'s GDP at the start (annual rate); 0: the war-torn economy is not "
           "modelled.", 0.0, 1e3, default=0.0, initial_of="gdp_potential"),
    _param("gdp_trend", "fraction/day",
           "{owner}'s underlying growth rate (recovery, before war effects).", -1.0, 1.0,
           default=0.0),
    _param("capital0", "USD bn",
           "{owner}'s productive capital stock at the start; 0: capital is not tracked "
           "(it neither limits nor adds to output).", 0.0, 1e6, default=0.0,
           initial_of="capital"),
    _param("capital_elasticity", "fraction", "Output elasticity of {owner}'s capital.",
           0.0, 1.0, default=0.0),
    _param("employment0", "persons",
           "{owner}'s employment at the start; 0: mobilisation draws no labour from the "
           "economy.", 0.0, 1e10, default=0.0, start_condition=True),
    _param("budget_gap0", "USD bn/day",
           "{owner}'s non-military budget gap at the start (annual rate).", 0.0, 1e3,
           default=0.0, start_condition=True),
    _param("tax_share", "fraction", "{owner}'s budget revenue per unit of GDP.", 0.0, 1.0,
           default=0.0),
    _param("fiscal_penalty", "fraction/day",
           "Growth {owner} loses per unit of uncovered budget gap relative to GDP.", 0.0, 1.0,
           default=0.0),
    _param("fin_aid", "USD bn/day",
           "{owner}'s financial (budget) aid to the side it supports.", 0.0, 1e3, default=0.0,
           per="supporter"),
    _param("fin_aid_indexed", "fraction",
           "Share of {owner}'s financial aid that follows its aid index (continuation, "
           "cuts after a change of leadership); 0: financial aid is set on its own.",
           0.0, 1.0, default=0.0, per="supporter"),
    # the war economy under sanctions; every default leaves it at rest
    _param("gdp_growth_potential", "fraction/day",
           "{owner}'s potential growth without sanctions.", -1.0, 1.0, default=0.0),
    _param("milex_share", "fraction",
           "{owner}'s military spending share of GDP (policy).", 0.0, 1.0, default=0.0),
    _param("milex_neutral", "fraction",
           "{owner}'s military spending share that opens no output gap (pre-war level).",
           0.0, 1.0, default=0.0),
    _param("og_per_milex", "ratio",
           "Output gap opened per unit of {owner}'s military share above neutral.", 0.0, 100.0,
           default=0.0),
    _param("og_per_mobilised", "ratio",
           "Output gap opened per unit share of {owner}'s labour force drawn into the "
           "army.", 0.0, 100.0, default=0.0),
    _param("labour_force", "persons",
           "{owner}'s labour force; 0: mobilisation opens no output gap.", 0.0, 1e10,
           default=0.0),
    _param("output_gap0", "fraction",
           "{owner}'s output gap at the start (positive: overheating).", -1.0, 1.0,
           default=0.0, initial_of="output_gap"),
    _param("og_lag", "day",
           "Time constant of the adjustment of {owner}'s output gap (0: within a step).", 0.0, 1e5,
           default=0.0),
    _param("inflation0", "fraction/day", "{owner}'s inflation at the start.", -1.0, 1.0,
           default=0.0, initial_of="inflation_rate"),
    _param("inflation_target", "fraction/day",
           "{owner}'s central bank's inflation target.", -1.0, 1.0, default=0.0),
    _param("phillips", "fraction/day",
           "Inflation added per unit of {owner}'s output gap.", 0.0, 1.0, default=0.0),
    _param("inflation_lag", "day",
           "Time constant of the adjustment of {owner}'s inflation (0: within a step).", 0.0, 1e5,
           default=0.0),
    # without sanctions (intensity 0) nothing drags growth and there is nothing to cope with
    _param("sanctions_intensity", "index",
           "Sanctions regime on {owner} (1 = the regime the scenario takes as its unit).",
           0.0, 100.0, default=0.0),
    _param("coping0", "fraction", "Share of sanctions' bite {owner} has learnt to avoid.",
           0.0, 1.0, default=0.0, initial_of="coping"),
    _param("coping_rate", "1/day",
           "Rate at which {owner} learns to cope with the remaining bite.", 0.0, 10.0,
           default=0.0),
    _param("sanctions_drag", "fraction/day",
           "{owner}'s potential growth lost at full sanctions pressure.", 0.0, 1.0, default=0.0),
    _param("peace_growth", "fraction/day",
           "Growth of {owner}'s civilian economy on a peace path (trade restored).",
           -1.0, 1.0, default=0.0),
    _param("peace_gap0", "fraction",
           "How far {owner}'s output is below its peace path at the start.", -1.0, 1.0,
           default=0.0, start_condition=True),
)



#: Variable templates, each owned by every side.
VARIABLES = (
    _v("gdp_potential", "USD bn/day", "{owner}'s output before war effects.", record=False,
       nonnegative=True),
    _v("capital", "USD bn", "{owner}'s productive capital.", record=False, nonnegative=True),
    _v("gdp", "USD bn/year",
       "{owner}'s GDP in the war-torn economy (annual rate; 0 where it is not modelled).",
       "aux", nonnegative=True),
    _v("budget_uncovered", "USD bn/year",
       "{owner}'s budget gap not covered by financial aid (annual rate).", "aux"),
    _v("potential_index", "index", "{owner}'s potential output in its war economy "
       "(start = 1).", record=False, from_start="ratio"),
    _v("output_gap", "fraction", "{owner}'s output gap (positive: overheating).",
       record=False),
    _v("inflation_rate", "fraction/day", "{owner}'s inflation rate (per day).",
       record=False),
    _v("coping", "fraction", "Share of sanctions' bite {owner} avoids.", record=False),
    _v("peace_path", "index", "{owner}'s output on a peace path (start = 1 + gap).",
       record=False),
    _v("gdp_index", "index", "{owner}'s real GDP relative to the start (start = 1).",
       "aux", from_start="ratio"),
    _v("inflation", "fraction/year", "{owner}'s inflation (annual rate).", "aux"),
    _v("sanctions_pressure", "index",
       "Sanctions bite on {owner} after coping and relief (1 = full bite, no coping).",
       "aux"),
    _v("civil_strain", "fraction",
       "Shortfall of {owner}'s civilian output from its peace path (0 = none).", "aux"),
)

_SIDE_PARAMS = tuple(spec.name for spec in PARAMS if spec.per == "side")




def _adjustment(dt: float, lag: FloatArray) -> FloatArray:
    """Share of the gap to its target a first-order lag closes in a step (1 at lag 0)."""
    out: FloatArray = np.minimum(safe_div(np.full(np.shape(lag), dt), lag, 1.0), 1.0)
    return out


def _torn_gdp(yp: FloatArray, k: FloatArray, home: FloatArray, mobilised: FloatArray,
              held: FloatArray, q: Mapping[str, FloatArray]) -> FloatArray:
    """GDP (USD bn/day) from potential, capital, labour and territory held.

    ``home`` is the population at home and ``held`` the territory held, both relative to the
    start; ``mobilised`` the personnel drawn into the army since the start.
    """
    alpha = q["capital_elasticity"]
    labour = np.maximum(home - safe_div(mobilised, q["employment0"], 0.0), 0.0)
    cap = np.maximum(safe_div(k, q["capital0"] + np.zeros_like(k), 1.0), 0.0)
    out: FloatArray = yp * cap**alpha * labour ** (1.0 - alpha) * held
    return out


def _uncovered(y: FloatArray, q: Mapping[str, FloatArray], finance: Sequence[FloatArray]
               ) -> FloatArray:
    """Budget gap (USD bn/day) left after financial aid; revenue falls with GDP.

    ``finance`` is each supporter's financial aid, in the cast's order.
    """
    gap = q["budget_gap0"] + q["tax_share"] * (q["gdp0"] - y)
    for aid in finance:
        gap = gap - aid
    out: FloatArray = np.maximum(gap, 0.0)
    return out


def _war_aux(new: Mapping[str, FloatArray], torn_index: FloatArray, relief: FloatArray,
             q: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """Return the war economy's auxiliaries at the new state, and the side's GDP index."""
    y = new["potential_index"] * (1.0 + new["output_gap"]) / (1.0 + q["output_gap0"])
    m, m0 = q["milex_share"], q["milex_neutral"]
    civil = y * (1.0 - m) / (new["peace_path"] * (1.0 - m0))
    return {
        "gdp_index": torn_index * y,
        "inflation": new["inflation_rate"] * DAYS_PER_YEAR,
        "sanctions_pressure": q["sanctions_intensity"] * (1.0 - new["coping"])
        * (1.0 - relief),
        "civil_strain": np.maximum(1.0 - civil, 0.0),
    }


@functools.cache
def build(cast: Cast) -> Module:
    """Return the economy module for ``cast``: both economies for every side.

    Parameters
    ----------
    cast : Cast
        The sides and supporters; each side's budget is financed by its supporters, in the
        cast's order.

    Returns
    -------
    Module
        Parameters ``<side>.<base>`` and ``<supporter>.fin_aid`` (and ``fin_aid_indexed``),
        variables ``<side>.<base>`` of :data:`PARAMS` and :data:`VARIABLES`.
    """
    sides = cast.sides
    backers = {x: cast.supporters_of(x) for x in sides}

    def finance(p: Params, s: State, side: str) -> list[FloatArray]:
        # each supporter's aid; the indexed share follows its aid index (politics)
        out: list[FloatArray] = []
        for b in backers[side]:
            indexed = p[owned(b, "fin_aid_indexed")]
            out.append(p[owned(b, "fin_aid")]
                       * (1.0 - indexed * (1.0 - s[owned(b, "aid_index")])))
        return out

    def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
        """Return the initial state, from parameters and the military's initial state."""
        z = np.zeros(n)
        out: dict[str, FloatArray] = {}
        for x in sides:
            q = of_owner(p, x, _SIDE_PARAMS)
            v: dict[str, FloatArray] = {
                "gdp_potential": q["gdp0"] + z,
                "capital": q["capital0"] + z,
                "potential_index": np.ones(n),
                "output_gap": q["output_gap0"] + z,
                "inflation_rate": q["inflation0"] + z,
                "coping": q["coping0"] + z,
                "peace_path": 1.0 + q["peace_gap0"] + z,
            }
            y = _torn_gdp(v["gdp_potential"], v["capital"], state[owned(x, "pop_home_ratio")],
                          state[owned(x, "mobilised_extra")], state[owned(x, "held_ratio")],
                          q)
            v["gdp"] = y * DAYS_PER_YEAR
            v["budget_uncovered"] = _uncovered(y, q, finance(p, state, x)) * DAYS_PER_YEAR
            v.update(_war_aux(v, safe_div(y, q["gdp0"] + z, 1.0), z, q))
            out.update({owned(x, base): a for base, a in v.items()})
        return out

    def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray], ctx: StepContext
             ) -> dict[str, FloatArray]:
        """Advance the economy subsystem by one Euler step of ``ctx.dt`` days."""
        dt = ctx.dt
        relief = s["sanctions_relief"]
        out: dict[str, FloatArray] = {}
        for side in sides:
            q = of_owner(p, side, _SIDE_PARAMS)
            start = functools.partial(own, s, side)  # at the start of the step
            now = functools.partial(own, x, side)  # computed this step by earlier modules
            aid = finance(p, s, side)
            # war-torn: output from the start-of-step state, then potential and capital.
            # Growth stocks integrate exp(rate * dt), exact for a rate held over the step,
            # never negative (a collapsing economy can shrink any amount but not below 0)
            yp, k = start("gdp_potential"), start("capital")
            home = start("pop_home_ratio")
            y = _torn_gdp(yp, k, home, start("mobilised_extra"), start("held_ratio"), q)
            growth = q["gdp_trend"] - q["fiscal_penalty"] * safe_div(_uncovered(y, q, aid),
                                                                     y, 0.0)
            recon = start("reconstruction_rate")
            damage = capped(now("strike_damage_rate"), k, recon, dt)
            new: dict[str, FloatArray] = {
                "gdp_potential": yp * np.exp(dt * growth),
                "capital": k + dt * (recon - damage),
            }
            # war economy: output gap from military demand and mobilised labour; inflation
            # follows it
            mob = safe_div(start("mobilised_extra"), q["labour_force"], 0.0)
            og_target = q["og_per_milex"] * (q["milex_share"] - q["milex_neutral"]) \
                + q["og_per_mobilised"] * mob
            og = start("output_gap")
            pi = start("inflation_rate")
            pi_target = q["inflation_target"] + q["phillips"] * og
            coping = start("coping")
            pressure = q["sanctions_intensity"] * (1.0 - coping) * (1.0 - relief)
            g_pot = q["gdp_growth_potential"] - q["sanctions_drag"] * pressure
            new.update({
                "output_gap": og + _adjustment(dt, q["og_lag"]) * (og_target - og),
                "inflation_rate": pi + _adjustment(dt, q["inflation_lag"]) * (pi_target - pi),
                "coping": coping + np.minimum(dt * q["coping_rate"], 1.0) * (1.0 - coping),
                "potential_index": start("potential_index") * np.exp(dt * g_pot),
                "peace_path": start("peace_path") * np.exp(dt * q["peace_growth"]),
            })
            # auxiliaries at the new state: military's new stocks are in x, society's still
            # in s
            y_new = _torn_gdp(new["gdp_potential"], new["capital"], home,
                              now("mobilised_extra"), now("held_ratio"), q)
            new["gdp"] = y_new * DAYS_PER_YEAR
            new["budget_uncovered"] = _uncovered(y_new, q, aid) * DAYS_PER_YEAR
            new.update(_war_aux(new, safe_div(y_new, q["gdp0"], 1.0), relief, q))
            out.update({owned(side, base): a for base, a in new.items()})
        return out

    reads = [Read("sanctions_relief", 0.0)]  # share of sanctions lifted by a deal
    for side in sides:
        reads += [
            Read(owned(side, "pop_home_ratio"), 1.0),  # labour at home, relative to start
            Read(owned(side, "mobilised_extra"), 0.0, "step"),  # labour drawn into the army
            Read(owned(side, "held_ratio"), 1.0, "step"),  # own territory held, vs start
            Read(owned(side, "strike_damage_rate"), 0.0, "step"),  # capital destroyed
            Read(owned(side, "reconstruction_rate"), 0.0),  # capital rebuilt
        ]
    reads += [Read(owned(b, "aid_index"), 1.0) for b in cast.supporters]
    return Module(
        name="economy",
        description="Each side's output and budget, and its war economy: overheating, "
                    "sanctions and civil strain.",
        params=for_cast(PARAMS, cast),
        variables=for_cast(VARIABLES, cast),
        init=init,
        step=step,
        reads=tuple(reads),
        cast=cast,
    )
