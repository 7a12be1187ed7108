"""Blocks stitched into a results dataset: their storage type and values, held once."""

from __future__ import annotations

import numpy as np
import pytest

from detente.engine import assemble, compile_plan, run_block
from detente.results import schema
from detente.scenario import load_scenario

#: What the sides own (gathered along the owner dim) beside what no one owns.
RECORD = ["blue.personnel", "red.personnel", "blue.shells", "red.shells"]


@pytest.fixture(scope="module")
def plan():
    return compile_plan(load_scenario("lanchester-bench").with_horizon(12), record=RECORD)


@pytest.mark.parametrize("n_blocks", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_assembled_trajectories_keep_the_blocks_type_and_values(plan, dtype, n_blocks):
    blocks = [run_block(plan, 4, k, 30 + k, dtype=dtype) for k in range(n_blocks)]
    expected = {v: np.concatenate([b.trajectories[v] for b in blocks], axis=2)
                for v in plan.record}
    ds = assemble(plan, blocks, seed=4)
    assert ds.sizes["sample"] == sum(30 + k for k in range(n_blocks))
    for v in plan.record:
        got = schema.select(ds, v).transpose(*schema.TRAJECTORY_DIMS).values
        # a side's variable is gathered along the owner dim in the blocks' own type: a
        # design kept in single precision is not widened to double when assembled
        assert got.dtype == dtype, v
        np.testing.assert_array_equal(got, expected[v].transpose(0, 2, 1), err_msg=v)


def test_the_blocks_hand_their_trajectories_over(plan):
    blocks = [run_block(plan, 4, k, 20, dtype=np.float32) for k in range(2)]
    assemble(plan, blocks, seed=4)
    # the dataset holds the run's trajectories; the blocks keep no second copy of them
    assert all(not b.trajectories for b in blocks)
