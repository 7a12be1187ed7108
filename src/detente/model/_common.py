"""Small helpers shared by the model modules (private).

Everything here is pure NumPy over arrays of shape ``(n,)``; :func:`capped` and
:func:`ramp` are :func:`~detente.model.equations.equation` s, so they also run over floats
in a compiled kernel.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import numpy as np

from detente._typing import FloatArray
from detente.model.base import Cast, FromStart, ParamSpec, Per, VariableSpec, owned
from detente.model.equations import Value, equation, maximum, minimum, safe_div, where
from detente.units import DAYS_PER_YEAR

__all__ = [
    "DAYS_PER_YEAR", "HUGE", "TINY", "capped", "log_ratio", "of_owner", "own", "pair_names",
    "param", "ramp", "ratio", "safe_div", "switch", "variable",
]

#: Smallest positive float: guards logarithms and divisions against exact zeros. It is a
#: numerical guard, not a model constant (it never changes a result that is not 0/0).
TINY = float(np.finfo(np.float64).tiny)


def param(name: str, unit: str, description: str, low: float | None = None,
          high: float | None = None, *, default: float | None = None, per: Per = None,
          initial_of: str | None = None, start_condition: bool = False) -> ParamSpec:
    """Shorthand for :class:`~detente.model.base.ParamSpec`."""
    return ParamSpec(name, unit, description, low, high, default, per,
                     initial_of=initial_of, start_condition=start_condition)


def variable(name: str, unit: str, description: str, kind: Literal["stock", "aux"] = "stock",
             record: bool = True, per: Per = "side", *, from_start: FromStart | None = None,
             nonnegative: bool = False, finite: bool = True, guarded_by: str | None = None
             ) -> VariableSpec:
    """Shorthand for a :class:`~detente.model.base.VariableSpec`, by default every side's."""
    return VariableSpec(name, unit, description, kind, record, per, from_start=from_start,
                        nonnegative=nonnegative, finite=finite, guarded_by=guarded_by)


def own(values: Mapping[str, FloatArray], owner: str, base: str) -> FloatArray:
    """Return what ``owner`` has of ``base`` in ``values`` (a state or the parameters)."""
    return values[owned(owner, base)]


def of_owner(p: Mapping[str, FloatArray], owner: str, bases: Iterable[str]
             ) -> dict[str, FloatArray]:
    """Return what ``owner`` has of each of ``bases`` in ``p``, by base name."""
    return {base: p[owned(owner, base)] for base in bases}


def pair_names(cast: Cast, *functions: Callable[..., Any]) -> tuple[tuple[str, str], ...]:
    """Map the ``a_``/``b_`` arguments of kernel functions to the cast's two sides' names.

    A kernel over two sides names the first side's personnel ``a_personnel`` and the
    second's ``b_personnel``; this is the :attr:`Kernel.names
    <detente.model.base.Kernel.names>` that says which model names they stand for (derived
    inputs, named after their function, included).
    """
    a, b = cast.sides[0], cast.other(cast.sides[0])
    out: dict[str, str] = {}
    for fn in functions:
        for arg in (fn.__name__, *inspect.signature(fn).parameters):
            for prefix, side in (("a_", a), ("b_", b)):
                if arg.startswith(prefix):
                    out[arg] = owned(side, arg.removeprefix(prefix))
    return tuple(out.items())


def switch(name: str, description: str) -> ParamSpec:
    """Declare a 0/1 switch that turns a mechanism on (1) or off (0, its default)."""
    return ParamSpec(name, "switch", description, 0.0, 1.0, default=0.0)


#: Largest finite float: a ratio whose denominator vanishes is reported as this, not inf.
HUGE = float(np.finfo(np.float64).max)


def ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    """Return ``a / b`` for non-negative quantities, finite when either is (near) zero."""
    with np.errstate(over="ignore"):
        out: FloatArray = np.minimum(np.maximum(a, TINY) / np.maximum(b, TINY), HUGE)
    return out


def log_ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    """``log(a / b)`` for non-negative quantities, finite when either is zero."""
    out: FloatArray = np.log(np.maximum(a, TINY)) - np.log(np.maximum(b, TINY))
    return out


@equation
def capped(outflow: Value, stock: Value, inflow: Value, dt: float, on: Value = 1.0) -> Value:
    """Limit an outflow so that one Euler step cannot drive ``stock`` below zero.

    The limit binds only when the stock would run out within the step, so a trajectory that
    stays positive is computed exactly as without it. Where ``on`` is 0 the outflow is
    returned unchanged (plain Euler, as the shared benchmark model does).
    """
    lim = minimum(outflow, maximum(stock / dt + inflow, 0.0))
    return where(on > 0.0, lim, outflow)


@equation
def ramp(capacity: Value, target: Value, lag: Value, on: Value, dt: float) -> Value:
    """Capacity after one step of a first-order adjustment toward ``target``.

    ``d capacity / dt = on * (target - capacity) / lag``; the step never overshoots (an
    Euler step longer than the lag lands on the target).
    """
    frac = minimum(dt / maximum(lag, TINY), 1.0)
    return capacity + on * frac * (target - capacity)
