"""The economy module: its reads, its stocks, and how its inputs move it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.model import economy
from detente.units import DAYS_PER_YEAR

NONNEGATIVE = ["ua_gdp_potential", "ua_capital", "ua_gdp", "ua_budget_uncovered",
               "ru_gdp_potential", "ru_gdp", "ru_sanctions_pressure", "ru_civil_strain"]


def test_every_read_is_declared(central) -> None:
    n = len(central["ua_gdp0"])
    states = step_on_declared_names(
        economy.MODULE, central, n, pop_home_ratio=0.9, ua_mobilised_extra=2e4,
        ua_held_ratio=0.95, strike_damage_rate=0.01, reconstruction_rate=0.02,
        ru_mobilised_extra=1e5, sanctions_relief=0.5)
    assert np.all(states[-1]["ua_gdp"] > 0.0)


def test_output_starts_at_its_initial_level(central) -> None:
    n = len(central["ua_gdp0"])
    s = economy.init(central, n, neutral_state(economy.MODULE, n))
    np.testing.assert_array_equal(s["ua_gdp"], central["ua_gdp0"] * DAYS_PER_YEAR)
    np.testing.assert_array_equal(s["ua_gdp_index"], 1.0)
    np.testing.assert_array_equal(s["ru_gdp"], 1.0)


@pytest.fixture(scope="module")
def draw(ukraine, canonical_params):
    return lambda seed: canonical_params(ukraine, 16, seed=seed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), damage=st.sampled_from([0.0, 0.05, 5.0]),
       home=st.floats(0.0, 1.2), relief=st.floats(0.0, 1.0))
def test_stocks_stay_non_negative(draw, drive, seed: int, damage: float, home: float,
                                  relief: float) -> None:
    n, steps = 16, 100
    p = draw(seed % 1000)
    given_ = {"strike_damage_rate": np.full(n, damage), "pop_home_ratio": np.full(n, home),
              "sanctions_relief": np.full(n, relief),
              "ua_mobilised_extra": np.full(n, 1e5), "ru_mobilised_extra": np.full(n, 5e5)}
    out = drive(["economy"], p, n, steps, 7.0, inputs=given_)
    for name, arr in out.items():
        assert np.isfinite(arr).all(), name
    for name in NONNEGATIVE:
        # a stock guarded against overshooting reaches zero up to rounding
        tol = 1e-12 * np.abs(out[name]).max(axis=0)
        assert (out[name] >= -tol).all(), (name, out[name].min())
    assert (out["ru_sanctions_pressure"] <= p["ru_sanctions_intensity"] * (1 + 1e-12)).all()


def test_inputs_act_in_the_right_direction(central, drive) -> None:
    n = len(central["ua_gdp0"])
    base = drive(["economy"], central, n, 52, 7.0)
    hit = drive(["economy"], central, n, 52, 7.0,
                inputs={"strike_damage_rate": np.full(n, 0.05)})
    assert np.all(hit["ua_capital"][-1] < base["ua_capital"][-1])
    assert np.all(hit["ua_gdp"][-1] < base["ua_gdp"][-1])
    relief = drive(["economy"], central, n, 52, 7.0,
                   inputs={"sanctions_relief": np.ones(n)})
    np.testing.assert_array_equal(relief["ru_sanctions_pressure"][1:], 0.0)
    assert np.all(relief["ru_gdp"][-1] > base["ru_gdp"][-1])
    fled = drive(["economy"], central, n, 52, 7.0, inputs={"pop_home_ratio": np.full(n, 0.8)})
    assert np.all(fled["ua_gdp"][1:] < base["ua_gdp"][1:])
