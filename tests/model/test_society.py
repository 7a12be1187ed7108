"""The society module: built for any cast, a closed population, viability in [0, 1].

Most tests build the module for a made-up cast (``blue`` and ``red``) with hand-made
parameters: ``blue``'s society is modelled, ``red``'s left at its defaults.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.model import society
from detente.model.base import Cast, owned

N = 4
CAST = Cast(sides=("blue", "red"), supporters=("donor",), supports=("blue",))
MODULE = society.build(CAST)

#: A society like the one ukraine-2023 models, per day.
SOCIETY = {"pop_home0": 3.1e7, "refugees0": 6.3e6, "pop_occupied0": 5e6,
           "refugee_net_outflow": 754.0, "return_rate": 1.4e-4, "flight_strike_share": 0.5,
           "return_security_sens": 2.0, "return_recon_sens": 5.0, "front_density": 0.3,
           "recon_rate0": 0.015, "recon_rate_secure": 0.133, "recon_lag": 180.0,
           "recon_needs": 486.0, "guarantee_effect": 0.6, "gdp_shortfall0": 0.3,
           "viab_w_pop": 1.0, "viab_w_econ": 1.0, "viab_w_recon": 1.0, "viab_w_mil": 1.0}
#: The war around it: the enemy holds 108,000 km2 of blue's land and gains a little.
WAR = {"red.territory": 1.08e5, "blue.held_km2": 4.95e5, "red.territory_change": 1.6,
       "blue.killed_rate": 100.0, "blue.strike_civilian_deaths": 3.0}

POPULATION = ("pop_home", "refugees_abroad", "pop_occupied", "pop_dead")


def params(cast: Cast = CAST, side: str | None = "blue", n: int = N, **override: float
           ) -> dict[str, np.ndarray]:
    """Every parameter at its default, with ``side``'s society as :data:`SOCIETY`."""
    p = {spec.name: np.full(n, spec.default) for spec in society.build(cast).params
         if spec.default is not None}
    if side is not None:
        p.update({owned(side, k): np.full(n, v) for k, v in SOCIETY.items()})
    p.update({k: np.full(n, v) for k, v in override.items()})
    return p


def run(p: dict[str, np.ndarray], steps: int = 52, dt: float = 7.0, **inputs: float
        ) -> list[dict[str, np.ndarray]]:
    """Init and ``steps`` steps with every read held at its neutral value or as given."""
    return step_on_declared_names(MODULE, p, N, dt=dt, steps=steps, **{**WAR, **inputs})


def test_the_module_is_built_for_the_cast() -> None:
    assert {"blue.pop_home0", "red.pop_home0", "blue.guarantee_effect",
            "red.viab_w_mil"} <= {spec.name for spec in MODULE.params}
    assert {"blue.viability", "red.pop_home_ratio"} <= set(MODULE.variable_names)
    # a side's people are occupied by its enemy: each reads the other's front line
    reads = {r.name for r in MODULE.reads}
    assert {"red.territory_change", "blue.territory_change", "red.territory",
            "blue.held_km2", "settlement_guarantee"} <= reads
    assert all(spec.default is not None for spec in society.PARAMS)


def test_three_sides_are_refused() -> None:
    with pytest.raises(ValueError, match="two sides"):
        society.build(Cast(sides=("blue", "red", "green")))


def test_every_read_is_declared() -> None:
    states = run(params(), steps=3, **{"blue.security_risk": 1.5,
                                      "settlement_guarantee": 0.5,
                                      "red.territory_change": 20.0, "blue.gdp_index": 0.9,
                                      "blue.combat_power_ratio": 0.7})
    assert np.all(states[-1]["blue.pop_occupied"] > SOCIETY["pop_occupied0"])


def test_initial_viability_uses_the_military_balance_it_is_given() -> None:
    p = params()
    weak = MODULE.init(p, N, neutral_state(MODULE, N, **{"blue.combat_power_ratio": 0.2}))
    strong = MODULE.init(p, N, neutral_state(MODULE, N, **{"blue.combat_power_ratio": 5.0}))
    assert np.all(weak["blue.viability"] < strong["blue.viability"])


def test_a_side_left_at_its_defaults_is_inert() -> None:
    # red's society is not modelled: whatever happens to red, nothing moves, nothing is NaN,
    # and it reads as neutral to the modules that read it
    states = run(params(), **{"red.killed_rate": 500.0, "blue.territory_change": 30.0,
                              "red.security_risk": 3.0, "red.strike_civilian_deaths": 9.0,
                              "settlement_guarantee": 1.0, "red.combat_power_ratio": 0.1})
    for s in states:
        for base in (*POPULATION, "reconstruction_rate", "reconstruction_cum",
                     "reconstruction_investment"):
            np.testing.assert_array_equal(s[owned("red", base)], 0.0)
        np.testing.assert_array_equal(s["red.pop_home_ratio"], 1.0)
        np.testing.assert_array_equal(s["red.viability"], 1.0)


@settings(max_examples=25, deadline=None)
@given(risk=st.floats(0.0, 5.0), front=st.sampled_from([-3000.0, 0.0, 40.0, 5000.0]),
       killed=st.sampled_from([0.0, 300.0, 1e6]), dt=st.sampled_from([1.0, 7.0, 30.0]),
       guarantee=st.floats(0.0, 1.0), back=st.sampled_from([0.0, 100.0]))
def test_population_is_closed_and_viability_bounded(risk: float, front: float,
                                                    killed: float, dt: float,
                                                    guarantee: float, back: float) -> None:
    # red's society modelled too, so that blue's front gains occupy red's people
    p = params(**{owned("red", k): v for k, v in SOCIETY.items()})
    states = run(p, steps=80, dt=dt, **{
        "blue.security_risk": risk, "red.territory_change": front, "blue.killed_rate": killed,
        "settlement_guarantee": guarantee, "blue.territory_change": back,
        "blue.territory": 1e4, "red.held_km2": 1.7e7, "red.killed_rate": killed})
    for side in CAST.sides:
        total0 = sum(SOCIETY[k] for k in ("pop_home0", "refugees0", "pop_occupied0"))
        for s in states:
            for base in (*POPULATION, "reconstruction_rate", "reconstruction_cum",
                         "reconstruction_investment"):
                arr = s[owned(side, base)]
                assert (arr >= -1e-12 * total0).all(), (side, base, arr.min())
            total = sum(s[owned(side, base)] for base in POPULATION)
            np.testing.assert_allclose(total, total0, rtol=1e-12)
            v = s[owned(side, "viability")]
            assert ((v >= 0.0) & (v <= 1.0)).all()


def test_the_enemys_gains_occupy_and_its_losses_free_people() -> None:
    still = run(params(), **{"red.territory_change": 0.0})[-1]
    gains = run(params(), **{"red.territory_change": 50.0})[-1]
    losses = run(params(), **{"red.territory_change": -50.0})[-1]
    assert np.all(gains["blue.pop_occupied"] > still["blue.pop_occupied"])
    assert np.all(losses["blue.pop_occupied"] < still["blue.pop_occupied"])
    assert np.all(losses["blue.pop_home"] > still["blue.pop_home"])
    # blue's own gains of red's land move none of blue's people
    own = run(params(), **{"red.territory_change": 0.0, "blue.territory_change": 50.0})[-1]
    np.testing.assert_array_equal(own["blue.pop_occupied"], still["blue.pop_occupied"])


def test_a_guarantee_brings_investment_and_returns() -> None:
    none = run(params())[-1]
    full = run(params(), settlement_guarantee=1.0)[-1]
    assert np.all(full["blue.reconstruction_cum"] > none["blue.reconstruction_cum"])
    assert np.all(full["blue.refugees_abroad"] < none["blue.refugees_abroad"])
    # a side whose perceived risk no guarantee changes gains nothing from one
    p = params(**{"blue.guarantee_effect": 0.0})
    np.testing.assert_array_equal(run(p, settlement_guarantee=1.0)[-1]["blue.viability"],
                                  run(p)[-1]["blue.viability"])


def test_viability_weights_pick_their_component() -> None:
    # with only the military weight, viability is CP / (1 + CP)
    p = params(**{"blue.viab_w_pop": 0.0, "blue.viab_w_econ": 0.0, "blue.viab_w_recon": 0.0})
    s = run(p, steps=1, **{"blue.combat_power_ratio": 3.0})[-1]
    np.testing.assert_allclose(s["blue.viability"], 0.75, rtol=1e-15)


def test_the_code_does_not_depend_on_which_side_is_which() -> None:
    mirror = Cast(sides=("red", "blue"), supporters=("donor",), supports=("blue",))
    ours = run(params(), settlement_guarantee=0.3)
    theirs = step_on_declared_names(society.build(mirror), params(mirror), N, steps=52,
                                    **{**WAR, "settlement_guarantee": 0.3})
    for a, b in zip(ours, theirs, strict=True):
        assert a.keys() == b.keys()
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
