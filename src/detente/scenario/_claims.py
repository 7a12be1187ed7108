"""Checks of meaning for a scenario's ``claims``: names, policies and dates.

:func:`check_claims` is called by the checks of meaning (:mod:`._checks`), beside the
schema check; it reports, located in the file, every claim whose expressions name an
output, parameter or event the model does not have (with a did-you-mean), whose policies
do not exist, or whose dates fall outside the horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import BaseModel

from detente.scenario import schema
from detente.scenario._paths import FieldPath, as_date, get, suggest
from detente.scenario.expr import ExprError, compile_expr

__all__ = ["allowed_keys", "check_claims", "expression_names"]

AddProblem = Callable[[FieldPath, str], None]

_TEST_MODELS: dict[str, type[BaseModel]] = {
    "change": schema.ChangeTest, "compare": schema.CompareTest,
    "event": schema.EventTest,
    "difference": schema.DifferenceTest, "rank": schema.RankTest,
    "all": schema.AllTest, "any": schema.AnyTest,
}
_READING_KEYS = ("metric", "at", "over", "reduce")


def _test_keys(node: Any) -> list[str]:
    kind = node.get("kind") if isinstance(node, Mapping) else None
    model = _TEST_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return ["kind"]
    fields = schema.file_keys(model)
    return ["kind", *[f for f in fields if f != "kind"]]


def allowed_keys(path: tuple[str, ...], raw_path: FieldPath, data: Any) -> list[str] | None:
    """List the keys valid in the mapping at ``path`` under ``claims``.

    Parameters
    ----------
    path : tuple of str
        The field path with list indices replaced by ``"#"``.
    raw_path : tuple
        The field path as written (with list indices).
    data : Any
        The whole file's data.
    """
    n = len(path)
    if n == 2:
        return schema.file_keys(schema.Claim)
    if n == 3 and path[2] == "thresholds":
        return schema.file_keys(schema.Thresholds)
    nested = all(p == "of" if i % 2 == 0 else p == "#" for i, p in enumerate(path[3:]))
    if n >= 3 and path[2] == "test" and nested and (n - 3) % 2 == 0:
        return _test_keys(get(data, raw_path))
    return None


def expression_names(scenario_vars: Collection[str], parameters: Collection[str],
                     events: Collection[str]) -> tuple[set[str], set[str]]:
    """Names an expression may use: (numbers, conditions)."""
    return set(scenario_vars) | set(parameters), set(events)


class _Checker:
    def __init__(self, add: AddProblem, numbers: set[str] | None, conditions: set[str],
                 parameters: set[str], policies: list[str],
                 horizon: tuple[dt.date, dt.date] | None) -> None:
        self.add = add
        self.numbers = numbers
        self.conditions = conditions
        self.parameters = parameters
        self.policies = policies
        self.horizon = horizon

    def policy(self, path: FieldPath, name: Any) -> None:
        if isinstance(name, str) and self.policies and name not in self.policies:
            self.add(path, f"unknown policy '{name}'; expected one of: "
                           f"{', '.join(self.policies)}{suggest(name, self.policies)}")

    def time(self, path: FieldPath, value: Any) -> dt.date | None:
        if value in ("start", "end"):
            return None
        when = as_date(value)
        if when is None or self.horizon is None:
            return when
        start, end = self.horizon
        if not start <= when <= end:
            self.add(path, f"date {when} is outside the horizon; expected a date from "
                           f"{start} to {end}, or 'start' or 'end'")
        return when

    def expr(self, path: FieldPath, text: Any, *, expect: str | None,
             per_sample: bool = False) -> None:
        if not isinstance(text, str) or self.numbers is None:
            return
        numbers = self.parameters if per_sample else self.numbers
        try:
            compile_expr(text, numbers=numbers, conditions=self.conditions,
                         expect=expect)  # type: ignore[arg-type]
        except ExprError as exc:
            msg = str(exc)
            if per_sample and "unknown name" in msg:
                name = msg.split("'")[1] if "'" in msg else ""
                if name in self.numbers:
                    msg = (f"'given' selects samples and may read only parameters and "
                           f"events, found the output '{name}'; test outputs in the claim's "
                           "test instead")
            self.add(path, f"in '{text}': {msg}")

    def test(self, path: FieldPath, node: Any) -> None:
        if not isinstance(node, Mapping):
            return
        kind = node.get("kind")
        if kind in ("all", "any"):
            parts = node.get("of")
            if isinstance(parts, list):
                for i, part in enumerate(parts):
                    self.test((*path, "of", i), part)
            return
        for key in ("policy", "versus"):
            self.policy((*path, key), node.get(key))
        order = node.get("order") if kind == "rank" else None
        if isinstance(order, list):
            for i, name in enumerate(order):
                self.policy((*path, "order", i), name)
        if kind == "difference" and node.get("policy") == node.get("versus") \
                and isinstance(node.get("policy"), str):
            self.add((*path, "versus"), "a difference needs two different policies, found "
                                        f"'{node.get('policy')}' twice")
        if kind == "event":
            self.expr((*path, "when"), node.get("when"), expect="condition")
            a = self.time((*path, "from"), node.get("from", node.get("from_")))
            b = self.time((*path, "by"), node.get("by"))
            if a is not None and b is not None and b < a:
                self.add((*path, "by"), f"'by' ({b}) is before 'from' ({a})")
        else:
            self.expr((*path, "metric"), node.get("metric"), expect=None)
            self.time((*path, "at"), node.get("at"))
            over = node.get("over")
            if isinstance(over, list) and len(over) == 2:
                a = self.time((*path, "over", 0), over[0])
                b = self.time((*path, "over", 1), over[1])
                if a is not None and b is not None and b <= a:
                    self.add((*path, "over"), f"the window ends ({b}) before it starts ({a})")
            if kind == "change":
                self.time((*path, "than"), node.get("than"))
        self.expr((*path, "given"), node.get("given"), expect="condition", per_sample=True)


def check_claims(data: Mapping[str, Any], add: AddProblem, *,
                 variables: Collection[str] | None,
                 horizon: tuple[dt.date, dt.date] | None) -> None:
    """Check the ``claims`` of raw scenario data and report each problem through ``add``.

    Parameters
    ----------
    data : mapping
        The scenario file's data.
    add : callable
        ``add(path, message)`` records a problem at the field ``path``.
    variables : collection of str or None
        Outputs of the enabled modules; None when the modules could not be resolved (then
        names in expressions are not checked).
    horizon : (date, date) or None
        First and last date of the scenario.
    """
    claims = data.get("claims")
    if not isinstance(claims, Mapping):
        return
    params_raw = data.get("parameters")
    parameters = set(params_raw) if isinstance(params_raw, Mapping) else set()
    events: set[str] = set()
    raw_events = data.get("events")
    if isinstance(raw_events, Mapping):
        events |= {str(k) for k in raw_events}
    pols_raw = data.get("policies")
    policies = [str(k) for k in pols_raw] if isinstance(pols_raw, Mapping) else []
    if isinstance(pols_raw, Mapping):
        for pol in pols_raw.values():
            if isinstance(pol, Mapping) and isinstance(pol.get("events"), Mapping):
                events |= {str(k) for k in pol["events"]}
    numbers = None if variables is None else set(variables) | parameters
    checker = _Checker(add, numbers, events, parameters, policies, horizon)
    for cid, claim in claims.items():
        if not isinstance(claim, Mapping):
            continue
        base: FieldPath = ("claims", cid)
        pols = claim.get("policies")
        if isinstance(pols, list):
            for i, p in enumerate(pols):
                checker.policy((*base, "policies", i), p)
        checker.test((*base, "test"), claim.get("test"))
