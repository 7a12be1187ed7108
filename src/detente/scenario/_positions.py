"""Where each field of a scenario file is written, and problems located there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from detente.errors import Problem
from detente.scenario._paths import FieldPath, dotted

__all__ = ["At", "Position", "ProblemLog", "SourceMap", "line_column"]

#: A 1-based ``(line, column)`` pair.
Position = tuple[int, int]
#: Which end of a field a problem points at (see :meth:`SourceMap.where`).
At = Literal["auto", "key", "value"]


@dataclass
class _Spot:
    key: Position | None
    value: Position | None
    raw: str | None = None


class SourceMap:
    """Where each field of a scenario file is written.

    Positions are 1-based ``(line, column)`` pairs, keyed by the field's path in the file
    (mapping keys and list indices), e.g. ``("parameters", "blue.recruit_rate", "high")``.
    """

    def __init__(self) -> None:
        self._spots: dict[FieldPath, _Spot] = {}

    def add(self, path: FieldPath, *, key: Position | None = None,
            value: Position | None = None, raw: str | None = None) -> None:
        """Record the position of the key and of the value of field ``path``."""
        old = self._spots.get(path)
        if old is None:
            self._spots[path] = _Spot(key, value, raw)
        else:
            self._spots[path] = _Spot(key or old.key, value or old.value,
                                      raw if raw is not None else old.raw)

    def raw(self, path: FieldPath) -> str | None:
        """Return the text of a scalar as written, when known."""
        spot = self._spots.get(path)
        return spot.raw if spot else None

    def where(self, path: FieldPath, *, at: At = "auto") -> Position | None:
        """Position of field ``path``, or of its nearest written ancestor.

        Parameters
        ----------
        path : tuple
            Field path in the file.
        at : {"auto", "key", "value"}
            ``"key"`` points at the key, ``"value"`` at the value; ``"auto"`` points at the
            value of a scalar and at the key of a mapping or list.

        Returns
        -------
        tuple of int or None
            ``(line, column)``, or None when nothing on the path is known.
        """
        spot = self._spots.get(path)
        if spot is not None:
            if at == "key" or (at == "auto" and spot.raw is None):
                return spot.key or spot.value
            return spot.value or spot.key
        for n in range(len(path) - 1, -1, -1):
            spot = self._spots.get(path[:n])
            if spot is not None:
                return spot.key or spot.value
        no_index = tuple(p for p in path if not isinstance(p, int))
        if no_index != path:
            return self.where(no_index, at=at)
        return None


def line_column(pos: Position | None) -> tuple[int | None, int | None]:
    """Return a position as ``(line, column)``, or ``(None, None)`` when unknown."""
    return pos if pos is not None else (None, None)


@dataclass
class ProblemLog:
    """Problems found in one file, each located through its source map.

    Attributes
    ----------
    found : list of (field path, Problem)
        Every problem added, with the path of the field it concerns.
    """

    smap: SourceMap
    file: str
    found: list[tuple[FieldPath, Problem]] = field(default_factory=list)

    def add(self, path: FieldPath, message: str, *, at: At = "auto",
            details: tuple[str, ...] = ()) -> None:
        """Record ``message`` (and the lines listed under it) about the field ``path``."""
        pos = self.smap.where(path, at=at)
        self.found.append((path, Problem(self.file, *line_column(pos), dotted(path),
                                         message, details)))
