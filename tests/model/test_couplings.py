"""The coupling variables another subsystem (settlement) writes act in the right direction."""

from __future__ import annotations

import numpy as np
import pytest

MODULES = ["military", "strikes", "economy", "society"]
N, STEPS = 64, 52


@pytest.fixture(scope="module")
def base(ukraine, canonical_params):
    return canonical_params(ukraine, N, seed=5)


def _run(p, drive, **fixed):
    over = {k: np.full(N, v) for k, v in fixed.items()}
    return drive(MODULES, p, N, STEPS, 7.0, overrides=over)


def test_defaults_equal_explicit_neutral_values(base, drive):
    a = drive(MODULES, base, N, STEPS, 7.0)
    b = _run(base, drive, war_intensity=1.0, nato_personnel=0.0, sanctions_relief=0.0,
             settlement_guarantee=0.0)
    for name in ("territory_ru_km2", "ua_personnel", "viability", "ru_sanctions_pressure"):
        np.testing.assert_array_equal(a[name], b[name])


def test_ceasefire_stops_fighting(base, drive):
    out = _run(base, drive, war_intensity=0.0)
    np.testing.assert_array_equal(out["territory_ru_km2"], out["territory_ru_km2"][:1]
                                  .repeat(STEPS + 1, axis=0))
    assert np.all(out["ua_casualties_cum"][-1] == 0.0)
    assert np.all(out["ua_shells_fired"][1:] == 0.0)
    assert np.all(out["strike_hits"][1:] == 0.0)
    # shells pile up instead
    assert np.all(out["ua_shells"][-1] > out["ua_shells"][0])


def test_lower_intensity_means_fewer_losses(base, drive):
    full = _run(base, drive, war_intensity=1.0)
    half = _run(base, drive, war_intensity=0.5)
    assert np.all(half["ua_casualties_cum"][-1] < full["ua_casualties_cum"][-1])
    assert np.all(half["strike_damage_cum"][-1] < full["strike_damage_cum"][-1])


def test_nato_troops_add_to_ukraines_combat_power(base, drive):
    none = _run(base, drive, nato_personnel=0.0)
    some = _run(base, drive, nato_personnel=100_000.0)
    assert np.all(some["combat_power_ratio"][1] > none["combat_power_ratio"][1])
    # a stronger Ukraine holds or takes ground
    assert np.all(some["territory_ru_km2"][-1] <= none["territory_ru_km2"][-1])
    assert np.any(some["territory_ru_km2"][-1] < none["territory_ru_km2"][-1])


def test_sanctions_relief_lowers_pressure_and_strain(base, drive):
    none = _run(base, drive, sanctions_relief=0.0)
    full = _run(base, drive, sanctions_relief=1.0)
    assert np.all(full["ru_sanctions_pressure"][1:] == 0.0)
    assert np.all(full["ru_civil_strain"][-1] < none["ru_civil_strain"][-1])


def test_guarantee_raises_reconstruction_and_returns(base, drive):
    none = _run(base, drive, settlement_guarantee=0.0)
    full = _run(base, drive, settlement_guarantee=1.0)
    assert np.all(full["reconstruction_cum"][-1] > none["reconstruction_cum"][-1])
    assert np.all(full["refugees_abroad"][-1] < none["refugees_abroad"][-1])
