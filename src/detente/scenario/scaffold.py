"""A commented minimal scenario to start a new war from (``detente new``)."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

from detente.errors import InputError
from detente.scenario.schema import NAME_RE

__all__ = ["scaffold"]

#: The template, with __NAME__, __TITLE__ and __START__ to fill.
TEMPLATE = "_scaffold.yaml"


def scaffold(name: str, *, title: str | None = None, start: dt.date | None = None) -> str:
    """Return the text of a minimal scenario called ``name`` that runs as written.

    Two sides (``blue`` defends, ``red`` attacks), one supporter of ``blue`` sending
    military aid, the military module, and a second policy that doubles the aid; every
    number is an ``assumption`` with a wide distribution, to replace with sourced ones.

    Parameters
    ----------
    name : str
        The scenario's name (lower-case letters, digits, ``-`` and ``_``).
    title : str, optional
        Its title (default: the name, capitalised, with spaces).
    start : datetime.date, optional
        Its start date (default: today).

    Raises
    ------
    InputError
        If ``name`` is not a scenario name.
    """
    if not re.fullmatch(NAME_RE.strip("^$"), name) or len(name) > 64:
        raise InputError(f"'{name}' is not a scenario name: expected lower-case letters, "
                         "digits, '-' and '_', starting with a letter (at most 64)")
    text = (resources.files("detente.scenario.builtin") / TEMPLATE).read_text("utf-8")
    title = title or name.replace("-", " ").replace("_", " ").capitalize()
    start = start or dt.date.today()
    return (text.replace("__NAME__", name).replace("__TITLE__", title)
            .replace("__START__", start.isoformat()))
