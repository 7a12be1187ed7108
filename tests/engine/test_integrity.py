"""The integration cannot lie: steps it cannot take are refused, broken invariants stop a run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.engine import compile_plan, numba_available, run_block, run_modules
from detente.engine.invariants import RTOL, InvariantError, Invariants
from detente.errors import InputError, ScenarioError
from detente.model import Module, ParamSpec, VariableSpec, couple
from detente.model.base import MAX_STEP_DAYS
from detente.scenario.builtin import __file__ as _builtin

BUILTIN = Path(_builtin).parent
BACKENDS = ["numpy", *(["numba"] if numba_available() else [])]
#: Units of things a stock counts: none can be negative.
QUANTITIES = {"persons", "rounds", "drones", "missiles", "interceptors", "km2", "USD bn",
              "count"}


def _with_step(tmp_path: Path, name: str, step: float) -> Path:
    text = (BUILTIN / f"{name}.yaml").read_text()
    found = re.search(r"step_days: ([0-9.]+), horizon_steps: ([0-9]+)", text)
    assert found is not None
    days = float(found.group(1)) * int(found.group(2))
    horizon = max(1, round(days / step))
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(found.group(0),
                                 f"step_days: {step:g}, horizon_steps: {horizon}"))
    posterior = BUILTIN / f"{name}.posterior.csv"  # the calibrated parameters' joint draws
    if posterior.is_file():
        shutil.copy(posterior, tmp_path / posterior.name)
    return path


# --------------------------------------------------------------------------- step length
@pytest.mark.parametrize("step", [40, 60, 90, 366])
def test_a_step_longer_than_a_month_is_refused_on_time_step_days(tmp_path, step):
    path = _with_step(tmp_path, "ukraine-2023", step)
    with pytest.raises(ScenarioError) as err:
        detente.load(str(path))
    problems = [p for p in err.value.problems if p.path == "time.step_days"]
    assert len(problems) == 1, err.value
    (p,) = problems
    assert p.file == str(path)
    assert p.line == 1 + next(i for i, line in enumerate(path.read_text().splitlines())
                              if line.startswith("time:"))
    assert f"a step of {step} days is longer than the model integrates safely" in p.message
    assert "at most 30.4375 days (one month)" in p.message
    assert "forward Euler" in p.message
    assert "talks meet once a month" in p.message


@pytest.mark.parametrize("step", [1, 14, 30, MAX_STEP_DAYS])
def test_a_step_of_at_most_a_month_loads_and_simulates_within_the_invariants(tmp_path, step):
    sc = detente.load(str(_with_step(tmp_path, "ukraine-2023", step)))
    assert sc.time.step_days == step
    detente.simulate(sc, n_samples=64, horizon=6)  # no InvariantError


def test_the_cli_refuses_a_long_step_with_exit_code_2(tmp_path, invoke):
    path = _with_step(tmp_path, "lanchester-bench", 40)
    res = invoke("validate", str(path))
    assert res.code == 2
    assert "time.step_days" in res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr


# --------------------------------------------------------------------------- declarations
def test_every_stock_of_things_is_declared_nonnegative():
    plan = compile_plan(detente.load("ukraine-2023"))
    undeclared = sorted(v.name for v in plan.variables.values()
                        if v.kind == "stock" and v.unit in QUANTITIES and not v.nonnegative)
    assert not undeclared, f"stocks of things not declared nonnegative: {undeclared}"
    guards = {v.guarded_by for v in plan.variables.values()} - {None}
    assert guards <= set(plan.specs), f"guards that are no parameter: {guards}"


def test_only_variables_that_mean_not_yet_by_nan_are_allowed_to_be_non_finite():
    plan = compile_plan(detente.load("ukraine-2023"))
    allowed = sorted(v.name for v in plan.variables.values() if not v.finite)
    assert allowed, "the bargaining module has variables that are NaN before a round"
    ds = detente.simulate("ukraine-2023", n_samples=64, record=list(plan.variables)).ds
    for name, spec in plan.variables.items():
        if not spec.finite:
            continue
        owner, _, base = name.rpartition(".")
        da = ds[name] if name in ds else ds[base].sel(
            {d: owner for d in ds[base].dims if d in ("side", "supporter", "party")})
        assert np.isfinite(da.values).all(), name


# --------------------------------------------------------------------------- the check
def _decay_module(guard: bool = False) -> Module:
    spec = VariableSpec("stock", "persons", "A stock drained by a linear outflow.",
                        nonnegative=True, guarded_by="guard" if guard else None)
    params = (ParamSpec("rate", "1/day", "Outflow per day."),
              ParamSpec("guard", "switch", "Stock guard.", 0.0, 1.0, default=0.0))

    def init(p, n, s):
        return {"stock": np.full(n, 100.0)}

    def step(s, x, p, u, ctx):
        return {"stock": s["stock"] - ctx.dt * p["rate"] * s["stock"]}

    return Module("decay", "A draining stock.", params, (spec,), init, step)


def _run_decay(rate, guard=None, *, module=None, dt=7.0, steps=5):
    module = module or _decay_module(guard is not None)
    n = len(rate)
    p = {"rate": np.asarray(rate, dtype=float),
         "guard": np.asarray(guard if guard is not None else np.zeros(n), dtype=float)}
    out = {"stock": np.empty((steps + 1, n))}
    return run_modules(couple([module]), p, n=n, n_steps=steps, dt=dt,
                       shocks=np.empty((steps, 0, n)), out=out,
                       invariants=Invariants.of(module.variables))


def test_a_stock_that_overshoots_stops_the_run_at_its_first_sample_and_step():
    # 1 - 7 * 0.2 < 0: sample 2 overshoots in the first step, sample 3 in the second
    with pytest.raises(InvariantError) as err:
        _run_decay([0.01, 0.05, 0.2, 0.1])
    v = err.value.violation
    assert (v.variable, v.row, v.step, v.rule) == ("stock", 2, 0, "nonnegative")
    assert v.value == pytest.approx(100.0 * (1 - 7 * 0.2))
    assert "stock = -40 persons after step 0" in str(err.value)
    assert isinstance(err.value, InputError)


def test_a_rounding_error_below_zero_is_no_overshoot():
    # an outflow of exactly stock / dt leaves a few ulps either side of 0
    final = _run_decay([1 / 7 + 1e-17, 1 / 7], steps=2)
    assert (final["stock"] >= -RTOL * 100.0).all()


def test_a_guarded_stock_is_held_only_where_its_guard_is_on():
    _run_decay([0.2, 0.2], guard=[0.0, 0.0])  # plain Euler everywhere: no check
    with pytest.raises(InvariantError) as err:
        _run_decay([0.2, 0.2], guard=[0.0, 1.0])
    assert err.value.violation.row == 1


def test_a_value_that_is_not_a_number_stops_the_run():
    with pytest.raises(InvariantError) as err:
        _run_decay([0.01, np.inf, 0.01])
    v = err.value.violation
    assert (v.row, v.step, v.rule) == (1, 0, "finite")
    assert "is not a finite number" in str(err.value)


@given(st.lists(st.floats(0.0, 0.3), min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_the_check_fires_exactly_when_a_stock_goes_below_zero(rates):
    dt, steps = 7.0, 3
    expected = [r for r, rate in enumerate(rates) if 1.0 - dt * rate < -RTOL]
    if not expected:
        final = _run_decay(rates, dt=dt, steps=steps)
        assert (final["stock"] >= -RTOL * 100.0).all()
        return
    with pytest.raises(InvariantError) as err:
        _run_decay(rates, dt=dt, steps=steps)
    assert err.value.violation.row == expected[0]
    assert err.value.violation.step == 0


# --------------------------------------------------------------------------- the engine
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_compiled_path_names_the_sample_variable_step_and_date(backend):
    """The benchmark runs through the compiled kernel; an overflow there is located."""
    sc = detente.load("lanchester-bench")
    plan = compile_plan(sc, horizon=30)
    n = 8
    given = {"blue.effectiveness": np.full(n, 0.004)}
    given["blue.effectiveness"][5] = 1e305  # finite, but red's losses overflow to inf
    keep = detente.engine.Keep(backend=backend)
    with pytest.raises(InvariantError) as err:
        run_block(plan, 0, 3, n, given=given, keep=keep, first_sample=3 * n)
    exc = err.value
    assert exc.violation.row == 5
    assert exc.sample == 3 * n + 5
    assert exc.policy == plan.policies[0]
    assert exc.violation.rule == "finite"
    assert exc.date is not None
    days = (exc.date - sc.time.start).days
    assert days == pytest.approx(7 * (exc.violation.step + 1), abs=1)
    assert f"sample {3 * n + 5} under policy '{plan.policies[0]}'" in str(exc)
    assert exc.date.isoformat() in str(exc)


def test_simulate_names_the_run_s_sample_of_a_broken_invariant():
    n = 40
    values = np.full(n, 0.004)
    values[33] = 1e305
    with pytest.raises(InvariantError) as err:
        detente.simulate("lanchester-bench", n_samples=n, samples={
            "blue.effectiveness": values}, horizon=20, block_size=16)
    assert err.value.sample == 33


def test_the_built_ins_run_within_their_invariants_on_both_paths():
    for name in ("ukraine-2023", "korea-1951", "lanchester-bench"):
        detente.simulate(name, n_samples=64, horizon=20)
