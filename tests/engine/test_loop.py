"""The public seam: run_design runs given parameters under given noise."""

from __future__ import annotations

import numpy as np

from detente.engine import Noise, compile_plan, run_block, run_design, run_policy
from detente.engine.loop import canonical
from detente.engine.streams import block_noise, block_parameters, seed_sequence
from detente.scenario import load_scenario


def _scenario(bench_dict, write_scenario, steps=30):
    bench_dict["time"]["horizon_steps"] = steps
    bench_dict["parameters"]["mil_intensity_noise"] = {
        "value": 0.2, "unit": "fraction", "source": "assumption", "note": "test noise"}
    bench_dict["policies"] = {
        "status_quo": {"description": "as is"},
        "more_shells": {"description": "double production",
                        "changes": [{"param": "blue.shell_production", "scale": 2.0}]},
    }
    return load_scenario(write_scenario(bench_dict))


def test_a_block_is_run_design_on_the_block_streams(bench_dict, write_scenario):
    plan = compile_plan(_scenario(bench_dict, write_scenario))
    root = seed_sequence(4)
    params = block_parameters(plan, root, 3, 50)
    ours = run_design(plan, params, noise=block_noise(plan, root, 3, 50, params), block=3)
    ref = run_block(plan, 4, 3, 50)
    assert ours.block == ref.block == 3
    for v in plan.record:
        np.testing.assert_array_equal(ours.trajectories[v], ref.trajectories[v])


def test_the_same_noise_gives_the_same_run_and_other_noise_another(bench_dict, write_scenario):
    plan = compile_plan(_scenario(bench_dict, write_scenario))
    n = 20
    params = block_parameters(plan, seed_sequence(0), 0, n)
    rng = np.random.default_rng(1)
    shocks = rng.random((plan.n_steps, len(plan.shocks), n))
    a = run_design(plan, params, noise=Noise.given({}, shocks))
    b = run_design(plan, params, noise=Noise.given({}, shocks.copy()))
    c = run_design(plan, params, noise=Noise.given({}, rng.random(shocks.shape)))
    np.testing.assert_array_equal(a.trajectories["blue.personnel"],
                                  b.trajectories["blue.personnel"])
    assert not np.array_equal(a.trajectories["blue.personnel"], c.trajectories["blue.personnel"])


def test_each_policy_is_run_policy_under_its_overlays(bench_dict, write_scenario):
    plan = compile_plan(_scenario(bench_dict, write_scenario))
    n = 12
    params = block_parameters(plan, seed_sequence(2), 0, n)
    shocks = np.random.default_rng(3).random((plan.n_steps, len(plan.shocks), n))
    res = run_design(plan, params, noise=Noise.given({}, shocks))
    for ip, pol in enumerate(plan.policies):
        out = {v: np.empty((plan.n_steps + 1, n)) for v in plan.record}
        run_policy(plan, canonical(plan, params), plan.overlays[pol], {}, shocks, n, out)
        for v in plan.record:
            np.testing.assert_array_equal(res.trajectories[v][ip], out[v])
    # the overlay matters: the policies differ after the start
    sq, more = res.trajectories["red.personnel"]
    np.testing.assert_array_equal(sq[0], more[0])
    assert np.all(more[-1] < sq[-1])


def test_single_precision_trajectories_take_a_double_past_their_range_as_infinite():
    import warnings

    from detente.engine.loop import _write_row

    out = {"ratio": np.zeros((2, 3), dtype=np.float32)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered in cast" for the user
        _write_row(out, {"ratio": np.array([2.0, np.finfo(np.float64).max, -1e300])}, 1)
    np.testing.assert_array_equal(out["ratio"][1], [2.0, np.inf, -np.inf])
