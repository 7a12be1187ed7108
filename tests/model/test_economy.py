"""The economy module: built for any cast, inert by default, and how its inputs move it.

Most tests build the module for a made-up cast (``blue`` and ``red``, their supporters) with
hand-made parameters: ``blue`` a war-torn economy financed by donors, ``red`` a war economy
under sanctions, each with the other model left at its defaults.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_helpers import neutral_state, step_on_declared_names

from detente.model import economy
from detente.model.base import Cast, owned
from detente.units import DAYS_PER_YEAR

N = 4
CAST = Cast(sides=("blue", "red"), supporters=("donor", "lender", "patron"),
            supports=("blue", "blue", "red"))
MODULE = economy.build(CAST)

#: The war-torn economy (blue) and the war economy under sanctions (red), per day.
TORN = {"gdp0": 0.5, "gdp_trend": 0.0001, "capital0": 400.0, "capital_elasticity": 0.33,
        "employment0": 1.1e7, "budget_gap0": 0.2, "tax_share": 0.28,
        "fiscal_penalty": 0.001}
WAR = {"gdp_growth_potential": 4e-5, "milex_share": 0.06, "milex_neutral": 0.033,
       "og_per_milex": 0.75, "og_per_mobilised": 1.0, "labour_force": 7.5e7,
       "output_gap0": 0.02, "og_lag": 180.0, "inflation0": 0.0002, "inflation_target": 1e-4,
       "phillips": 0.0046, "inflation_lag": 180.0, "sanctions_intensity": 1.0,
       "coping0": 0.5, "coping_rate": 0.0007, "sanctions_drag": 5e-5, "peace_growth": 5e-5,
       "peace_gap0": 0.03}
FINANCE = {"donor": 0.03, "lender": 0.08, "patron": 0.05}


def params(cast: Cast = CAST, torn: str | None = "blue", war: str | None = "red",
           n: int = N, **override: float) -> dict[str, np.ndarray]:
    """Every parameter of the module: the defaults, ``torn`` and ``war`` sides' models."""
    p = {spec.name: np.full(n, spec.default) for spec in economy.build(cast).params
         if spec.default is not None}
    for side, values in ((torn, TORN), (war, WAR)):
        if side is not None:
            p.update({owned(side, k): np.full(n, v) for k, v in values.items()})
    p.update({owned(s, "fin_aid"): np.full(n, FINANCE[s]) for s in cast.supporters
              if s in FINANCE})
    p.update({k: np.full(n, v) for k, v in override.items()})
    return p


def run(p: dict[str, np.ndarray], steps: int = 52, **inputs: float
        ) -> list[dict[str, np.ndarray]]:
    """Init and ``steps`` weekly steps with every read held at its neutral value or as given."""
    return step_on_declared_names(MODULE, p, N, dt=7.0, steps=steps, **inputs)


def test_the_module_is_built_for_the_cast() -> None:
    names = {spec.name for spec in MODULE.params}
    assert {"blue.gdp0", "red.gdp0", "red.sanctions_intensity", "donor.fin_aid",
            "patron.fin_aid", "lender.fin_aid_indexed"} <= names
    assert not any("{owner}" in spec.description for spec in MODULE.params)
    assert {"blue.gdp_index", "red.civil_strain", "red.inflation"} <= set(
        MODULE.variable_names)
    reads = {r.name for r in MODULE.reads}
    assert {"blue.mobilised_extra", "red.held_ratio", "red.strike_damage_rate",
            "blue.reconstruction_rate", "patron.aid_index", "sanctions_relief"} <= reads
    assert economy.build(CAST) is MODULE  # built once per cast
    spec = next(s for s in MODULE.params if s.name == "red.gdp0")
    assert spec.owner == "red"
    assert spec.description.startswith("red's GDP")


def test_every_parameter_has_a_neutral_default() -> None:
    # a side states only the economy it models: every other parameter may be left out
    assert all(spec.default is not None for spec in economy.PARAMS)


def test_every_read_is_declared() -> None:
    states = run(params(), steps=3, **{
        "blue.pop_home_ratio": 0.9, "blue.mobilised_extra": 2e4, "blue.held_ratio": 0.95,
        "blue.strike_damage_rate": 0.01, "blue.reconstruction_rate": 0.02,
        "red.mobilised_extra": 1e5, "sanctions_relief": 0.5, "donor.aid_index": 0.5})
    assert np.all(states[-1]["blue.gdp"] > 0.0)


def test_output_starts_at_its_initial_level() -> None:
    p = params()
    s = MODULE.init(p, N, neutral_state(MODULE, N))
    np.testing.assert_array_equal(s["blue.gdp"], TORN["gdp0"] * DAYS_PER_YEAR)
    np.testing.assert_array_equal(s["blue.gdp_index"], 1.0)
    np.testing.assert_array_equal(s["red.gdp_index"], 1.0)


def test_a_side_left_at_its_defaults_is_inert() -> None:
    # neither economy stated for either side: nothing moves, whatever the inputs
    states = run(params(torn=None, war=None), **{
        "blue.mobilised_extra": 3e5, "red.mobilised_extra": 9e5, "blue.held_ratio": 0.5,
        "red.strike_damage_rate": 0.3, "sanctions_relief": 0.4, "donor.aid_index": 0.0})
    for s in states:
        for side in CAST.sides:
            for name, value in (("gdp_index", 1.0), ("civil_strain", 0.0), ("gdp", 0.0),
                                ("inflation", 0.0), ("output_gap", 0.0), ("capital", 0.0),
                                ("sanctions_pressure", 0.0), ("budget_uncovered", 0.0)):
                np.testing.assert_array_equal(s[owned(side, name)], value)


def test_each_model_leaves_the_other_side_inert() -> None:
    s = run(params(), **{"red.mobilised_extra": 5e5, "blue.mobilised_extra": 1e5})[-1]
    # blue's war economy and red's war-torn economy are off
    np.testing.assert_array_equal(s["blue.civil_strain"], 0.0)
    np.testing.assert_array_equal(s["blue.inflation"], 0.0)
    np.testing.assert_array_equal(s["red.gdp"], 0.0)
    np.testing.assert_array_equal(s["red.budget_uncovered"], 0.0)
    # and each side's own model runs
    assert np.all(s["red.output_gap"] > WAR["output_gap0"])
    assert np.all(s["red.civil_strain"] > 0.0)
    assert np.all(s["blue.gdp_index"] != 1.0)


def test_the_budget_gap_is_financed_by_the_sides_own_supporters() -> None:
    p = params()
    s = MODULE.init(p, N, neutral_state(MODULE, N))
    gap = TORN["budget_gap0"] - FINANCE["donor"] - FINANCE["lender"]  # not the patron's
    np.testing.assert_allclose(s["blue.budget_uncovered"], gap * DAYS_PER_YEAR, rtol=1e-12)
    # more finance than the gap leaves nothing uncovered
    flush = MODULE.init(params(**{"lender.fin_aid": 1.0}), N, neutral_state(MODULE, N))
    np.testing.assert_array_equal(flush["blue.budget_uncovered"], 0.0)


def test_finance_follows_the_aid_index_only_in_its_indexed_share() -> None:
    cut = {"donor.aid_index": 0.0, "lender.aid_index": 0.5}
    plain = MODULE.init(params(), N, neutral_state(MODULE, N, **cut))
    indexed = MODULE.init(params(**{"donor.fin_aid_indexed": 1.0,
                                    "lender.fin_aid_indexed": 0.5}),
                          N, neutral_state(MODULE, N, **cut))
    gap = TORN["budget_gap0"] - FINANCE["donor"] - FINANCE["lender"]
    np.testing.assert_allclose(plain["blue.budget_uncovered"], gap * DAYS_PER_YEAR,
                               rtol=1e-12)
    # the donor's aid is cut to nothing, three quarters of the lender's remain
    lost = FINANCE["donor"] + 0.25 * FINANCE["lender"]
    np.testing.assert_allclose(indexed["blue.budget_uncovered"],
                               (gap + lost) * DAYS_PER_YEAR, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(damage=st.sampled_from([0.0, 0.05, 5.0]), home=st.floats(0.0, 1.2),
       relief=st.floats(0.0, 1.0), mobilised=st.sampled_from([0.0, 1e5, 5e7]),
       trend=st.floats(-0.01, 0.01), penalty=st.floats(0.0, 0.01))
def test_stocks_stay_non_negative(damage: float, home: float, relief: float,
                                  mobilised: float, trend: float, penalty: float) -> None:
    p = params(**{"blue.gdp_trend": trend, "blue.fiscal_penalty": penalty})
    states = run(p, steps=100, **{
        "blue.strike_damage_rate": damage, "blue.pop_home_ratio": home,
        "sanctions_relief": relief, "blue.mobilised_extra": mobilised,
        "red.mobilised_extra": 5 * mobilised})
    for s in states:
        for name, arr in s.items():
            assert np.isfinite(arr).all(), name
        for side in CAST.sides:
            for base in ("gdp_potential", "capital", "gdp", "budget_uncovered",
                         "potential_index", "gdp_index", "sanctions_pressure",
                         "civil_strain"):
                # a stock guarded against overshooting reaches zero up to rounding
                assert (s[owned(side, base)] >= -1e-12 * TORN["capital0"]).all(), base
        assert (s["red.sanctions_pressure"] <= WAR["sanctions_intensity"]).all()


def test_inputs_act_in_the_right_direction() -> None:
    p = params()
    base = run(p)[-1]
    hit = run(p, **{"blue.strike_damage_rate": 0.05})[-1]
    assert np.all(hit["blue.capital"] < base["blue.capital"])
    assert np.all(hit["blue.gdp"] < base["blue.gdp"])
    relief = run(p, sanctions_relief=1.0)
    for s in relief:
        np.testing.assert_array_equal(s["red.sanctions_pressure"], 0.0)
    assert np.all(relief[-1]["red.gdp_index"] > base["red.gdp_index"])
    assert np.all(relief[-1]["red.civil_strain"] < base["red.civil_strain"])
    fled = run(p, **{"blue.pop_home_ratio": 0.8})
    assert all(np.all(s["blue.gdp"] < b["blue.gdp"]) for s, b in zip(fled, run(p), strict=True))
    drafted = run(p, **{"red.mobilised_extra": 1e6})[-1]
    assert np.all(drafted["red.output_gap"] > base["red.output_gap"])
    assert np.all(drafted["red.inflation"] > base["red.inflation"])


@pytest.mark.parametrize("indexed", [0.0, 1.0])
def test_the_code_does_not_depend_on_which_side_is_which(indexed: float) -> None:
    # the same economies, the sides listed the other way round: the same numbers
    mirror = Cast(sides=("red", "blue"), supporters=("patron", "donor", "lender"),
                  supports=("red", "blue", "blue"))
    inputs = {"blue.mobilised_extra": 3e4, "red.mobilised_extra": 2e5,
              "blue.held_ratio": 0.97, "blue.strike_damage_rate": 0.02,
              "sanctions_relief": 0.3, "donor.aid_index": 0.4}
    extra = {"donor.fin_aid_indexed": indexed}
    ours = run(params(**extra), **inputs)
    theirs = step_on_declared_names(economy.build(mirror), params(mirror, **extra), N,
                                    steps=52, **inputs)
    for a, b in zip(ours, theirs, strict=True):
        assert a.keys() == b.keys()
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
