"""The strikes module: each side strikes its enemy; stocks, interceptions and the risk index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import step_on_declared_names

from detente.model import StepContext, strikes
from detente.model.base import Cast, owned

CAST = Cast(("blue", "red"))
MODULE = strikes.build(CAST)

#: A barrage of red's on blue in canonical units (about ukraine-2023's medians).
RED_STRIKES = {
    "red.missiles0": 1000.0, "red.missile_production": 4.0, "red.missile_launch_rate": 0.006,
    "red.strike_drones0": 800.0, "red.strike_drone_production": 10.7,
    "red.strike_drone_launch_rate": 0.01,
}
BLUE_DEFENDS = {
    "blue.interceptors0": 1000.0, "blue.interceptor_production": 1.0,
    "blue.intercept_max_missile": 0.7, "blue.intercept_max_drone": 0.93,
    "blue.interceptor_half_sat": 200.0, "blue.interceptors_per_missile": 2.0,
    "blue.interceptors_per_drone": 0.3,
    "blue.strike_damage_per_missile": 0.008, "blue.strike_damage_per_drone": 0.0025,
    "blue.strike_deaths_per_missile": 0.9, "blue.strike_deaths_per_drone": 0.3,
}
STOCKS = ["missiles", "strike_drones", "missiles_campaign", "strike_drones_campaign",
          "interceptors", "security_risk", "strike_damage_cum", "strike_hits",
          "strike_damage_rate", "strike_civilian_deaths"]


def params(n: int, module=MODULE, **given: float) -> dict[str, np.ndarray]:
    """Every parameter at its default, ``security_lag`` 90 days, then ``given``."""
    p = {s.name: np.full(n, s.default if s.default is not None else np.nan)
         for s in module.params}
    p["security_lag"] = np.full(n, 90.0)
    for name, value in given.items():
        p[name] = np.full(n, float(value))
    assert not any(np.isnan(v).any() for v in p.values())
    return p


def barrage(n: int, **over: float) -> dict[str, np.ndarray]:
    return params(n, **{**RED_STRIKES, **BLUE_DEFENDS, **over})


def run(p, n: int, steps: int, dt: float, module=MODULE, **inputs: np.ndarray
        ) -> dict[str, np.ndarray]:
    """Init and step ``module`` alone, its reads held at ``inputs`` (else neutral)."""
    reads = {r.name: np.asarray(inputs.get(r.name, np.full(n, r.neutral)), dtype=float)
             for r in module.reads}
    s = module.init(p, n, dict(reads))
    out = {k: [v] for k, v in s.items()}
    for k in range(steps):
        s = module.step({**s, **reads}, reads, p, {},
                        StepContext(step=k, t=k * dt, dt=dt, n=n))
        for name, v in s.items():
            out[name].append(v)
    return {k: np.array(v) for k, v in out.items()}


def test_names_are_owned_by_each_side() -> None:
    params_ = {s.name for s in MODULE.params}
    assert {"red.missiles0", "blue.missiles0", "blue.interceptors0", "red.interceptors0",
            "blue.strike_damage_per_missile", "security_lag"} <= params_
    assert {r.name for r in MODULE.reads} == {"war_intensity", "blue.interceptor_aid",
                                              "red.interceptor_aid"}
    assert {v.name for v in MODULE.variables} == {owned(x, v) for x in ("blue", "red")
                                                  for v in [*STOCKS, "strike_damage_ref"]}
    named = strikes.build(Cast(("north", "south"), names=(("north", "Northland"),)))
    desc = {s.name: s.description for s in named.params}
    assert desc["north.missiles0"] == "Northland's long-range missile stock at the start."
    assert desc["south.missiles0"] == "south's long-range missile stock at the start."


def test_only_the_perception_lag_must_be_stated() -> None:
    assert [s.name for s in MODULE.params if s.default is None] == ["security_lag"]


def test_a_war_of_three_sides_is_refused() -> None:
    with pytest.raises(ValueError, match="joins two sides; the scenario has 3"):
        strikes.build(Cast(("blue", "red", "green")))


def test_every_read_is_declared() -> None:
    n = 4
    states = step_on_declared_names(MODULE, barrage(n), n, war_intensity=0.7,
                                    **{"blue.interceptor_aid": 3.0})
    assert np.all(states[-1]["blue.strike_hits"] > 0.0)
    assert np.all(states[-1]["red.strike_hits"] == 0.0)


def test_by_default_nobody_strikes_and_nothing_moves() -> None:
    n = 3
    out = run(params(n), n, 20, 7.0, **{"blue.interceptor_aid": np.zeros(n)})
    for x in ("blue", "red"):
        np.testing.assert_array_equal(out[owned(x, "security_risk")], 1.0)
        for name in ("missiles", "strike_drones", "interceptors", "strike_damage_cum",
                     "strike_hits", "strike_civilian_deaths"):
            np.testing.assert_array_equal(out[owned(x, name)], 0.0)


def test_a_side_nobody_strikes_keeps_its_risk_at_one() -> None:
    n = 3
    out = run(barrage(n), n, 30, 7.0)
    np.testing.assert_array_equal(out["red.security_risk"], 1.0)
    np.testing.assert_array_equal(out["red.strike_damage_cum"], 0.0)
    assert np.all(out["blue.strike_damage_cum"][-1] > 0.0)
    # the campaign a side wages draws down its own stocks, not its enemy's
    assert np.all(out["red.missiles"][-1] != out["red.missiles"][0])
    np.testing.assert_array_equal(out["blue.missiles"], 0.0)


def test_the_risk_index_starts_at_one_and_the_reference_is_the_first_damage() -> None:
    n = 4
    s = MODULE.init(barrage(n), n, {})
    np.testing.assert_array_equal(s["blue.security_risk"], 1.0)
    np.testing.assert_array_equal(s["blue.strike_damage_ref"], s["blue.strike_damage_rate"])
    assert np.all(s["blue.strike_damage_ref"] > 0.0)


def mirror(name: str) -> str:
    side, dot, base = name.partition(".")
    return {"blue": "red", "red": "blue"}.get(side, side) + dot + base if dot else name


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), dt=st.sampled_from([1.0, 7.0, 30.0]))
def test_the_sides_are_treated_alike(seed: int, dt: float) -> None:
    # swapping every side-owned parameter between the sides swaps every result, bit for bit
    n, steps = 8, 40
    rng = np.random.default_rng(seed)
    p = barrage(n)
    for name in [*RED_STRIKES, *BLUE_DEFENDS]:
        cap = 1.0 if "intercept_max" in name else np.inf
        p[name] = np.minimum(p[name] * rng.uniform(0.2, 3.0, n), cap)
        p[mirror(name)] = np.minimum(p[name] * rng.uniform(0.2, 3.0, n), cap)
    war = rng.choice([0.1, 1.0], n)
    aid = {"blue.interceptor_aid": rng.uniform(0, 5, n), "red.interceptor_aid": np.zeros(n)}
    swapped = {mirror(k): v for k, v in p.items()}
    a = run(p, n, steps, dt, war_intensity=war, **aid)
    b = run(swapped, n, steps, dt, war_intensity=war, **{mirror(k): v for k, v in aid.items()})
    for name, values in a.items():
        np.testing.assert_array_equal(values, b[mirror(name)], err_msg=name)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), war=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)),
       aid=st.sampled_from([0.0, 1.0, 50.0]), dt=st.sampled_from([1.0, 7.0, 30.0]))
def test_stocks_stay_non_negative_and_damage_accumulates(seed: int, war: float, aid: float,
                                                         dt: float) -> None:
    n, steps = 16, 80
    rng = np.random.default_rng(seed)
    p = barrage(n)
    for name in [*RED_STRIKES, *BLUE_DEFENDS]:
        p[name] = p[name] * rng.uniform(0.3, 3.0, n)
    p["blue.intercept_max_drone"] = np.minimum(p["blue.intercept_max_drone"], 1.0)
    p["blue.intercept_max_missile"] = np.minimum(p["blue.intercept_max_missile"], 1.0)
    p["red.missile_launch_rate"] = p["red.missile_launch_rate"] * rng.uniform(0.5, 50.0, n)
    out = run(p, n, steps, dt, war_intensity=np.full(n, war),
              **{"blue.interceptor_aid": np.full(n, aid)})
    for x in ("blue", "red"):
        for name in STOCKS:
            v = out[owned(x, name)]
            tol = 1e-12 * np.abs(v).max(axis=0)
            assert (v >= -tol).all(), (x, name, v.min())
    assert (np.diff(out["blue.strike_damage_cum"], axis=0) >= 0.0).all()
    if war == 1.0:  # at war the campaign stocks are the stocks
        np.testing.assert_array_equal(out["red.missiles_campaign"], out["red.missiles"])


def test_a_ceasefire_stockpiles_and_strikes_only_a_share() -> None:
    n = 4
    war = run(barrage(n), n, 20, 7.0)
    truce = run(barrage(n), n, 20, 7.0, war_intensity=np.full(n, 0.1))
    assert np.all(truce["red.missiles"][-1] > war["red.missiles"][-1])
    np.testing.assert_allclose(truce["blue.strike_hits"][1], 0.1 * war["blue.strike_hits"][1],
                               rtol=0.2)
    assert np.all(truce["blue.security_risk"][-1] < war["blue.security_risk"][-1])
    # the campaign a truce shadows is the war's own
    np.testing.assert_allclose(truce["red.missiles_campaign"], war["red.missiles"], rtol=1e-12)


def test_aid_interceptors_protect() -> None:
    n = 4
    none = run(barrage(n), n, 30, 7.0)
    aid = run(barrage(n), n, 30, 7.0, **{"blue.interceptor_aid": np.full(n, 20.0)})
    assert np.all(aid["blue.interceptors"][-1] > none["blue.interceptors"][-1])
    assert np.all(aid["blue.strike_damage_cum"][-1] < none["blue.strike_damage_cum"][-1])
    # another side's aid does not protect blue
    other = run(barrage(n), n, 30, 7.0, **{"red.interceptor_aid": np.full(n, 20.0)})
    np.testing.assert_array_equal(other["blue.strike_damage_cum"], none["blue.strike_damage_cum"])


def test_in_ukraine_2023_one_side_strikes_the_other(ukraine, canonical_params) -> None:
    module = strikes.build(ukraine.cast)
    n = 16
    p = canonical_params(ukraine, n)
    out = run(p, n, 52, 7.0, module=module)
    # the attacker's arsenal and the defender's air defence are stated; the rest is default
    assert np.all(out["ukraine.strike_hits"][0] > 0.0)
    assert np.all(out["ukraine.strike_damage_cum"][-1] > 0.0)
    np.testing.assert_array_equal(out["russia.strike_hits"], 0.0)
    np.testing.assert_array_equal(out["russia.security_risk"], 1.0)
    np.testing.assert_array_equal(out["ukraine.missiles"], 0.0)
    np.testing.assert_array_equal(out["russia.interceptors"], 0.0)
