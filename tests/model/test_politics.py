"""Politics: escalation under option A, elite pressure, US credibility and aid; its reads."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.model import StepContext, politics
from detente.scenario.schema import Parameter
from detente.units import conversion_factor

DT = 7.0

_DEFAULTS = {
    "ru_elite_post_election": (0, "switch"),
    "ru_elite_post_election_multiplier": (2.0, "1"),
    "us_admin_changed": (0, "switch"),
    "us_credibility_incumbent": (0.5, "fraction"),
    "us_credibility_successor": (0.2, "fraction"),
    "us_aid_continuing": (1.0, "fraction"),
    "us_aid_cut_on_change": (0.6, "fraction"),
    "nato_troops_deployed": (0, "switch"),
    "nato_troops_personnel": (40_000, "persons"),
    "nato_deploy_time": (3, "month"),
    "nato_escalation_rate": (0.5, "1/year"),
}


def params(n: int, **over: float) -> dict[str, np.ndarray]:
    specs = {ps.name: ps for ps in politics.MODULE.params}
    assert set(specs) == set(_DEFAULTS)
    p = {}
    for name, (value, unit) in _DEFAULTS.items():
        par = Parameter(value=value, unit=unit, source="assumption")
        p[name] = np.full(n, par.central() * conversion_factor(unit, specs[name].unit))
    for k, v in over.items():
        p[k] = np.full(n, float(v))
    return p


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rate=st.floats(0.0, 0.05))
def test_escalation_is_absorbing(drive, seed: int, rate: float) -> None:
    n, steps = 50, 156
    rng = np.random.default_rng(seed)
    shocks = {"escalation": rng.random((steps, n))}
    # the war's intensity may fall (a ceasefire) or rise again: escalation still stays
    intensity = {"war_intensity": rng.choice([0.1, 1.0], n)}
    out = drive(["politics"], params(n, nato_troops_deployed=1, nato_escalation_rate=rate),
                n, steps, DT, shocks=shocks, inputs=intensity)
    esc = out["escalated"]
    assert set(np.unique(esc)) <= {0.0, 1.0}
    assert np.all(np.diff(esc, axis=0) >= 0)  # once escalated, escalated for good


def test_escalation_stays_even_with_troops_withdrawn(drive) -> None:
    n = 10
    reads = neutral_state(politics.MODULE, n)
    s = {**politics.init(params(n), n, reads), **reads, "escalated": np.ones(n)}
    p = params(n, nato_troops_deployed=0)
    new = politics.step(s, reads, p, {"escalation": np.ones(n)},
                        StepContext(step=0, t=0.0, dt=DT, n=n))
    assert (new["escalated"] == 1.0).all()


def test_no_troops_no_escalation(drive) -> None:
    n = 20
    out = drive(["politics"], params(n, nato_troops_deployed=0, nato_escalation_rate=10.0), n,
                100, DT, shocks={"escalation": np.zeros((100, n))})
    assert not out["escalated"].any()
    assert not out["nato_personnel"].any()


def test_troops_ramp_up_to_the_contingent(drive) -> None:
    n = 3
    p = params(n, nato_troops_deployed=1)
    out = drive(["politics"], p, n, 60, DT, shocks={"escalation": np.ones((60, n))})
    pers = out["nato_personnel"]
    assert np.all(np.diff(pers, axis=0) >= 0)
    assert np.all(pers <= 40_000 + 1e-6)
    assert pers[-1] == pytest.approx(40_000, rel=0.02)


def test_escalation_hazard_scales_with_troops_and_intensity(drive) -> None:
    n = 2
    p = params(n, nato_troops_deployed=1, nato_deploy_time=0.0)
    full = drive(["politics"], p, n, 3, DT, shocks={"escalation": np.ones((3, n))},
                 inputs={"war_intensity": np.ones(n)})
    calm = drive(["politics"], p, n, 3, DT, shocks={"escalation": np.ones((3, n))},
                 inputs={"war_intensity": np.full(n, 0.1)})
    assert full["escalation_hazard"][-1] == pytest.approx(p["nato_escalation_rate"])
    assert calm["escalation_hazard"][-1] == pytest.approx(0.1 * p["nato_escalation_rate"])


def test_elite_pressure_rises_after_the_election(drive) -> None:
    n = 4
    strain = {"ru_civil_strain": np.full(n, 0.2)}
    before = drive(["politics"], params(n), n, 2, DT, inputs=strain)
    after = drive(["politics"], params(n, ru_elite_post_election=1), n, 2, DT,
                  inputs=strain)
    assert before["ru_elite_pressure"][-1] == pytest.approx(0.2)
    assert after["ru_elite_pressure"][-1] == pytest.approx(0.4)


def test_credibility_and_aid_follow_the_administration() -> None:
    n = 3
    ctx = StepContext(step=0, t=0.0, dt=DT, n=n)
    reads = neutral_state(politics.MODULE, n)
    s = {**politics.init(params(n), n, reads), **reads}
    u = {"escalation": np.ones(n)}
    same = politics.step(s, reads, params(n), u, ctx)
    new = politics.step(s, reads, params(n, us_admin_changed=1), u, ctx)
    assert same["us_deal_credibility"] == pytest.approx(0.5)
    assert new["us_deal_credibility"] == pytest.approx(0.2)
    assert same["us_aid_index"] == pytest.approx(1.0)
    assert new["us_aid_index"] == pytest.approx(0.4)
    cut = politics.step(s, reads, params(n, us_aid_continuing=0), u, ctx)
    assert cut["us_aid_index"] == pytest.approx(0.0)


def test_every_read_is_declared() -> None:
    n = 5
    states = step_on_declared_names(politics.MODULE, params(n, nato_troops_deployed=1), n,
                                    ru_civil_strain=0.3, war_intensity=0.5)
    assert states[-1]["ru_elite_pressure"] == pytest.approx(0.3)
    assert np.all(states[-1]["escalation_hazard"] > 0.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_troops_never_exceed_the_contingent_nor_go_negative(drive, seed: int) -> None:
    n, steps = 30, 80
    rng = np.random.default_rng(seed)
    p = params(n, nato_troops_deployed=1)
    p["nato_troops_personnel"] = rng.uniform(0.0, 1e5, n)
    p["nato_deploy_time"] = rng.uniform(0.0, 400.0, n)
    out = drive(["politics"], p, n, steps, DT, shocks={"escalation": rng.random((steps, n))})
    pers = out["nato_personnel"]
    assert np.all(pers >= 0.0)
    assert np.all(pers <= p["nato_troops_personnel"] * (1 + 1e-12))
    assert np.all(out["escalation_hazard"] >= 0.0)
    assert np.all((out["us_aid_index"] >= 0.0) & (out["us_aid_index"] <= 1.0))
