"""Equations that run unchanged on NumPy arrays and on floats, and the primitives they use.

A model equation is a small pure function marked :func:`equation`. Its body uses only
arithmetic (``+ - * /``, comparisons), other equations, numbers, and the primitives of this
module: :func:`safe_div`, :func:`minimum`, :func:`maximum` and :func:`where`. Called with
arrays it runs as NumPy code (the module steps call it that way); a compiled kernel
(:mod:`detente.engine.compiled`) runs the very same code objects over floats, with each
primitive rebound to its scalar form (:data:`PRIMITIVES`), so one source serves both.

Each primitive is defined here twice, as an array function and as a scalar function, and the
two return the same bits for every input (``tests/model/test_equations.py``): NaN
propagates, ties between ``0.0`` and ``-0.0`` return the second argument, as NumPy does.
``exp`` and ``log`` are deliberately not primitives: NumPy's and LLVM's may differ in the last
bit, so an equation a compiled kernel runs stays free of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, cast

import numpy as np

from detente._typing import FloatArray

__all__ = [
    "PRIMITIVES", "Primitive", "Value", "equation", "is_equation", "maximum", "minimum",
    "safe_div", "where",
]

#: What an equation computes with: every sample's values as an array (``FloatArray``, the
#: NumPy run) or one sample's ``float`` (a compiled kernel). One function serves both, so the
#: type is open; the module steps that call equations over arrays annotate the results.
Value: TypeAlias = Any

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__detente_equation__"


def equation(fn: F) -> F:
    """Mark ``fn`` as a model equation: arithmetic, primitives and other equations only.

    The function is returned unchanged; the mark lets a compiled kernel find the equations
    it calls and compile them over floats.
    """
    setattr(fn, _MARK, True)
    return fn


def is_equation(obj: object) -> bool:
    """Whether ``obj`` is a function marked with :func:`equation`."""
    return callable(obj) and getattr(obj, _MARK, False) is True


# --------------------------------------------------------------------------- array forms
def safe_div(num: Value, den: Value, fill: float) -> FloatArray:
    """``num / den`` where ``den > 0``, else ``fill`` (no warnings, no NaN from 0/0).

    The result has the shape of ``num`` (an array, or a float in a compiled kernel).
    """
    out = np.full(np.shape(num), fill, dtype=np.float64)
    # a denominator that has collapsed to almost 0 (an economy's output) gives inf, as the
    # scalar form does; the caller's clip or exponential turns it into the limit
    with np.errstate(over="ignore"):
        np.divide(num, den, out=out, where=den > 0)
    return out


def minimum(a: Value, b: Value) -> FloatArray:
    """Elementwise minimum (NaN propagates)."""
    out: FloatArray = np.minimum(a, b)
    return out


def maximum(a: Value, b: Value) -> FloatArray:
    """Elementwise maximum (NaN propagates)."""
    out: FloatArray = np.maximum(a, b)
    return out


def where(cond: Value, a: Value, b: Value) -> FloatArray:
    """Return ``a`` where ``cond``, else ``b``."""
    return cast(FloatArray, np.where(cond, a, b))


# --------------------------------------------------------------------------- scalar forms
def _safe_div_scalar(num: float, den: float, fill: float) -> float:
    return num / den if den > 0.0 else fill


def _minimum_scalar(a: float, b: float) -> float:
    if a < b or a != a:  # a != a: a is NaN, which propagates
        return a
    return b


def _maximum_scalar(a: float, b: float) -> float:
    if a > b or a != a:
        return a
    return b


def _where_scalar(cond: bool, a: float, b: float) -> float:
    return a if cond else b


@dataclass(frozen=True)
class Primitive:
    """One primitive: its array form (what equations call) and its scalar form.

    Attributes
    ----------
    array : callable
        The NumPy implementation; equations refer to this function.
    scalar : callable
        The same operation on floats, in plain Python that Numba compiles.
    """

    array: Callable[..., Any]
    scalar: Callable[..., Any]


#: Every primitive, by name.
PRIMITIVES: Mapping[str, Primitive] = {
    "safe_div": Primitive(safe_div, _safe_div_scalar),
    "minimum": Primitive(minimum, _minimum_scalar),
    "maximum": Primitive(maximum, _maximum_scalar),
    "where": Primitive(where, _where_scalar),
}
