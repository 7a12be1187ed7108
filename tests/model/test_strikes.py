"""The strikes module: its reads, its stocks and the security-risk index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import step_on_declared_names

from detente.model import strikes

STOCKS = ["ru_missiles", "ru_shaheds", "ru_missiles_campaign", "ru_shaheds_campaign",
          "ua_interceptors", "security_risk", "strike_damage_cum", "strike_hits",
          "strike_damage_rate", "strike_civilian_deaths"]


def test_every_read_is_declared(central) -> None:
    n = len(central["ru_missiles0"])
    states = step_on_declared_names(strikes.MODULE, central, n, war_intensity=0.7,
                                    ua_interceptor_aid=3.0)
    assert np.all(states[-1]["strike_hits"] > 0.0)


def test_the_risk_index_starts_at_one_and_the_reference_is_the_first_damage(central) -> None:
    n = len(central["ru_missiles0"])
    s = strikes.init(central, n, {})
    np.testing.assert_array_equal(s["security_risk"], 1.0)
    np.testing.assert_array_equal(s["strike_damage_ref"], s["strike_damage_rate"])


@pytest.fixture(scope="module")
def draw(ukraine, canonical_params):
    return lambda seed: canonical_params(ukraine, 16, seed=seed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), war=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)),
       aid=st.sampled_from([0.0, 1.0, 50.0]), dt=st.sampled_from([1.0, 7.0, 30.0]))
def test_stocks_stay_non_negative_and_damage_accumulates(draw, drive, seed: int, war: float,
                                                         aid: float, dt: float) -> None:
    n, steps = 16, 80
    p = draw(seed % 1000)
    rng = np.random.default_rng(seed)
    p["ru_missile_launch_rate"] = p["ru_missile_launch_rate"] * rng.uniform(0.5, 50.0, n)
    out = drive(["strikes"], p, n, steps, dt,
                inputs={"war_intensity": np.full(n, war), "ua_interceptor_aid": np.full(n, aid)})
    for name in STOCKS:
        tol = 1e-12 * np.abs(out[name]).max(axis=0)
        assert (out[name] >= -tol).all(), (name, out[name].min())
    assert (np.diff(out["strike_damage_cum"], axis=0) >= 0.0).all()
    if war == 1.0:  # at war the campaign stocks are the stocks
        np.testing.assert_array_equal(out["ru_missiles_campaign"], out["ru_missiles"])


def test_a_ceasefire_stockpiles_and_strikes_only_a_share(central, drive) -> None:
    n = len(central["ru_missiles0"])
    war = drive(["strikes"], central, n, 20, 7.0)
    truce = drive(["strikes"], central, n, 20, 7.0, inputs={"war_intensity": np.full(n, 0.1)})
    assert np.all(truce["ru_missiles"][-1] > war["ru_missiles"][-1])
    np.testing.assert_allclose(truce["strike_hits"][1], 0.1 * war["strike_hits"][1],
                               rtol=0.2)
    assert np.all(truce["security_risk"][-1] < war["security_risk"][-1])
    # the campaign a truce shadows is the war's own
    np.testing.assert_allclose(truce["ru_missiles_campaign"], war["ru_missiles"], rtol=1e-12)


def test_aid_interceptors_protect(central, drive) -> None:
    n = len(central["ru_missiles0"])
    none = drive(["strikes"], central, n, 30, 7.0)
    aid = drive(["strikes"], central, n, 30, 7.0,
                inputs={"ua_interceptor_aid": np.full(n, 20.0)})
    assert np.all(aid["ua_interceptors"][-1] > none["ua_interceptors"][-1])
    assert np.all(aid["strike_damage_cum"][-1] < none["strike_damage_cum"][-1])
