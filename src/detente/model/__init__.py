"""The war-of-attrition model: one module per subsystem, each a pure step function.

Modules run in :data:`MODULE_ORDER`; a scenario enables a subset with its ``modules`` key.
See :mod:`detente.model.base` for the contract and ``docs/model.md`` for the equations.
"""

from __future__ import annotations

import importlib

from detente.model.base import Module, ParamSpec, StepContext, VariableSpec

#: Every subsystem, in the order the engine steps them.
MODULE_ORDER: tuple[str, ...] = (
    "military", "strikes", "economy", "society", "politics", "bargaining",
)


def get_module(name: str) -> Module:
    """Return the module called ``name`` (one of :data:`MODULE_ORDER`)."""
    if name not in MODULE_ORDER:
        raise KeyError(name)
    mod = importlib.import_module(f"detente.model.{name}")
    module: Module = mod.MODULE
    return module


def available_modules() -> dict[str, Module]:
    """All modules that exist in this installation, in step order."""
    out: dict[str, Module] = {}
    for name in MODULE_ORDER:
        try:
            out[name] = get_module(name)
        except ModuleNotFoundError:
            continue
    return out


def resolve_modules(names: tuple[str, ...] | list[str]) -> list[Module]:
    """Return the modules ``names`` in step order (unknown names raise ``KeyError``)."""
    wanted = set(names)
    return [get_module(n) for n in MODULE_ORDER if n in wanted]


__all__ = [
    "MODULE_ORDER", "Module", "ParamSpec", "StepContext", "VariableSpec",
    "available_modules", "get_module", "resolve_modules",
]
