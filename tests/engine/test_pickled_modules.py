"""Process workers receive plans by pickle: every built module travels, whatever its cast."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import detente as dt
from detente.engine import compile_plan
from detente.scenario import builtin_names


@pytest.mark.parametrize("name", builtin_names())
def test_every_built_in_plan_round_trips_by_pickle(name):
    plan = compile_plan(dt.load(name))
    again = pickle.loads(pickle.dumps(plan))
    assert [m.name for m in again.modules] == [m.name for m in plan.modules]
    # rebuilt from its name and cast: the very module (built once per cast)
    assert all(a is b for a, b in zip(again.modules, plan.modules, strict=True))


def test_processes_give_what_one_process_gives_for_a_coupled_war():
    # two blocks (more samples than one block holds), every module of ukraine-2023
    kw = {"n_samples": 1100, "seed": 3, "policies": ["status_quo"], "horizon": 8}
    one = dt.simulate("ukraine-2023", **kw)
    two = dt.simulate("ukraine-2023", processes=2, **kw)
    for var in ("personnel", "viability", "war_intensity"):
        np.testing.assert_array_equal(two.ds[var].values, one.ds[var].values)
