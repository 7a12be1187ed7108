"""Errors raised by detente.

The hierarchy::

    DetenteError                      base class; the CLI turns it into exit code 2 or 1
    ├── InputError (ValueError)       bad input from the user: exit code 2
    │   ├── ScenarioError             a scenario file is invalid (carries every problem found)
    │   ├── UnitError                 a unit cannot be converted to the one the model uses
    │   └── DataError                 a data file (CSV, observations) is malformed
    ├── NotFittedError (AttributeError)   an analysis was used before ``fit``
    ├── UndeclaredReadError (KeyError)    a model module read a variable it does not declare
    └── MissingDependencyError (ImportError)  an optional extra is not installed
"""

from __future__ import annotations

from dataclasses import dataclass


class DetenteError(Exception):
    """Base class for all detente errors."""


class UndeclaredReadError(DetenteError, KeyError):
    """A model module read a variable it does not declare (a defect of the module's code)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InputError(DetenteError, ValueError):
    """The user's input (a file, an option, a name) is invalid; the CLI exits with code 2."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file : str
        Path (or name) of the file.
    line, column : int or None
        1-based position of the offending node, when known.
    path : str
        Dotted path of the field, e.g. ``parameters.blue.recruit_rate.high``.
    message : str
        What was expected and what was found (and a did-you-mean, when one applies).
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(InputError):
    """A scenario file is invalid.

    Parameters
    ----------
    problems : list of Problem
        Every problem found; the message lists them all, one per line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in scenario"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class UnitError(InputError):
    """A unit string is malformed or cannot be converted to the unit the model expects."""


class DataError(InputError):
    """A data file (CSV of observations or battle data) is malformed."""


class NotFittedError(DetenteError, AttributeError):
    """An analysis object was used before ``fit`` was called."""


class MissingDependencyError(DetenteError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""
