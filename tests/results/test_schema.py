"""The results schema: names round-trip, owned names live along owner dims, and a simulated
dataset follows the layout."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import detente as dt
from detente.model.base import owned
from detente.results import schema

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True)
#: Owner ids; one that starts like a dataset prefix (q_, final_, ...) is the subject of
#: test_an_owner_id_cannot_pass_for_a_prefix.
OWNERS = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda o: not o.startswith(("param_", "event_", "final_", "q_")))


@given(name=NAMES)
def test_names_round_trip(name):
    assert schema.split_name(schema.param_var(name)) == ("param", name)
    assert schema.split_name(schema.event_var(name)) == ("event", name)
    assert schema.split_name(schema.final_var(name)) == ("final", name)
    assert schema.split_name(schema.quantile_var(name)) == ("q", name)


@given(owner=OWNERS, name=NAMES)
def test_an_owned_name_keeps_its_owner_through_every_prefix(owner, name):
    full = owned(owner, name)
    assert schema.split_name(full) == ("model", full)
    assert schema.split_name(schema.final_var(full)) == ("final", full)
    assert schema.split_name(schema.param_var(full)) == ("param", full)


@pytest.mark.parametrize("owner", ["q_army", "final_say", "param_force", "event_horizon"])
def test_an_owner_id_cannot_pass_for_a_prefix(owner):
    from detente.model.base import Cast

    with pytest.raises(ValueError, match=owner):
        Cast((owner, "red"))


def test_a_model_variable_keeps_its_name():
    assert schema.split_name("war_intensity") == ("model", "war_intensity")
    assert schema.name_dim(schema.SIDE) == "side_name"
    assert schema.OWNER_DIMS == {"side": "side", "supporter": "supporter", "party": "party"}


def _toy() -> xr.Dataset:
    """A dataset laid out by hand as the engine lays one out: two sides, one supporter."""
    rng = np.random.default_rng(0)
    sides = {"side": ["blue", "red"], "side_name": ("side", ["Blue", "Red"])}
    return xr.Dataset(
        {
            "personnel": (("policy", "sample", "time", "side"), rng.random((2, 3, 4, 2))),
            "final_personnel": (("policy", "sample", "side"), rng.random((2, 3, 2))),
            "param_blue.personnel0": (("sample",), rng.random(3)),
            "param_red.personnel0": (("sample",), rng.random(3)),
            "aid_index": (("policy", "sample", "time", "supporter"), rng.random((2, 3, 4, 1))),
            "war_intensity": (("policy", "sample", "time"), rng.random((2, 3, 4))),
            "param_mil_force_floor": (("sample",), rng.random(3)),
            "event_election": (("sample",), np.array([True, False, True])),
            # a name the dataset holds as it is, dot and all
            "kept.as_is": (("policy", "sample", "time"), rng.random((2, 3, 4))),
        },
        coords={"policy": ["a", "b"], "sample": np.arange(3),
                "time": np.arange(4), **sides,
                "supporter": ["ally"], "supporter_name": ("supporter", ["The Ally"])})


def test_select_reads_an_owned_name_off_its_owner_dim():
    ds = _toy()
    got = schema.select(ds, "red.personnel")
    assert got.dims == schema.TRAJECTORY_DIMS
    np.testing.assert_array_equal(got.values, ds["personnel"].values[..., 1])
    assert not {"side", "side_name"} & set(got.coords)
    np.testing.assert_array_equal(schema.select(ds, "final_blue.personnel").values,
                                  ds["final_personnel"].values[..., 0])
    assert schema.select(ds, "param_red.personnel0").identical(ds["param_red.personnel0"])
    np.testing.assert_array_equal(schema.select(ds, "ally.aid_index").values,
                                  ds["aid_index"].values[..., 0])
    # a name nobody owns, or one held as it is, is read as it is
    assert schema.select(ds, "war_intensity").identical(ds["war_intensity"])
    assert schema.select(ds, "kept.as_is").identical(ds["kept.as_is"])
    assert schema.dataset_name(ds, "final_red.personnel") == (
        "final_personnel", ("side", "red"))
    assert schema.dataset_name(ds, "war_intensity") == ("war_intensity", None)


@pytest.mark.parametrize("name", ["green.personnel", "blue.shells", "ally.personnel",
                                  "final_blue.shells", "nothing", "blue.aid_index"])
def test_select_refuses_what_the_dataset_does_not_hold(name):
    ds = _toy()
    assert not schema.has(ds, name)
    with pytest.raises(KeyError):
        schema.select(ds, name)


def test_has_and_model_names_agree_with_select():
    ds = _toy()
    models = schema.model_names(ds)
    assert models == ["blue.personnel", "red.personnel", "ally.aid_index", "war_intensity",
                      "kept.as_is"]
    assert schema.model_names(ds, "final") == ["blue.personnel", "red.personnel"]
    assert schema.model_names(ds, "param") == ["blue.personnel0", "red.personnel0",
                                               "mil_force_floor"]
    assert schema.model_names(ds, "event") == ["election"]
    for kind, prefix in (("model", ""), ("final", "final_"), ("param", "param_"),
                         ("event", "event_")):
        for name in schema.model_names(ds, kind):
            assert schema.has(ds, prefix + name)
            assert schema.select(ds, prefix + name).sizes["sample"] == 3


def test_a_simulated_dataset_follows_the_schema():
    res = dt.simulate("lanchester-bench", n_samples=40, seed=1, horizon=10,
                      outcomes=["red.personnel", "blue.personnel"],
                      quantiles=["blue.personnel", "red.personnel"])
    ds = res.ds
    sc = res.scenario
    assert sc is not None
    kinds = {}
    for var in ds.data_vars:
        kind, _ = schema.split_name(str(var))
        kinds.setdefault(kind, []).append(str(var))
        expected = {"model": schema.TRAJECTORY_DIMS, "param": (schema.SAMPLE,),
                    "event": (schema.SAMPLE,), "final": schema.OUTCOME_DIMS,
                    "q": schema.QUANTILE_DIMS}[kind]
        dims = ds[var].dims
        # what a side owns has the side dim last; nothing else has it, nor a parameter
        assert dims in ((expected, (*expected, schema.SIDE)) if kind != "param"
                        else (expected,)), var
    assert set(kinds) >= {"model", "param", "final", "q"}
    assert list(ds.indexes["side"]) == list(sc.cast.sides) == ["blue", "red"]
    assert list(ds["side_name"].values) == [sc.name_of(x) for x in sc.cast.sides]
    assert ds["personnel"].dims == (*schema.TRAJECTORY_DIMS, schema.SIDE)
    assert "blue.personnel" not in ds.data_vars  # held along the side dim only
    assert ds["personnel"].attrs["description"].startswith("The side's")
    # every parameter, defaults included, is there by its own name
    assert set(schema.model_names(ds, "param")) == set(sc.table)
    assert set(schema.model_names(ds)) == set(res.variables)
    for name in res.variables:
        assert ds[schema.dataset_name(ds, name)[0]].dims[:3] == schema.TRAJECTORY_DIMS
    np.testing.assert_array_equal(schema.select(ds, "final_red.personnel").values,
                                  schema.select(ds, "red.personnel").values[:, :, -1])
    assert ds.attrs["scenario_hash"] == schema.scenario_hash(sc)
    assert ds.attrs["seed"] == schema.seed_attr(1)


def test_seed_attributes():
    assert schema.seed_attr(7) == "7"
    assert schema.seed_attr(None) == "None"
    ss = np.random.SeedSequence(3, spawn_key=(1,))
    assert schema.seed_attr(ss) == "SeedSequence(3, spawn_key=(1,))"
