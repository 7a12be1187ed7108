"""Compiled runs: a module's declared kernel, generated into a fused loop, is bit-identical
to the generic module loop, with Numba and with NumPy running the same equations."""

from __future__ import annotations

import os
import types

import numpy as np
import pytest

from detente.engine import Keep, compile_plan, numba_available, run_block, run_modules, simulate
from detente.engine.compiled import (
    Fused,
    _fingerprint,
    compiled_run,
    fused_plan,
    kernel_source,
    scalar_equation,
)
from detente.engine.streams import block_parameters, constant_array, stream
from detente.model import Kernel, Module, ParamSpec, Read, VariableSpec, couple, military
from detente.model.equations import equation, safe_div
from detente.scenario import load_scenario

HAVE_NUMBA = numba_available()
requires_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="needs the [fast] extra (numba)")
BACKENDS = ["numpy", pytest.param("numba", marks=requires_numba)]
BENCH = military.build(load_scenario("lanchester-bench").cast)
#: The kernel's state variables, as the benchmark's sides name them (blue.personnel, ...).
KERNEL_STATE = BENCH.kernel_layout.state


def _random_params(plan, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Canonical parameters with the benchmark's uncertain ones drawn far and wide."""
    file_units = block_parameters(plan, np.random.SeedSequence(0), 0, n)
    p = {k: v * plan.factors[k] for k, v in file_units.items()}
    for name in plan.uncertain:
        p[name] = p[name] * rng.uniform(0.25, 4.0, n)
    return p


@pytest.fixture(scope="module")
def bench_plan():
    return compile_plan(load_scenario("lanchester-bench"), record=list(KERNEL_STATE))


@pytest.mark.parametrize("backend", BACKENDS)
def test_fused_military_equals_the_module_loop_on_random_draws(bench_plan, backend):
    rng = np.random.default_rng(42)
    n, steps = 700, 156
    plan = compile_plan(bench_plan.scenario.with_horizon(steps), record=list(KERNEL_STATE))
    p = _random_params(plan, n, rng)
    fused = fused_plan(plan, KERNEL_STATE)
    assert fused is not None
    assert fused.eligible(p)
    ref = {v: np.empty((steps + 1, n)) for v in KERNEL_STATE}
    shocks = stream(np.random.SeedSequence(1), 0, 1).random((plan.n_steps, len(plan.shocks), n))
    from detente.engine import run_policy

    run_policy(plan, p, (), {}, shocks, n, ref)
    out = {v: np.empty((steps + 1, n)) for v in KERNEL_STATE}
    state = fused.init(p, n)
    for v in KERNEL_STATE:
        out[v][0] = state[KERNEL_STATE.index(v)]
    fused.run(p, state, 0, 60, plan.dt, out, backend)  # in two stretches
    fused.run(p, state, 60, steps, plan.dt, out, backend)
    for v in KERNEL_STATE:
        # the same operations in the same order: bit for bit
        np.testing.assert_array_equal(out[v], ref[v], err_msg=v)


@pytest.mark.parametrize("backend", BACKENDS)
def test_engine_fast_path_is_bit_identical_with_overlays(bench_dict, write_scenario, backend):
    bench_dict["time"]["horizon_steps"] = 80
    bench_dict["policies"] = {
        "status_quo": {"description": "as is"},
        "more_aid": {"description": "more aid from week 30 to 50", "changes": [
            {"param": "blue.shell_aid_direct", "scale": 1.5, "from": "2024-07-29",
             "until": "2024-12-16"}]},
        "guarded": {"description": "switches a mechanism on: no fused path", "changes": [
            {"param": "mil_stock_guard_switch", "value": 1, "from": "2024-03-04"}]},
    }
    plan = compile_plan(load_scenario(write_scenario(bench_dict)), record=list(KERNEL_STATE))
    fast = run_block(plan, 5, 1, 300, keep=Keep(backend=backend))
    slow = run_block(plan, 5, 1, 300, keep=Keep(fast_paths=False))
    for v in KERNEL_STATE:
        np.testing.assert_array_equal(fast.trajectories[v], slow.trajectories[v], err_msg=v)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_records_are_the_rounded_float64_run(bench_plan, backend):
    plan = compile_plan(bench_plan.scenario.with_horizon(30), record=list(KERNEL_STATE))
    f32 = run_block(plan, 2, 0, 100, dtype=np.float32, keep=Keep(backend=backend))
    ref = run_block(plan, 2, 0, 100, keep=Keep(fast_paths=False))
    for v in KERNEL_STATE:
        assert f32.trajectories[v].dtype == np.float32
        np.testing.assert_array_equal(f32.trajectories[v],
                                      ref.trajectories[v].astype(np.float32))


def test_the_fused_path_applies_only_where_the_kernel_does(bench_plan):
    assert fused_plan(bench_plan, ["blue.combat_power_ratio"]) is None
    uk = compile_plan(load_scenario("ukraine-2023"))
    assert fused_plan(uk, ["ukraine.personnel"]) is None  # more than one module
    fused = fused_plan(bench_plan, ["blue.personnel"])
    assert isinstance(fused, Fused)
    assert not fused.eligible({"mil_pipeline_switch": np.array([0.0, 1.0])})
    assert compiled_run(bench_plan, None, {}, (), {}, 1, {}, "numpy") is None


def test_non_finite_parameters_rule_the_fused_loop_out(bench_plan):
    fused = fused_plan(bench_plan, KERNEL_STATE)
    p = {k: v * bench_plan.factors[k]
         for k, v in block_parameters(bench_plan, np.random.SeedSequence(0), 0, 8).items()}
    assert fused.eligible(p)
    assert not fused.eligible({**p, "blue.ramp_time": constant_array(np.nan, 8)})
    drawn = p["blue.effectiveness"].copy()
    drawn[3] = np.inf
    assert not fused.eligible({**p, "blue.effectiveness": drawn})


def test_nothing_in_the_engine_names_the_model():
    """The compiled path knows no parameter or variable: all of it comes from a declaration."""
    import inspect

    import detente.engine.compiled as compiled

    source = inspect.getsource(compiled)
    names = {p.name for p in military.PARAMS} | {v.name for v in military.VARIABLES}
    names |= {p.name for p in BENCH.params} | {v.name for v in BENCH.variables}
    assert not [n for n in names if f'"{n}"' in source or f"'{n}'" in source]
    assert not [x for x in ("blue", "red") if f'"{x}' in source or f"'{x}" in source]


# --------------------------------------------------------------------------- any kernel
@equation
def _decay_step(level, total, rate, floor, pull, gain, t, dt):
    """A toy module's step: a level decaying toward ``pull`` (a read) and a running sum."""
    new = level + dt * (safe_div(rate * (pull - level), 1.0 + floor, 0.0) + 1e-3 * t)
    return new, total + dt * gain * new


@equation
def _decay_init(level0):
    return level0, 0.0


@equation
def gain(rate, floor):
    return rate / (1.0 + floor)


def _decay_init_np(p, n, state):
    return {"level": p["level0"] + np.zeros(n), "total": np.zeros(n)}


def _decay_step_np(s, x, p, u, ctx):
    g = gain(p["rate"], p["floor"])
    level, total = _decay_step(s["level"], s["total"], p["rate"], p["floor"], s["pull"], g,
                               ctx.t, ctx.dt)
    return {"level": level, "total": total}


DECAY = Module(
    name="decay", description="a toy module with a kernel",
    params=(ParamSpec("rate", "1/day", "r"), ParamSpec("floor", "1", "f"),
            ParamSpec("level0", "1", "l")),
    variables=(VariableSpec("level", "1", "l"), VariableSpec("total", "1", "t")),
    init=_decay_init_np, step=_decay_step_np, reads=(Read("pull", 3.0),),
    kernel=Kernel(step=_decay_step, init=_decay_init, derived=(gain,), zero=()),
)


#: Writes what the toy module reads (installed, not enabled: the read takes its neutral value).
PULL = Module(name="pull", description="writes pull", params=(),
              variables=(VariableSpec("pull", "1", "p"),), init=_decay_init_np,
              step=_decay_step_np)


class _Plan:
    """What the compiled path needs of a plan, for a module outside the installation."""

    def __init__(self, n_steps: int) -> None:
        self.couplings = couple([DECAY], {"decay": DECAY, "pull": PULL}, ["decay", "pull"])
        self.modules = self.couplings.modules
        self.n_steps, self.dt = n_steps, 0.5


@pytest.mark.parametrize("backend", BACKENDS)
def test_any_declared_kernel_runs_as_its_module(backend):
    """Time, a read, a derived input and several stretches, in a module of its own."""
    n, steps = 130, 40
    rng = np.random.default_rng(0)
    p = {"rate": rng.uniform(0.0, 2.0, n), "floor": rng.uniform(0.0, 1.0, n),
         "level0": rng.normal(0.0, 5.0, n)}
    plan = _Plan(steps)
    ref = {v: np.empty((steps + 1, n)) for v in ("level", "total")}
    run_modules(plan.couplings, p, n=n, n_steps=steps, dt=plan.dt,
                shocks=np.empty((steps, 0, n)), out=ref)
    fused = fused_plan(plan, ["level", "total"])
    assert fused is not None
    out = {"total": np.empty((steps + 1, n))}  # one output only: the other is not written
    state = fused.init(p, n)
    out["total"][0] = state[1]
    for k0, k1 in ((0, 7), (7, 7), (7, steps)):
        fused.run(p, state, k0, k1, plan.dt, out, backend)
    np.testing.assert_array_equal(out["total"], ref["total"])
    np.testing.assert_array_equal(state[0], ref["level"][-1])


def test_the_generated_loop_names_every_argument_by_its_kind():
    src = kernel_source(DECAY.kernel_layout, (3.0,))
    assert "r0 = float('3.0')" in src
    assert "step(s0[i], s1[i], q0[i], q1[i], r0, q2[i], t, dt)" in src
    assert "t = k * dt" in src
    assert "nan" in kernel_source(DECAY.kernel_layout, (float("nan"),))


@requires_numba
def test_only_equations_and_primitives_compile():
    @equation
    def uses_numpy(x):
        return np.exp(x)

    with pytest.raises(TypeError, match="uses 'np', which is neither a number, a primitive"):
        scalar_equation(uses_numpy)
    with pytest.raises(TypeError, match="is not a model equation"):
        scalar_equation(lambda x: x)
    twin = scalar_equation(military.supply)
    assert twin(3.0, 1.0) == 0.75
    assert twin(0.0, 0.0) == 0.0  # the scalar primitive's fill


def test_a_changed_equation_changes_the_fingerprint():
    before = _fingerprint(military.core_step)
    assert before == _fingerprint(military.core_step)
    # the same step calling an equation with other code: another fingerprint
    scope = dict(military.core_step.__globals__)

    @equation
    def supply(fires, half_sat):
        return safe_div(fires, fires + 2.0 * half_sat, 0.0)

    scope["supply"] = supply
    other = types.FunctionType(military.core_step.__code__, scope, "core_step")
    other.__detente_equation__ = True
    assert _fingerprint(other) != before


# --------------------------------------------------------------------------- threads
@requires_numba
@pytest.mark.parametrize("quantiles", [False, True])
def test_threaded_kernels_equal_the_serial_numpy_run(bench_dict, write_scenario, quantiles):
    """Blocks prepared here while kernels run on threads: the same numbers as serial NumPy."""
    from detente.engine import make_keep
    from detente.engine.executor import kernel_threads

    bench_dict["time"]["horizon_steps"] = 60
    bench_dict["policies"] = {
        "status_quo": {"description": "as is"},
        "more_aid": {"description": "more aid for a while", "changes": [
            {"param": "blue.shell_aid_direct", "scale": 1.5, "from": "2024-03-04",
             "until": "2024-06-24"}]},
        "guarded": {"description": "switches a mechanism on: the generic loop", "changes": [
            {"param": "mil_stock_guard_switch", "value": 1, "from": "2024-03-04"}]},
    }
    sc = load_scenario(write_scenario(bench_dict))
    keep = {"record": ["blue.personnel"], "outcomes": ["red.personnel", "blue.shells"],
            "quantiles": ["red.shells"] if quantiles else None}
    n = 3 * 1024 + 17
    plan = compile_plan(sc, record=keep["record"])
    if (os.cpu_count() or 1) > 1:  # the path under test: kernels on worker threads
        assert kernel_threads(plan, make_keep(plan, keep["outcomes"], keep["quantiles"],
                                               "numba"), 4) > 1
    fast = simulate(sc, n_samples=n, seed=9, backend="numba", **keep).ds
    twin = simulate(sc, n_samples=n, seed=9, backend="numpy", **keep).ds
    assert fast["personnel"].dims == ("policy", "sample", "time", "side")
    assert list(fast.data_vars) == list(twin.data_vars)
    for name in fast.data_vars:
        np.testing.assert_array_equal(fast[name].values, twin[name].values, err_msg=name)


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
    plan = compile_plan(load_scenario(write_scenario(bench_dict)), record=["blue.personnel"])
    out = {"blue.personnel": np.full((2, 21, 50), np.nan)}
    finals = {"red.personnel": np.full((2, 50), np.nan)}
    pool = Deferred()
    res = run_block(plan, 3, 0, 50, keep=Keep(outcomes=("red.personnel",)), out=out,
                    executor=pool, finals=finals)
    assert len(pool.calls) == 1
    assert not res.done()
    assert np.isnan(out["blue.personnel"]).all()
    assert np.isnan(finals["red.personnel"]).all()
    fut, call = pool.calls[0]
    fut.set_result(call())
    assert res.wait() is res
    assert np.isfinite(out["blue.personnel"]).all()
    assert np.isfinite(finals["red.personnel"]).all()
    ref = run_block(plan, 3, 0, 50, keep=Keep(outcomes=("red.personnel",)))
    np.testing.assert_array_equal(out["blue.personnel"], ref.trajectories["blue.personnel"])
    np.testing.assert_array_equal(finals["red.personnel"], ref.finals["red.personnel"])


def test_assembled_layout_matches_results_assemble(bench_dict, write_scenario):
    from detente.engine import assemble, block_jobs

    bench_dict["time"]["horizon_steps"] = 10
    sc = load_scenario(write_scenario(bench_dict))
    plan = compile_plan(sc, record=["blue.personnel", "red.personnel"])
    blocks = [job() for job in block_jobs(plan, 4, 1100)]
    ref = assemble(plan, blocks, seed=4)
    ours = simulate(sc, n_samples=1100, seed=4, record=["blue.personnel", "red.personnel"]).ds
    assert list(ours.data_vars) == list(ref.data_vars)
    ref.attrs.pop("created")
    ours.attrs.pop("created")
    ref = ref.assign_attrs(created=None)
    ours = ours.assign_attrs(created=None)
    import xarray as xr

    xr.testing.assert_identical(ours, ref)


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

    # what a side owns lives along the side dim: held only where that is a view of them
    base = np.zeros((1, 2, 3, 4))  # (policy, side, time, sample)
    owned = {"blue.v": base[:, 0], "red.v": base[:, 1]}
    coords = {"side": ["blue", "red"]}
    view = xr.Dataset({"v": (("policy", "sample", "time", "side"),
                             base.transpose(0, 3, 2, 1))}, coords=coords)
    assert _holds(view, owned, {})
    copied = view.copy(deep=True)
    assert not _holds(copied, owned, {})


@requires_numba
def test_without_a_writable_cache_folder_the_loop_compiles_all_the_same(bench_dict,
                                                                       write_scenario,
                                                                       monkeypatch):
    from detente.engine import compiled

    bench_dict["time"]["horizon_steps"] = 30
    sc = load_scenario(write_scenario(bench_dict))
    ref = simulate(sc, n_samples=300, seed=2, record=list(KERNEL_STATE), backend="numpy")
    monkeypatch.setattr(compiled, "_cache_folder", lambda: None)
    compiled._numba_loop.cache_clear()
    try:
        got = simulate(sc, n_samples=300, seed=2, record=list(KERNEL_STATE),
                       backend="numba")
    finally:
        compiled._numba_loop.cache_clear()  # later tests use the cached loop again
    for v in KERNEL_STATE:
        np.testing.assert_array_equal(got[v].values, ref[v].values, err_msg=v)
