"""Invariants of the full ukraine-2023 model over random parameters, shocks and couplings."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.model import resolve_modules

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


def _run(ukraine, canonical_params, drive, seed, aid_scale, war, nato, relief, guarantee):
    p = canonical_params(ukraine, N, seed=seed)
    for k in ("us_mil_aid", "eu_mil_aid", "us_fin_aid", "eu_fin_aid"):
        p[k] = p[k] * aid_scale
    rng = np.random.default_rng(seed)
    shocks = {"combat_intensity": rng.random((STEPS, N))}
    fixed = {"war_intensity": np.full(N, war), "nato_personnel": np.full(N, nato),
             "sanctions_relief": np.full(N, relief),
             "settlement_guarantee": np.full(N, guarantee)}
    return p, drive(MODULES, p, N, STEPS, ukraine.time.step_days, shocks, fixed)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1), aid_scale=st.sampled_from([0.0, 0.3, 1.0, 3.0]),
       war=st.floats(0.0, 1.0), nato=st.sampled_from([0.0, 50_000.0]),
       relief=st.floats(0.0, 1.0), guarantee=st.floats(0.0, 1.0))
def test_invariants(ukraine, canonical_params, drive, seed, aid_scale, war, nato, relief,
                    guarantee):
    p, out = _run(ukraine, canonical_params, drive, seed, aid_scale, war, nato, relief,
                  guarantee)
    for name, arr in out.items():
        assert np.isfinite(arr).all(), name
    for name in NONNEGATIVE:
        assert (out[name] >= 0.0).all(), (name, out[name].min())
    total = out["pop_home"] + out["refugees_abroad"] + out["pop_occupied"] + out["pop_dead"]
    np.testing.assert_allclose(total, np.broadcast_to(total[0], total.shape), rtol=1e-9)
    assert (out["territory_ru_km2"] <= p["ua_area"]).all()
    assert ((out["viability"] >= 0.0) & (out["viability"] <= 1.0)).all()
    assert ((out["territory_ru_pct"] >= 0.0) & (out["territory_ru_pct"] <= 100.0)).all()


def test_step_returns_exactly_the_declared_variables(ukraine, canonical_params, drive):
    p = canonical_params(ukraine, 4)
    out = drive(MODULES, p, 4, 2, 7.0)
    for m in resolve_modules(MODULES):
        declared = {v.name for v in m.variables}
        init = set(m.init(p, 4))
        assert init == declared, (m.name, init ^ declared)
        assert declared <= set(out)


def test_no_python_loop_over_samples_same_result_in_any_block(ukraine, canonical_params,
                                                               drive):
    """Each sample's trajectory is independent of the others in the block."""
    p = canonical_params(ukraine, 6, seed=3)
    full = drive(MODULES, p, 6, 20, 7.0)
    one = drive(MODULES, {k: v[2:3] for k, v in p.items()}, 1, 20, 7.0)
    for name in ("territory_ru_km2", "ua_personnel", "viability", "ru_civil_strain"):
        np.testing.assert_array_equal(full[name][:, 2:3], one[name])
