"""The war-of-attrition model: one module per subsystem, each a pure step function.

A scenario enables a subset of :data:`MODULE_ORDER` with its ``modules`` key; the engine
puts them in step order from what each reads (:func:`couple`). See
:mod:`detente.model.base` for the contract and ``docs/model.md`` for the equations.
"""

from __future__ import annotations

from detente.model.base import (
    Cast,
    Channel,
    Issue,
    Kernel,
    Module,
    ParamSpec,
    Read,
    StepContext,
    VariableSpec,
    owned,
    split_owned,
)
from detente.model.couplings import Couplings, UndeclaredReadError, couple
from detente.model.registry import (
    MODULE_ORDER,
    available_modules,
    get_module,
    installed,
    resolve_modules,
    templates,
)

__all__ = [
    "MODULE_ORDER", "Cast", "Channel", "Couplings", "Issue", "Kernel", "Module", "ParamSpec",
    "Read", "StepContext", "UndeclaredReadError", "VariableSpec", "available_modules", "couple",
    "get_module", "installed", "owned", "resolve_modules", "split_owned", "templates",
]
