"""Small helpers shared by the model modules (private).

Everything here is pure NumPy over arrays of shape ``(n,)``.
"""

from __future__ import annotations

import numpy as np

from detente._typing import FloatArray, State
from detente.model.base import ParamSpec
from detente.units import DAYS_PER_YEAR

__all__ = [
    "DAYS_PER_YEAR", "HUGE", "TINY", "capped", "log_ratio", "param", "ramp", "ratio", "safe_div",
    "switch",
]

#: Smallest positive float: guards logarithms and divisions against exact zeros. It is a
#: numerical guard, not a model constant (it never changes a result that is not 0/0).
TINY = float(np.finfo(np.float64).tiny)


def _opt(s: State, name: str, default: float | FloatArray, n: int) -> FloatArray:
    """Read an optional coupling variable ``name`` from ``s``, or ``default`` when absent.

    Modules use this for variables another (possibly disabled) module writes, e.g.
    ``war_intensity`` from the settlement subsystem.

    Parameters
    ----------
    s : mapping
        State (or this step's results so far).
    name : str
        Variable name.
    default : float or array
        Value to use when ``name`` is not in ``s``.
    n : int
        Number of samples.

    Returns
    -------
    ndarray
        Shape ``(n,)``.
    """
    v = s.get(name)
    if v is not None:
        return v
    return np.broadcast_to(np.asarray(default, dtype=np.float64), (n,))


def param(name: str, unit: str, description: str, low: float | None = None,
          high: float | None = None) -> ParamSpec:
    """Shorthand for :class:`~detente.model.base.ParamSpec`."""
    return ParamSpec(name, unit, description, low, high)


def switch(name: str, description: str) -> ParamSpec:
    """Declare a 0/1 switch that turns a mechanism on (1) or off (0)."""
    return ParamSpec(name, "switch", description, 0.0, 1.0)


def safe_div(num: FloatArray, den: FloatArray, fill: float) -> FloatArray:
    """``num / den`` where ``den > 0``, else ``fill`` (no warnings, no NaN)."""
    out = np.full(np.shape(num), fill, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


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


def capped(outflow: FloatArray, stock: FloatArray, inflow: FloatArray | float,
           dt: float, on: FloatArray | float = 1.0) -> FloatArray:
    """Limit an outflow so that one Euler step cannot drive ``stock`` below zero.

    The limit binds only when the stock would run out within the step, so a trajectory that
    stays positive is computed exactly as without it. Where ``on`` is 0 the outflow is
    returned unchanged (plain Euler, as the shared benchmark model does).
    """
    lim = np.minimum(outflow, np.maximum(stock / dt + inflow, 0.0))
    out: FloatArray = np.where(np.asarray(on) > 0.0, lim, outflow)
    return out


def ramp(capacity: FloatArray, target: FloatArray, lag: FloatArray, on: FloatArray,
         dt: float) -> FloatArray:
    """Capacity after one step of a first-order adjustment toward ``target``.

    ``d capacity / dt = on * (target - capacity) / lag``; the step never overshoots (an
    Euler step longer than the lag lands on the target).
    """
    frac = np.minimum(dt / np.maximum(lag, TINY), 1.0)
    return capacity + on * frac * (target - capacity)
