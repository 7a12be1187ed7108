"""The JSON Schema of scenario files, for editors' completion and checking."""

from __future__ import annotations

import math
from typing import Any

from detente.scenario.schema import DIST_KINDS, DIST_MODELS, Scenario

__all__ = ["json_schema"]


def _inline_parameter_schema(defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of a parameter as written: a value, or a distribution inline."""
    own = defs["Parameter"]["properties"]
    common = {k: own[k] for k in ("unit", "source", "note") if k in own}
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


def _drop_infinite(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_infinite(v) for k, v in node.items()
                if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(node, list):
        return [_drop_infinite(v) for v in node]
    return node


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editors' completion and checking.

    Returns
    -------
    dict
        A draft 2020-12 JSON Schema; parameters take their distribution fields inline,
        as files write them.
    """
    out: dict[str, Any] = _drop_infinite(Scenario.model_json_schema(by_alias=True))
    defs = out.get("$defs", {})
    if "Parameter" in defs:
        defs["Parameter"] = _inline_parameter_schema(defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **out, "title": "detente scenario"}
