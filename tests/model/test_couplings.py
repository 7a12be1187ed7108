"""Couplings: who reads what from whom, the step order derived from it, neutral values,
inputs, and views that refuse undeclared names."""

from __future__ import annotations

import numpy as np
import pytest

from detente.engine import compile_plan, run_modules
from detente.errors import InputError
from detente.model import (
    MODULE_ORDER,
    Module,
    Read,
    StepContext,
    UndeclaredReadError,
    VariableSpec,
    couple,
    resolve_modules,
)
from detente.scenario import load_scenario


def toy(name: str, writes: str, reads: tuple[Read, ...] = (), *, step=None,
        init=None) -> Module:
    """A module that writes ``writes`` (1 + the sum of what it reads this step)."""

    def default_init(p, n, state):
        return {writes: np.zeros(n)}

    def default_step(s, x, p, u, ctx):
        total = sum((x[r.name] if r.when == "step" else s[r.name] for r in reads),
                    np.zeros(ctx.n))
        return {writes: 1.0 + total}

    return Module(name=name, description=name, params=(),
                  variables=(VariableSpec(writes, "1", writes),), init=init or default_init,
                  step=step or default_step, reads=reads)


A = toy("a", "va")
B = toy("b", "vb", (Read("va", 0.0, "step"),))
C = toy("c", "vc", (Read("vb", 0.0, "step"), Read("va", 0.0)))
INSTALLED = {m.name: m for m in (A, B, C)}


def test_the_step_order_follows_this_step_reads_whatever_the_priority() -> None:
    for priority in (["a", "b", "c"], ["c", "b", "a"], ["b", "c", "a"]):
        c = couple([C, B, A], INSTALLED, priority)
        assert c.order == ("a", "b", "c")


def test_ties_follow_the_priority() -> None:
    # reads of the start of the step do not order modules
    late = toy("late", "vl", (Read("vz", 0.0),))
    first = toy("first", "vz", (Read("vl", 0.0),))
    installed = {m.name: m for m in (late, first)}
    assert couple([late, first], installed, ["late", "first"]).order == ("late", "first")
    assert couple([late, first], installed, ["first", "late"]).order == ("first", "late")


def test_the_built_in_scenarios_step_in_module_order() -> None:
    plan = compile_plan(load_scenario("ukraine-2023"))
    assert tuple(m.name for m in plan.modules) == MODULE_ORDER
    assert plan.couplings.free == ()
    bench = compile_plan(load_scenario("lanchester-bench"))
    # the benchmark's military reads what no module of its scenario writes, for each side
    assert bench.couplings.free == ("blue.allied_personnel", "blue.pop_home_ratio",
                                    "escalated", "red.allied_personnel", "red.pop_home_ratio",
                                    "settled", "settlement_line_km2", "war_intensity")


def test_a_read_no_module_writes_is_an_error_with_a_suggestion() -> None:
    typo = toy("typo", "vt", (Read("vb_", 0.0),))
    with pytest.raises(InputError, match=r"module 'typo' reads 'vb_', which no module of "
                                         r"this installation writes; did you mean 'vb'\?"):
        couple([typo], {**INSTALLED, "typo": typo})
    # the real installation, built for a cast: a misspelt coupling of a military read, and
    # one of a side's own variables, misspelt too
    cast = load_scenario("lanchester-bench").cast
    bad = toy("bad", "vx", (Read("war_intensty", 1.0),))
    with pytest.raises(InputError, match="did you mean 'war_intensity'"):
        couple([*resolve_modules(["military"], cast), bad])
    owned = toy("owned", "vo", (Read("red.personel", 0.0),))
    with pytest.raises(InputError, match=r"reads 'red\.personel'.*did you mean 'red\.personnel'"):
        couple([*resolve_modules(["military"], cast), owned])


def test_a_variable_has_one_writer() -> None:
    twin = toy("twin", "va")
    with pytest.raises(InputError, match="modules 'a' and 'twin' both write 'va'"):
        couple([A, twin], {**INSTALLED, "twin": twin})


def test_modules_reading_each_other_this_step_are_an_error() -> None:
    p = toy("p", "vp", (Read("vq", 0.0, "step"),))
    q = toy("q", "vq", (Read("vp", 0.0, "step"),))
    with pytest.raises(InputError, match=r"modules p, q each read what another computes "
                                         r"in the same step.*'p' reads this step's vq from q"):
        couple([p, q], {"p": p, "q": q}, ["p", "q"])
    # reading one of them at the start of the step resolves it
    q_start = toy("q", "vq", (Read("vp", 0.0),))
    assert couple([p, q_start], {"p": p, "q": q_start}, ["p", "q"]).order == ("q", "p")


def test_readers_without_a_writer_see_their_neutral_value_or_an_input() -> None:
    b = toy("b", "vb", (Read("va", 2.5, "step"),))
    c = couple([b], INSTALLED)
    assert c.free == ("va",)
    run = c.stepper(3)
    s = run.step(run.init({}), {}, {}, StepContext(0, 0.0, 1.0, 3))
    np.testing.assert_array_equal(s["vb"], 3.5)
    given = c.stepper(3, {"va": np.array([0.0, 1.0, 2.0])})
    s = given.step(given.init({}), {}, {}, StepContext(0, 0.0, 1.0, 3))
    np.testing.assert_array_equal(s["vb"], [1.0, 2.0, 3.0])
    assert "va" not in s  # inputs are not state


def test_inputs_only_for_free_variables() -> None:
    c = couple([A, B], INSTALLED)
    with pytest.raises(InputError, match="'va' is written by module 'a'"):
        c.stepper(2, {"va": np.zeros(2)})
    with pytest.raises(InputError, match="no enabled module reads 'vz'"):
        c.stepper(2, {"vz": np.zeros(2)})


def test_an_undeclared_read_fails_loudly() -> None:
    def sneaky(s, x, p, u, ctx):
        return {"vs": s["va"] + s["vb"]}  # declares va only

    m = toy("s", "vs", (Read("va", 0.0),), step=sneaky)
    c = couple([A, toy("b", "vb"), m], {**INSTALLED, "s": m}, ["a", "b", "s"])
    run = c.stepper(2)
    state = run.init({})
    with pytest.raises(UndeclaredReadError, match=r"module 's' read 'vb' from the state at "
                                                  r"the start of the step \(s\), which it "
                                                  r"does not declare"):
        run.step(state, {}, {}, StepContext(0, 0.0, 1.0, 2))

    def probing(s, x, p, u, ctx):
        if "vb" in s:  # a silent detection of another module: refused as well
            return {"vs": s["va"]}
        return {"vs": s.get("vb", s["va"])}

    for step in (probing, lambda s, x, p, u, ctx: {"vs": s.get("vb", s["va"])}):
        m = toy("s", "vs", (Read("va", 0.0),), step=step)
        run = couple([A, toy("b", "vb"), m], {**INSTALLED, "s": m}, ["a", "b", "s"]).stepper(2)
        with pytest.raises(UndeclaredReadError, match="read 'vb'"):
            run.step(run.init({}), {}, {}, StepContext(0, 0.0, 1.0, 2))
    assert isinstance(UndeclaredReadError("m"), KeyError)


def test_a_start_read_is_not_in_this_step_values() -> None:
    def early(s, x, p, u, ctx):
        return {"vs": x["va"]}  # declared at the start of the step only

    m = toy("s", "vs", (Read("va", 0.0),), step=early)
    run = couple([A, m], {**INSTALLED, "s": m}, ["a", "s"]).stepper(2)
    with pytest.raises(UndeclaredReadError, match=r"from this step's values \(x\)"):
        run.step(run.init({}), {}, {}, StepContext(0, 0.0, 1.0, 2))


def test_init_sees_what_earlier_modules_set_up() -> None:
    seen = {}

    def a_init(p, n, state):
        return {"va": np.full(n, 7.0)}

    def b_init(p, n, state):
        seen["va"] = state["va"].copy()
        seen["vc"] = state["vc"].copy()
        return {"vb": np.zeros(n)}

    a = toy("a", "va", init=a_init)
    # b reads va (set up by a, before it) and vc (c initialises after b: its neutral value)
    b = toy("b", "vb", (Read("va", 0.0, "step"), Read("vc", -1.0)), init=b_init)
    c = toy("c", "vc", (Read("vb", 0.0, "step"),))
    couple([a, b, c], {"a": a, "b": b, "c": c}, ["a", "b", "c"]).stepper(2).init({})
    np.testing.assert_array_equal(seen["va"], 7.0)
    np.testing.assert_array_equal(seen["vc"], -1.0)


def test_the_engine_loop_runs_coupled_modules() -> None:
    c = couple([C, A, B], INSTALLED)
    out = {v: np.empty((4, 2)) for v in ("va", "vb", "vc")}
    final = run_modules(c, {}, n=2, n_steps=3, dt=1.0, shocks=np.empty((3, 0, 2)), out=out)
    np.testing.assert_array_equal(out["va"][1:], 1.0)
    np.testing.assert_array_equal(out["vb"][1:], 2.0)  # a's value this step, plus 1
    # c reads vb this step and va at the start of the step
    np.testing.assert_array_equal(out["vc"][1:], [[3.0, 3.0], [4.0, 4.0], [4.0, 4.0]])
    np.testing.assert_array_equal(final["vc"], out["vc"][-1])
