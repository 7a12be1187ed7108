"""Lazy import of optional dependencies, with a message naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from detente.errors import MissingDependencyError


def import_optional(module: str, *, extra: str, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming ``extra``.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"SALib"``.
    extra : str
        The detente extra that installs it, e.g. ``"analysis"``.
    purpose : str, optional
        What needs it, for the message (e.g. ``"Sobol sensitivity analysis"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        what = purpose or "this feature"
        raise MissingDependencyError(
            f"{what} needs the optional package '{module}'. "
            f"Install it with: pip install 'detente[{extra}]'"
        ) from exc
