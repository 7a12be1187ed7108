"""Results: summaries and the time axis."""

from __future__ import annotations

import numpy as np
import pytest

import detente as dt


@pytest.fixture(scope="module")
def res():
    return dt.simulate("lanchester-bench", n_samples=60, seed=2, horizon=104)


def test_summary_bands_are_ordered_quantiles(res):
    table = res.summary(months=[6, 12], variables=["blue.personnel"], quantiles=(0.1, 0.5, 0.9))
    assert set(table["month"]) == {6, 12}
    assert (table["low"] <= table["median"]).all()
    assert (table["median"] <= table["high"]).all()
    k = res.step_at_month(12)
    values = res.ds["blue.personnel"].isel(time=k).values[0]
    assert table[table["month"] == 12]["median"].iloc[0] == pytest.approx(np.median(values))


def test_months_past_the_horizon_are_not_reached(res):
    last = float(res.ds["month"].values[-1])
    assert res.step_at_month(last) == res.ds.sizes["time"] - 1
    assert res.step_at_month(last + 2) is None


def test_results_know_their_scenario_policies_and_variables(res):
    assert res.scenario is not None
    assert res.policies == list(res.scenario.policies)
    assert "blue.personnel" in res.variables
    assert all(not v.startswith("param_") for v in res.variables)
    assert "lanchester-bench" in repr(res)
