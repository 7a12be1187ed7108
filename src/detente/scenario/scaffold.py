"""A commented minimal scenario to start a new war from (``detente new``)."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

from detente.errors import InputError
from detente.scenario.schema import NAME_RE

__all__ = ["scaffold"]

#: The template, with __NAME__, __TITLE__, __START__ and __WAR_BEGAN__ to fill.
TEMPLATE = "_scaffold.yaml"


def scaffold(name: str, *, title: str | None = None, start: dt.date | None = None,
             war_began: dt.date | None = None) -> str:
    """Return the text of a minimal scenario called ``name`` that runs as written.

    Two sides (``blue`` defends, ``red`` attacks), one supporter of ``blue`` sending
    military aid, the military module, and a second policy that doubles the aid; every
    number is an ``assumption`` with a wide distribution, to replace with sourced ones.
    It declares a forecast as of its start (``knowledge``), which cites nothing yet.

    Parameters
    ----------
    name : str
        The scenario's name (lower-case letters, digits, ``-`` and ``_``).
    title : str, optional
        Its title (default: the name, capitalised, with spaces).
    start : datetime.date, optional
        Its start date (default: today).
    war_began : datetime.date, optional
        The date its war began (default: the start, for the author to change).

    Raises
    ------
    InputError
        If ``name`` is not a scenario name, or ``war_began`` is after the start.
    """
    if not re.fullmatch(NAME_RE.strip("^$"), name) or len(name) > 64:
        raise InputError(f"'{name}' is not a scenario name: expected lower-case letters, "
                         "digits, '-' and '_', starting with a letter (at most 64)")
    text = (resources.files("detente.scenario.builtin") / TEMPLATE).read_text("utf-8")
    title = title or name.replace("-", " ").replace("_", " ").capitalize()
    start = start or dt.date.today()
    war_began = war_began or start
    if war_began > start:
        raise InputError(f"the war began on {war_began}, after the start {start}; a scenario "
                         "starts during its war")
    return (text.replace("__NAME__", name).replace("__TITLE__", title)
            .replace("__START__", start.isoformat())
            .replace("__WAR_BEGAN__", war_began.isoformat()))
