"""Paths into a scenario file's raw data, the readers of its raw values, and suggestions.

Reading, the schema's messages and the checks of meaning all walk the file's plain data
(mappings, lists, scalars) by *field path*, a tuple of keys and list indices such as
``("policies", "aid_surge", "changes", 0, "value")``; this module holds what they share,
the scenario layer's one date parser (:func:`as_date`) included.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MISSING", "FieldPath", "Key", "as_date", "as_number", "child", "dotted", "get",
           "short", "suggest"]

Key = str | int
FieldPath = tuple[Key, ...]
#: What :func:`get` returns for a path the data does not have.
MISSING: Any = object()


def dotted(path: Iterable[Key]) -> str:
    """Write a field path as in messages: ``policies.aid_surge.changes[0].value``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def child(cur: Any, key: Key) -> Any:
    """Return ``cur[key]`` for a mapping key or list index it has, else :data:`MISSING`."""
    if isinstance(cur, Mapping) and key in cur:
        return cur[key]
    if isinstance(cur, list) and isinstance(key, int) and 0 <= key < len(cur):
        return cur[key]
    return MISSING


def get(data: Any, path: Iterable[Key]) -> Any:
    """Return the value at ``path`` in ``data``, or :data:`MISSING`."""
    cur = data
    for key in path:
        cur = child(cur, key)
    return cur


def suggest(word: object, candidates: Iterable[str]) -> str:
    """Return ``"; did you mean 'X'?"`` for the closest candidate, or ``""``."""
    if not isinstance(word, str):
        return ""
    best = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{best[0]}'?" if best else ""


def short(value: Any) -> str:
    """Describe a value as found in a file, briefly (``'weekly'``, ``a list``, ``5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 50 else value[:47] + "..."
        return repr(text)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def as_number(x: Any) -> float | None:
    """Return a raw number as a float; None for anything else (``true`` included).

    An integer too large for a float (309 digits or more) is None too: the schema says
    what is wrong with it.
    """
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        return float(x)
    except OverflowError:
        return None


def as_date(x: Any) -> dt.date | None:
    """Return a raw date (a date, a datetime or ISO ``YYYY-MM-DD`` text); None otherwise."""
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, str):
        try:
            return dt.date.fromisoformat(x.strip())
        except ValueError:
            return None
    return None
