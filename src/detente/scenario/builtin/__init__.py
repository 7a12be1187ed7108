"""Scenarios shipped with detente, one ``NAME.yaml`` file each, found by name.

Examples
--------
>>> "lanchester-bench" in builtin_names()  # doctest: +SKIP
True
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from detente.errors import InputError

__all__ = ["builtin_names", "builtin_path"]


def _folder() -> Path:
    return Path(str(resources.files(__name__)))


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted.

    Returns
    -------
    list of str
        One name per ``*.yaml`` file in this package, without the suffix; files whose name
        starts with ``_`` are fragments, not scenarios, and are left out.
    """
    return sorted(p.stem for p in _folder().glob("*.yaml")
                  if p.is_file() and not p.name.startswith("_"))


def builtin_path(name: str) -> Path:
    """Path of the built-in scenario ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`builtin_names`, e.g. ``"lanchester-bench"``.

    Returns
    -------
    pathlib.Path
        The scenario's YAML file.

    Raises
    ------
    InputError
        If there is no built-in scenario of that name; the message lists the names and
        suggests the closest one.
    """
    names = builtin_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise InputError(f"no built-in scenario named {name!r}; expected one of: "
                         f"{', '.join(names) or '(none installed)'}{hint}")
    return _folder() / f"{name}.yaml"
