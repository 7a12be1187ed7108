"""Expressions at their limits: long sums, huge numbers, deep nesting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.scenario.expr import MAX_DEPTH, ExprError, compile_expr


@given(st.lists(st.sampled_from(["+", "-", "*", "/"]), min_size=1, max_size=300),
       st.floats(0.5, 2.0))
@settings(max_examples=40, deadline=None)
def test_a_long_run_of_operations_computes_as_python_does(ops: list[str], a: float) -> None:
    text = "a" + "".join(f" {op} a" for op in ops)
    expected = eval(text, {}, {"a": a})  # Python's own precedence and left-to-right order
    got = compile_expr(text, numbers={"a"}).evaluate_on({"a": np.float64(a)})
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_a_sum_of_more_than_forty_terms_is_not_too_deep() -> None:
    e = compile_expr(" + ".join(["a"] * 200), numbers={"a"})
    assert float(e.evaluate_on({"a": 1.0})) == 200.0


def test_precedence_inside_a_run_is_kept() -> None:
    e = compile_expr("a - 2 * a / 4 ** 2 - 1 + (a - 1) * 3", numbers={"a"})
    assert float(e.evaluate_on({"a": 3.0})) == 3 - 2 * 3 / 4 ** 2 - 1 + (3 - 1) * 3


def test_real_nesting_is_still_bounded() -> None:
    with pytest.raises(ExprError, match=f"nested more than {MAX_DEPTH} levels deep"):
        compile_expr("-" * (MAX_DEPTH + 5) + "a", numbers={"a"})


@pytest.mark.parametrize(("text", "fragment"), [
    ("1" + "0" * 400 + " > a", "number too large"),
    ("a + 1" + "0" * 320, "321 digits"),
    ("1e999 > a", "expected a finite number"),
])
def test_a_number_no_float_holds_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(ExprError, match=fragment):
        compile_expr(text, numbers={"a"})
