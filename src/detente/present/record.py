"""Which model variables a view needs recorded: its charts' and the claims' it judges.

A run records only the trajectories it is asked for; the report and the dashboard ask for
what they draw and for every variable the scenario's claims read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["claim_variables", "in_model_order", "matching"]

#: A model name in an expression: plain (``war_intensity``) or an owner's (``blue.personnel``).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")


def in_model_order(scenario: Scenario, wanted: Iterable[str]) -> list[str]:
    """Return the variables of ``wanted`` that the scenario's modules compute, in order."""
    keep = set(wanted)
    return [v.name for m in scenario.enabled_modules for v in m.variables
            if v.name in keep]


def matching(scenario: Scenario, wanted: Iterable[str]) -> list[str]:
    """Return the scenario's variables that ``wanted`` names, in model order.

    A wanted name is a model name (``blue.personnel``, ``war_intensity``) or the base name of
    what each side or supporter owns (``personnel``: every owner's); names the scenario's
    modules do not compute are left out.
    """
    keep = set(wanted)
    return [v.name for m in scenario.enabled_modules for v in m.variables
            if v.name in keep or (v.per is not None and v.base in keep)]


def claim_variables(scenario: Scenario) -> list[str]:
    """Model variables that the scenario's claims read (to record them in a run)."""
    names = {v.name for m in scenario.enabled_modules for v in m.variables}
    found: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, str):
            found.update(n for n in _NAME.findall(obj) if n in names)
        elif isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list | tuple):
            for v in obj:
                walk(v)

    for claim in scenario.claims.values():
        if claim.test is not None:
            walk(claim.test.model_dump(mode="json"))
    return in_model_order(scenario, found)
