"""Loading scenario files, with every problem reported at once and located in the file.

:func:`load_scenario` reads a built-in scenario by name, or a ``.yaml``/``.yml``/``.toml``
file, and returns a validated :class:`~detente.scenario.schema.Scenario` that carries its
:class:`~detente.scenario.table.ParameterTable`. Anything wrong with the input raises
:class:`~detente.errors.ScenarioError`, whose ``problems`` list every fault found, each
with ``file:line:column``, the dotted path of the field, what was expected and what was
found (with a did-you-mean for misspelt names). No other exception escapes for a bad file.

Checking runs in three layers, each in its own module:

1. reading (:mod:`._reading`): size limit, UTF-8, YAML/TOML syntax, tabs, unsupported YAML
   tags, duplicate keys, alias bombs, recursion (a fault here that leaves no data stops the
   check); the positions of every field (:mod:`._positions`);
2. the schema: the pydantic model, whose errors are mapped back onto the file
   (:mod:`._schema_errors`);
3. meaning (:mod:`._checks`, :mod:`._claims`, :mod:`.lookahead`): modules, parameters
   against the modules' :class:`~detente.model.base.ParamSpec` on the parameter table
   (presence, units, bounds), sources, events, policy changes, claims, dates against the
   horizon, and what the parameters cite against what the scenario may know (look-ahead).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from detente.errors import Problem, ScenarioError
from detente.model.base import Module
from detente.scenario._checks import check_meaning, fact_keys
from detente.scenario._json_schema import json_schema
from detente.scenario._paths import FieldPath, short, suggest
from detente.scenario._positions import ProblemLog, SourceMap, line_column
from detente.scenario._reading import MAX_BYTES, SUFFIXES, TOP_KEYS, read_scenario_file
from detente.scenario._schema_errors import schema_problems
from detente.scenario.builtin import builtin_names, builtin_path
from detente.scenario.facts import FactTable
from detente.scenario.lookahead import Hindsight
from detente.scenario.posterior import read_posterior
from detente.scenario.schema import Scenario
from detente.scenario.table import ParameterTable

__all__ = [
    "MAX_BYTES", "SUFFIXES", "SourceMap", "fact_keys", "json_schema", "load_scenario",
    "read_scenario_file", "validate_scenario",
]

#: Most problems listed; the rest are counted.
MAX_PROBLEMS = 200


def _dump(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(by_alias=True, exclude_none=True)


def _check(data: Any, smap: SourceMap, file: str, registry: Mapping[str, Module] | None,
           pre: list[Problem], bad: list[FieldPath], facts: FactTable | None = None,
           ) -> tuple[Scenario | None, list[Problem]]:
    if not isinstance(data, Mapping):
        pos = smap.where(())
        kind = "a list" if isinstance(data, list) else short(data)
        return None, [Problem(file, *line_column(pos), "", (
            f"expected a mapping with keys {TOP_KEYS} at the top level, found {kind}"))]
    found: list[tuple[FieldPath, Problem]] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        found += schema_problems(exc, data, smap, file)
    except RecursionError:
        found.append(((), Problem(file, None, None, "", "nesting too deep")))
    log = ProblemLog(smap, file)
    table, hindsight = check_meaning(log, data, scenario, registry, facts)
    found += log.found

    problems = list(pre)
    seen = {(p.path, p.message) for p in problems}
    for path, problem in found:
        if any(path[:len(b)] == b for b in bad):
            continue
        if (problem.path, problem.message) in seen:
            continue
        seen.add((problem.path, problem.message))
        problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS],
                    Problem(file, None, None, "", f"... and {extra} more problems")]
    if problems or scenario is None:
        return None, problems
    _carry(scenario, table, hindsight)
    return scenario, problems


def _carry(scenario: Scenario, table: ParameterTable, hindsight: tuple[Hindsight, ...],
           ) -> None:
    """Give the scenario what its checks found (``Scenario.table``, ``.hindsight``)."""
    # both are functools.cached_property: their values live in the instance's __dict__,
    # which a frozen model still lets one fill
    scenario.__dict__["table"] = table
    scenario.__dict__["hindsight"] = hindsight


def validate_scenario(scenario: Scenario | Mapping[str, Any], *, file: str = "<scenario>",
                      modules: Mapping[str, Module] | None = None,
                      source_map: SourceMap | None = None,
                      facts: FactTable | None = None) -> list[Problem]:
    """Check a scenario against its schema and the model, and list every problem.

    Parameters
    ----------
    scenario : Scenario or mapping
        A validated model (then only the checks of meaning run) or raw data as read from a
        file (then the schema is checked too).
    file : str
        Name of the file, for the problems.
    modules : mapping of str to Module, optional
        The module registry; default: the modules of :mod:`detente.model`.
    source_map : SourceMap, optional
        Positions of the fields, for line numbers.
    facts : FactTable, optional
        The facts table that ``fact:KEY`` names (default: the bundled
        ``data/facts-2023.csv``).

    Returns
    -------
    list of Problem
        Empty when the scenario is valid.
    """
    data = _dump(scenario) if isinstance(scenario, Scenario) else scenario
    _, problems = _check(data, source_map or SourceMap(), file, modules, [], [], facts)
    return problems


def _resolve_source(source: str | os.PathLike[str]) -> tuple[Path, str]:
    if isinstance(source, str):
        text = source.strip()
        looks_like_path = (Path(text).suffix.lower() in SUFFIXES or os.sep in text
                           or "/" in text)
        if text in builtin_names() and not Path(text).exists():
            path = builtin_path(text)
            return path, str(path)
        if not looks_like_path and not Path(text).exists():
            names = builtin_names()
            raise ScenarioError([Problem(text, None, None, "", (
                f"no such file or built-in scenario; built-ins: {', '.join(names) or 'none'}"
                f"{suggest(text, names)}"))])
    return Path(source), str(source)


def load_scenario(source: str | os.PathLike[str], *,
                  modules: Mapping[str, Module] | None = None,
                  facts: FactTable | None = None) -> Scenario:
    """Load and check a scenario.

    Parameters
    ----------
    source : str or path-like
        The name of a built-in scenario (see
        :func:`~detente.scenario.builtin.builtin_names`) or the path of a ``.yaml``,
        ``.yml`` or ``.toml`` file.
    modules : mapping of str to Module, optional
        The module registry to check against; default: the modules of
        :mod:`detente.model` (a listed module that cannot be imported is a problem).
    facts : FactTable, optional
        The facts table that ``fact:KEY`` sources name and the look-ahead check reads
        (default: the bundled ``data/facts-2023.csv``).

    Returns
    -------
    Scenario
        The validated, frozen scenario (numbers in the file's units). It carries the
        parameter table its checks were made on, against ``modules``, as
        :attr:`Scenario.table <detente.scenario.schema.Scenario.table>`.

    Raises
    ------
    ScenarioError
        With every problem found, each located in the file, for any bad input.

    Examples
    --------
    >>> sc = load_scenario("lanchester-bench")  # doctest: +SKIP
    >>> sc.time.start  # doctest: +SKIP
    datetime.date(2023, 12, 1)
    """
    path, file = _resolve_source(source)
    data, smap, pre, bad = read_scenario_file(path, file=file)
    scenario, problems = _check(data, smap, file, modules, pre, bad, facts)
    if problems or scenario is None:
        raise ScenarioError(problems or [Problem(file, None, None, "", "invalid scenario")])
    if scenario.posterior is not None:  # its file lies beside the scenario's
        ref = scenario.posterior
        origin = Problem(file, *line_column(smap.where(("posterior", "file"))),
                         "posterior.file", "")
        scenario.__dict__["draws"] = read_posterior(
            path.parent / ref.file, scenario.table, weights=ref.weights, note=ref.note,
            origin=origin)
    return scenario


