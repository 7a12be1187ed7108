"""The JSON Schema published for editors."""

from __future__ import annotations

import json

from detente.scenario import json_schema


def test_json_schema_shape() -> None:
    schema = json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "detente scenario"
    assert {"name", "title", "time", "modules", "parameters", "policies"} <= set(
        schema["properties"])
    assert {"name", "title", "time", "modules", "parameters", "policies"} <= set(
        schema["required"])
    json.dumps(schema, allow_nan=False)  # strict JSON: no Infinity defaults


def test_parameter_schema_matches_the_inline_file_format() -> None:
    param = json_schema()["$defs"]["Parameter"]
    forms = {f["title"]: f for f in param["oneOf"]}
    assert set(forms) == {"fixed value", "uniform distribution", "triangular distribution",
                          "pert distribution", "truncnormal distribution",
                          "lognormal distribution"}
    assert forms["fixed value"]["required"] == ["value", "unit", "source"]
    pert = forms["pert distribution"]
    assert {"dist", "low", "mode", "high", "unit", "source"} <= set(pert["required"])
    assert pert["properties"]["dist"]["const"] == "pert"
    assert pert["additionalProperties"] is False
    assert "median" in forms["lognormal distribution"]["properties"]


def test_change_uses_the_file_key_from() -> None:
    change = json_schema()["$defs"]["Change"]
    assert "from" in change["properties"]
    assert "from_" not in change["properties"]
