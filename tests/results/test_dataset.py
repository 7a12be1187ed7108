"""Results: summaries, the time axis, owned names, and the owned layout built from names."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import detente as dt
from detente.model.base import Cast
from detente.results import KEY_OUTPUTS, schema
from detente.results.dataset import gather_owned, key_outputs


@pytest.fixture(scope="module")
def res():
    return dt.simulate("lanchester-bench", n_samples=60, seed=2, horizon=104)


def test_summary_bands_are_ordered_quantiles(res):
    table = res.summary(months=[6, 12], variables=["blue.personnel"],
                        quantiles=(0.1, 0.5, 0.9))
    assert set(table["month"]) == {6, 12}
    assert set(table["variable"]) == {"blue.personnel"}
    assert (table["low"] <= table["median"]).all()
    assert (table["median"] <= table["high"]).all()
    k = res.step_at_month(12)
    values = res["blue.personnel"].isel(time=k).values[0]
    assert table[table["month"] == 12]["median"].iloc[0] == pytest.approx(np.median(values))
    assert set(table["units"]) == {"persons"}


def test_the_default_summary_shows_each_side_s_key_outputs_in_order(res):
    table = res.summary(months=[12])
    shown = list(dict.fromkeys(table["variable"]))
    assert shown == key_outputs(res.variables)
    assert shown[:2] == ["blue.combat_power_ratio", "red.combat_power_ratio"]
    assert {"blue.personnel", "red.personnel"} <= set(shown)


def test_key_outputs_are_listed_for_every_owner_in_the_given_order():
    names = ["red.shells", "war_intensity", "viability", "blue.personnel", "red.personnel",
             "blue.pool", "ally.personnel"]
    assert key_outputs(names) == ["blue.personnel", "red.personnel", "ally.personnel",
                                  "red.shells", "viability"]
    assert all(key in KEY_OUTPUTS for key in ("personnel", "shells", "viability"))
    assert key_outputs([]) == []


def test_months_past_the_horizon_are_not_reached(res):
    last = float(res.ds["month"].values[-1])
    assert res.step_at_month(last) == res.ds.sizes["time"] - 1
    assert res.step_at_month(last + 2) is None


def test_results_know_their_scenario_policies_variables_and_sides(res):
    assert res.scenario is not None
    assert res.policies == list(res.scenario.policies)
    assert {"blue.personnel", "red.personnel"} <= set(res.variables)
    assert "blue.personnel" in res
    assert "green.personnel" not in res
    assert 3 not in res
    assert all(not v.startswith("param_") for v in res.variables)
    assert res.owners() == {"blue": "Blue", "red": "Red"}
    assert res.owners("supporter") == {}
    assert "lanchester-bench" in repr(res)
    np.testing.assert_array_equal(res["red.personnel"].values,
                                  res.ds["personnel"].sel(side="red").values)


CAST = Cast(sides=("blue", "red"), supporters=("ally",), supports=("blue",),
            names=(("blue", "Blue"), ("red", "Red"), ("ally", "The Ally")))
PER = {"blue.personnel": "side", "red.personnel": "side", "blue.shells": "side",
       "ally.mil_aid": "supporter"}


def _var(dims: tuple[str, ...], values: np.ndarray, **attrs: object) -> xr.Variable:
    return xr.Variable(dims, values, attrs)


def test_gathering_names_builds_the_owned_layout():
    rng = np.random.default_rng(1)
    blue, red = rng.random((2, 3, 4)), rng.random((2, 3, 4))
    flat = {
        "blue.personnel": _var(("policy", "sample", "time"), blue, units="persons",
                               description="Blue's front-line personnel."),
        "red.personnel": _var(("policy", "sample", "time"), red, units="persons",
                              description="Red's front-line personnel."),
        "blue.shells": _var(("policy", "sample", "time"), blue,
                            description="Shells Blue holds, Reduced by use."),
        "final_red.personnel": _var(("policy", "sample"), red[..., -1], units="persons"),
        # a parameter is not an owned variable: it stays one variable (its unit is its own)
        "param_blue.half_sat": _var(("sample",), np.full(3, 5.0), units="thousand rounds"),
        "param_red.half_sat": _var(("sample",), rng.random(3), units="rounds"),
        "ally.mil_aid": _var(("policy", "sample", "time"), blue * 2, units="USD bn/day"),
        "war_intensity": _var(("policy", "sample", "time"), blue / 2),
    }
    layout = gather_owned(flat, CAST, PER)
    ds = xr.Dataset(layout["data_vars"], coords=layout["coords"])
    assert sorted(ds.data_vars) == ["final_personnel", "mil_aid", "param_blue.half_sat",
                                    "param_red.half_sat", "personnel", "shells",
                                    "war_intensity"]
    # owners' names go as whole words only
    assert ds["shells"].attrs["description"] == "Shells the side holds, Reduced by use."
    assert ds["personnel"].dims == ("policy", "sample", "time", "side")
    assert ds["mil_aid"].dims == ("policy", "sample", "time", "supporter")
    assert list(ds.indexes["side"]) == ["blue", "red"]
    assert list(ds["side_name"].values) == ["Blue", "Red"]
    assert list(ds["supporter_name"].values) == ["The Ally"]
    for name, values in (("blue.personnel", blue), ("red.personnel", red),
                         ("final_red.personnel", red[..., -1]), ("ally.mil_aid", blue * 2),
                         ("war_intensity", blue / 2)):
        np.testing.assert_array_equal(schema.select(ds, name).values, values, err_msg=name)
    # an owner not given is NaN along the dim
    assert np.isnan(schema.select(ds, "final_blue.personnel").values).all()
    # the description loses the owner's name
    assert ds["personnel"].attrs == {"units": "persons",
                                     "description": "The side's front-line personnel."}
    assert ds["param_red.half_sat"].attrs == {"units": "rounds"}
    assert ds["mil_aid"].attrs["description"] == ""


def test_what_one_side_keeps_is_kept_for_every_side():
    from detente.results.dataset import with_every_owner

    known = ["blue.personnel", "red.personnel", "ally.mil_aid", "escalated", "blue.pool",
             "red.pool"]
    assert with_every_owner(["red.personnel"], known) == ["blue.personnel", "red.personnel"]
    assert with_every_owner(["escalated", "blue.pool", "red.pool", "ally.mil_aid"], known) == [
        "escalated", "blue.pool", "red.pool", "ally.mil_aid"]
    assert with_every_owner(["green.personnel", "nope"], known) == ["green.personnel", "nope"]
    res = dt.simulate("lanchester-bench", n_samples=8, seed=0, horizon=4,
                      record=["red.shells"], outcomes=["blue.personnel"])
    assert res.variables == ["blue.shells", "red.shells"]
    assert np.isfinite(res["final_red.personnel"].values).all()


def test_the_owned_layout_survives_netcdf(tmp_path, res):
    pytest.importorskip("h5netcdf")
    back = dt.open_results(res.to_netcdf(tmp_path / "r.nc", full_precision=True))
    assert back.scenario is None
    assert back.owners() == res.owners()
    assert back.variables == res.variables
    for name in res.variables:
        np.testing.assert_array_equal(back[name].values, res[name].values, err_msg=name)
    assert back.summary(months=[12]).equals(res.summary(months=[12]))


# --------------------------------------------------------------------------- files
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from detente.results.dataset import (  # noqa: E402
    BITROUND_ATTR,
    TRAJECTORY_SIGNIFICANT_BITS,
    bit_round,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True), min_size=1,
                max_size=50), st.integers(1, 22))
def test_bit_rounding_is_within_half_a_kept_unit_and_idempotent(values, keep):
    x = np.array(values, dtype=np.float32)
    r = bit_round(x, keep)
    finite = np.isfinite(x) & np.isfinite(r)
    # to nearest: the error is at most half a unit of the last kept bit
    rel = np.abs(r[finite].astype(np.float64) - x[finite]) / np.maximum(
        np.abs(x[finite].astype(np.float64)), np.finfo(np.float32).tiny)
    assert (rel <= 2.0 ** -(keep + 1) * (1 + 1e-12)).all()
    # what was not finite stays as it was; a value past the largest float may round to inf
    assert np.array_equal(np.isnan(r), np.isnan(x))
    assert (r[np.isinf(x)] == x[np.isinf(x)]).all()
    np.testing.assert_array_equal(bit_round(r, keep), r)  # rounding twice changes nothing
    # the dropped bits are zero, so deflate has nothing left to store of them
    dropped = (r[finite].view(np.uint32) & np.uint32((1 << (23 - keep)) - 1))
    assert (dropped == 0).all()


def test_results_files_keep_trajectories_to_their_stated_bits(tmp_path, res):
    pytest.importorskip("h5netcdf")
    small = dt.open_results(res.to_netcdf(tmp_path / "small.nc"))
    full = dt.open_results(res.to_netcdf(tmp_path / "full.nc", full_precision=True))
    assert small.ds.attrs["trajectory_precision"] == "float32"
    assert full.ds.attrs["trajectory_precision"] == "float64"
    name = "blue.personnel"
    kept = small[name]
    assert kept.dtype == np.float32
    assert kept.attrs[BITROUND_ATTR] == TRAJECTORY_SIGNIFICANT_BITS
    exact = res[name].values
    np.testing.assert_array_equal(full[name].values, exact)
    np.testing.assert_allclose(kept.values, exact, rtol=2.0 ** -TRAJECTORY_SIGNIFICANT_BITS)
    # the parameters drawn keep every bit (they are small, and claims read them)
    params = [v for v in res.ds.data_vars if "time" not in res.ds[v].dims]
    assert params
    for v in params:
        np.testing.assert_array_equal(small.ds[v].values, res.ds[v].values, err_msg=v)
    # single precision with the noise bits zeroed: under half the trajectory's full storage
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "small.nc") as f, h5py.File(tmp_path / "full.nc") as g:
        stored = f["personnel"].id.get_storage_size(), g["personnel"].id.get_storage_size()
        assert f["personnel"].compression == "gzip"
    assert stored[0] < 0.5 * stored[1]
    with pytest.raises(dt.InputError, match="compression_level"):
        res.to_netcdf(tmp_path / "bad.nc", compression_level=12)
