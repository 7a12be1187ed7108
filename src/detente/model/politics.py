"""Politics: elite pressure, supporters' leadership, credibility and aid, troops and escalation.

The op-ed's political links, each a few lines of arithmetic per step, written once over the
cast's sides and supporters:

* **Elite pressure** (per side): the civil-economy strain the economy module reports,
  amplified after an election (an event sets ``<side>.elite_post_election`` to 1; the
  amplification is ``<side>.elite_post_election_multiplier``). The bargaining module turns
  it into a cost of fighting for the side (its ``elite_cost``, 0 by default, so a side
  whose elites bear no cost is unaffected).
* **A supporter's leadership, credibility and aid** (per supporter; option C): the enemy's
  belief that the supporter's leadership in office can deliver a deal
  (``<supporter>.deal_credibility``), and the share of the supporter's aid that continues
  (``<supporter>.aid_index``). A change of leadership is a chance event that sets
  ``<supporter>.admin_changed`` to 1 from the day it takes office. By default a supporter's
  leadership never changes, its aid continues in full (index 1, the value the military
  reads without this module) and its word is taken at face value (credibility 1, the value
  bargaining reads without this module).
* **Troops** (per supporter; option A): ``<supporter>.troops_deployed`` ramps the
  supporter's troops up to ``<supporter>.troops_personnel`` over
  ``<supporter>.deploy_time``; each side's ``allied_personnel`` is the sum of its
  supporters' troops, which the military module adds to the side. Their presence carries a
  hazard of a wider war (the supporter against the side's enemy), scaled by the share of
  the contingent present and by the war's intensity; the wider war is one absorbing state
  for the whole scenario (``escalated``). A supporter sends no troops by default.

Reads (see :func:`build`; the neutral values let the module run without the others): each
side's ``civil_strain`` (economy, this step; 0) and ``war_intensity`` (bargaining, at the
start of the step; 1). The elite pressure starts at 0: the strain it answers is counted
from the first step. The only random draw is the shock ``escalation``, drawn by the engine
every step for every sample.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._deals import step_probability
from detente.model.base import (
    Cast,
    Module,
    ParamSpec,
    Read,
    StepContext,
    VariableSpec,
    for_cast,
    owned,
)

__all__ = ["PARAMS", "SHOCKS", "VARIABLES", "build"]

#: Parameter templates; every default switches its mechanism off (see ``docs/model.md``,
#: Defaults).
PARAMS = (
    ParamSpec("elite_post_election", "switch",
              "1 once the election after which {owner}'s elites press harder has passed "
              "(set by an event).", 0.0, 1.0, default=0.0, per="side"),
    # 1: an election changes nothing
    ParamSpec("elite_post_election_multiplier", "1",
              "Factor on {owner}'s elite pressure per unit of civil strain after the election.",
              0.0, 100.0, default=1.0, per="side"),
    ParamSpec("admin_changed", "switch",
              "1 once a new leadership of {owner} is in office (set by an event).",
              0.0, 1.0, default=0.0, per="supporter"),
    # 1: the enemy takes a deal at face value, as bargaining does without this module
    ParamSpec("credibility_incumbent", "fraction",
              "The enemy's belief that {owner}'s incumbent leadership can deliver a deal.",
              0.0, 1.0, default=1.0, per="supporter"),
    ParamSpec("credibility_successor", "fraction",
              "The enemy's belief that a successor leadership of {owner} can deliver a deal.",
              0.0, 1.0, default=1.0, per="supporter"),
    ParamSpec("aid_continuing", "fraction",
              "Share of {owner}'s current aid that continues (0 in a no-aid policy).",
              0.0, 1.0, default=1.0, per="supporter"),
    ParamSpec("aid_cut_on_change", "fraction",
              "Share of {owner}'s aid a successor leadership cuts.", 0.0, 1.0, default=0.0,
              per="supporter"),
    ParamSpec("troops_deployed", "switch",
              "1 when {owner} sends troops to fight with the side it supports (option A).",
              0.0, 1.0, default=0.0, per="supporter"),
    ParamSpec("troops_personnel", "persons",
              "Personnel of the contingent {owner} deploys under option A.", 0.0, 1e10,
              default=0.0, per="supporter"),
    # 0: the contingent arrives within one step; it matters only where troops are deployed
    ParamSpec("deploy_time", "day",
              "Time {owner} takes to bring its contingent to full strength.", 0.0, 1e5,
              default=0.0, per="supporter"),
    ParamSpec("escalation_rate", "1/day",
              "Hazard of a wider war with {owner}'s full contingent in a full-intensity war.",
              0.0, 10.0, default=0.0, per="supporter"),
)

VARIABLES = (
    VariableSpec("elite_pressure", "index",
                 "Pressure from {owner}'s elites to end the war (civil strain x election "
                 "factor).", kind="aux", per="side"),
    VariableSpec("allied_personnel", "persons",
                 "Supporters' troops deployed to fight with {owner}.", kind="aux",
                 per="side", nonnegative=True),
    VariableSpec("deal_credibility", "fraction",
                 "The enemy's belief that {owner}'s leadership in office can deliver a deal.",
                 kind="aux", per="supporter"),
    VariableSpec("aid_index", "fraction",
                 "Share of {owner}'s aid at the start that continues (1: sustained, 0: cut "
                 "off).", kind="aux", per="supporter"),
    VariableSpec("troops", "persons", "Troops {owner} has deployed.", record=False,
                 per="supporter", nonnegative=True),
    VariableSpec("escalated", "switch", "1 once a wider war has broken out (absorbing)."),
    VariableSpec("escalation_hazard", "1/day", "Hazard of a wider war this step.",
                 kind="aux", record=False),
)

SHOCKS = ("escalation",)


def _pressure_and_beliefs(cast: Cast, strain: Mapping[str, FloatArray], p: Params
                          ) -> dict[str, FloatArray]:
    """Return each side's elite pressure and each supporter's credibility and aid index."""
    out: dict[str, FloatArray] = {}
    for x in cast.sides:
        post = p[owned(x, "elite_post_election")]
        factor = 1.0 + post * (p[owned(x, "elite_post_election_multiplier")] - 1.0)
        out[owned(x, "elite_pressure")] = np.maximum(strain[x], 0.0) * factor
    for a in cast.supporters:
        changed = p[owned(a, "admin_changed")]
        incumbent = p[owned(a, "credibility_incumbent")]
        successor = p[owned(a, "credibility_successor")]
        out[owned(a, "deal_credibility")] = (1.0 - changed) * incumbent + changed * successor
        out[owned(a, "aid_index")] = p[owned(a, "aid_continuing")] \
            * (1.0 - changed * p[owned(a, "aid_cut_on_change")])
    return out


def _allied(cast: Cast, troops: Mapping[str, FloatArray], n: int) -> dict[str, FloatArray]:
    """Return each side's allied personnel: its supporters' troops, summed in cast order."""
    out: dict[str, FloatArray] = {}
    for x in cast.sides:
        total = np.zeros(n)
        for a in cast.supporters_of(x):
            total = total + troops[a]
        out[owned(x, "allied_personnel")] = total
    return out


def _init(cast: Cast, p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return initial values: no troops, no escalation, beliefs from parameters.

    ``state`` (the declared reads at the start) is not used: no strain is counted before
    the first step, and there is no hazard before the first step.
    """
    strain = {x: np.zeros(n) for x in cast.sides}
    troops = {a: np.zeros(n) for a in cast.supporters}
    return {
        **_pressure_and_beliefs(cast, strain, p),
        **_allied(cast, troops, n),
        **{owned(a, "troops"): t for a, t in troops.items()},
        "escalated": np.zeros(n),
        "escalation_hazard": np.zeros(n),
    }


def _step(cast: Cast, s: State, now: State, p: Params, u: Mapping[str, FloatArray],
          ctx: StepContext) -> dict[str, FloatArray]:
    """Advance politics by one step (see the module docstring).

    ``u["escalation"]`` is the step's uniform(0, 1) draw of a wider war.
    """
    strain = {x: now[owned(x, "civil_strain")] for x in cast.sides}
    out = _pressure_and_beliefs(cast, strain, p)
    intensity = s["war_intensity"]
    troops: dict[str, FloatArray] = {}
    hazard = np.zeros(ctx.n)
    for a in cast.supporters:
        before = s[owned(a, "troops")]
        target = p[owned(a, "troops_deployed")] * p[owned(a, "troops_personnel")]
        ramp = np.minimum(1.0, ctx.dt / np.maximum(p[owned(a, "deploy_time")], ctx.dt))
        troops[a] = before + (target - before) * ramp
        # the hazard scales with the share of the full contingent present and with the fighting
        share = troops[a] / np.maximum(p[owned(a, "troops_personnel")], 1.0)
        hazard = hazard + p[owned(a, "escalation_rate")] * share * intensity
    hazard = np.where(s["escalated"] > 0.5, 0.0, hazard)
    newly = u["escalation"] < step_probability(hazard, ctx.dt)
    escalated = np.where((s["escalated"] > 0.5) | newly, 1.0, 0.0)
    return {
        **out,
        **_allied(cast, troops, ctx.n),
        **{owned(a, "troops"): t for a, t in troops.items()},
        "escalated": escalated,
        "escalation_hazard": hazard,
    }


@functools.cache
def build(cast: Cast) -> Module:
    """Return the politics module for ``cast``.

    Parameters
    ----------
    cast : Cast
        The sides and supporters.

    Returns
    -------
    Module
        Parameters and variables of :data:`PARAMS` and :data:`VARIABLES` for each side and
        supporter; it reads each side's ``civil_strain`` (this step, neutral 0) and
        ``war_intensity`` (start of the step, neutral 1), and draws :data:`SHOCKS`.
    """
    reads = (
        # each side's civil-economy strain
        *(Read(owned(x, "civil_strain"), 0.0, "step") for x in cast.sides),
        Read("war_intensity", 1.0),  # scales the escalation hazard
    )
    return Module(
        name="politics",
        description="Elite pressure, supporters' credibility and aid, troops and escalation.",
        params=for_cast(PARAMS, cast),
        variables=for_cast(VARIABLES, cast),
        init=functools.partial(_init, cast),
        step=functools.partial(_step, cast),
        shocks=SHOCKS,
        reads=reads,
        cast=cast,
    )
