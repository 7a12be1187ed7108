"""Politics: elite pressure per side; credibility, aid and troops per supporter; escalation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.model import StepContext, politics
from detente.model.base import Cast, owned
from detente.units import conversion_factor

DT = 7.0
# blue has two supporters (one that may send troops, one that gives aid), red one
CAST = Cast(("blue", "red"), ("ally", "donor", "patron"), ("blue", "blue", "red"))
MODULE = politics.build(CAST)

#: Stated values in canonical units; every other parameter at its default.
STATED = {
    "red.elite_post_election_multiplier": 2.0,
    "donor.credibility_incumbent": 0.5,
    "donor.credibility_successor": 0.2,
    "donor.aid_cut_on_change": 0.6,
    "ally.troops_personnel": 40_000.0,
    "ally.deploy_time": 3 * conversion_factor("month", "day"),
    "ally.escalation_rate": 0.5 * conversion_factor("1/year", "1/day"),
}


def params(n: int, module=MODULE, **over: float) -> dict[str, np.ndarray]:
    """Every parameter at its default, then :data:`STATED`, then ``over`` (dotted names)."""
    p = {s.name: np.full(n, s.default) for s in module.params}
    for name, value in {**STATED, **over}.items():
        assert name in p, name
        p[name] = np.full(n, float(value))
    return p


def run(p, n: int, steps: int, shocks: np.ndarray | None = None, **inputs) -> dict:
    """Init and step politics alone, its reads held at ``inputs`` (else neutral)."""
    reads = {r.name: np.asarray(inputs.get(r.name, np.full(n, r.neutral)), dtype=float)
             for r in MODULE.reads}
    s = MODULE.init(p, n, dict(reads))
    out = {k: [v] for k, v in s.items()}
    for k in range(steps):
        u = {"escalation": np.full(n, 0.5) if shocks is None else shocks[k]}
        s = MODULE.step({**s, **reads}, reads, p, u,
                        StepContext(step=k, t=k * DT, dt=DT, n=n))
        for name, v in s.items():
            out[name].append(v)
    return {k: np.array(v) for k, v in out.items()}


def test_names_are_owned_by_sides_and_supporters() -> None:
    names = {v.name for v in MODULE.variables}
    assert names == {"blue.elite_pressure", "red.elite_pressure", "blue.allied_personnel",
                     "red.allied_personnel", "escalated", "escalation_hazard",
                     *(owned(a, v) for a in CAST.supporters
                       for v in ("deal_credibility", "aid_index", "troops"))}
    assert {r.name for r in MODULE.reads} == {"blue.civil_strain", "red.civil_strain",
                                              "war_intensity"}
    assert MODULE.shocks == ("escalation",)
    # every mechanism is off unless a scenario turns it on
    assert all(s.default is not None for s in MODULE.params)


def test_by_default_nothing_changes() -> None:
    n = 4
    p = {s.name: np.full(n, s.default) for s in MODULE.params}
    out = run(p, n, 30, shocks=np.zeros((30, n)),
              **{"blue.civil_strain": np.full(n, 0.3), "red.civil_strain": np.full(n, 0.2)})
    for a in CAST.supporters:
        np.testing.assert_array_equal(out[owned(a, "aid_index")], 1.0)
        np.testing.assert_array_equal(out[owned(a, "deal_credibility")], 1.0)
        np.testing.assert_array_equal(out[owned(a, "troops")], 0.0)
    for x in CAST.sides:
        np.testing.assert_array_equal(out[owned(x, "allied_personnel")], 0.0)
    np.testing.assert_array_equal(out["escalated"], 0.0)
    # elite pressure is the strain itself: without an election nothing amplifies it
    assert out["blue.elite_pressure"][-1] == pytest.approx(0.3)
    assert out["red.elite_pressure"][-1] == pytest.approx(0.2)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rate=st.floats(0.0, 0.05))
def test_escalation_is_absorbing(seed: int, rate: float) -> None:
    n, steps = 50, 156
    rng = np.random.default_rng(seed)
    # the war's intensity may fall (a ceasefire) or rise again: escalation still stays
    out = run(params(n, **{"ally.troops_deployed": 1, "ally.escalation_rate": rate}), n, steps,
              shocks=rng.random((steps, n)), war_intensity=rng.choice([0.1, 1.0], n))
    esc = out["escalated"]
    assert set(np.unique(esc)) <= {0.0, 1.0}
    assert np.all(np.diff(esc, axis=0) >= 0)  # once escalated, escalated for good


def test_escalation_stays_even_with_troops_withdrawn() -> None:
    n = 10
    reads = neutral_state(MODULE, n)
    s = {**MODULE.init(params(n), n, reads), **reads, "escalated": np.ones(n)}
    new = MODULE.step(s, reads, params(n), {"escalation": np.ones(n)},
                      StepContext(step=0, t=0.0, dt=DT, n=n))
    assert (new["escalated"] == 1.0).all()
    assert (new["escalation_hazard"] == 0.0).all()


def test_no_troops_no_escalation() -> None:
    n = 20
    rates = {owned(a, "escalation_rate"): 10.0 for a in CAST.supporters}
    out = run(params(n, **rates), n, 100, shocks=np.zeros((100, n)))
    assert not out["escalated"].any()
    assert not out["blue.allied_personnel"].any()


def test_troops_ramp_up_to_the_contingent_and_fight_with_the_side_supported() -> None:
    n = 3
    p = params(n, **{"ally.troops_deployed": 1, "patron.troops_deployed": 1,
                     "patron.troops_personnel": 5_000})
    out = run(p, n, 60, shocks=np.ones((60, n)))
    pers = out["blue.allied_personnel"]
    assert np.all(np.diff(pers, axis=0) >= 0)
    assert np.all(pers <= 40_000 + 1e-6)
    assert pers[-1] == pytest.approx(40_000, rel=0.02)
    np.testing.assert_array_equal(pers, out["ally.troops"])
    # the patron's deploy time is 0 (its default): its troops are there within a step
    np.testing.assert_array_equal(out["red.allied_personnel"][1:], 5_000.0)


def test_allied_personnel_sums_the_supporters_of_a_side() -> None:
    cast = Cast(("blue", "red"), ("ally", "friend", "patron"), ("blue", "blue", "red"))
    module = politics.build(cast)
    n = 2
    p = {s.name: np.full(n, s.default) for s in module.params}
    for a, size in (("ally", 1_000.0), ("friend", 250.0), ("patron", 70.0)):
        p[owned(a, "troops_deployed")] = np.ones(n)
        p[owned(a, "troops_personnel")] = np.full(n, size)
    states = step_on_declared_names(module, p, n, steps=1)
    np.testing.assert_array_equal(states[-1]["blue.allied_personnel"], 1_250.0)
    np.testing.assert_array_equal(states[-1]["red.allied_personnel"], 70.0)


def test_escalation_hazard_scales_with_troops_and_intensity() -> None:
    n = 2
    p = params(n, **{"ally.troops_deployed": 1, "ally.deploy_time": 0.0})
    rate = p["ally.escalation_rate"]
    full = run(p, n, 3, shocks=np.ones((3, n)), war_intensity=np.ones(n))
    calm = run(p, n, 3, shocks=np.ones((3, n)), war_intensity=np.full(n, 0.1))
    assert full["escalation_hazard"][-1] == pytest.approx(rate)
    assert calm["escalation_hazard"][-1] == pytest.approx(0.1 * rate)
    # a second contingent adds its own hazard, in proportion to its share present
    both = run(params(n, **{"ally.troops_deployed": 1, "ally.deploy_time": 0.0,
                            "patron.troops_deployed": 1, "patron.troops_personnel": 10.0,
                            "patron.escalation_rate": 0.002}),
               n, 3, shocks=np.ones((3, n)))
    assert both["escalation_hazard"][-1] == pytest.approx(rate + 0.002)


def test_elite_pressure_rises_after_the_election() -> None:
    n = 4
    strain = {"red.civil_strain": np.full(n, 0.2), "blue.civil_strain": np.full(n, 0.1)}
    before = run(params(n), n, 2, **strain)
    after = run(params(n, **{"red.elite_post_election": 1}), n, 2, **strain)
    assert before["red.elite_pressure"][-1] == pytest.approx(0.2)
    assert after["red.elite_pressure"][-1] == pytest.approx(0.4)
    # blue's elites answer blue's strain only; red's election leaves them as they were
    np.testing.assert_array_equal(after["blue.elite_pressure"], before["blue.elite_pressure"])
    assert after["blue.elite_pressure"][-1] == pytest.approx(0.1)
    np.testing.assert_array_equal(before["red.elite_pressure"][0], 0.0)


def test_credibility_and_aid_follow_the_supporters_leadership() -> None:
    n = 3
    ctx = StepContext(step=0, t=0.0, dt=DT, n=n)
    reads = neutral_state(MODULE, n)
    s = {**MODULE.init(params(n), n, reads), **reads}
    u = {"escalation": np.ones(n)}
    same = MODULE.step(s, reads, params(n), u, ctx)
    new = MODULE.step(s, reads, params(n, **{"donor.admin_changed": 1}), u, ctx)
    assert same["donor.deal_credibility"] == pytest.approx(0.5)
    assert new["donor.deal_credibility"] == pytest.approx(0.2)
    assert same["donor.aid_index"] == pytest.approx(1.0)
    assert new["donor.aid_index"] == pytest.approx(0.4)
    cut = MODULE.step(s, reads, params(n, **{"donor.aid_continuing": 0}), u, ctx)
    assert cut["donor.aid_index"] == pytest.approx(0.0)
    # another supporter's leadership and aid are its own
    for out in (same, new, cut):
        np.testing.assert_array_equal(out["patron.aid_index"], 1.0)
        np.testing.assert_array_equal(out["ally.deal_credibility"], 1.0)


def test_every_read_is_declared() -> None:
    n = 5
    states = step_on_declared_names(MODULE, params(n, **{"ally.troops_deployed": 1}), n,
                                    war_intensity=0.5, **{"red.civil_strain": 0.3})
    assert states[-1]["red.elite_pressure"] == pytest.approx(0.3)
    assert np.all(states[-1]["escalation_hazard"] > 0.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_troops_never_exceed_the_contingent_nor_go_negative(seed: int) -> None:
    n, steps = 30, 80
    rng = np.random.default_rng(seed)
    p = params(n, **{"ally.troops_deployed": 1})
    p["ally.troops_personnel"] = rng.uniform(0.0, 1e5, n)
    p["ally.deploy_time"] = rng.uniform(0.0, 400.0, n)
    p["donor.admin_changed"] = rng.choice([0.0, 1.0], n)
    p["donor.aid_cut_on_change"] = rng.uniform(0.0, 1.0, n)
    out = run(p, n, steps, shocks=rng.random((steps, n)))
    pers = out["blue.allied_personnel"]
    assert np.all(pers >= 0.0)
    assert np.all(pers <= p["ally.troops_personnel"] * (1 + 1e-12))
    assert np.all(out["escalation_hazard"] >= 0.0)
    for a in CAST.supporters:
        aid = out[owned(a, "aid_index")]
        assert np.all((aid >= 0.0) & (aid <= 1.0))


def test_in_ukraine_2023_only_the_alliance_sends_troops(ukraine, canonical_params) -> None:
    cast = ukraine.cast
    module = politics.build(cast)
    n = 8
    p = canonical_params(ukraine, n)
    p["nato.troops_deployed"] = np.ones(n)
    reads = neutral_state(module, n)
    s = module.init(p, n, reads)
    for k in range(30):
        s = module.step({**s, **reads}, reads, p, {"escalation": np.ones(n)},
                        StepContext(step=k, t=k * DT, dt=DT, n=n))
    supporters = cast.supporters_of("ukraine")
    assert "nato" in supporters
    np.testing.assert_array_equal(s["ukraine.allied_personnel"], s["nato.troops"])
    assert np.all(s["nato.troops"] > 0.0)
    np.testing.assert_array_equal(s["russia.allied_personnel"], 0.0)
    # only the United States may change administration; the others' aid continues in full
    for a in cast.supporters:
        if a != "united_states":
            np.testing.assert_array_equal(s[owned(a, "aid_index")], 1.0)
            np.testing.assert_array_equal(s[owned(a, "deal_credibility")], 1.0)
    np.testing.assert_array_equal(s["united_states.deal_credibility"],
                                  p["united_states.credibility_incumbent"])
