"""The results schema: names round-trip, and a simulated dataset follows it."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import detente as dt
from detente.results import schema

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True)


@given(name=NAMES)
def test_names_round_trip(name):
    assert schema.split_name(schema.param_var(name)) == ("param", name)
    assert schema.split_name(schema.event_var(name)) == ("event", name)
    assert schema.split_name(schema.final_var(name)) == ("final", name)
    assert schema.split_name(schema.quantile_var(name)) == ("q", name)


def test_a_model_variable_keeps_its_name():
    assert schema.split_name("blue.personnel") == ("model", "blue.personnel")


def test_a_simulated_dataset_follows_the_schema():
    res = dt.simulate("lanchester-bench", n_samples=40, seed=1, horizon=10,
                      outcomes=["red.personnel"], quantiles=["blue.personnel"])
    ds = res.ds
    kinds = {}
    for var in ds.data_vars:
        kind, _ = schema.split_name(str(var))
        kinds.setdefault(kind, []).append(str(var))
        expected = {"model": schema.TRAJECTORY_DIMS, "param": (schema.SAMPLE,),
                    "event": (schema.SAMPLE,), "final": schema.OUTCOME_DIMS,
                    "q": schema.QUANTILE_DIMS}[kind]
        assert ds[var].dims == expected, var
    assert set(kinds) >= {"model", "param", "final", "q"}
    sc = res.scenario
    assert sc is not None
    assert {schema.split_name(v)[1] for v in kinds["param"]} == set(sc.parameters)
    assert ds.attrs["scenario_hash"] == schema.scenario_hash(sc)
    assert ds.attrs["seed"] == schema.seed_attr(1)


def test_seed_attributes():
    assert schema.seed_attr(7) == "7"
    assert schema.seed_attr(None) == "None"
    ss = np.random.SeedSequence(3, spawn_key=(1,))
    assert schema.seed_attr(ss) == "SeedSequence(3, spawn_key=(1,))"
