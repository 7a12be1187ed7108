"""Kernel equivalence: Numba kernels, their NumPy twins and the generic module loop agree."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import detente
from detente.engine import (
    Keep,
    compile_plan,
    numba_available,
    resolve_backend,
    run_block,
    simulate,
)
from detente.engine.compiled import FUSED_VARIABLES, MilitaryFused, fused_military_plan
from detente.engine.sketch import QuantileSketch, sketch_counts
from detente.errors import MissingDependencyError
from detente.scenario import load_scenario

HAVE_NUMBA = numba_available()
requires_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="needs the [fast] extra (numba)")
RTOL = 1e-9


def _random_params(plan, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Canonical parameters with the benchmark's uncertain ones drawn far and wide."""
    from detente.engine.streams import block_parameters

    file_units = block_parameters(plan, np.random.SeedSequence(0), 0, n)
    p = {k: v * plan.factors[k] for k, v in file_units.items()}
    for name in plan.uncertain:
        p[name] = p[name] * rng.uniform(0.25, 4.0, n)
    return p


@pytest.fixture(scope="module")
def bench_plan():
    return compile_plan(load_scenario("lanchester-bench"), record=list(FUSED_VARIABLES))


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=requires_numba)])
def test_fused_military_equals_the_module_loop_on_random_draws(bench_plan, backend):
    from detente.engine import run_policy
    from detente.engine.streams import stream

    rng = np.random.default_rng(42)
    n, steps = 700, 156
    plan = compile_plan(bench_plan.scenario.with_horizon(steps), record=list(FUSED_VARIABLES))
    p = _random_params(plan, n, rng)
    fused = fused_military_plan(plan, FUSED_VARIABLES)
    assert fused is not None
    assert fused.eligible(p)
    ref = {v: np.empty((steps + 1, n)) for v in FUSED_VARIABLES}
    shocks = stream(np.random.SeedSequence(1), 0, 1).random((plan.n_steps, len(plan.shocks), n))
    run_policy(plan, p, (), {}, shocks, n, ref)
    out = {v: np.empty((steps + 1, n)) for v in FUSED_VARIABLES}
    state = fused.init(p, n)
    for v in FUSED_VARIABLES:
        out[v][0] = state[FUSED_VARIABLES.index(v)]
    fused.run(p, state, 0, 60, plan.dt, out, backend)  # in two stretches
    fused.run(p, state, 60, steps, plan.dt, out, backend)
    for v in FUSED_VARIABLES:
        np.testing.assert_allclose(out[v], ref[v], rtol=RTOL, atol=0, equal_nan=True)
        # same operations in the same order: in practice bit for bit
        np.testing.assert_array_equal(out[v], ref[v])


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=requires_numba)])
def test_engine_fast_path_is_bit_identical_with_overlays(bench_dict, write_scenario, backend):
    bench_dict["time"]["horizon_steps"] = 80
    bench_dict["policies"] = {
        "status_quo": {"description": "as is"},
        "more_aid": {"description": "more aid from week 30 to 50", "changes": [
            {"param": "ua_shell_aid_direct", "scale": 1.5, "from": "2024-07-29",
             "until": "2024-12-16"}]},
        "guarded": {"description": "switches a mechanism on: no fused path", "changes": [
            {"param": "mil_stock_guard_switch", "value": 1, "from": "2024-03-04"}]},
    }
    plan = compile_plan(load_scenario(write_scenario(bench_dict)), record=list(FUSED_VARIABLES))
    fast = run_block(plan, 5, 1, 300, keep=Keep(backend=backend))
    slow = run_block(plan, 5, 1, 300, keep=Keep(fast_paths=False))
    for v in FUSED_VARIABLES:
        np.testing.assert_array_equal(fast.trajectories[v], slow.trajectories[v])


def test_fused_path_is_not_used_for_other_variables_or_modules(bench_plan):
    assert fused_military_plan(bench_plan, ["combat_power_ratio"]) is None
    uk = compile_plan(load_scenario("ukraine-2023"))
    assert fused_military_plan(uk, ["ua_personnel"]) is None
    p = {"mil_pipeline_switch": np.array([0.0, 1.0])}
    assert not MilitaryFused.eligible(p)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=requires_numba)])
def test_sketch_counts_and_quantiles(backend):
    rng = np.random.default_rng(3)
    x = rng.lognormal(2.0, 3.0, (7, 5000)) * rng.choice([-1.0, 1.0], (7, 5000))
    x[0, :50] = 0.0
    x[1, :3] = np.nan
    x[2] = 1e5 + rng.normal(0, 10, 5000)
    off_np, c_np = sketch_counts(x, "numpy")
    off, c = sketch_counts(x, backend)
    assert off == off_np
    np.testing.assert_array_equal(c, c_np)
    sk = QuantileSketch(1, 7)
    sk.add("v", 0, off, c)
    levels = [0.05, 0.5, 0.95]
    q = sk.quantiles("v", levels)[0]
    for i, lev in enumerate(levels):
        exact = np.array([np.sort(r[~np.isnan(r)])[round(lev * (np.sum(~np.isnan(r)) - 1))]
                          for r in x])
        np.testing.assert_allclose(q[i], exact, rtol=0.004, atol=1e-6)


def test_sketch_merge_does_not_depend_on_order():
    rng = np.random.default_rng(0)
    parts = [rng.normal(i, 1 + i, (4, 100)) for i in range(5)]
    a, b = QuantileSketch(1, 4), QuantileSketch(1, 4)
    for x in parts:
        a.add_values("v", 0, x, "numpy")
    for x in reversed(parts):
        b.add_values("v", 0, x, "numpy")
    assert a.offsets == b.offsets
    np.testing.assert_array_equal(a.counts["v"], b.counts["v"])
    c = QuantileSketch.from_arrays(a.to_arrays())
    np.testing.assert_array_equal(c.counts["v"], a.counts["v"])


def test_outcomes_and_quantiles_in_simulate(bench_dict, write_scenario):
    bench_dict["time"]["horizon_steps"] = 40
    sc = load_scenario(write_scenario(bench_dict))
    vars_ = ["ua_personnel", "ru_shells", "combat_power_ratio"]
    ds = simulate(sc, n_samples=1500, seed=2, record=vars_, outcomes=vars_,
                  quantiles=vars_, levels=[0.1, 0.5, 0.9]).ds
    for v in vars_:
        np.testing.assert_array_equal(ds[f"final_{v}"].values, ds[v].values[:, :, -1])
        exact = np.quantile(ds[v].values, [0.1, 0.5, 0.9], axis=1, method="nearest")
        np.testing.assert_allclose(ds[f"q_{v}"].values[0], exact[:, 0], rtol=0.004)
    assert ds.attrs["block_size"] == 1024
    small = simulate(sc, n_samples=100, seed=2, record=[], outcomes=["ua_personnel"]).ds
    assert "ua_personnel" not in small
    assert small["final_ua_personnel"].shape == (1, 100)


def test_assembled_layout_matches_results_assemble(bench_dict, write_scenario):
    from detente.engine import assemble, block_jobs

    bench_dict["time"]["horizon_steps"] = 10
    sc = load_scenario(write_scenario(bench_dict))
    plan = compile_plan(sc, record=["ua_personnel", "ru_personnel"])
    blocks = [job() for job in block_jobs(plan, 4, 1100)]
    ref = assemble(plan, blocks, seed=4)
    ours = simulate(sc, n_samples=1100, seed=4, record=["ua_personnel", "ru_personnel"]).ds
    assert list(ours.data_vars) == list(ref.data_vars)
    ref.attrs.pop("created")
    ours.attrs.pop("created")
    ref = ref.assign_attrs(created=None)
    ours = ours.assign_attrs(created=None)
    import xarray as xr

    xr.testing.assert_identical(ours, ref)


def test_backend_resolution(monkeypatch):
    assert resolve_backend("numpy") == "numpy"
    monkeypatch.setenv("DETENTE_BACKEND", "numpy")
    assert resolve_backend("auto") == "numpy"
    monkeypatch.delenv("DETENTE_BACKEND")
    detente.engine.backend.numba_available.cache_clear()
    monkeypatch.setitem(sys.modules, "numba", None)  # as if the [fast] extra were missing
    try:
        assert resolve_backend("auto") == "numpy"
        with pytest.raises(MissingDependencyError, match=r"detente\[fast\]"):
            resolve_backend("numba")
    finally:
        detente.engine.backend.numba_available.cache_clear()
    with pytest.raises(detente.InputError, match="unknown backend"):
        resolve_backend("cuda")


def test_sketch_extremes_stay_compact():
    x = np.array([[0.0, 1e-300, 5.0, 1.8e308, np.inf, -np.inf, np.nan]])
    off, c = sketch_counts(x, "numpy")
    assert c.sum() == 6  # NaN not counted
    assert c.shape[1] < 2 * 128 * 61  # bounded whatever the magnitudes
    sk = QuantileSketch(1, 1)
    sk.add("v", 0, off, c)
    q = sk.quantiles("v", [0.0, 0.5, 1.0])[0, :, 0]
    assert q[0] == -np.inf
    assert q[2] == np.inf


@requires_numba
@pytest.mark.parametrize("quantiles", [False, True])
def test_threaded_kernels_equal_the_serial_numpy_twin(bench_dict, write_scenario, quantiles):
    """Blocks prepared here while kernels run on threads: the same numbers as serial NumPy."""
    from detente.engine import make_keep
    from detente.engine.executor import kernel_threads

    bench_dict["time"]["horizon_steps"] = 60
    bench_dict["policies"] = {
        "status_quo": {"description": "as is"},
        "more_aid": {"description": "more aid for a while", "changes": [
            {"param": "ua_shell_aid_direct", "scale": 1.5, "from": "2024-03-04",
             "until": "2024-06-24"}]},
        "guarded": {"description": "switches a mechanism on: the generic loop", "changes": [
            {"param": "mil_stock_guard_switch", "value": 1, "from": "2024-03-04"}]},
    }
    sc = load_scenario(write_scenario(bench_dict))
    keep = {"record": ["ua_personnel"], "outcomes": ["ru_personnel", "ua_shells"],
            "quantiles": ["ru_shells"] if quantiles else None}
    n = 3 * 1024 + 17
    plan = compile_plan(sc, record=keep["record"])
    if (os.cpu_count() or 1) > 1:  # the path under test: kernels on worker threads
        assert kernel_threads(plan, make_keep(plan, keep["outcomes"], keep["quantiles"],
                                               "numba"), 4) > 1
    fast = simulate(sc, n_samples=n, seed=9, backend="numba", **keep).ds
    twin = simulate(sc, n_samples=n, seed=9, backend="numpy", **keep).ds
    assert list(fast.data_vars) == list(twin.data_vars)
    for name in fast.data_vars:
        np.testing.assert_array_equal(fast[name].values, twin[name].values, err_msg=name)


def test_non_finite_parameters_rule_the_fused_loop_out(bench_plan):
    from detente.engine.streams import block_parameters, constant_array

    p = {k: v * bench_plan.factors[k]
         for k, v in block_parameters(bench_plan, np.random.SeedSequence(0), 0, 8).items()}
    assert MilitaryFused.eligible(p)
    assert not MilitaryFused.eligible({**p, "ua_ramp_time": constant_array(np.nan, 8)})
    drawn = p["ua_effectiveness"].copy()
    drawn[3] = np.inf
    assert not MilitaryFused.eligible({**p, "ua_effectiveness": drawn})


def test_with_an_executor_every_output_write_happens_in_the_submitted_call(
        bench_dict, write_scenario):
    """The threaded path relies on this: a block's writes all happen where its runs run."""
    from concurrent.futures import Executor, Future

    class Deferred(Executor):
        def __init__(self) -> None:
            self.calls: list = []

        def submit(self, fn, /, *args, **kwargs):
            fut: Future = Future()
            self.calls.append((fut, lambda: fn(*args, **kwargs)))
            return fut

    bench_dict["time"]["horizon_steps"] = 20
    bench_dict["policies"] = {
        "status_quo": {"description": "fused"},
        "guarded": {"description": "generic loop", "changes": [
            {"param": "mil_stock_guard_switch", "value": 1, "from": "2024-02-05"}]},
    }
    plan = compile_plan(load_scenario(write_scenario(bench_dict)), record=["ua_personnel"])
    out = {"ua_personnel": np.full((2, 21, 50), np.nan)}
    finals = {"ru_personnel": np.full((2, 50), np.nan)}
    pool = Deferred()
    res = run_block(plan, 3, 0, 50, keep=Keep(outcomes=("ru_personnel",)), out=out,
                    executor=pool, finals=finals)
    assert len(pool.calls) == 1
    assert not res.done()
    assert np.isnan(out["ua_personnel"]).all()
    assert np.isnan(finals["ru_personnel"]).all()
    fut, call = pool.calls[0]
    fut.set_result(call())
    assert res.wait() is res
    assert np.isfinite(out["ua_personnel"]).all()
    assert np.isfinite(finals["ru_personnel"]).all()
    ref = run_block(plan, 3, 0, 50, keep=Keep(outcomes=("ru_personnel",)))
    np.testing.assert_array_equal(out["ua_personnel"], ref.trajectories["ua_personnel"])
    np.testing.assert_array_equal(finals["ru_personnel"], ref.finals["ru_personnel"])


def test_an_early_dataset_counts_only_if_it_holds_the_arrays_the_kernels_fill():
    import xarray as xr

    from detente.engine.ensemble import _holds

    full = {"v": np.zeros((1, 3, 4))}
    finals = {"v": np.zeros((1, 4))}

    def dataset(copy: bool) -> xr.Dataset:
        t = full["v"].transpose(0, 2, 1)
        f = finals["v"]
        return xr.Dataset({"v": (("policy", "sample", "time"), t.copy() if copy else t),
                           "final_v": (("policy", "sample"), f.copy() if copy else f)})

    assert _holds(dataset(copy=False), full, finals)
    assert not _holds(dataset(copy=True), full, finals)
