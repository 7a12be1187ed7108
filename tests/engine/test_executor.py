"""The one executor: every scheduler gives the same blocks, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from detente.engine import (
    Keep,
    block_jobs,
    compile_plan,
    execute,
    numba_available,
    parse_scheduler,
)
from detente.errors import InputError
from detente.scenario import load_scenario


def _plan(bench_dict, write_scenario):
    bench_dict["time"]["horizon_steps"] = 40
    sc = load_scenario(write_scenario(bench_dict))
    return compile_plan(sc, record=["blue.personnel", "red.shells"])


def _by_block(results):
    return {r.block: r for r in results}


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_every_scheduler_gives_the_serial_blocks(bench_dict, write_scenario, scheduler):
    plan = _plan(bench_dict, write_scenario)
    backend = "numba" if numba_available() else "numpy"
    keep = Keep(outcomes=("red.personnel",), quantiles=("blue.shells",), backend=backend)
    jobs = block_jobs(plan, 11, 700, keep=keep, block_size=256)
    serial = _by_block(execute(jobs, scheduler="serial"))
    other = _by_block(execute(jobs, scheduler=scheduler, workers=2))
    assert sorted(other) == sorted(serial) == [0, 1, 2]
    for b, ref in serial.items():
        got = other[b]
        assert got.n == ref.n
        for v in plan.record:
            np.testing.assert_array_equal(got.trajectories[v], ref.trajectories[v])
        np.testing.assert_array_equal(got.finals["red.personnel"], ref.finals["red.personnel"])
        for name in ref.params:
            np.testing.assert_array_equal(got.params[name], ref.params[name])
        assert got.sketch is not None
        assert ref.sketch is not None
        np.testing.assert_array_equal(got.sketch.quantiles("blue.shells", [0.1, 0.9]),
                                      ref.sketch.quantiles("blue.shells", [0.1, 0.9]))


def test_in_place_outputs_receive_the_trajectories(bench_dict, write_scenario):
    plan = _plan(bench_dict, write_scenario)
    full = np.full((1, plan.n_steps + 1, 300), np.nan)
    starts = {0: 0, 1: 128, 2: 256}

    def outputs(job):
        a = starts[job.block]
        return {"blue.personnel": full[:, :, a:a + job.n]}, None

    plan_only = compile_plan(plan.scenario, record=["blue.personnel"])
    jobs = block_jobs(plan_only, 2, 300, block_size=128)
    results = list(execute(jobs, scheduler="serial", outputs=outputs))
    assert len(results) == 3
    assert not np.isnan(full).any()
    ref = list(execute(jobs, scheduler="serial"))
    np.testing.assert_array_equal(
        np.concatenate([r.trajectories["blue.personnel"] for r in ref], axis=2), full)


@pytest.mark.parametrize(("given", "expected"), [
    ("serial", "serial"), ("local", "serial"), (" threads ", "threads"),
    ("processes", "processes"), ("dask", "dask"), ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
])
def test_scheduler_names(given, expected):
    assert parse_scheduler(given) == expected


def test_an_unknown_scheduler_is_a_clear_error():
    with pytest.raises(InputError, match=r"scheduler 'nowhere': expected serial, threads"):
        parse_scheduler("nowhere")


def test_no_jobs_yield_nothing():
    assert list(execute([], scheduler="processes")) == []
