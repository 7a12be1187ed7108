"""The JSON Schema published for editors."""

from __future__ import annotations

import json
import re

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


def _check_declared(prop: dict, module: str, spec) -> None:
    assert prop["$ref"] == "#/$defs/Parameter"
    assert (prop["x-unit"], prop["x-module"]) == (spec.unit, module)
    assert f"Model unit: {spec.unit}" in prop["description"]
    if spec.default is None:
        assert "default" not in prop
        assert "Required" in prop["description"]
    else:
        assert prop["default"] == {"value": spec.default, "unit": spec.unit,
                                   "source": "default"}


def test_parameters_lists_every_declared_parameter_with_unit_and_default() -> None:
    from detente.model import installed, templates

    params = json_schema()["properties"]["parameters"]
    plain = {s.name: (m, s) for m in installed() for s in templates(m)[0] if s.per is None}
    owned = {s.name: (m, s) for m in installed() for s in templates(m)[0] if s.per is not None}
    assert set(params["properties"]) == set(plain)
    for name, (module, spec) in plain.items():
        prop = params["properties"][name]
        _check_declared(prop, module, spec)
        assert prop["description"].startswith(spec.description)
    # what a side or supporter owns is a pattern: any owner, then the base name
    patterns = params["patternProperties"]
    for base, (module, spec) in owned.items():
        prop = patterns[rf"^[a-z][a-z0-9_]*\.{re.escape(base)}$"]
        _check_declared(prop, module, spec)
        assert prop["description"].startswith(f"<{spec.per}>.{base}: ")


def test_a_scenario_s_schema_lists_its_own_names() -> None:
    from detente.model import available_modules
    from detente.scenario import load_scenario

    sc = load_scenario("lanchester-bench")
    params = json_schema(scenario=sc)["properties"]["parameters"]
    declared = {s.name: (m.name, s) for m in available_modules(sc.cast).values()
                for s in m.params}
    assert {"blue.personnel0", "red.personnel0", "mil_campaign_sd"} <= set(declared)
    assert set(params["properties"]) == set(declared)
    for name, (module, spec) in declared.items():
        prop = params["properties"][name]
        _check_declared(prop, module, spec)
        assert prop["description"].startswith(spec.description)


def test_a_default_is_a_parameter_as_a_file_writes_it() -> None:
    schema = json_schema()
    fixed = next(f for f in schema["$defs"]["Parameter"]["oneOf"] if f["title"] == "fixed value")
    for prop in schema["properties"]["parameters"]["properties"].values():
        if "default" in prop:
            assert set(fixed["required"]) <= set(prop["default"]) <= set(fixed["properties"])


def test_other_names_are_allowed_as_the_loader_allows_them() -> None:
    # a parameter only an event reads, as its probability, may have any identifier, or be
    # owned by a side or supporter (owner.identifier)
    params = json_schema(modules={})["properties"]["parameters"]
    assert params["patternProperties"] == {
        "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?$": {"$ref": "#/$defs/Parameter"}}
    assert params["additionalProperties"] is False  # a name that is no identifier is not
    pattern = re.compile(next(iter(params["patternProperties"])))
    assert all(pattern.match(n) for n in ("p_change", "blue.stall_probability"))
    assert not any(pattern.match(n) for n in ("Blue.x", "a.b.c"))


def test_the_schema_names_the_parameters_of_the_modules_given() -> None:
    from scenario_fakes import FAKE_MODULES

    params = json_schema(modules=FAKE_MODULES)["properties"]["parameters"]["properties"]
    assert set(params) == {"blue.recruitment", "blue.share", "shell_use", "red.growth",
                           "elite_pressure"}
