"""Editing a scenario in Python: a changed copy, checked as the loader checks a file.

``Scenario.with_changes`` (this module's :func:`with_changes`) is the way to edit a loaded
scenario: pydantic's ``model_copy(update=...)`` skips validation, so it would accept an
invalid distribution or a parameter the model does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.scenario.loading import validate_scenario
from detente.scenario.posterior import PosteriorDraws
from detente.scenario.schema import Scenario, set_editor

#: The name a copy's problems are reported under (it has no file).
EDITED = "<with_changes>"

#: What a parameter entry says besides its value or distribution (kept when only the value
#: or the distribution changes).
_KEPT_FIELDS = ("unit", "source", "note", "as_of")


def _entry(old: Mapping[str, Any] | None, new: Any) -> Any:
    """Return a parameter's new entry: a number replaces its value; a mapping the entry."""
    if isinstance(new, Mapping):
        merged = dict(new)
        for k in _KEPT_FIELDS:
            if old is not None and k in old and k not in merged:
                merged[k] = old[k]
        return merged
    out = {k: old[k] for k in _KEPT_FIELDS if old is not None and k in old}
    out["value"] = new
    return out


def with_changes(scenario: Scenario, parameters: Mapping[str, Any] | None = None,
                 **fields: Any) -> Scenario:
    """Return a copy of ``scenario`` with parameters and fields changed, checked in full.

    Parameters
    ----------
    scenario : Scenario
        The scenario to edit (left as it is).
    parameters : mapping, optional
        Parameter name to its new value (a number, in the entry's unit: its unit, source,
        note and as-of date are kept) or its new entry (a mapping as in a file, e.g. ``{"dist":
        "pert", "low": 1, "mode": 2, "high": 3}``; unit, source and note are kept unless
        given). A parameter the scenario does not state yet is added (give its ``unit``
        and ``source``).
    **fields
        Top-level fields to replace, as a file states them (``title``, ``time``,
        ``policies``, ``events``, ...).

    Returns
    -------
    Scenario
        The checked copy, with its parameter table. Joint posterior draws stay with it,
        except for the parameters it changes (which then take their new entries).

    Raises
    ------
    ScenarioError
        With every problem found, as for a file (an unknown parameter, a bound or a
        distribution out of range, a unit that does not convert, ...).
    """
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    unknown = [k for k in fields if k not in Scenario.model_fields
               and k not in {f.alias for f in Scenario.model_fields.values() if f.alias}]
    if unknown:
        raise ScenarioError([Problem(EDITED, None, None, k, (
            f"no such scenario field; expected one of {', '.join(Scenario.model_fields)}"))
            for k in unknown])
    data.update(fields)
    changed = dict(parameters or {})
    params = dict(data.get("parameters", {}))
    for name, new in changed.items():
        params[name] = _entry(params.get(name), new)
    data["parameters"] = params
    # the draws are read beside the scenario's file: the copy keeps those it still uses
    draws = scenario.draws
    ref = data.pop("posterior", None)
    problems = validate_scenario(data, file=EDITED)
    if problems:
        raise ScenarioError(problems)
    out = Scenario.model_validate(data)
    table = out.table  # built against the model's modules, as the check just did
    if draws is not None and ref is not None:
        keep = [i for i, c in enumerate(draws.columns) if c not in changed]
        if keep:
            out = out.model_copy(update={"posterior": scenario.posterior})
            out.__dict__["table"] = table
            out.__dict__["draws"] = PosteriorDraws(
                draws.file, tuple(draws.columns[i] for i in keep), draws.values[:, keep],
                draws.weights, draws.note)
    return out


set_editor(with_changes)

__all__ = ["with_changes"]
