"""A small, safe expression language over model outputs, parameters and events.

Claims, ``detente sensitivity`` and ``detente discover`` name what they test with short
expressions such as ``blue.personnel / red.personnel`` or ``escalated > 0 and not settled``.
The grammar is a strict subset of Python's expression syntax, parsed with
:func:`ast.parse` in ``eval`` mode and then checked node by node against a whitelist; the
text is never evaluated by Python (no ``eval``, no ``exec``). What it accepts::

    expr    := expr or expr | expr and expr | not expr
             | arith (< | <= | > | >= | == | !=) arith ...     (comparisons may chain)
             | arith
    arith   := arith (+ | - | * | / | **) arith | - arith | + arith
             | NAME | NUMBER | true | false | FUNC(expr, ...) | ( expr )
    FUNC    := abs | min | max | log | exp | sqrt

``NAME`` is a model variable (an output, with a value per sample and time), a scenario
parameter (a value per sample) or an event (whether it happened, per sample). Every name is
checked against the model when the expression is compiled, with a did-you-mean for
misspellings. :func:`compile_expr` returns an :class:`Expr`, whose :meth:`Expr.evaluate`
computes it with NumPy on arrays supplied by a resolver.

Examples
--------
>>> e = compile_expr("a / b > 2 and not c", numbers={"a", "b"}, conditions={"c"})
>>> sorted(e.names)
['a', 'b', 'c']
>>> e.kind
'condition'
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from detente.errors import InputError

__all__ = ["FUNCTIONS", "MAX_LENGTH", "Expr", "ExprError", "compile_expr"]

#: Longest expression accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting accepted (guards the recursive compiler).
MAX_DEPTH = 40

Kind = Literal["number", "condition"]


def _safe_log(x: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def _safe_sqrt(x: Any) -> Any:
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


#: Functions an expression may call: name -> (NumPy implementation, number of arguments
#: (``None``: two or more)).
FUNCTIONS: dict[str, tuple[Callable[..., Any], int | None]] = {
    "abs": (np.abs, 1),
    "log": (_safe_log, 1),
    "exp": (np.exp, 1),
    "sqrt": (_safe_sqrt, 1),
    "min": (np.minimum, None),
    "max": (np.maximum, None),
}
_CONSTANTS = {"true": True, "false": False, "True": True, "False": False}


class ExprError(InputError):
    """An expression is malformed or names something the model does not have.

    Attributes
    ----------
    column : int or None
        1-based column in the expression where the problem is, when known.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


def _suggest(word: str, candidates: Collection[str]) -> str:
    best = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{best[0]}'?" if best else ""


# --------------------------------------------------------------------------- the tree
@dataclass(frozen=True)
class _Node:
    kind: Kind


@dataclass(frozen=True)
class _Num(_Node):
    value: float | bool


@dataclass(frozen=True)
class _Name(_Node):
    name: str


@dataclass(frozen=True)
class _Unary(_Node):
    op: str
    arg: _Node


@dataclass(frozen=True)
class _Chain(_Node):
    """``first op1 x1 op2 x2 ...`` evaluated left to right: ``a + b + c`` as one node.

    Python parses a sum of n terms as n - 1 nested operations; held flat, a long sum is
    neither refused as deep nesting nor evaluated by deep recursion.
    """

    first: _Node
    rest: tuple[tuple[str, _Node], ...]


@dataclass(frozen=True)
class _Compare(_Node):
    ops: tuple[str, ...]
    args: tuple[_Node, ...]


@dataclass(frozen=True)
class _Bool(_Node):
    op: str
    args: tuple[_Node, ...]


@dataclass(frozen=True)
class _Call(_Node):
    func: str
    args: tuple[_Node, ...]


_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
}
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_NUMPY_BIN: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power,
}
_NUMPY_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


class _Compiler:
    def __init__(self, numbers: Collection[str], conditions: Collection[str]) -> None:
        self.numbers = set(numbers)
        self.conditions = set(conditions)
        self.names: set[str] = set()

    @staticmethod
    def _col(node: ast.AST) -> int | None:
        off = getattr(node, "col_offset", None)
        return off + 1 if isinstance(off, int) else None

    def fail(self, node: ast.AST, message: str) -> ExprError:
        col = self._col(node)
        where = f" (column {col})" if col is not None else ""
        return ExprError(message + where, col)

    def build(self, node: ast.AST, depth: int = 0) -> _Node:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"expression nested more than {MAX_DEPTH} levels deep")
        d = depth + 1
        if isinstance(node, ast.Expression):
            return self.build(node.body, d)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return _Num("condition", node.value)
            if isinstance(node.value, int | float):
                return self._number(node, node.value)
            raise self.fail(node, f"expected a number, found {node.value!r}; text and other "
                                  "literals are not allowed")
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            # what a side or supporter owns: blue.personnel
            return self._name(ast.Name(id=f"{node.value.id}.{node.attr}",
                                       col_offset=node.col_offset))
        if isinstance(node, ast.UnaryOp):
            arg = self.build(node.operand, d)
            if isinstance(node.op, ast.Not):
                self._need(node.operand, arg, "condition", "'not'")
                return _Unary("condition", "not", arg)
            if isinstance(node.op, ast.USub | ast.UAdd):
                self._need(node.operand, arg, "number", "a sign")
                return _Unary("number", "-" if isinstance(node.op, ast.USub) else "+", arg)
            raise self.fail(node, "unsupported operator '~'; use 'not'")
        if isinstance(node, ast.BinOp):
            return self._chain(node, d)
        if isinstance(node, ast.Compare):
            ops: list[str] = []
            for o in node.ops:
                sym = _CMPOPS.get(type(o))
                if sym is None:
                    raise self.fail(node, "unsupported comparison; expected one of "
                                          "< <= > >= == !=")
                ops.append(sym)
            raw = [node.left, *node.comparators]
            args = tuple(self.build(a, d) for a in raw)
            for a, b in zip(raw, args, strict=True):
                self._need(a, b, "number", "a comparison")
            return _Compare("condition", tuple(ops), args)
        if isinstance(node, ast.BoolOp):
            name = "and" if isinstance(node.op, ast.And) else "or"
            args = tuple(self.build(v, d) for v in node.values)
            for a, b in zip(node.values, args, strict=True):
                self._need(a, b, "condition", f"'{name}'")
            return _Bool("condition", name, args)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        what = type(node).__name__
        hint = {
            "Attribute": "only owner.name (e.g. blue.personnel) may hold a dot",
            "Subscript": "indexing (a[...]) is not allowed; choose times with 'at' or 'over'",
            "IfExp": "'x if c else y' is not allowed",
            "Lambda": "'lambda' is not allowed",
        }.get(what, f"'{what}' is not allowed")
        raise self.fail(node, f"unsupported syntax: {hint}")

    def _number(self, node: ast.Constant, value: float) -> _Num:
        try:
            x = float(value)
        except OverflowError:
            raise self.fail(node, f"number too large: {str(value)[:20]}... has "
                                  f"{len(str(value))} digits; expected a finite number "
                                  "(at most about 1.8e308)") from None
        if not np.isfinite(x):
            raise self.fail(node, f"expected a finite number, found {node.value!r}")
        return _Num("number", x)

    def _chain(self, node: ast.BinOp, depth: int) -> _Node:
        """Build a run of operations on the left (``a + b - c * d``) as one flat node."""
        spine: list[ast.BinOp] = []
        cur: ast.expr = node
        while isinstance(cur, ast.BinOp):
            spine.append(cur)
            cur = cur.left
        first = self.build(cur, depth)
        rest: list[tuple[str, _Node]] = []
        for link in reversed(spine):
            op = _BINOPS.get(type(link.op))
            if op is None:
                raise self.fail(link, "unsupported operator; expected one of + - * / **")
            right = self.build(link.right, depth)
            if not rest:
                self._need(cur, first, "number", f"'{op}'")
            self._need(link.right, right, "number", f"'{op}'")
            rest.append((op, right))
        return _Chain("number", first, tuple(rest))

    def _name(self, node: ast.Name) -> _Node:
        if node.id in _CONSTANTS:
            return _Num("condition", _CONSTANTS[node.id])
        if node.id in self.numbers:
            self.names.add(node.id)
            return _Name("number", node.id)
        if node.id in self.conditions:
            self.names.add(node.id)
            return _Name("condition", node.id)
        if node.id in FUNCTIONS:
            raise self.fail(node, f"'{node.id}' is a function; call it: {node.id}(...)")
        known = self.numbers | self.conditions
        raise self.fail(node, f"unknown name '{node.id}': not an output, parameter or event "
                              f"of the model{_suggest(node.id, known)}")

    def _call(self, node: ast.Call, depth: int) -> _Node:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only the functions " + ", ".join(FUNCTIONS)
                            + " may be called")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise self.fail(node, f"unknown function '{fname}'; expected one of: "
                                  f"{', '.join(FUNCTIONS)}{_suggest(fname, FUNCTIONS)}")
        if node.keywords:
            raise self.fail(node, f"'{fname}' takes no keyword arguments")
        _, arity = FUNCTIONS[fname]
        n = len(node.args)
        if (arity is not None and n != arity) or (arity is None and n < 2):
            want = f"{arity}" if arity is not None else "two or more"
            raise self.fail(node, f"'{fname}' takes {want} argument(s), found {n}")
        args = tuple(self.build(a, depth) for a in node.args)
        for a, b in zip(node.args, args, strict=True):
            if isinstance(a, ast.Starred):
                raise self.fail(a, "'*' arguments are not allowed")
            self._need(a, b, "number", f"'{fname}'")
        return _Call("number", fname, args)

    def _need(self, raw: ast.AST, node: _Node, kind: Kind, where: str) -> None:
        if node.kind == kind:
            return
        if kind == "number" and isinstance(node, _Num | _Name):
            return  # true/false and events count as 1/0 in arithmetic
        found = "a condition (true/false)" if node.kind == "condition" else "a number"
        want = "a condition (true/false)" if kind == "condition" else "a number"
        raise self.fail(raw, f"{where} expects {want}, found {found}")


# --------------------------------------------------------------------------- evaluation
Resolver = Callable[[str], Any]


def _eval(node: _Node, get: Resolver) -> Any:
    if isinstance(node, _Num):
        return node.value
    if isinstance(node, _Name):
        return get(node.name)
    if isinstance(node, _Unary):
        v = _eval(node.arg, get)
        if node.op == "not":
            return np.logical_not(v)
        return np.negative(v) if node.op == "-" else np.asarray(v, dtype=np.float64)
    if isinstance(node, _Chain):
        total = np.asarray(_eval(node.first, get), dtype=np.float64)
        for op, arg in node.rest:
            b = np.asarray(_eval(arg, get), dtype=np.float64)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                total = _NUMPY_BIN[op](total, b)
        return total
    if isinstance(node, _Compare):
        vals = [np.asarray(_eval(arg, get), dtype=np.float64) for arg in node.args]
        out: Any = True
        for op, a, b in zip(node.ops, vals[:-1], vals[1:], strict=True):
            out = np.logical_and(out, _NUMPY_CMP[op](a, b))
        return out
    if isinstance(node, _Bool):
        fn = np.logical_and if node.op == "and" else np.logical_or
        acc: Any = np.asarray(_eval(node.args[0], get)).astype(bool)
        for arg in node.args[1:]:
            acc = fn(acc, np.asarray(_eval(arg, get)).astype(bool))
        return acc
    if isinstance(node, _Call):
        impl, _ = FUNCTIONS[node.func]
        vals = [np.asarray(_eval(arg, get), dtype=np.float64) for arg in node.args]
        if len(vals) > 2:
            acc = vals[0]
            for v in vals[1:]:
                acc = impl(acc, v)
            return acc
        with np.errstate(over="ignore"):
            return impl(*vals)
    raise TypeError(f"unknown node {node!r}")  # pragma: no cover


@dataclass(frozen=True)
class Expr:
    """A compiled expression.

    Attributes
    ----------
    text : str
        The expression as written.
    kind : {"number", "condition"}
        Whether it yields numbers or true/false.
    names : frozenset of str
        The outputs, parameters and events it reads.
    """

    text: str
    kind: Kind
    names: frozenset[str]
    _tree: _Node

    def evaluate(self, get: Resolver) -> Any:
        """Compute the expression.

        Parameters
        ----------
        get : callable
            ``get(name)`` returns the values of a name: an array (or scalar); arrays of
            different names must broadcast against each other.

        Returns
        -------
        numpy.ndarray
            Float for a ``number`` expression, bool for a ``condition``.
        """
        out = _eval(self._tree, get)
        dtype = bool if self.kind == "condition" else np.float64
        return np.asarray(out, dtype=dtype)

    def evaluate_on(self, values: Mapping[str, Any]) -> Any:
        """Compute the expression from a mapping of name -> values."""
        return self.evaluate(values.__getitem__)


def compile_expr(text: str, *, numbers: Collection[str], conditions: Collection[str] = (),
                 expect: Kind | None = None) -> Expr:
    """Parse and check an expression.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"blue.personnel / red.personnel < 0.5"``.
    numbers : collection of str
        Names that hold numbers (outputs, parameters).
    conditions : collection of str
        Names that hold true/false (events, switches read as conditions).
    expect : {"number", "condition"}, optional
        Raise unless the expression yields this kind.

    Returns
    -------
    Expr
        The compiled expression.

    Raises
    ------
    ExprError
        If the text is not a valid expression, names something unknown, or has the
        wrong kind; the message says where (column) and what was expected.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprError("expected an expression, found empty text")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = exc.offset
        where = f" (column {col})" if col else ""
        raise ExprError(f"invalid expression: {exc.msg}{where}", col) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("invalid expression: too deeply nested or malformed") from None
    comp = _Compiler(numbers, conditions)
    try:
        node = comp.build(tree)
    except RecursionError:
        raise ExprError("expression nested too deeply") from None
    if expect is not None and node.kind != expect:
        if expect == "condition":
            raise ExprError(f"expected a condition (e.g. '{source} > 0'), found a number "
                            f"expression '{source}'")
        if not isinstance(node, _Name):
            raise ExprError(f"expected a number, found a condition '{source}'")
    return Expr(source, node.kind, frozenset(comp.names), node)
