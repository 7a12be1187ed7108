"""Equations and their primitives: the array and scalar forms of each primitive agree bit for
bit, and the shared equations (stock guard, ramp) keep their promises."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.model import military
from detente.model._common import capped, ramp
from detente.model.equations import PRIMITIVES, equation, is_equation

EDGES = [0.0, -0.0, 1.0, -1.0, 2.5, 1e-300, -1e-300, 5e-324, 1e300, math.inf, -math.inf,
         math.nan]
floats = st.one_of(st.sampled_from(EDGES), st.floats(allow_nan=True, allow_infinity=True))


def _same(a: float, b: float) -> bool:
    """Equal bit for bit (the sign of zero included; any NaN equals any NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=300, deadline=None)
@given(a=floats, b=floats, c=floats)
def test_scalar_form_equals_array_form(name: str, a: float, b: float, c: float) -> None:
    prim = PRIMITIVES[name]
    args: tuple
    if name == "safe_div":
        args = (a, b, 0.5)
    elif name == "where":
        args = (a > b, c, b)
    else:
        args = (a, b)
    arrays = [np.array([x] * 9) for x in args]  # 9: NumPy's vector loops and the tail
    with np.errstate(all="ignore"):
        vec = prim.array(*arrays)
        scalar = prim.scalar(*args)
    assert all(_same(float(v), float(scalar)) for v in vec), (name, args, vec[0], scalar)


def test_safe_div_fills_where_the_denominator_is_not_positive() -> None:
    out = PRIMITIVES["safe_div"].array(np.array([1.0, 1.0, 1.0, 6.0]),
                                       np.array([0.0, -2.0, np.nan, 3.0]), 7.0)
    np.testing.assert_array_equal(out, [7.0, 7.0, 7.0, 2.0])


def military_cast():
    from detente.model import Cast

    return Cast(("blue", "red"))


def test_the_military_equations_are_marked() -> None:
    for fn in (military.supply, military.losses, military.core_step, capped, ramp):
        assert is_equation(fn)
    assert not is_equation(military.build(military_cast()).step)
    assert not is_equation(3.0)

    @equation
    def twice(x):  # the mark returns the function unchanged
        return 2.0 * x

    assert twice(2.0) == 4.0


@settings(max_examples=200, deadline=None)
@given(out=st.floats(0.0, 1e9), stock=st.floats(0.0, 1e9), inflow=st.floats(0.0, 1e6),
       dt=st.sampled_from([0.5, 1.0, 7.0, 30.0]))
def test_capped_never_drives_a_stock_below_zero(out: float, stock: float, inflow: float,
                                                dt: float) -> None:
    use = capped(np.array([out]), np.array([stock]), inflow, dt)[0]
    assert 0.0 <= use <= out
    assert stock + dt * (inflow - use) >= -1e-12 * max(stock, dt * inflow, 1.0)
    if stock / dt + inflow >= out:  # the limit binds only when the stock would run out
        assert use == out
    # switched off, plain Euler
    assert capped(np.array([out]), np.array([stock]), inflow, dt, 0.0)[0] == out


@settings(max_examples=200, deadline=None)
@given(cap=st.floats(-1e6, 1e6), target=st.floats(-1e6, 1e6), lag=st.floats(1e-3, 1e4),
       dt=st.sampled_from([0.5, 7.0, 1e5]))
def test_ramp_moves_toward_the_target_without_overshooting(cap: float, target: float,
                                                           lag: float, dt: float) -> None:
    new = ramp(np.array([cap]), np.array([target]), np.array([lag]), np.array([1.0]), dt)[0]
    lo, hi = min(cap, target), max(cap, target)
    tol = 1e-12 * max(abs(cap), abs(target))  # one rounding of target - cap
    assert lo - tol <= new <= hi + tol
    assert ramp(np.array([cap]), np.array([target]), np.array([lag]), np.array([0.0]),
                dt)[0] == cap
