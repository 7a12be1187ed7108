"""The expression language: what it accepts, what it refuses, how it computes."""

from __future__ import annotations

import numpy as np
import pytest

from detente.scenario.expr import ExprError, compile_expr

NUMS = {"a", "b", "blue.personnel"}
CONDS = {"ev"}


def _c(text, **kw):
    return compile_expr(text, numbers=NUMS, conditions=CONDS, **kw)


def test_arithmetic_comparisons_and_logic():
    vals = {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([2.0, 2.0, 2.0]),
            "ev": np.array([True, False, True])}
    assert _c("a * b - 1").evaluate_on(vals).tolist() == [1.0, 3.0, 5.0]
    assert _c("a / b ** 2").evaluate_on(vals).tolist() == [0.25, 0.5, 0.75]
    assert _c("1 < a <= 2").evaluate_on(vals).tolist() == [False, True, False]
    assert _c("a > 1 and not ev").evaluate_on(vals).tolist() == [False, True, False]
    assert _c("a > 2 or ev").evaluate_on(vals).tolist() == [True, False, True]
    assert _c("max(a, b, 2.5) + min(a, b) + abs(-a)").evaluate_on(vals).tolist() == [
        4.5, 6.5, 8.0]
    assert np.allclose(_c("exp(log(a)) + sqrt(b * b)").evaluate_on(vals), vals["a"] + 2)
    assert _c("ev * 2").evaluate_on(vals).tolist() == [2.0, 0.0, 2.0]
    e = _c("a > b", expect="condition")
    assert e.kind == "condition"
    assert e.names == frozenset({"a", "b"})


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os').system('true')", "only the functions"),
    ("__import__('os')", "unknown function '__import__'"),
    ("a.real", "unknown name 'a.real'"),
    ("a.b.c", "only owner.name .e.g. blue.personnel. may hold a dot"),
    ("max(a, b).real", "only owner.name"),
    ("blue.personnel.real", "only owner.name"),
    ("a[0]", "indexing"),
    ("(lambda: 1)()", "only the functions"),
    ("'text'", "expected a number"),
    ("a if b else 1", "not allowed"),
    ("[a, b]", "not allowed"),
    ("a ~ b", "invalid expression"),
    ("blue.personel", "did you mean 'blue.personnel'"),
    ("not a", "'not' expects a condition"),
    ("(a > 1) + 1", "expects a number"),
    ("a and b", "expects a condition"),
    ("log(a, b)", "takes 1 argument"),
    ("max(a)", "two or more"),
    ("abs(x=a)", "no keyword"),
    ("", "empty"),
    ("a" + " + a" * 600, "longer than"),
])
def test_refuses_anything_outside_the_grammar(text, message):
    with pytest.raises(ExprError, match=message):
        _c(text)


def test_what_a_side_owns_is_named_owner_dot_name():
    numbers = {"blue.personnel", "red.personnel", "red.effectiveness", "war_intensity"}
    e = compile_expr("red.personnel / blue.personnel > 2 * war_intensity and not ev",
                     numbers=numbers, conditions=CONDS, expect="condition")
    assert e.names == frozenset({"red.personnel", "blue.personnel", "war_intensity", "ev"})
    vals = {"blue.personnel": np.array([1.0, 2.0]), "red.personnel": np.array([3.0, 3.0]),
            "war_intensity": np.array([1.0, 1.0]), "ev": np.array([False, False])}
    assert e.evaluate_on(vals).tolist() == [True, False]
    # spaces around the dot change nothing; a typo is found, located and corrected
    assert compile_expr("blue . personnel", numbers=numbers, conditions=()).names == {
        "blue.personnel"}
    with pytest.raises(ExprError, match=r"unknown name 'red.efectiveness'.*did you mean "
                                        r"'red.effectiveness'\? \(column 5\)"):
        compile_expr("2 * red.efectiveness", numbers=numbers, conditions=())
    # an owner that is not a side: not a name of the model
    with pytest.raises(ExprError, match=r"unknown name 'green\.personnel'"):
        compile_expr("green.personnel", numbers=numbers, conditions=())


def test_kind_checks():
    with pytest.raises(ExprError, match="expected a condition"):
        _c("a + b", expect="condition")
    with pytest.raises(ExprError, match="expected a number"):
        _c("a > b", expect="number")
