"""Which model variables a view needs recorded: its charts' and the claims' it judges.

A run records only the trajectories it is asked for; the report and the dashboard ask for
what they draw and for every variable the scenario's claims read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.scenario.schema import Scenario

__all__ = ["claim_variables", "in_model_order", "matching"]


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


#: The fields of a claim's test that hold expressions over the model's outputs.
_EXPRESSION_FIELDS = ("metric", "given", "when")


def claim_variables(scenario: Scenario) -> list[str]:
    """Model variables that the scenario's claims read (to record them in a run).

    Each expression of each test (its metric, ``given`` and ``when``) is compiled as the
    claims compile it (:func:`detente.analysis.scenario_expr`), so ``red.gdp_index``
    counts as the variable it names; an expression that does not compile is left to the
    claims to report.
    """
    from detente.analysis import scenario_expr
    from detente.errors import InputError

    found: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key in _EXPRESSION_FIELDS and isinstance(value, str):
                    try:
                        found.update(scenario_expr(scenario, value).names)
                    except InputError:
                        continue
                else:
                    walk(value)
        elif isinstance(obj, list | tuple):
            for value in obj:
                walk(value)

    for claim in scenario.claims.values():
        if claim.test is not None:
            walk(claim.test.model_dump(mode="json"))
    return in_model_order(scenario, found)
