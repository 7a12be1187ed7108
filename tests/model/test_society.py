"""The society module: its reads, a closed population, viability in [0, 1]."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.model import society

NONNEGATIVE = ["pop_home", "refugees_abroad", "pop_occupied", "pop_dead",
               "reconstruction_rate", "reconstruction_cum", "reconstruction_investment"]


def test_every_read_is_declared(central) -> None:
    n = len(central["ua_pop_home0"])
    states = step_on_declared_names(
        society.MODULE, central, n, security_risk=1.5, settlement_guarantee=0.5,
        territory_change=20.0, territory_ru_km2=108_000.0, ua_held_km2=495_000.0,
        ua_killed_rate=100.0, strike_civilian_deaths=5.0, ua_gdp_index=0.9,
        combat_power_ratio=0.7)
    assert np.all(states[-1]["pop_occupied"] > central["ua_pop_occupied0"])


def test_initial_viability_uses_the_military_balance_it_is_given(central) -> None:
    n = len(central["ua_pop_home0"])
    weak = society.init(central, n, neutral_state(society.MODULE, n, combat_power_ratio=0.2))
    strong = society.init(central, n, neutral_state(society.MODULE, n, combat_power_ratio=5.0))
    assert np.all(weak["viability"] < strong["viability"])


@pytest.fixture(scope="module")
def draw(ukraine, canonical_params):
    return lambda seed: canonical_params(ukraine, 16, seed=seed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), risk=st.floats(0.0, 5.0),
       front=st.sampled_from([-3000.0, 0.0, 40.0, 5000.0]),
       killed=st.sampled_from([0.0, 300.0, 1e6]), dt=st.sampled_from([1.0, 7.0, 30.0]))
def test_population_is_closed_and_viability_bounded(draw, drive, seed: int, risk: float,
                                                    front: float, killed: float,
                                                    dt: float) -> None:
    n, steps = 16, 80
    p = draw(seed % 1000)
    given_ = {"security_risk": np.full(n, risk), "territory_change": np.full(n, front),
              "ua_killed_rate": np.full(n, killed), "territory_ru_km2": np.full(n, 1e5),
              "ua_held_km2": np.full(n, 5e5)}
    out = drive(["society"], p, n, steps, dt, inputs=given_)
    for name in NONNEGATIVE:
        tol = 1e-12 * np.abs(out[name]).max(axis=0)
        assert (out[name] >= -tol).all(), (name, out[name].min())
    total = out["pop_home"] + out["refugees_abroad"] + out["pop_occupied"] + out["pop_dead"]
    np.testing.assert_allclose(total, np.broadcast_to(total[0], total.shape), rtol=1e-12)
    assert ((out["viability"] >= 0.0) & (out["viability"] <= 1.0)).all()


def test_a_guarantee_brings_investment_and_returns(central, drive) -> None:
    n = len(central["ua_pop_home0"])
    none = drive(["society"], central, n, 52, 7.0)
    full = drive(["society"], central, n, 52, 7.0,
                 inputs={"settlement_guarantee": np.ones(n)})
    assert np.all(full["reconstruction_cum"][-1] > none["reconstruction_cum"][-1])
    assert np.all(full["refugees_abroad"][-1] < none["refugees_abroad"][-1])
