"""The modules of this installation, by name, built for a scenario's cast."""

from __future__ import annotations

import copyreg
import importlib
from types import ModuleType
from typing import Any

from detente.model.base import Cast, Module, ParamSpec, VariableSpec

#: Every subsystem, in the order that breaks ties in the step order (see
#: :func:`detente.model.couple`); the built-in scenarios step in exactly this order.
MODULE_ORDER: tuple[str, ...] = (
    "military", "strikes", "economy", "society", "politics", "bargaining",
)


def _source(name: str) -> ModuleType:
    if name not in MODULE_ORDER:
        raise KeyError(name)
    return importlib.import_module(f"detente.model.{name}")


def get_module(name: str, cast: Cast) -> Module:
    """Return the module called ``name`` (one of :data:`MODULE_ORDER`), built for ``cast``.

    Raises
    ------
    KeyError
        If there is no such module.
    ValueError
        If the module cannot be built for this cast (e.g. a mechanism that joins two sides,
        in a war of three).
    """
    module: Module = _source(name).build(cast)
    return module


def templates(name: str) -> tuple[tuple[ParamSpec, ...], tuple[VariableSpec, ...]]:
    """Return the parameter and variable templates of module ``name``, for listings.

    An owned template's name is its base name (``personnel0``) and its ``per`` says who
    owns it; :func:`detente.model.base.template_name` writes it ``<side>.personnel0``.
    """
    src = _source(name)
    return tuple(src.PARAMS), tuple(src.VARIABLES)


def available_modules(cast: Cast) -> dict[str, Module]:
    """All modules that exist in this installation, in :data:`MODULE_ORDER`, for ``cast``."""
    out: dict[str, Module] = {}
    for name in MODULE_ORDER:
        try:
            out[name] = get_module(name, cast)
        except ModuleNotFoundError:
            continue
    return out


def installed() -> tuple[str, ...]:
    """Names of the modules that exist in this installation, in :data:`MODULE_ORDER`."""
    out = []
    for name in MODULE_ORDER:
        try:
            _source(name)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return tuple(out)


def resolve_modules(names: tuple[str, ...] | list[str], cast: Cast) -> list[Module]:
    """Return the modules ``names`` in :data:`MODULE_ORDER`, built for ``cast``.

    Unknown names raise ``KeyError``. This is the registry's order; the step order comes
    from :func:`detente.model.couple`.
    """
    wanted = set(names)
    return [get_module(n, cast) for n in MODULE_ORDER if n in wanted]


def _reduce_module(module: Module) -> str | tuple[Any, ...]:
    """Pickle a built module as what builds it: its name and cast (its step is a closure).

    Process workers receive plans by pickle; a module of this installation is rebuilt there
    by :func:`get_module` (cached per cast), any other module is pickled as it is.
    """
    if module.cast is not None and module.name in MODULE_ORDER:
        return get_module, (module.name, module.cast)
    return object.__reduce_ex__(module, 4)


copyreg.pickle(Module, _reduce_module)


__all__ = ["MODULE_ORDER", "available_modules", "get_module", "installed", "resolve_modules",
           "templates"]
