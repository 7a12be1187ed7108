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

DETAIL_INDENT = "    "
"""How far a problem's detail lines are indented under its one-line message."""


def escaped(text: str) -> str:
    """``text`` with every non-printable character (newline, tab, NUL...) written as its escape.

    A name or value read from a file may hold a newline (a TOML escape); quoted raw into a
    message it would break the one-line-per-problem layout a reader relies on.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace")
                   .decode("ascii") for c in text)


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
        What was expected and what was found (and a did-you-mean, when one applies); one line.
    details : tuple of str
        Lines listed under the message (e.g. every missing parameter), one item each.

    Notes
    -----
    Non-printable characters in ``path``, ``message`` and ``details`` are stored escaped, so
    a problem always prints as one line plus one line per detail, whatever the file held.
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    details: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # frozen: the escaped forms replace what was passed, once, at construction
        object.__setattr__(self, "path", escaped(self.path))
        object.__setattr__(self, "message", escaped(self.message))
        object.__setattr__(self, "details", tuple(escaped(d) for d in self.details))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        listed = "".join(f"\n{DETAIL_INDENT}{d}" for d in self.details)
        return f"{where}:{field} {self.message}{listed}"


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
