"""The bargaining module: contract, declared reads, channels, deal effects, breakdown."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.errors import InputError
from detente.model import StepContext, bargaining, politics
from detente.model.bargaining import (
    CHANNELS,
    DEALS,
    DIM_NAMES,
    DIMENSIONS,
    _negotiate_dense,
    check_parameters,
    negotiate,
    war_values,
)
from detente.scenario.schema import Event, Parameter, Policy
from detente.units import conversion_factor

SCENARIO = (Path(bargaining.__file__).parents[1] / "scenario" / "builtin"
            / "ukraine-2023.yaml")
MODULES = (politics.MODULE, bargaining.MODULE)
SPECS = {ps.name: ps for m in MODULES for ps in m.params}
DT = 7.0
MONTHS = 36
STEPS = 157  # three years of weeks


def fragment() -> dict:
    """The built-in scenario's data (parameters, events and policies of every module)."""
    from detente.scenario.loading import read_scenario_file

    data, _where, problems, _bad = read_scenario_file(SCENARIO)
    assert not problems
    return dict(data)


def settlement_params(n: int, **over: float) -> dict[str, np.ndarray]:
    """Central values of the fragment in canonical units, ``over`` in canonical units."""
    p = {}
    for name, raw in fragment()["parameters"].items():
        if name not in SPECS:
            continue
        par = Parameter.model_validate(raw)
        p[name] = np.full(n, par.central() * conversion_factor(par.unit, SPECS[name].unit))
    for k, v in over.items():
        p[k] = np.full(n, float(v))
    return p


def war_state(n: int, *, ratio: float = 1 / 1.5, area: float = 108_000.0) -> dict:
    """Inputs from a stationary war (held fixed by ``drive``)."""
    return {"territory_ru_km2": np.full(n, area), "combat_power_ratio": np.full(n, ratio),
            "ru_civil_strain": np.full(n, 0.1), "viability": np.full(n, 0.5)}


# --------------------------------------------------------------------------- the fragment
def test_fragment_holds_every_parameter_with_a_convertible_unit() -> None:
    params = fragment()["parameters"]
    for name, spec in SPECS.items():
        assert name in params, f"{name} missing from ukraine-2023.yaml"
        par = Parameter.model_validate(params[name])
        conversion_factor(par.unit, spec.unit)  # raises if not convertible
        lo, hi = (par.dist.support() if par.dist is not None
                  else (par.value, par.value))
        f = conversion_factor(par.unit, spec.unit)
        if spec.low is not None:
            assert lo * f >= spec.low - 1e-12, name
        if spec.high is not None:
            assert hi * f <= spec.high + 1e-12, name
        if par.source == "assumption" and par.dist is None:
            assert par.note, f"{name}: a fixed assumption needs a note"


def test_fragment_events_and_policies_validate() -> None:
    frag = fragment()
    events = {k: Event.model_validate(v) for k, v in frag["events"].items()}
    assert str(events["ru_election_2024"].date) == "2024-03-17"
    us = events["us_election_2024"]
    assert (str(us.date), str(us.takes_effect)) == ("2024-11-05", "2025-01-20")
    assert us.probability in frag["parameters"]
    policies = {k: Policy.model_validate(v) for k, v in frag["policies"].items()}
    assert set(policies) >= {"nato_troops", "press_kyiv", "direct_talks", "direct_talks_no_aid"}
    aid_params = {"us_mil_aid", "us_fin_aid"}  # the military/economy modules' aid levers
    for pol in policies.values():
        for ch in pol.changes:
            assert ch.param in frag["parameters"] or ch.param in aid_params


def test_fragment_weights_sum_to_one() -> None:
    parsed = {k: Parameter.model_validate(v) for k, v in fragment()["parameters"].items()}
    assert check_parameters(parsed) == []


def test_weights_that_do_not_sum_to_one_are_reported() -> None:
    raw = fragment()["parameters"]
    raw["ru_weight_territory"] = {"value": 0.9, "unit": "fraction", "source": "assumption",
                                  "note": "x"}
    parsed = {k: Parameter.model_validate(v) for k, v in raw.items()}
    problems = check_parameters(parsed)
    assert len(problems) == 1
    path, message = problems[0]
    assert path.startswith("parameters.ru_weight_")
    assert "must sum to 1" in message
    assert "'ru'" in message


def test_a_missing_weight_and_a_bad_channel_are_reported() -> None:
    raw = fragment()["parameters"]
    del raw["us_weight_sanctions"]
    raw["negotiation_channel"] = {"value": 3, "unit": "index", "source": "assumption",
                                  "note": "x"}
    parsed = {k: Parameter.model_validate(v) for k, v in raw.items()}
    messages = " ".join(m for _, m in check_parameters(parsed))
    assert "us_weight_sanctions" in messages
    assert "negotiation_channel" in " ".join(p for p, _ in check_parameters(parsed))


def test_all_zero_weights_are_an_input_error() -> None:
    p = settlement_params(4, **{f"ua_weight_{d}": 0.0 for d in DIM_NAMES})
    with pytest.raises(InputError, match="ua_weight_"):
        bargaining.init(p, 4, neutral_state(bargaining.MODULE, 4))


# --------------------------------------------------------------------------- contract
def test_module_contract() -> None:
    n = 5
    p = settlement_params(n)
    for m in MODULES:
        s = m.init(p, n, neutral_state(m, n))
        assert set(s) == {v.name for v in m.variables}
        assert all(v.shape == (n,) for v in s.values())
        assert len({ps.name for ps in m.params}) == len(m.params)
    assert len(DEALS) == 4 * 3**5
    assert {f"deal_{d.name}" for d in DIMENSIONS} <= {v.name for v in bargaining.VARIABLES}


def test_step_returns_every_variable(drive) -> None:
    n = 6
    out = drive(["politics", "bargaining"], settlement_params(n, negotiation_channel=2), n,
                10, DT, inputs=war_state(n))
    for m in MODULES:
        for v in m.variables:
            assert out[v.name].shape == (11, n)


# --------------------------------------------------------------------------- channels
def test_no_channel_never_settles(drive) -> None:
    n = 32
    out = drive(["politics", "bargaining"], settlement_params(n, negotiation_channel=0), n,
                STEPS, DT, inputs=war_state(n))
    assert not out["settled"].any()
    assert np.isnan(out["months_to_settlement"][-1]).all()
    assert (out["deal_territory"] == -1).all()
    assert (out["war_intensity"] == 1.0).all()


def _russia_wants_only_european_security(n: int, channel: int) -> dict[str, np.ndarray]:
    """Moscow cares only for Europe's security order; nothing else compensates it."""
    weights = {f"ru_weight_{d}": (1.0 if d == "european_security" else 0.0) for d in DIM_NAMES}
    us = {f"us_weight_{d}": (1.0 if d == "territory" else 0.0) for d in DIM_NAMES}
    return settlement_params(n, negotiation_channel=channel, ru_cost_casualties=0.0,
                             ru_elite_cost=0.0, **weights, **us)


def test_a_channel_lacking_what_russia_requires_never_settles(drive) -> None:
    n = 64
    rng = np.random.default_rng(3)
    shocks = {"settlement_veto": rng.random((STEPS, n)),
              "settlement_breakdown": rng.random((STEPS, n)),
              "escalation": rng.random((STEPS, n))}
    kyiv = drive(["politics", "bargaining"], _russia_wants_only_european_security(n, 1), n,
                 STEPS, DT, shocks=shocks, inputs=war_state(n))
    assert not kyiv["settled"].any()
    assert not kyiv["zone_exists"].any()
    # the same actors settle when the channel can move that dimension (the test has teeth)
    washington = drive(["politics", "bargaining"], _russia_wants_only_european_security(n, 2),
                       n, STEPS, DT, shocks=shocks, inputs=war_state(n))
    assert washington["settled"].any()
    agreed = washington["deal_european_security"][-1]
    sq = DIMENSIONS[DIM_NAMES.index("european_security")].status_quo
    assert np.all(agreed[agreed >= 0] < sq)


# --------------------------------------------------------------------------- fast == dense
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), code=st.sampled_from(sorted(CHANNELS)),
       shift=st.floats(-0.3, 0.3))
def test_fast_negotiation_equals_the_dense_twin(seed: int, code: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    p = settlement_params(n)
    for k in p:
        if "weight" in k or k.endswith(("_margin", "veto_base", "veto_slope", "_onus_direct")):
            p[k] = p[k] * rng.uniform(0.3, 1.7, n)
    neg = war_values(
        p, area=rng.uniform(90_000, 130_000, n), start_area=np.full(n, 108_000.0),
        log_ratio=rng.normal(0.3, 0.4, n), drift=rng.normal(0, 5e-4, n),
        gain=rng.normal(1.5, 3, n), cost={a: rng.uniform(0, 3e-4, n) for a in ("ua", "ru", "us")})
    neg = type(neg)(neg.weights, neg.territory, {a: v + shift for a, v in neg.war.items()},
                    neg.status_quo, neg.power_ua, neg.ru_victory)
    cred, aid = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    fast = negotiate(code, neg, p, cred, aid)
    dense = _negotiate_dense(code, neg, p, cred, aid)
    np.testing.assert_array_equal(fast[0], dense[0])
    np.testing.assert_array_equal(fast[2], dense[2])
    np.testing.assert_allclose(fast[1], dense[1], rtol=0, atol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- after a deal
def _easy(n: int, **over: float) -> dict[str, np.ndarray]:
    """Parameters under which every sample finds a deal at the first round."""
    base = {"negotiation_channel": 2, "ua_deal_margin": 0.0, "ru_deal_margin": 0.0,
            "us_deal_margin": 0.0, "ua_cost_casualties": 0.5 / 365.25,
            "ru_cost_casualties": 0.5 / 365.25, "us_war_cost": 0.5 / 365.25,
            "ua_veto_base": 0.0, "ua_veto_slope": 0.0, "settlement_breakdown_rate": 0.0}
    base.update(over)
    return settlement_params(n, **base)


def test_a_deal_brings_a_ceasefire_with_its_terms(drive) -> None:
    n = 16
    p = _easy(n)
    out = drive(["politics", "bargaining"], p, n, 8, DT, inputs=war_state(n))
    assert out["settled"][-1].all()
    first = np.argmax(out["settled"] > 0.5, axis=0)
    assert np.all(first == first[0])  # the first monthly round (a step crossing day 30.44)
    assert out["war_intensity"][-1] == pytest.approx(p["ceasefire_war_intensity"])
    g = out["deal_guarantees"][-1].astype(int)
    s = out["deal_sanctions"][-1].astype(int)
    assert out["settlement_guarantee"][-1] == pytest.approx(g / 2)
    assert out["sanctions_relief"][-1] == pytest.approx(1 - s / 2)
    assert np.all(out["months_to_settlement"][-1] > 1.0)
    assert np.all(out["months_to_settlement"][-1] < 1.3)
    for d in DIMENSIONS:
        terms = out[f"deal_{d.name}"][-1]
        assert np.all((terms >= 0) & (terms < len(d.levels)))


def test_breakdown_resumes_the_war_and_talks_wait(drive) -> None:
    n = 8
    p = _easy(n, settlement_breakdown_rate=1e-6, renegotiation_delay=90.0)
    shocks = {"settlement_breakdown": np.zeros((40, n)), "settlement_veto": np.ones((40, n)),
              "escalation": np.ones((40, n))}
    out = drive(["politics", "bargaining"], p, n, 40, DT, shocks=shocks,
                inputs=war_state(n))
    settled = out["settled"] > 0.5
    k = int(np.argmax(settled[:, 0]))
    assert settled[k].all()
    assert not settled[k + 1].any()
    assert (out["war_intensity"][k + 1] == 1.0).all()
    assert (out["sanctions_relief"][k + 1] == 0.0).all()
    assert (out["breakdowns"][k + 1] == 1.0).all()
    # no new deal before the renegotiation delay has passed
    t_break = (k + 1) * DT
    quiet = [j for j in range(k + 2, 41) if j * DT - t_break < 90.0]
    assert not settled[quiet].any()
    assert settled[k + 2:].any()  # and a new one after it
    assert out["months_to_settlement"][-1] == pytest.approx(out["months_to_settlement"][k])


def test_a_veto_blocks_the_deal_that_month(drive) -> None:
    n = 8
    p = _easy(n, ua_veto_base=0.5)
    shocks = {"settlement_veto": np.full((12, n), 0.25), "settlement_breakdown": np.ones((12, n)),
              "escalation": np.ones((12, n))}
    out = drive(["politics", "bargaining"], p, n, 12, DT, shocks=shocks, inputs=war_state(n))
    assert not out["settled"].any()
    assert out["zone_exists"].any()
    assert np.all(out["ukraine_veto_risk"][-1] >= 0.5)


def test_escalation_stops_talks_and_ends_a_deal(drive) -> None:
    n = 8
    war = {k: v for k, v in war_state(n).items() if k != "ru_civil_strain"}  # politics' read
    out = drive(["bargaining"], _easy(n), n, 20, DT, inputs={**war, "escalated": np.ones(n)})
    assert not out["settled"].any()
    calm = drive(["bargaining"], _easy(n), n, 20, DT, inputs=war)
    assert calm["settled"].any()  # the same talks settle without the escalation
    # a deal in force ends when a NATO-Russia war breaks out
    reads = neutral_state(bargaining.MODULE, n)
    s = {**bargaining.init(_easy(n), n, reads), **reads, "settled": np.ones(n),
         "settlement_guarantee": np.ones(n), "war_intensity": np.full(n, 0.1)}
    x = {**{r.name: reads[r.name] for r in bargaining.READS}, "escalated": np.ones(n)}
    u = {"settlement_veto": np.ones(n), "settlement_breakdown": np.ones(n)}
    new = bargaining.step(s, x, _easy(n), u, StepContext(step=1, t=7.0, dt=7.0, n=n))
    assert (new["settled"] == 0).all()
    assert (new["war_intensity"] == 1.0).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), channel=st.sampled_from([0, 1, 2]))
def test_a_settlement_never_raises_war_intensity(drive, seed: int, channel: int) -> None:
    n = 24
    rng = np.random.default_rng(seed)
    shocks = {k: rng.random((60, n)) for k in ("settlement_veto", "settlement_breakdown",
                                               "escalation")}
    p = settlement_params(n, negotiation_channel=channel)
    out = drive(["politics", "bargaining"], p, n, 60, DT, shocks=shocks,
                inputs=war_state(n, ratio=float(rng.uniform(0.4, 1.5))))
    w = out["war_intensity"]
    assert np.all(w <= 1.0)
    assert np.all(np.where(out["settled"] > 0.5, w == p["ceasefire_war_intensity"], w == 1.0))
    assert np.all(np.diff(out["settlements"], axis=0) >= 0)


# --------------------------------------------------------------------------- reads
def test_every_read_is_declared() -> None:
    n = 6
    p = settlement_params(n, negotiation_channel=2)
    # five steps cross a month: the talks (and every read) run
    states = step_on_declared_names(bargaining.MODULE, p, n, steps=5,
                                    territory_ru_km2=108_000.0, combat_power_ratio=0.7,
                                    ua_casualties_cum=1e4, ru_casualties_cum=2e4)
    assert all(np.isfinite(st["ua_war_value"]).all() for st in states[4:])


def test_without_the_military_the_actors_assume_their_parameters(drive) -> None:
    """Territory, force ratio and casualties are "not observed" (NaN): parameters stand in."""
    n = 4
    p = settlement_params(n, negotiation_channel=0)
    alone = drive(["politics", "bargaining"], p, n, 9, DT)
    assert np.isfinite(alone["ru_war_value"][-1]).all()
    np.testing.assert_array_equal(alone["bargain_start_area"][-1], p["ru_held_area_start_km2"])
    np.testing.assert_array_equal(alone["bargain_ref_log_ratio"][-1],
                                  np.log(p["bargain_force_ratio_fallback"]))
    # no casualties observed: the rates stay at their reference
    for side in ("ua", "ru"):
        np.testing.assert_array_equal(alone[f"bargain_{side}_cas_rate"][-1],
                                      p[f"{side}_casualty_ref_rate"])
    # observed values take their place (the test has teeth)
    seen = drive(["politics", "bargaining"], p, n, 9, DT,
                 inputs={**war_state(n, area=100_000.0), "ua_casualties_cum": np.zeros(n)})
    np.testing.assert_array_equal(seen["bargain_start_area"][-1], np.full(n, 100_000.0))
    assert np.all(seen["bargain_ua_cas_rate"][-1] < p["ua_casualty_ref_rate"])
