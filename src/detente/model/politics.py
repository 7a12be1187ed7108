"""Politics: elite pressure in Moscow, US credibility and aid, NATO troops and escalation.

The op-ed's political links, each a few lines of arithmetic per step:

* **Elite pressure in Moscow** (Russian politics): the civil-economy strain the economy module
  reports, amplified after the March 2024 election (an event sets
  ``ru_elite_post_election`` to 1; the amplification ``ru_elite_post_election_multiplier``
  is uncertain). The bargaining module turns it into a cost of fighting for Russia.
* **US credibility and aid** (credibility & timing; option C): Moscow's belief that the
  US administration can deliver a deal, and the share of US aid that continues. The US
  election is a chance event that sets ``us_admin_changed`` to 1 from inauguration day.
* **NATO troops** (option A): ``nato_troops_deployed`` ramps ``nato_personnel`` up to
  ``nato_troops_personnel`` over ``nato_deploy_time``; the military module adds them to
  Ukraine's side. Their presence carries a hazard of a NATO–Russia war, scaled by the
  deployment and by the war's intensity; the war is an absorbing state (``escalated``).

Reads (see :data:`READS`; the neutral values let the module run without the others):
``ru_civil_strain`` (economy, this step; 0), ``war_intensity`` (bargaining, at the start of
the step; 1). The elite pressure starts at 0: the strain it answers is counted from the
first step. The only random draw is the shock ``escalation``, drawn by the engine every
step for every sample.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from detente._typing import FloatArray, Params, State
from detente.model._deals import step_probability
from detente.model.base import Module, ParamSpec, Read, StepContext, VariableSpec

__all__ = ["MODULE", "READS", "init", "step"]

PARAMS = (
    ParamSpec("ru_elite_post_election", "switch",
              "1 once Russia's March 2024 presidential election has passed (set by an event).",
              0.0, 1.0, default=0.0),
    ParamSpec("ru_elite_post_election_multiplier", "1",
              "Factor on Moscow's elite pressure per unit of civil strain after the election.",
              0.0, None, default=1.0),
    ParamSpec("us_admin_changed", "switch",
              "1 once a new US administration is in office (set by the US election event).",
              0.0, 1.0, default=0.0),
    # 1: Moscow takes a deal at face value, as bargaining does without this module
    ParamSpec("us_credibility_incumbent", "fraction",
              "Moscow's belief that the incumbent US administration can deliver a deal.",
              0.0, 1.0, default=1.0),
    ParamSpec("us_credibility_successor", "fraction",
              "Moscow's belief that a successor US administration can deliver a deal.",
              0.0, 1.0, default=1.0),
    ParamSpec("us_aid_continuing", "fraction",
              "Share of current US aid that continues (0 in a no-aid policy).", 0.0, 1.0,
              default=1.0),
    ParamSpec("us_aid_cut_on_change", "fraction",
              "Share of US aid a successor administration cuts.", 0.0, 1.0, default=0.0),
    ParamSpec("nato_troops_deployed", "switch",
              "1 when NATO countries send troops into Ukraine (option A).", 0.0, 1.0,
              default=0.0),
    ParamSpec("nato_troops_personnel", "persons",
              "NATO personnel deployed to Ukraine under option A.", 0.0, None, default=0.0),
    ParamSpec("nato_deploy_time", "day",
              "Time to bring the NATO contingent to full strength.", 0.0, None),
    ParamSpec("nato_escalation_rate", "1/day",
              "Hazard of a NATO-Russia war with the full contingent in a full-intensity war.",
              0.0, None, default=0.0),
)

VARIABLES = (
    VariableSpec("ru_elite_pressure", "index",
                 "Pressure from Russian elites to end the war (civil strain x election factor).",
                 kind="aux"),
    VariableSpec("us_deal_credibility", "fraction",
                 "Moscow's belief that the US administration in office can deliver a deal.",
                 kind="aux"),
    VariableSpec("us_aid_index", "fraction",
                 "Share of today's US aid that continues (1: sustained, 0: cut off).",
                 kind="aux"),
    VariableSpec("nato_personnel", "persons", "NATO troops deployed in Ukraine."),
    VariableSpec("escalated", "switch",
                 "1 once a NATO-Russia war has broken out (absorbing)."),
    VariableSpec("escalation_hazard", "1/day",
                 "Hazard of a NATO-Russia war this step.", kind="aux", record=False),
)

SHOCKS = ("escalation",)

READS = (
    Read("ru_civil_strain", 0.0, "step"),  # Russia's civil-economy strain
    Read("war_intensity", 1.0),  # scales the escalation hazard
)


def _pressure_and_beliefs(strain: FloatArray, p: Params
                          ) -> tuple[FloatArray, FloatArray, FloatArray]:
    post = p["ru_elite_post_election"]
    factor = 1.0 + post * (p["ru_elite_post_election_multiplier"] - 1.0)
    pressure = np.maximum(strain, 0.0) * factor
    changed = p["us_admin_changed"]
    cred = (1.0 - changed) * p["us_credibility_incumbent"] \
        + changed * p["us_credibility_successor"]
    aid = p["us_aid_continuing"] * (1.0 - changed * p["us_aid_cut_on_change"])
    return pressure, cred, aid


def init(p: Params, n: int, state: State) -> dict[str, FloatArray]:
    """Return initial values: no NATO troops, no escalation, beliefs from parameters.

    Parameters
    ----------
    p : mapping of str to ndarray
        Parameters in canonical units, each of shape ``(n,)``.
    n : int
        Number of samples.
    state : mapping
        The declared reads at the start (not used: no strain is counted before the first
        step, and there is no hazard before the first step).

    Returns
    -------
    dict of str to ndarray
        Every variable in :data:`VARIABLES`, shape ``(n,)``.
    """
    pressure, cred, aid = _pressure_and_beliefs(np.zeros(n), p)
    return {
        "ru_elite_pressure": pressure,
        "us_deal_credibility": cred,
        "us_aid_index": aid,
        "nato_personnel": np.zeros(n),
        "escalated": np.zeros(n),
        "escalation_hazard": np.zeros(n),
    }


def step(s: State, x: State, p: Params, u: Mapping[str, FloatArray],
         ctx: StepContext) -> dict[str, FloatArray]:
    """Advance politics by one step (see the module docstring).

    Parameters
    ----------
    s : mapping
        State at the start of the step.
    x : mapping
        What earlier modules computed this step.
    p : mapping
        Parameters in canonical units.
    u : mapping
        Uniform(0, 1) shocks; this module uses ``u["escalation"]``.
    ctx : StepContext
        Time and step length.

    Returns
    -------
    dict of str to ndarray
        New values of every variable in :data:`VARIABLES`.
    """
    pressure, cred, aid = _pressure_and_beliefs(x["ru_civil_strain"], p)
    target = p["nato_troops_deployed"] * p["nato_troops_personnel"]
    ramp = np.minimum(1.0, ctx.dt / np.maximum(p["nato_deploy_time"], ctx.dt))
    personnel = s["nato_personnel"] + (target - s["nato_personnel"]) * ramp
    # the hazard scales with the share of the full contingent present and with the fighting
    share = personnel / np.maximum(p["nato_troops_personnel"], 1.0)
    intensity = s["war_intensity"]
    hazard = p["nato_escalation_rate"] * share * intensity
    hazard = np.where(s["escalated"] > 0.5, 0.0, hazard)
    newly = u["escalation"] < step_probability(hazard, ctx.dt)
    escalated = np.where((s["escalated"] > 0.5) | newly, 1.0, 0.0)
    return {
        "ru_elite_pressure": pressure,
        "us_deal_credibility": cred,
        "us_aid_index": aid,
        "nato_personnel": personnel,
        "escalated": escalated,
        "escalation_hazard": hazard,
    }


MODULE = Module(
    name="politics",
    description="Elite pressure in Moscow, US credibility and aid, NATO troops and escalation.",
    params=PARAMS,
    variables=VARIABLES,
    init=init,
    step=step,
    shocks=SHOCKS,
    reads=READS,
)
