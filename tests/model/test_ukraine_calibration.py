"""ukraine-2023 starts at the late-2023 rates it was calibrated to, and runs end to end.

The targets are the facts named in docs/model.md (Calibration) and the 2023 record the
front and the exchange are calibrated on (docs/calibration.md); the checks are on the
central parameter values and on the first step of an ensemble, as ranges: the calibration
is a posterior, not a point. Nothing here fixes an outcome after the start date.
"""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import neutral_state

from detente.engine import compile_plan, simulate
from detente.model import StepContext, economy, military, society, strikes
from detente.results import schema
from detente.units import DAYS_PER_YEAR


@pytest.fixture(scope="module")
def central(ukraine):
    """Every parameter's central value (defaults included), canonical units, one sample."""
    plan = compile_plan(ukraine)
    return {k: np.array([v * plan.factors[k]]) for k, v in ukraine.table.central().items()}


@pytest.fixture(scope="module")
def flows(ukraine, central):
    module = military.build(ukraine.cast)
    reads = neutral_state(module, 1)
    s = module.init(central, 1, reads)
    allied = {x: np.zeros(1) for x in ukraine.cast.sides}
    return military._Military(ukraine.cast).flows({**reads, **s}, central, np.ones(1),
                                                  allied), s


def test_initial_fire_is_what_supply_brings(ukraine, central, flows):
    """The steady start: each side fires exactly what reaches it (no jump in its supply)."""
    f, s = flows
    model = military._Military(ukraine.cast)
    for side in ukraine.cast.sides:
        shells_in = central[f"{side}.shell_production"] + s[f"{side}.aid_shells"] \
            + model.in_kind(side, central, 0.0)
        assert f[f"{side}.shells_used"][0] == pytest.approx(shells_in[0], rel=1e-9)
    # what late-2023 supply sustains: far below the 2022-23 peaks (tens of thousands a day)
    assert 5_000 < f["russia.shells_used"][0] < 20_000
    assert 1_000 < f["ukraine.shells_used"][0] < 4_000


def test_initial_losses_lie_in_the_ranges_the_calibration_used(flows):
    f, _ = flows
    # US officials: ~660/day Russian (Dec 2022-Apr 2023), ~330/day Ukrainian (to Aug 2023)
    assert 450 < f["russia.loss"][0] < 900
    assert 200 < f["ukraine.loss"][0] < 650


def test_initial_front_is_in_the_attritional_regime(flows):
    f, _ = flows
    # Russia gains hundreds to thousands of km2 a year at the central values: neither a
    # creep of tens of km2 nor a break-through
    assert 100 < f["front"][0] * DAYS_PER_YEAR < 5_000


def test_initial_strikes(ukraine, central):
    module = strikes.build(ukraine.cast)
    s = module.init(central, 1, neutral_state(module, 1))
    assert 2.0 < s["ukraine.strike_hits"][0] < 8.0  # hits a day
    assert s["ukraine.security_risk"][0] == 1.0


def test_initial_budget_is_covered_by_its_donors(ukraine, central):
    # the 2023 gap of USD 38 bn was covered: 11 bn from the US, 27 bn from Europe
    module = economy.build(ukraine.cast)
    s = module.init(central, 1, neutral_state(module, 1))
    assert s["ukraine.budget_uncovered"][0] == pytest.approx(0.0, abs=1e-9)
    assert s["ukraine.gdp"][0] == pytest.approx(175.0)  # USD bn a year


def test_initial_war_economy_is_near_its_steady_state(central):
    # the start's output gap is what military demand holds, and inflation is the Phillips
    # curve's at that gap (7.0-7.5 % a year expected for 2023 in Oct 2023)
    held = central["russia.og_per_milex"] * (central["russia.milex_share"]
                                             - central["russia.milex_neutral"])
    assert held[0] == pytest.approx(central["russia.output_gap0"][0], rel=0.15)
    steady = central["russia.inflation_target"] + central["russia.phillips"] \
        * central["russia.output_gap0"]
    assert steady[0] * DAYS_PER_YEAR == pytest.approx(0.0725, rel=0.05)


def test_initial_refugee_outflow_and_reconstruction(ukraine, central):
    module = society.build(ukraine.cast)
    s0 = module.init(central, 1, neutral_state(module, 1))
    assert s0["ukraine.reconstruction_investment"][0] == pytest.approx(8.0)  # USD bn a year
    reads = neutral_state(module, 1)
    dt = 7.0
    s1 = module.step({**s0, **reads}, reads, central, {}, StepContext(0, 0.0, dt, 1))
    net = (s1["ukraine.refugees_abroad"] - s0["ukraine.refugees_abroad"]) / dt
    assert net[0] * DAYS_PER_YEAR == pytest.approx(275_500, rel=1e-9)  # UNHCR, 2023


@pytest.fixture(scope="module")
def ensemble(ukraine):
    return simulate(ukraine, n_samples=300, seed=2).ds


def test_ensemble_is_finite_and_plausible(ensemble):
    # months_to_settlement is NaN, by definition, until a first deal
    for name, da in ensemble.data_vars.items():
        if name in ("months_to_settlement", "settlement_line_km2"):
            assert not np.isinf(da.values).any()
            continue
        assert np.isfinite(da.values).all(), name
    sq = ensemble.sel(policy="status_quo")
    terr = schema.select(sq, "russia.territory").transpose("time", "sample").values
    weekly = np.median(terr[1] - terr[0])
    assert 100 / 52 < weekly < 5_000 / 52  # first week, at the median: attritional
    fired = schema.select(sq, "russia.shells_fired").isel(time=0).median()
    assert 5_000 < float(fired) < 20_000
    refugees = schema.select(sq, "ukraine.refugees_abroad").isel(time=0).median()
    assert float(refugees) == pytest.approx(6.32e6, rel=1e-3)


def test_what_a_side_does_not_model_stays_inert(ensemble):
    # ukraine-2023 models Ukraine's war-torn economy and society and Russia's war economy:
    # the other side's parts, left at their defaults, stay at their neutral values
    np.testing.assert_array_equal(schema.select(ensemble, "ukraine.civil_strain").values, 0.0)
    np.testing.assert_array_equal(schema.select(ensemble, "ukraine.inflation").values, 0.0)
    np.testing.assert_array_equal(schema.select(ensemble, "russia.viability").values, 1.0)
    np.testing.assert_array_equal(schema.select(ensemble, "russia.refugees_abroad").values,
                                  0.0)
    np.testing.assert_array_equal(schema.select(ensemble, "russia.gdp").values, 0.0)


def test_policies_act_through_their_mechanism(ensemble):
    """Common random numbers: each sample differs only by the policy's levers."""
    times = ensemble["time"].values
    k = int(np.searchsorted(times, np.datetime64("2024-01-01"))) + 2
    cut = ensemble.sel(policy="aid_cutoff")
    sq = ensemble.sel(policy="status_quo")
    surge = ensemble.sel(policy="aid_surge")

    def at(ds, name, time):
        return schema.select(ds, name).isel(time=time).values

    # before the policies start, identical
    for v in ("russia.territory", "ukraine.shells"):
        np.testing.assert_array_equal(at(cut, v, slice(0, 4)), at(sq, v, slice(0, 4)))
    # after: fewer (more) aid shells, so fewer (more) fired, in every sample
    assert np.all(at(cut, "ukraine.shells_fired", k + 8) < at(sq, "ukraine.shells_fired", k + 8))
    assert np.all(at(surge, "ukraine.shells_fired", k + 8)
                  >= at(sq, "ukraine.shells_fired", k + 8))
