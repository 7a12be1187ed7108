"""The JSON Schema of scenario files, for editors' completion and checking.

``parameters`` lists every parameter an installed module declares (for a scenario's cast,
each side's and supporter's own names, e.g. ``blue.personnel0``; without one, what a side
or supporter owns as a pattern, ``<owner>.personnel0``), with what it means, the
unit the model reads it in, the module that reads it and its default (the entry a file may
leave out), so that an editor can complete names and show what each one needs. Other names
stay allowed, as the loader allows them: a parameter that only an event reads, as its
probability, may have any name (the loader rejects a name that nothing reads, which a schema
cannot see). An entry of ``sources`` is plain text or a mapping with the dates the
look-ahead check reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from detente import model
from detente.model.base import IDENT, Module, ParamSpec, template_name
from detente.scenario.schema import DIST_KINDS, DIST_MODELS, PARAM_RE, Scenario
from detente.scenario.table import DEFAULT_SOURCE

__all__ = ["json_schema"]

_PARAMETER_REF = "#/$defs/Parameter"


def _inline_parameter_schema(defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of a parameter as written: a value, or a distribution inline."""
    own = defs["Parameter"]["properties"]
    common = {k: own[k] for k in ("unit", "source", "note", "as_of") if k in own}
    forms: list[dict[str, Any]] = [{
        "type": "object", "title": "fixed value",
        "properties": {"value": {"type": "number"}, **common},
        "required": ["value", "unit", "source"], "additionalProperties": False,
    }]
    for kind in DIST_KINDS:
        d = defs[DIST_MODELS[kind].__name__]
        forms.append({
            "type": "object", "title": f"{kind} distribution",
            "properties": {**d["properties"], **common},
            "required": [*d.get("required", []), "unit", "source"],
            "additionalProperties": False,
        })
    return {"title": "Parameter", "description": defs["Parameter"].get("description", ""),
            "oneOf": forms}


def _reference_schema(defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of an entry of ``sources``: plain text, or a mapping with dates."""
    ref = defs["Reference"]
    mapping = {k: v for k, v in ref.items() if k not in ("title", "description")}
    return {"title": "Reference", "description": ref.get("description", ""),
            "anyOf": [{"type": "string", "minLength": 1, "title": "undated citation"},
                      {**mapping, "title": "dated or derived reference"}]}


def _declared_parameter(spec: ParamSpec, module: str) -> dict[str, Any]:
    """Describe a declared parameter for an editor: meaning, model unit, reader, default."""
    text = f"{spec.description} Model unit: {spec.unit} (any convertible unit); read by " \
           f"module '{module}'."
    out: dict[str, Any] = {"$ref": _PARAMETER_REF, "x-unit": spec.unit, "x-module": module}
    if spec.default is not None:
        text += f" Default {spec.default:g} {spec.unit}: may be left out."
        out["default"] = {"value": spec.default, "unit": spec.unit, "source": DEFAULT_SOURCE}
    else:
        text += " Required when the module is enabled."
    return {**out, "description": text}


def _parameters_schema(node: dict[str, Any], modules: Mapping[str, Module]) -> dict[str, Any]:
    """Describe the ``parameters`` mapping: every declared name, then any parameter name."""
    declared = {spec.name: _declared_parameter(spec, mod.name)
                for mod in modules.values() for spec in mod.params}
    return {**node, "properties": dict(sorted(declared.items())),
            "patternProperties": {PARAM_RE: {"$ref": _PARAMETER_REF}},
            "additionalProperties": False}


def _generic(spec: ParamSpec) -> str:
    """Return a template's description for any owner ("the side" for ``{owner}``)."""
    text = spec.description
    if text.startswith("{owner}"):
        text = f"The {spec.per}" + text.removeprefix("{owner}")
    return text.replace("{owner}", f"the {spec.per}")


def _template_schema(node: dict[str, Any]) -> dict[str, Any]:
    """Describe ``parameters`` for any cast: unowned names, and patterns for owned ones."""
    declared: dict[str, Any] = {}
    owned: dict[str, Any] = {}
    for name in model.installed():
        params, _ = model.templates(name)
        for spec in params:
            entry = _declared_parameter(replace(spec, description=_generic(spec)), name)
            if spec.per is None:
                declared[spec.name] = entry
            else:
                entry["description"] = f"{template_name(spec)}: {entry['description']}"
                owned[f"^{IDENT.pattern}\\.{re.escape(spec.name)}$"] = entry
    return {**node, "properties": dict(sorted(declared.items())),
            "patternProperties": {**dict(sorted(owned.items())),
                                  PARAM_RE: {"$ref": _PARAMETER_REF}},
            "additionalProperties": False}


def _drop_infinite(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_infinite(v) for k, v in node.items()
                if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(node, list):
        return [_drop_infinite(v) for v in node]
    return node


def json_schema(*, modules: Mapping[str, Module] | None = None,
                scenario: Scenario | None = None) -> dict[str, Any]:
    """JSON Schema of scenario files, for editors' completion and checking.

    Parameters
    ----------
    modules : mapping of str to Module, optional
        The modules whose parameters ``parameters`` lists by name.
    scenario : Scenario, optional
        Without ``modules``: list every parameter of this installation's modules built for
        the scenario's cast (its sides' and supporters' own names). Without either: every
        installed module's parameters, owned ones as patterns (``<owner>.personnel0``).

    Returns
    -------
    dict
        A draft 2020-12 JSON Schema; parameters take their distribution fields inline,
        as files write them, and ``parameters`` names every declared parameter (its
        description gives the model unit and the reading module; a parameter with a
        default has it as the JSON Schema ``default``).
    """
    out: dict[str, Any] = _drop_infinite(Scenario.model_json_schema(by_alias=True))
    defs = out.get("$defs", {})
    if "Parameter" in defs:
        defs["Parameter"] = _inline_parameter_schema(defs)
    if "Reference" in defs:
        defs["Reference"] = _reference_schema(defs)
    props = out.get("properties", {})
    if "knowledge" in props and "Knowledge" in defs:
        props["knowledge"]["description"] = defs["Knowledge"].get("description", "")
    if "parameters" in props:
        if modules is not None:
            props["parameters"] = _parameters_schema(props["parameters"], modules)
        elif scenario is not None:
            props["parameters"] = _parameters_schema(props["parameters"],
                                                     model.available_modules(scenario.cast))
        else:
            props["parameters"] = _template_schema(props["parameters"])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **out, "title": "detente scenario"}
