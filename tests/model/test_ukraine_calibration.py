"""ukraine-2023 reproduces the late-2023 rates it was calibrated to, and runs end to end.

The targets are the facts named in docs/model.md (Calibration); the checks are on the
central (median) parameter values, where the calibration was done, and on the first step of
an ensemble. Nothing here fixes an outcome after the start date.
"""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import neutral_state

from detente.engine import compile_plan, simulate
from detente.model import military, strikes
from detente.units import DAYS_PER_YEAR


@pytest.fixture(scope="module")
def central(ukraine):
    plan = compile_plan(ukraine)
    return {k: np.array([par.central() * plan.factors[k]])
            for k, par in ukraine.parameters.items()}


@pytest.fixture(scope="module")
def flows(central):
    s = military.init(central, 1, neutral_state(military.MODULE, 1))
    return military._flows(s, central, np.ones(1), np.zeros(1)), s


def test_initial_losses(flows):
    f, _ = flows
    assert f["ua_loss"][0] == pytest.approx(330, rel=0.05)  # NYT Aug 2023, per day
    assert f["ru_loss"][0] == pytest.approx(480, rel=0.05)  # US intel Dec 2023, per day


def test_initial_fire(flows):
    f, _ = flows
    assert f["ua_shells_used"][0] == pytest.approx(2_000, rel=0.1)
    assert f["ru_shells_used"][0] == pytest.approx(10_000, rel=0.1)


def test_initial_front_movement(flows):
    f, s = flows
    assert f["front"][0] * DAYS_PER_YEAR == pytest.approx(584, rel=0.05)
    assert s["territory_ru_pct"][0] == pytest.approx(17.9, abs=0.1)


def test_initial_strikes(central):
    s = strikes.init(central, 1, neutral_state(strikes.MODULE, 1))
    assert 2.0 < s["strike_hits"][0] < 8.0  # hits a day
    assert s["security_risk"][0] == 1.0


@pytest.fixture(scope="module")
def ensemble(ukraine):
    return simulate(ukraine, n_samples=300, seed=2).ds


def test_ensemble_is_finite_and_plausible(ensemble):
    # months_to_settlement is NaN, by definition, until a first deal
    for name, da in ensemble.data_vars.items():
        if name == "months_to_settlement":
            assert not np.isinf(da.values).any()
            continue
        assert np.isfinite(da.values).all(), name
    sq = ensemble.sel(policy="status_quo")
    terr = sq["territory_ru_km2"].transpose("time", "sample").values
    weekly = np.median(terr[1] - terr[0])
    assert 584 / 52 / 2 < weekly < 584 / 52 * 2  # first week, at the median
    fired = sq["ru_shells_fired"].isel(time=0).median()
    assert 7_000 < float(fired) < 13_000
    assert float(sq["refugees_abroad"].isel(time=0).median()) == pytest.approx(6.32e6, rel=1e-3)


def test_policies_act_through_their_mechanism(ensemble):
    """Common random numbers: each sample differs only by the policy's levers."""
    times = ensemble["time"].values
    k = int(np.searchsorted(times, np.datetime64("2024-01-01"))) + 2
    cut = ensemble.sel(policy="aid_cutoff")
    sq = ensemble.sel(policy="status_quo")
    surge = ensemble.sel(policy="aid_surge")
    # before the policies start, identical
    for v in ("territory_ru_km2", "ua_shells"):
        np.testing.assert_array_equal(cut[v].isel(time=slice(0, 4)).values,
                                      sq[v].isel(time=slice(0, 4)).values)
    # after: fewer (more) aid shells, so fewer (more) fired, in every sample
    assert np.all(cut["ua_shells_fired"].isel(time=k + 8).values
                  < sq["ua_shells_fired"].isel(time=k + 8).values)
    assert np.all(surge["ua_shells_fired"].isel(time=k + 8).values
                  >= sq["ua_shells_fired"].isel(time=k + 8).values)
