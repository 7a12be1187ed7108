"""The views name no side: no country, alliance or side of a built-in scenario in their code.

Every label of the command line, the report and the dashboard comes from the scenario
(``issue 12``); these checks keep names from creeping back into ``present``, ``report``,
``dashboard`` and ``cli``, docstrings and templates included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import detente
from detente.scenario import builtin_names, load_scenario

SRC = Path(detente.__file__).parent
VIEWS = ("present", "report", "dashboard", "cli")
#: Names of the wars this toolkit was first written for, and of who took part or helped.
COUNTRIES = ("ukrain", "russia", "kyiv", "moscow", "kremlin", "america", "washington",
             "europe", "korea", "nato", "china", "iran", "zelensk", "putin", "soviet")


def _files() -> list[Path]:
    return sorted(p for view in VIEWS for p in (SRC / view).rglob("*")
                  if p.suffix in (".py", ".j2", ".html", ".css", ".js"))


def _cast_names() -> set[str]:
    """Every built-in scenario's side and supporter names and ids that are proper names.

    The benchmark's sides are the Lanchester literature's generic Blue and Red, which the
    ``fit`` command's battle columns are also called; they name no war.
    """
    names: set[str] = set()
    for scenario in builtin_names():
        cast = load_scenario(scenario).cast
        for owner in (*cast.sides, *cast.supporters):
            names |= {owner, cast.name_of(owner)}
    return {n for n in names if n.lower() not in ("blue", "red")}


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_country_or_side_prefix(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"\b(?:ua|ru|us|eu)_[a-z_]+", text) == []
    assert [c for c in COUNTRIES if re.search(rf"\b{c}", text, flags=re.IGNORECASE)] == []


def test_no_side_or_supporter_of_a_builtin_scenario() -> None:
    names = _cast_names()
    assert names  # the built-in wars have sides with names of their own
    found = {}
    for path in _files():
        text = path.read_text(encoding="utf-8")
        hits = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", text,
                                                    flags=re.IGNORECASE))
        if hits:
            found[str(path.relative_to(SRC))] = hits
    assert found == {}
