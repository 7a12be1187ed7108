"""The modules of this installation, by name."""

from __future__ import annotations

import importlib

from detente.model.base import Module

#: Every subsystem, in the order that breaks ties in the step order (see
#: :func:`detente.model.couple`); the built-in scenarios step in exactly this order.
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
    """All modules that exist in this installation, in :data:`MODULE_ORDER`."""
    out: dict[str, Module] = {}
    for name in MODULE_ORDER:
        try:
            out[name] = get_module(name)
        except ModuleNotFoundError:
            continue
    return out


def resolve_modules(names: tuple[str, ...] | list[str]) -> list[Module]:
    """Return the modules ``names`` in :data:`MODULE_ORDER` (unknown names raise ``KeyError``).

    This is the registry's order; the step order comes from :func:`detente.model.couple`.
    """
    wanted = set(names)
    return [get_module(n) for n in MODULE_ORDER if n in wanted]


__all__ = ["MODULE_ORDER", "available_modules", "get_module", "resolve_modules"]
