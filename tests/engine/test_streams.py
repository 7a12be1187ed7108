"""The reproducibility contract: streams, the Latin hypercube, constants and noise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.engine import compile_plan, simulate
from detente.engine.streams import (
    block_noise,
    block_parameters,
    blocks,
    constant_array,
    design_noise,
    latin_hypercube,
    seed_sequence,
    stream,
)
from detente.scenario import load_scenario

VARS = ["blue.personnel", "red.personnel"]


def _short(data: dict, steps: int = 60) -> dict:
    data["time"]["horizon_steps"] = steps
    return data


@pytest.mark.parametrize(("n", "d"), [(1, 1), (7, 3), (1024, 9), (300, 174)])
def test_latin_hypercube_draws_what_scipy_draws(n, d):
    import inspect

    from scipy.stats import qmc

    if "rng" not in inspect.signature(qmc.LatinHypercube).parameters:
        pytest.skip("SciPy < 1.15 seeds LatinHypercube differently")
    def rng() -> np.random.Generator:  # a fresh one each: both spawn from its seed sequence
        return np.random.default_rng(np.random.SeedSequence(11, spawn_key=(4, 0)))

    ours = latin_hypercube(rng(), n, d)
    theirs = qmc.LatinHypercube(d=d, rng=rng()).random(n)
    np.testing.assert_array_equal(ours, theirs)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), d=st.integers(1, 12), key=st.integers(0, 2**32 - 1))
def test_latin_hypercube_puts_one_point_in_each_stratum(n, d, key):
    u = latin_hypercube(np.random.default_rng(key), n, d)
    assert u.shape == (n, d)
    assert np.all((u >= 0.0) & (u < 1.0))
    for j in range(d):
        np.testing.assert_array_equal(np.sort(np.floor(u[:, j] * n)), np.arange(n))


def test_constant_parameters_are_shared_read_only_values(bench_dict, write_scenario):
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    values = block_parameters(plan, np.random.SeedSequence(0), 0, 50)
    const = values["blue.personnel0"]
    assert const.shape == (50,)
    assert np.all(const == 400.0)
    with pytest.raises(ValueError, match="read-only"):
        const[0] = 1.0
    drawn = values[plan.uncertain[0]]
    assert drawn.flags.writeable
    assert np.unique(drawn).size == 50
    res = simulate(plan.scenario, n_samples=1500, seed=0, record=VARS)
    assert np.all(res["param_blue.personnel0"].values == 400.0)


def test_constant_arrays_are_shared_but_cannot_be_made_writeable():
    a = constant_array(2.5, 7)
    assert constant_array(2.5, 7) is a  # cached
    with pytest.raises(ValueError, match="WRITEABLE"):
        a.flags.writeable = True
    # 0.0 == -0.0 but they are different numbers: the cache keeps them apart
    assert not np.signbit(constant_array(0.0, 3)).any()
    assert np.signbit(constant_array(-0.0, 3)).all()
    assert np.isnan(constant_array(np.nan, 2)).all()


@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 5000), size=st.integers(1, 2048))
def test_blocks_cover_the_samples_once_in_order(n, size):
    parts = blocks(n, size)
    assert [b for b, _ in parts] == list(range(len(parts)))
    assert sum(k for _, k in parts) == n
    assert all(k == size for _, k in parts[:-1])
    assert all(0 < k <= size for _, k in parts)


def test_streams_are_distinct_and_reproducible():
    root = seed_sequence(5)
    a = stream(root, 0, 1).random(4)
    np.testing.assert_array_equal(a, stream(seed_sequence(5), 0, 1).random(4))
    assert not np.array_equal(a, stream(root, 0, 2).random(4))
    assert not np.array_equal(a, stream(root, 1, 1).random(4))
    assert seed_sequence(root) is root


def test_block_noise_draws_its_shocks_only_when_asked(bench_dict, write_scenario):
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    root = seed_sequence(3)
    params = block_parameters(plan, root, 2, 16)
    noise = block_noise(plan, root, 2, 16, params)
    assert "shocks" not in vars(noise)  # nothing drawn yet
    shocks = noise.shocks
    assert shocks.shape == (plan.n_steps, len(plan.shocks), 16)
    assert noise.shocks is shocks
    again = block_noise(plan, seed_sequence(3), 2, 16, params).shocks
    np.testing.assert_array_equal(again, shocks)


def test_design_noise_is_shared_within_groups_only(bench_dict, write_scenario):
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    group, n_groups = 5, 4
    params = block_parameters(plan, seed_sequence(0), 0, group * n_groups)
    noise = design_noise(plan, seed_sequence(9), 0, n_groups, group, params)
    u = noise.shocks.reshape(plan.n_steps, len(plan.shocks), n_groups, group)
    # every row of a group sees its group's shocks; groups differ
    np.testing.assert_array_equal(u, np.broadcast_to(u[..., :1], u.shape))
    assert np.unique(u[0, 0, :, 0]).size == n_groups
    other = design_noise(plan, seed_sequence(9), 1, n_groups, group, params)
    assert not np.array_equal(other.shocks, noise.shocks)
