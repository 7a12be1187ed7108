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
from model_helpers import neutral_state, step_on_declared_names

from detente.engine import simulate
from detente.model import StepContext, military


# --------------------------------------------------------------------------- reads
def test_every_read_is_declared(central) -> None:
    n = len(central["blue.effectiveness"])
    states = step_on_declared_names(military.MODULE, central, n, nato_personnel=1e4,
                                    war_intensity=0.5, us_aid_index=0.5, pop_home_ratio=0.9)
    assert np.all(states[-1]["blue.personnel"] > 0.0)


def test_reads_enter_where_the_model_says(central) -> None:
    n = len(central["blue.effectiveness"])
    base = step_on_declared_names(military.MODULE, central, n, steps=1)[0]
    calm = step_on_declared_names(military.MODULE, central, n, steps=1, war_intensity=0.0)[0]
    np.testing.assert_array_equal(calm["blue.casualties_cum"], 0.0)
    assert np.all(base["blue.casualties_cum"] > 0.0)
    nato = step_on_declared_names(military.MODULE, central, n, steps=1, nato_personnel=5e4)[0]
    assert np.all(nato["blue.combat_power_ratio"] > base["blue.combat_power_ratio"])


# --------------------------------------------------------------------------- invariants
STOCKS = ["blue.personnel", "red.personnel", "blue.trainees", "red.trainees", "blue.wounded",
          "red.wounded", "blue.pool", "red.pool", "blue.shells", "red.shells", "blue.drones",
          "red.drones", "blue.casualties_cum", "red.casualties_cum", "blue.killed_cum",
          "red.killed_cum", "red.territory"]


@pytest.fixture(scope="module")
def draw(ukraine, canonical_params):
    """ukraine-2023's parameters for 24 samples, drawn with a seed."""
    return lambda seed: canonical_params(ukraine, 24, seed=seed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spread=st.sampled_from([0.3, 1.0, 3.0]),
       dt=st.sampled_from([1.0, 7.0, 30.0]))
@example(seed=33535585, spread=1.0, dt=30.0)  # a step longer than the training time
def test_guarded_stocks_stay_non_negative(draw, drive, seed: int, spread: float,
                                          dt: float) -> None:
    n, steps = 24, 60
    rng = np.random.default_rng(seed)
    p = draw(seed % 1000)
    for name in ("blue.effectiveness", "red.effectiveness", "blue.fire_rate", "red.fire_rate",
                 "blue.recruit_rate", "red.recruit_rate", "blue.attrition_rate",
                 "red.attrition_rate", "mil_front_creep"):
        p[name] = p[name] * rng.uniform(1 / (1 + spread), 1 + 3 * spread, n)
    p["mil_stock_guard_switch"] = np.ones(n)
    shocks = {"combat_intensity": rng.random((steps, n))}
    out = drive(["military"], p, n, steps, dt, shocks=shocks)
    for name in STOCKS:
        # the guard bounds each outflow by what the stock holds: zero up to rounding
        tol = 1e-12 * np.abs(out[name]).max(axis=0)
        assert (out[name] >= -tol).all(), (name, out[name].min())
    assert (out["red.territory"] <= p["blue.area"]).all()
    for x in ("ua", "ru"):
        # casualties only grow (a force driven to zero by rounding loses ~1e-12 persons)
        step = np.diff(out[f"{x}_casualties_cum"], axis=0)
        assert (step >= -1e-12 * out[f"{x}_casualties_cum"].max()).all(), (x, step.min())
        # every casualty is killed or wounded in a fixed proportion
        np.testing.assert_allclose(out[f"{x}_killed_cum"],
                                   p[f"{x}_killed_share"] * out[f"{x}_casualties_cum"],
                                   rtol=1e-9, atol=1e-6)


def test_front_moves_no_faster_than_its_limit(ukraine, canonical_params, drive) -> None:
    n, dt = 32, 7.0
    p = canonical_params(ukraine, n, seed=4)
    p["blue.effectiveness"] = p["blue.effectiveness"] * np.linspace(0.05, 20.0, n)
    out = drive(["military"], p, n, 40, dt)
    assert (np.abs(out["red.territory_change"]) <= p["mil_front_max_speed"] * (1 + 1e-12)).all()
    np.testing.assert_allclose(out["red.territory_pct"],
                               100.0 * out["red.territory"] / p["blue.area"], rtol=1e-12)


# --------------------------------------------------------------------------- the kernel
def _kernel_params(bench, canonical_params, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = canonical_params(bench, n, seed=seed)
    for name in bench.uncertain:
        p[name] = p[name] * rng.uniform(0.25, 4.0, n)
    return p


def test_the_kernel_declares_the_benchmark_configuration(bench) -> None:
    layout = military.MODULE.kernel_layout
    assert layout.state == ("blue.personnel", "red.personnel", "blue.shells", "red.shells",
                            "blue.casualties_cum", "red.casualties_cum")
    assert layout.reads == ("war_intensity", "nato_personnel")
    assert layout.derived == ("ua_shell_inflow",)
    for name in military.KERNEL.zero:  # the benchmark runs in the kernel's configuration
        assert bench.parameters[name].central() == 0.0, name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_core_step_is_the_step_with_the_mechanisms_off(bench, canonical_params, seed) -> None:
    """Over arrays, the kernel's equations give the module's numbers bit for bit."""
    n, dt = 500, 7.0
    p = _kernel_params(bench, canonical_params, n, seed)
    reads = neutral_state(military.MODULE, n)
    s = {**military.init(p, n, reads), **reads}
    layout = military.MODULE.kernel_layout
    given = {**{k: p[k] for k in layout.params}, **{k: reads[k] for k in layout.reads},
             "ua_shell_inflow": military.ua_shell_inflow(p["blue.shell_production"],
                                                         p["blue.shell_aid_direct"]),
             "dt": dt}
    core = dict(zip(layout.state, (v + np.zeros(n) for v in military.core_init(
        *(p[a] for a in layout.init_arguments))), strict=True))
    for name in layout.state:
        np.testing.assert_array_equal(core[name], s[name])
    for k in range(40):
        u = {"combat_intensity": np.random.default_rng(k).random(n)}  # no effect: no noise
        new = military.step(s, reads, p, u, StepContext(step=k, t=k * dt, dt=dt, n=n))
        s = {**s, **new}
        out = military.core_step(*(core[a] if a in core else given[a]
                                   for a in layout.arguments))
        core = dict(zip(layout.state, out, strict=True))
        for name in layout.state:
            np.testing.assert_array_equal(core[name], s[name], err_msg=f"{name}, step {k}")


def test_a_mechanism_switched_on_leaves_the_kernel(bench, canonical_params) -> None:
    """The test above has teeth: with the defender's advantage on, the two differ."""
    n, dt = 50, 7.0
    p = _kernel_params(bench, canonical_params, n, 0)
    p["mil_defender_switch"] = np.ones(n)
    p["mil_defender_advantage"] = np.full(n, 2.0)
    reads = neutral_state(military.MODULE, n)
    s = {**military.init(p, n, reads), **reads}
    new = military.step(s, reads, p, {"combat_intensity": np.full(n, 0.5)},
                        StepContext(step=0, t=0.0, dt=dt, n=n))
    layout = military.MODULE.kernel_layout
    given = {**p, **reads, "dt": dt, "ua_shell_inflow": p["blue.shell_production"]
             + p["blue.shell_aid_direct"]}
    out = dict(zip(layout.state, military.core_step(
        *(s[a] if a in layout.state else given[a] for a in layout.arguments)), strict=True))
    assert not np.array_equal(out["blue.personnel"], new["blue.personnel"])


# --------------------------------------------------------------------------- square law
A, B_EFF = 0.004, 0.003  # per day: a = Russia's effectiveness, b = Ukraine's
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


def _run(p, drive, dt: float) -> tuple[np.ndarray, np.ndarray]:
    steps = round(T / dt)
    out = drive(["military"], p, 1, steps, dt)
    return out["blue.personnel"][:, 0], out["red.personnel"][:, 0]


def test_supply_is_one(square_params, drive):
    out = drive(["military"], square_params, 1, 1, 1.0)
    # first step losses are exactly a R0 and b B0
    assert out["blue.personnel"][1, 0] == pytest.approx(B0 - A * R0, rel=1e-12)
    assert out["red.personnel"][1, 0] == pytest.approx(R0 - B_EFF * B0, rel=1e-12)


def test_invariant_is_conserved_to_euler_error(square_params, drive):
    drifts = []
    for dt in (1.0, 0.5, 0.25):
        b, r = _run(square_params, drive, dt)
        inv = B_EFF * b**2 - A * r**2
        drifts.append(np.max(np.abs(inv - inv[0])) / (B_EFF * B0**2))
    assert drifts[0] < 1e-2
    # the drift halves with dt (O(dt) over a fixed horizon)
    for coarse, fine in itertools.pairwise(drifts):
        assert coarse / fine == pytest.approx(2.0, rel=0.1)


def test_converges_to_closed_form_first_order(square_params, drive):
    errs = []
    for dt in (2.0, 1.0, 0.5, 0.25):
        b, r = _run(square_params, drive, dt)
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


def test_module_loop_equals_attrition_numpy(bench, peer, canonical_params, drive):
    models, params = peer
    n = 400
    design = params.lhs_samples(n, seed=11)
    p = canonical_params(bench, n, given={k: design[v] for k, v in NAMES.items()})
    traj = drive(["military"], p, n, params.FINAL_TIME, bench.time.step_days)
    # the benchmark counts thousands of persons
    ours = {"blue_forces": traj["blue.personnel"] / 1e3, "red_forces": traj["red.personnel"] / 1e3}
    _compare(ours, models, params, design)


def test_engine_run_equals_attrition_numpy(bench, peer):
    models, params = peer
    n = 300
    design = params.lhs_samples(n, seed=3)
    res = simulate(bench, n_samples=n, seed=0,
                   samples={k: design[v] for k, v in NAMES.items()},
                   record=["blue.personnel", "red.personnel"])
    ds = res.ds.sel(policy="status_quo")
    ours = {"blue_forces": ds["blue.personnel"].transpose("time", "sample").values / 1e3,
            "red_forces": ds["red.personnel"].transpose("time", "sample").values / 1e3}
    _compare(ours, models, params, design)


def test_default_point_agrees_over_the_whole_horizon(bench, peer, canonical_params, drive):
    models, params = peer
    design = {k: np.array([v]) for k, v in params.DEFAULTS.items()}
    p = canonical_params(bench, 1, given={k: design[v] for k, v in NAMES.items()})
    traj = drive(["military"], p, 1, params.FINAL_TIME, bench.time.step_days)
    ref = models.attrition_numpy(design)
    np.testing.assert_allclose(traj["blue.personnel"] / 1e3, ref["blue_forces"], rtol=RTOL)
    np.testing.assert_allclose(traj["red.personnel"] / 1e3, ref["red_forces"], rtol=RTOL)


def test_coverage_of_the_comparison(peer):
    models, params = peer
    design = params.lhs_samples(2000, seed=0)
    mask = _well_conditioned(models, params, design)
    assert mask.mean() > 0.9, f"only {mask.mean():.1%} of points are well conditioned"
