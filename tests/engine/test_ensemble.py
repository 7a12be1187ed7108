"""simulate: reproducibility, common random numbers, overlays, blocks, options."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import detente
from detente.engine import BLOCK_SIZE, simulate
from detente.errors import InputError
from detente.scenario import load_scenario

VARS = ["blue.personnel", "red.personnel"]


def _short(data: dict, steps: int = 60) -> dict:
    data["time"]["horizon_steps"] = steps
    return data


def test_same_seed_is_bit_identical_and_other_seed_differs(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict)))
    a = simulate(sc, n_samples=300, seed=7, record=VARS)
    b = simulate(sc, n_samples=300, seed=7, record=VARS)
    c = simulate(sc, n_samples=300, seed=8, record=VARS)
    for v in VARS:
        np.testing.assert_array_equal(a[v].values, b[v].values)
    assert not np.array_equal(a["blue.personnel"].values, c["blue.personnel"].values)


def test_results_do_not_depend_on_processes(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict)))
    n = BLOCK_SIZE + 300  # two blocks, one partial
    one = simulate(sc, n_samples=n, seed=3, record=VARS, processes=1)
    two = simulate(sc, n_samples=n, seed=3, record=VARS, processes=2)
    assert set(one.ds.data_vars) == set(two.ds.data_vars)
    for v in one.ds.data_vars:
        np.testing.assert_array_equal(one.ds[v].values, two.ds[v].values, err_msg=str(v))


def test_processes_zero_is_one_per_core_as_at_the_cli(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict, steps=8)))
    n = BLOCK_SIZE + 10
    one = simulate(sc, n_samples=n, seed=3, record=VARS, processes=1)
    auto = simulate(sc, n_samples=n, seed=3, record=VARS, processes=0)
    for v in VARS:
        np.testing.assert_array_equal(one[v].values, auto[v].values, err_msg=v)
    with pytest.raises(InputError, match=r"processes must be a positive integer \(or 0"):
        simulate(sc, n_samples=10, processes=-1)


def test_a_block_is_the_same_whatever_the_total(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict)))
    small = simulate(sc, n_samples=BLOCK_SIZE, seed=5, record=VARS)
    large = simulate(sc, n_samples=2 * BLOCK_SIZE, seed=5, record=VARS)
    np.testing.assert_array_equal(small["blue.personnel"].values,
                                  large["blue.personnel"].values[:, :BLOCK_SIZE])


def test_policy_overlay_changes_nothing_before_its_date(bench_dict, write_scenario):
    start = dt.date.fromisoformat(str(bench_dict["time"]["start"]))
    when = start + dt.timedelta(days=7 * 20)
    bench_dict["policies"] = {
        "status_quo": {"description": "as is"},
        "neutral": {"description": "a no-op overlay", "changes": [
            {"param": "blue.shell_production", "scale": 1.0}]},
        "more_shells": {"description": "double production from a date", "changes": [
            {"param": "blue.shell_production", "scale": 2.0, "from": when.isoformat()}]},
    }
    sc = load_scenario(write_scenario(_short(bench_dict)))
    ds = simulate(sc, n_samples=200, seed=1, record=VARS)
    sq = ds["red.personnel"].sel(policy="status_quo").values
    np.testing.assert_array_equal(ds["red.personnel"].sel(policy="neutral").values, sq)
    more = ds["red.personnel"].sel(policy="more_shells").values
    k = sc.time.step_of(when)
    np.testing.assert_array_equal(more[:, : k + 1], sq[:, : k + 1])
    # more shells for Blue: more losses for Red afterwards, in every sample
    assert np.all(more[:, k + 5] < sq[:, k + 5])


@pytest.mark.parametrize(("value", "unit"), [(0.3, "fraction"), (30, "%")])
def test_chance_event_happens_at_its_probability(bench_dict, write_scenario, value, unit):
    bench_dict["parameters"]["p_event"] = {"value": value, "unit": unit,
                                           "source": "assumption", "note": "test"}
    start = dt.date.fromisoformat(str(bench_dict["time"]["start"]))
    bench_dict["events"] = {"shock": {
        "date": (start + dt.timedelta(days=70)).isoformat(), "probability": "p_event",
        "changes": [{"param": "red.shell_production", "value": 0}]}}
    sc = load_scenario(write_scenario(_short(bench_dict)))
    ds = simulate(sc, n_samples=4000, seed=2, record=VARS)
    frac = float(ds["event_shock"].mean())
    assert abs(frac - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)


def test_explicit_samples_are_used(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict)))
    name = sc.uncertain[0]
    values = np.linspace(*sorted([sc.parameters[name].central() * 0.9,
                                  sc.parameters[name].central() * 1.1]), 50)
    ds = simulate(sc, n_samples=50, seed=0, record=VARS, samples={name: values})
    np.testing.assert_array_equal(ds[f"param_{name}"].values, values)


def test_horizon_override_and_bad_options(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict)))
    ds = simulate(sc, n_samples=10, seed=0, horizon=12, record=VARS)
    assert ds.ds.sizes["time"] == 13
    with pytest.raises(InputError, match="unknown policy"):
        simulate(sc, n_samples=10, policies=["nope"])
    with pytest.raises(InputError, match="positive"):
        simulate(sc, n_samples=0)
    with pytest.raises(InputError, match="unknown variable"):
        simulate(sc, n_samples=10, record=["no_such_variable"])


def test_netcdf_round_trip(bench_dict, write_scenario, tmp_path):
    pytest.importorskip("h5netcdf")
    sc = load_scenario(write_scenario(_short(bench_dict)))
    res = simulate(sc, n_samples=64, seed=0, record=VARS)
    back = detente.open_results(res.to_netcdf(tmp_path / "r.nc", full_precision=True))
    for v in VARS:
        np.testing.assert_array_equal(back[v].values, res[v].values)
    assert back.ds.attrs["scenario_hash"] == res.ds.attrs["scenario_hash"]
    assert back.policies == res.policies
    # the owned variables keep their side dim, with the sides' ids and display names
    assert back.ds["personnel"].dims == ("policy", "sample", "time", "side")
    assert back.owners() == res.owners() == {"blue": "Blue", "red": "Red"}
    assert back.variables == res.variables
    xr = pytest.importorskip("xarray")
    xr.testing.assert_identical(back.ds.drop_attrs(), res.ds.drop_attrs().assign_coords(
        {c: res.ds[c].astype(str) for c in ("policy", "side", "side_name")}))


@settings(max_examples=80, deadline=None)
@given(step=st.floats(0.25, 366.0, allow_nan=False), n=st.integers(0, 600),
       start=st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)))
@example(step=1.9999999999999432, n=102, start=dt.date(2000, 1, 1))  # rounds up a day
def test_vectorised_dates_equal_the_calendar(step, n, start):
    from detente.scenario.schema import TimeSpec

    spec = TimeSpec(start=start, step_days=step, horizon_steps=max(n, 1))
    calendar = [start + dt.timedelta(days=step * k) for k in range(n + 1)]
    assert spec.dates(n) == calendar
    np.testing.assert_array_equal(spec.dates64(n), np.array(calendar, dtype="datetime64[ns]"))
