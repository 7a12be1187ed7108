"""The coupled model (military, strikes, economy, society) over random parameters, shocks
and settlement inputs: its invariants, and the settlement's couplings acting in the right
direction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from detente.model import couple, resolve_modules

MODULES = ["military", "strikes", "economy", "society"]
N = 16
STEPS = 156
#: Stocks that count things and can never be negative.
NONNEGATIVE = [
    "ua_personnel", "ru_personnel", "ua_trainees", "ru_trainees", "ua_wounded", "ru_wounded",
    "ua_pool", "ru_pool", "ua_shells", "ru_shells", "ua_drones", "ru_drones",
    "territory_ru_km2", "ua_casualties_cum", "ru_casualties_cum", "ua_killed_cum",
    "ru_killed_cum", "ru_missiles", "ru_shaheds", "ua_interceptors", "security_risk",
    "strike_damage_cum", "ua_gdp_potential", "ua_capital", "ua_gdp", "pop_home",
    "refugees_abroad", "pop_occupied", "pop_dead", "reconstruction_rate",
    "reconstruction_cum", "ru_gdp", "ru_sanctions_pressure", "ru_civil_strain",
]


@pytest.fixture(scope="module")
def draw(ukraine, canonical_params):
    """ukraine-2023's parameters for N samples, drawn with a seed."""
    return lambda seed: canonical_params(ukraine, N, seed=seed)


def _run(draw, drive, seed, aid_scale, war, nato, relief, guarantee):
    p = draw(seed)
    for k in ("us_mil_aid", "eu_mil_aid", "us_fin_aid", "eu_fin_aid"):
        p[k] = p[k] * aid_scale
    rng = np.random.default_rng(seed)
    shocks = {"combat_intensity": rng.random((STEPS, N))}
    fixed = {"war_intensity": np.full(N, war), "nato_personnel": np.full(N, nato),
             "sanctions_relief": np.full(N, relief),
             "settlement_guarantee": np.full(N, guarantee)}
    return p, drive(MODULES, p, N, STEPS, 7.0, shocks, inputs=fixed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), aid_scale=st.sampled_from([0.0, 0.3, 1.0, 3.0]),
       war=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)),
       nato=st.sampled_from([0.0, 50_000.0]), relief=st.floats(0.0, 1.0),
       guarantee=st.floats(0.0, 1.0))
@example(seed=144, aid_scale=3.0, war=0.31251734494066513, nato=50_000.0, relief=0.0,
         guarantee=0.328125)  # the occupied population once fell to -3.6e-12
def test_invariants(draw, drive, seed, aid_scale, war, nato, relief, guarantee):
    p, out = _run(draw, drive, seed, aid_scale, war, nato, relief, guarantee)
    for name, arr in out.items():
        assert np.isfinite(arr).all(), name
    for name in NONNEGATIVE:
        assert (out[name] >= 0.0).all(), (name, out[name].min())
    total = out["pop_home"] + out["refugees_abroad"] + out["pop_occupied"] + out["pop_dead"]
    np.testing.assert_allclose(total, np.broadcast_to(total[0], total.shape), rtol=1e-9)
    assert (out["territory_ru_km2"] <= p["ua_area"]).all()
    assert ((out["viability"] >= 0.0) & (out["viability"] <= 1.0)).all()
    assert ((out["territory_ru_pct"] >= 0.0) & (out["territory_ru_pct"] <= 100.0)).all()


def test_the_settlement_inputs_are_the_free_variables():
    free = couple(resolve_modules(MODULES)).free
    assert set(free) == {"war_intensity", "nato_personnel", "sanctions_relief",
                         "settlement_guarantee", "us_aid_index"}


def test_no_python_loop_over_samples_same_result_in_any_block(ukraine, canonical_params,
                                                               drive):
    """Each sample's trajectory is independent of the others in the block."""
    p = canonical_params(ukraine, 6, seed=3)
    full = drive(MODULES, p, 6, 20, 7.0)
    one = drive(MODULES, {k: v[2:3] for k, v in p.items()}, 1, 20, 7.0)
    for name in ("territory_ru_km2", "ua_personnel", "viability", "ru_civil_strain"):
        np.testing.assert_array_equal(full[name][:, 2:3], one[name])


# --------------------------------------------------------------------------- couplings
N_C, STEPS_C = 64, 52


@pytest.fixture(scope="module")
def base(ukraine, canonical_params):
    return canonical_params(ukraine, N_C, seed=5)


def _fixed(p, drive, **fixed):
    given = {k: np.full(N_C, v) for k, v in fixed.items()}
    return drive(MODULES, p, N_C, STEPS_C, 7.0, inputs=given)


def test_neutral_values_equal_explicit_inputs(base, drive):
    a = drive(MODULES, base, N_C, STEPS_C, 7.0)
    b = _fixed(base, drive, war_intensity=1.0, nato_personnel=0.0, sanctions_relief=0.0,
               settlement_guarantee=0.0, us_aid_index=1.0)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_ceasefire_stops_fighting(base, drive):
    out = _fixed(base, drive, war_intensity=0.0)
    np.testing.assert_array_equal(out["territory_ru_km2"], out["territory_ru_km2"][:1]
                                  .repeat(STEPS_C + 1, axis=0))
    assert np.all(out["ua_casualties_cum"][-1] == 0.0)
    assert np.all(out["ua_shells_fired"] == 0.0)
    assert np.all(out["strike_hits"][1:] == 0.0)
    # shells pile up instead
    assert np.all(out["ua_shells"][-1] > out["ua_shells"][0])


def test_lower_intensity_means_fewer_losses(base, drive):
    full = _fixed(base, drive, war_intensity=1.0)
    half = _fixed(base, drive, war_intensity=0.5)
    assert np.all(half["ua_casualties_cum"][-1] < full["ua_casualties_cum"][-1])
    assert np.all(half["strike_damage_cum"][-1] < full["strike_damage_cum"][-1])


def test_nato_troops_add_to_ukraines_combat_power(base, drive):
    none = _fixed(base, drive, nato_personnel=0.0)
    some = _fixed(base, drive, nato_personnel=100_000.0)
    assert np.all(some["combat_power_ratio"] > none["combat_power_ratio"])
    # a stronger Ukraine holds or takes ground
    assert np.all(some["territory_ru_km2"][-1] <= none["territory_ru_km2"][-1])
    assert np.any(some["territory_ru_km2"][-1] < none["territory_ru_km2"][-1])


def test_sanctions_relief_lowers_pressure_and_strain(base, drive):
    none = _fixed(base, drive, sanctions_relief=0.0)
    full = _fixed(base, drive, sanctions_relief=1.0)
    assert np.all(full["ru_sanctions_pressure"][1:] == 0.0)
    assert np.all(full["ru_civil_strain"][-1] < none["ru_civil_strain"][-1])


def test_guarantee_raises_reconstruction_and_returns(base, drive):
    none = _fixed(base, drive, settlement_guarantee=0.0)
    full = _fixed(base, drive, settlement_guarantee=1.0)
    assert np.all(full["reconstruction_cum"][-1] > none["reconstruction_cum"][-1])
    assert np.all(full["refugees_abroad"][-1] < none["refugees_abroad"][-1])


def test_us_aid_cut_means_fewer_aid_shells(base, drive):
    """With aid money on, the politics module's aid index scales US aid."""
    p = {**base, "mil_aid_money_switch": np.ones(N_C)}
    full = drive(MODULES, p, N_C, 5, 7.0, inputs={"us_aid_index": np.ones(N_C)})
    cut = drive(MODULES, p, N_C, 5, 7.0, inputs={"us_aid_index": np.zeros(N_C)})
    assert np.all(cut["ua_aid_shells"][1:] <= full["ua_aid_shells"][1:])
    assert np.any(cut["ua_aid_shells"][1:] < full["ua_aid_shells"][1:])
