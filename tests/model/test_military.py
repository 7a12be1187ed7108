"""The military module: its reads, its invariants, its kernel, and two known answers.

* **Reads**: every name it reads is declared.
* **Invariants** on steps driven directly: with the stock guard on no stock goes negative,
  territory stays within the country, the killed are a fixed share of the casualties.
* **Kernel**: the reduced step (``core_step``, ``core_init``) computes exactly what the
  module computes with the kernel's parameters at 0, bit for bit.
* **Square law** (analytic): with everything but aimed fire switched off, the exchange is
  Lanchester's square law, dB/dt = -a R, dR/dt = -b B. Then b B^2 - a R^2 is conserved and
  B(t) = B0 cosh(sqrt(ab) t) - sqrt(a/b) R0 sinh(sqrt(ab) t). Forward Euler conserves the
  invariant only to O(dt) over a fixed horizon, and its error against the closed form
  shrinks in proportion to dt (first order).
* **The shared benchmark model**: with its extra mechanisms off the module is exactly the
  benchmark (below).

The military module with its extra mechanisms off is exactly the shared benchmark model.

The benchmark's reference implementation lives beside the checkout in
``shared/bench/peer-model`` and is imported from there (never copied into the project).

Units differ (the benchmark counts thousands of persons and rounds, rates per week; detente
counts persons and rounds, rates per day, ``dt`` = 7 days), so the two runs round
differently in the last bit. Over most of the parameter space that makes no visible
difference (< 1e-11 relative). But in part of it the benchmark's weekly Euler step is
numerically unstable: a force driven near zero overshoots (|1 - dt * dloss/dX| > 1) or a
munitions stock near empty oscillates, and a last-bit difference is amplified several-fold
per step. There no two implementations in different units can agree, and neither can the
benchmark with itself: we measure that by re-running the benchmark with its parameters
perturbed by 4 ulp. The comparison to 1e-9 covers every time point up to the first at which
that self-perturbation exceeds 1e-12 (about 95 % of all points in a 2,000-sample design);
``test_coverage_of_the_comparison`` keeps that share honest.
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from model_helpers import drive, neutral_state, step_on_declared_names

from detente.engine import compile_plan, simulate
from detente.model import Module, StepContext, military
from detente.model.base import Cast, owned
from detente.scenario.schema import Scenario


def _drive(sc: Scenario, p, n: int, steps: int, dt: float, shocks=None, inputs=None):
    """Run the military module alone, built for ``sc``'s cast; every variable (steps + 1, n)."""
    return drive(["military"], p, n, steps, dt, shocks=shocks, inputs=inputs, cast=sc.cast)


def _central(sc: Scenario, n: int) -> dict[str, np.ndarray]:
    """Every parameter's central value (defaults included), canonical units, ``n`` samples."""
    plan = compile_plan(sc)
    return {k: np.full(n, v * plan.factors[k]) for k, v in plan.table.central().items()}


@pytest.fixture(scope="module")
def uk_military(ukraine) -> Module:
    return military.build(ukraine.cast)


@pytest.fixture(scope="module")
def bench_military(bench) -> Module:
    return military.build(bench.cast)


# --------------------------------------------------------------------------- reads
def test_every_read_is_declared(ukraine, uk_military) -> None:
    p = _central(ukraine, 4)
    states = step_on_declared_names(uk_military, p, 4, **{
        "ukraine.allied_personnel": 1e4, "war_intensity": 0.5,
        "united_states.aid_index": 0.5, "ukraine.pop_home_ratio": 0.9})
    assert np.all(states[-1]["ukraine.personnel"] > 0.0)
    assert {r.name for r in uk_military.reads} >= {
        "war_intensity", "ukraine.allied_personnel", "russia.allied_personnel",
        "ukraine.pop_home_ratio", "russia.pop_home_ratio", "united_states.aid_index"}


def test_reads_enter_where_the_model_says(ukraine, uk_military) -> None:
    n = 4
    p = _central(ukraine, n)
    base = step_on_declared_names(uk_military, p, n, steps=1)[0]
    calm = step_on_declared_names(uk_military, p, n, steps=1, war_intensity=0.0)[0]
    for x in ukraine.cast.sides:
        np.testing.assert_array_equal(calm[owned(x, "casualties_cum")], 0.0)
        assert np.all(base[owned(x, "casualties_cum")] > 0.0)
    allied = step_on_declared_names(uk_military, p, n, steps=1,
                                    **{"ukraine.allied_personnel": 5e4})[0]
    assert np.all(allied["ukraine.combat_power_ratio"] > base["ukraine.combat_power_ratio"])
    assert np.all(allied["russia.combat_power_ratio"] < base["russia.combat_power_ratio"])
    # troops allied to the other side help the other side, as much
    other = step_on_declared_names(uk_military, p, n, steps=1,
                                   **{"russia.allied_personnel": 5e4})[0]
    assert np.all(other["russia.combat_power_ratio"] > base["russia.combat_power_ratio"])


def test_each_side_s_combat_power_ratio_is_the_other_s_inverse(ukraine, uk_military) -> None:
    p = _central(ukraine, 4)
    state = step_on_declared_names(uk_military, p, 4, steps=2)[-1]
    np.testing.assert_allclose(state["ukraine.combat_power_ratio"]
                               * state["russia.combat_power_ratio"], 1.0, rtol=1e-12)


def test_the_module_is_the_same_whatever_the_sides_are_called(bench, bench_military) -> None:
    """Written once over the cast: other ids and names rename the variables, nothing else."""
    cast = Cast(("azure", "crimson"), names=(("azure", "Azure"), ("crimson", "Crimson")))
    renamed = military.build(cast)
    to_new = {"blue": "azure", "red": "crimson"}

    def rename(name: str) -> str:
        owner, dot, base = name.partition(".")
        return f"{to_new[owner]}.{base}" if dot and owner in to_new else name

    assert [rename(s.name) for s in bench_military.params] == [s.name for s in renamed.params]
    assert [rename(v.name) for v in bench_military.variables] == [
        v.name for v in renamed.variables]
    assert renamed.kernel_layout.state == tuple(map(rename, bench_military.kernel_layout.state))
    spec = next(v for v in renamed.variables if v.name == "crimson.personnel")
    assert "Crimson" in spec.description
    assert "Red" not in spec.description
    n = 16
    p = _central(bench, n)
    rng = np.random.default_rng(3)
    for name in bench.uncertain:
        p[name] = p[name] * rng.uniform(0.5, 2.0, n)
    a = step_on_declared_names(bench_military, p, n, steps=5)
    b = step_on_declared_names(renamed, {rename(k): v for k, v in p.items()}, n, steps=5)
    for sa, sb in zip(a, b, strict=True):
        for name, values in sa.items():
            np.testing.assert_array_equal(values, sb[rename(name)], err_msg=name)


def test_a_war_of_three_sides_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="joins two sides; the scenario has 3"):
        military.build(Cast(("a", "b", "c")))


# --------------------------------------------------------------------------- invariants
STOCKS = ["personnel", "trainees", "wounded", "pool", "shells", "drones", "casualties_cum",
          "killed_cum", "territory"]


@pytest.fixture(scope="module")
def draw(ukraine, canonical_params):
    """ukraine-2023's parameters for 24 samples, drawn with a seed."""
    return lambda seed: canonical_params(ukraine, 24, seed=seed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spread=st.sampled_from([0.3, 1.0, 3.0]),
       dt=st.sampled_from([1.0, 7.0, 30.0]))
@example(seed=33535585, spread=1.0, dt=30.0)  # a step longer than the training time
def test_guarded_stocks_stay_non_negative(ukraine, draw, seed: int, spread: float,
                                          dt: float) -> None:
    n, steps = 24, 60
    rng = np.random.default_rng(seed)
    p = draw(seed % 1000)
    sides = ukraine.cast.sides
    for name in [*(owned(x, base) for x in sides for base in (
            "effectiveness", "fire_rate", "recruit_rate", "attrition_rate")),
                 "mil_ground_price", *(owned(x, "assault_tempo") for x in sides)]:
        p[name] = p[name] * rng.uniform(1 / (1 + spread), 1 + 3 * spread, n)
    p["mil_stock_guard_switch"] = np.ones(n)
    shocks = {"combat_intensity": rng.random((steps, n))}
    out = _drive(ukraine, p, n, steps, dt, shocks=shocks)
    for x in sides:
        for base in STOCKS:
            name = owned(x, base)
            # the guard bounds each outflow by what the stock holds: zero up to rounding
            tol = 1e-12 * np.abs(out[name]).max(axis=0)
            assert (out[name] >= -tol).all(), (name, out[name].min())
        # a side holds no more of the other's area than there is
        assert (out[owned(x, "territory")] <= p[owned(ukraine.cast.other(x), "area")]).all()
        # casualties only grow (a force driven to zero by rounding loses ~1e-12 persons)
        cas = out[owned(x, "casualties_cum")]
        step = np.diff(cas, axis=0)
        assert (step >= -1e-12 * cas.max()).all(), (x, step.min())
        # every casualty is killed or wounded in a fixed proportion
        np.testing.assert_allclose(out[owned(x, "killed_cum")],
                                   p[owned(x, "killed_share")] * cas, rtol=1e-9, atol=1e-6)


def test_front_moves_no_faster_than_its_exploitation_speed(ukraine, canonical_params) -> None:
    n, dt = 32, 7.0
    p = canonical_params(ukraine, n, seed=4)
    p["ukraine.effectiveness"] = p["ukraine.effectiveness"] * np.linspace(0.05, 20.0, n)
    out = _drive(ukraine, p, n, 40, dt)
    # each side's advance stays below the asymptote; the net gain is the difference of two
    assert (np.abs(out["russia.territory_change"])
            <= p["mil_exploitation_speed"] * (1 + 1e-12)).all()
    np.testing.assert_allclose(out["russia.territory_pct"],
                               100.0 * out["russia.territory"] / p["ukraine.area"], rtol=1e-12)
    # what one side gains the other's own area loses
    held = out["ukraine.held_km2"] + out["russia.territory"]
    np.testing.assert_allclose(held, np.broadcast_to(p["ukraine.area"], held.shape), rtol=1e-12)


# --------------------------------------------------------------------------- the kernel
def _kernel_params(bench, canonical_params, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = canonical_params(bench, n, seed=seed)
    for name in bench.uncertain:
        p[name] = p[name] * rng.uniform(0.25, 4.0, n)
    return p


def test_the_kernel_declares_the_benchmark_configuration(bench, bench_military) -> None:
    layout = bench_military.kernel_layout
    assert layout.state == ("blue.personnel", "red.personnel", "blue.shells", "red.shells",
                            "blue.casualties_cum", "red.casualties_cum")
    assert layout.reads == ("war_intensity", "blue.allied_personnel", "red.allied_personnel")
    assert layout.derived == ("blue.shell_inflow", "red.shell_inflow")
    assert bench_military.kernel is not None
    for name in bench_military.kernel.zero:  # the benchmark runs in the kernel's configuration
        entry = bench.table[name]
        assert entry.distribution.central() * entry.factor == 0.0, name


def _kernel_inputs(module: Module, p, reads, t: float, dt: float) -> dict[str, np.ndarray]:
    """What the kernel's step takes besides its state: parameters, reads, derived inputs."""
    layout = module.kernel_layout
    assert module.kernel is not None
    known = {**p, **reads}
    derived = {name: fn(*(known[a] for a in args)) for name, fn, args in zip(
        layout.derived, module.kernel.derived, layout.derived_arguments, strict=True)}
    return {**known, **derived, "t": t, "dt": dt}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_core_step_is_the_step_with_the_mechanisms_off(bench, bench_military, canonical_params,
                                                       seed) -> None:
    """Over arrays, the kernel's equations give the module's numbers bit for bit."""
    n, dt = 500, 7.0
    module = bench_military
    assert module.kernel is not None
    p = _kernel_params(bench, canonical_params, n, seed)
    reads = neutral_state(module, n)
    s = {**module.init(p, n, reads), **reads}
    layout = module.kernel_layout
    core = dict(zip(layout.state, (v + np.zeros(n) for v in module.kernel.init(
        *(p[a] for a in layout.init_arguments))), strict=True))
    for name in layout.state:
        np.testing.assert_array_equal(core[name], s[name])
    for k in range(40):
        # no effect: no noise, and no assaults for a campaign to change
        u = {name: np.random.default_rng(k).random(n) for name in module.shocks}
        new = module.step(s, reads, p, u, StepContext(step=k, t=k * dt, dt=dt, n=n))
        given = _kernel_inputs(module, p, reads, k * dt, dt)
        s = {**s, **new}
        out = module.kernel.step(*(core[a] if a in core else given[a]
                                   for a in layout.arguments))
        core = dict(zip(layout.state, out, strict=True))
        for name in layout.state:
            np.testing.assert_array_equal(core[name], s[name], err_msg=f"{name}, step {k}")


def test_a_mechanism_switched_on_leaves_the_kernel(bench, bench_military,
                                                   canonical_params) -> None:
    """The test above has teeth: with the defender's advantage on, the two differ."""
    n, dt = 50, 7.0
    module = bench_military
    assert module.kernel is not None
    p = _kernel_params(bench, canonical_params, n, 0)
    p["mil_defender_switch"] = np.ones(n)
    p["mil_defender_advantage"] = np.full(n, 2.0)
    reads = neutral_state(module, n)
    s = {**module.init(p, n, reads), **reads}
    new = module.step(s, reads, p, {name: np.full(n, 0.5) for name in module.shocks},
                      StepContext(step=0, t=0.0, dt=dt, n=n))
    layout = module.kernel_layout
    given = _kernel_inputs(module, p, reads, 0.0, dt)
    out = dict(zip(layout.state, module.kernel.step(
        *(s[a] if a in layout.state else given[a] for a in layout.arguments)), strict=True))
    assert not np.array_equal(out["blue.personnel"], new["blue.personnel"])


# --------------------------------------------------------------------------- square law
A, B_EFF = 0.004, 0.003  # per day: a = Red's effectiveness, b = Blue's
B0, R0 = 500_000.0, 450_000.0
T = 60.0  # days; both forces stay well above zero


@pytest.fixture(scope="module")
def square_params(bench, canonical_params):
    p = canonical_params(bench, 1)
    p.update({
        "blue.effectiveness": np.array([B_EFF]), "red.effectiveness": np.array([A]),
        "blue.personnel0": np.array([B0]), "red.personnel0": np.array([R0]),
        "blue.reinforcement": np.array([0.0]), "red.reinforcement": np.array([0.0]),
        # supply -> 1: no half-saturation, a stock that never runs down
        "blue.half_sat": np.array([0.0]), "red.half_sat": np.array([0.0]),
        "blue.shells0": np.array([1e6]), "red.shells0": np.array([1e6]),
        "blue.fire_rate": np.array([0.0]), "red.fire_rate": np.array([0.0]),
        "mil_force_floor": np.array([0.0]),
    })
    return p


def _closed_form(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.sqrt(A * B_EFF)
    b = B0 * np.cosh(w * t) - np.sqrt(A / B_EFF) * R0 * np.sinh(w * t)
    r = R0 * np.cosh(w * t) - np.sqrt(B_EFF / A) * B0 * np.sinh(w * t)
    return b, r


def _run(bench, p, dt: float) -> tuple[np.ndarray, np.ndarray]:
    steps = round(T / dt)
    out = _drive(bench, p, 1, steps, dt)
    return out["blue.personnel"][:, 0], out["red.personnel"][:, 0]


def test_supply_is_one(bench, square_params):
    out = _drive(bench, square_params, 1, 1, 1.0)
    # first step losses are exactly a R0 and b B0
    assert out["blue.personnel"][1, 0] == pytest.approx(B0 - A * R0, rel=1e-12)
    assert out["red.personnel"][1, 0] == pytest.approx(R0 - B_EFF * B0, rel=1e-12)


def test_invariant_is_conserved_to_euler_error(bench, square_params):
    drifts = []
    for dt in (1.0, 0.5, 0.25):
        b, r = _run(bench, square_params, dt)
        inv = B_EFF * b**2 - A * r**2
        drifts.append(np.max(np.abs(inv - inv[0])) / (B_EFF * B0**2))
    assert drifts[0] < 1e-2
    # the drift halves with dt (O(dt) over a fixed horizon)
    for coarse, fine in itertools.pairwise(drifts):
        assert coarse / fine == pytest.approx(2.0, rel=0.1)


def test_converges_to_closed_form_first_order(bench, square_params):
    errs = []
    for dt in (2.0, 1.0, 0.5, 0.25):
        b, r = _run(bench, square_params, dt)
        t = np.arange(len(b)) * dt
        eb, er = _closed_form(t)
        errs.append(max(np.max(np.abs(b - eb)), np.max(np.abs(r - er))) / B0)
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(orders - 1.0) < 0.1), orders
    assert errs[-1] < 1e-3


# --------------------------------------------------------------------------- the benchmark
# beside the checkout, or wherever DETENTE_PEER_BENCH points (as for benchmarks/_peers.py)
PEER = Path(os.environ.get(
    "DETENTE_PEER_BENCH",
    Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "peer-model"))
RTOL = 1e-9
#: Self-sensitivity beyond which the benchmark's own trajectory is ill-conditioned.
COND = 1e-12
NAMES = {
    "blue.effectiveness": "blue_effectiveness", "red.effectiveness": "red_effectiveness",
    "blue.fire_rate": "blue_fire_rate", "red.fire_rate": "red_fire_rate",
    "blue.shell_production": "blue_production", "blue.shell_aid_direct": "blue_aid",
    "red.shell_production": "red_production", "blue.reinforcement": "blue_reinforcement",
    "red.reinforcement": "red_reinforcement",
}


@pytest.fixture(scope="module")
def peer():
    if not (PEER / "attrition_models.py").is_file():
        pytest.skip(f"shared benchmark model not found at {PEER} (it lives beside the "
                    "checkout, in shared/bench/peer-model; or set DETENTE_PEER_BENCH)")
    sys.path.insert(0, str(PEER))
    try:
        models = importlib.import_module("attrition_models")
        params = importlib.import_module("params")
    finally:
        sys.path.remove(str(PEER))
    return models, params


def _scaled_error(ours: dict[str, np.ndarray], ref: dict[str, np.ndarray], floor: float
                  ) -> np.ndarray:
    """Largest error of the two forces, relative to max(|ref|, floor), shape (time, sample)."""
    err = [np.abs(ours[k] - ref[k]) / np.maximum(np.abs(ref[k]), floor)
           for k in ("blue_forces", "red_forces")]
    return np.maximum(*err)


def _well_conditioned(models, params, design: dict[str, np.ndarray]) -> np.ndarray:
    """Mask (time, sample): points before the benchmark's own 4-ulp sensitivity tops COND."""
    ref = models.attrition_numpy(design)
    floor = params.CONSTANTS["force_floor"]
    eps = np.finfo(np.float64).eps
    sens = np.zeros_like(ref["blue_forces"])
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        bumped = {k: v * (1.0 + 4 * eps * rng.choice([-1.0, 1.0], size=v.shape))
                  for k, v in design.items()}
        sens = np.maximum(sens, _scaled_error(models.attrition_numpy(bumped), ref, floor))
    return np.cumsum(sens > COND, axis=0) == 0


def _compare(ours: dict[str, np.ndarray], models, params, design) -> np.ndarray:
    ref = models.attrition_numpy(design)
    err = _scaled_error(ours, ref, params.CONSTANTS["force_floor"])
    mask = _well_conditioned(models, params, design)
    worst = float(err[mask].max())
    assert worst <= RTOL, f"largest relative difference {worst:.3g} > {RTOL}"
    # the very first steps are always well conditioned: they must agree everywhere
    assert mask[:20].all()
    return mask


def test_lanchester_bench_scenario_matches_peer_parameters(bench, peer):
    _, params = peer
    assert bench.time.step_days == 7 * params.DT
    assert bench.time.horizon_steps == params.FINAL_TIME
    assert bench.modules == ("military",)
    assert set(bench.uncertain) == set(NAMES)
    for name, peer_name in NAMES.items():
        _, _, lo, hi = params.UNCERTAINTIES[peer_name]
        dist = bench.parameters[name].dist
        assert dist is not None
        assert dist.support() == (lo, hi)
    # switched-off mechanisms
    for name, par in bench.parameters.items():
        if name.endswith("_switch"):
            assert par.value == 0, name


def test_module_loop_equals_attrition_numpy(bench, peer, canonical_params):
    models, params = peer
    n = 400
    design = params.lhs_samples(n, seed=11)
    p = canonical_params(bench, n, given={k: design[v] for k, v in NAMES.items()})
    traj = _drive(bench, p, n, params.FINAL_TIME, bench.time.step_days)
    # the benchmark counts thousands of persons
    ours = {"blue_forces": traj["blue.personnel"] / 1e3,
            "red_forces": traj["red.personnel"] / 1e3}
    _compare(ours, models, params, design)


def test_engine_run_equals_attrition_numpy(bench, peer):
    models, params = peer
    n = 300
    design = params.lhs_samples(n, seed=3)
    res = simulate(bench, n_samples=n, seed=0,
                   samples={k: design[v] for k, v in NAMES.items()},
                   record=["blue.personnel", "red.personnel"])
    ours = {f"{x}_forces": res[f"{x}.personnel"].sel(policy="status_quo")
            .transpose("time", "sample").values / 1e3 for x in ("blue", "red")}
    _compare(ours, models, params, design)


def test_default_point_agrees_over_the_whole_horizon(bench, peer, canonical_params):
    models, params = peer
    design = {k: np.array([v]) for k, v in params.DEFAULTS.items()}
    p = canonical_params(bench, 1, given={k: design[v] for k, v in NAMES.items()})
    traj = _drive(bench, p, 1, params.FINAL_TIME, bench.time.step_days)
    ref = models.attrition_numpy(design)
    np.testing.assert_allclose(traj["blue.personnel"] / 1e3, ref["blue_forces"], rtol=RTOL)
    np.testing.assert_allclose(traj["red.personnel"] / 1e3, ref["red_forces"], rtol=RTOL)


def test_coverage_of_the_comparison(peer):
    models, params = peer
    design = params.lhs_samples(2000, seed=0)
    mask = _well_conditioned(models, params, design)
    assert mask.mean() > 0.9, f"only {mask.mean():.1%} of points are well conditioned"
