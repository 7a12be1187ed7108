"""The ``levers`` section: its format, its round trip and each of its located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_fakes import FAKE_MODULES, MINIMAL, Writer, find, line_of, make_writer, mutate

from detente.errors import ScenarioError
from detente.scenario import Scenario, json_schema, load_scenario, validate_scenario
from detente.scenario.schema import Lever

LEVERS = """\
levers:
  shell_use:
    label: Shell use
    unit: thousand rounds/week
    low: 0
    high: 100
    step: 1
    description: Shells fired a week.
  blue.share: {label: A share, unit: fraction, unit_label: "share, 0-1", low: 0, high: 1,
    step: 0.05}
"""
WITH_LEVERS = MINIMAL + LEVERS


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    return make_writer(tmp_path)


def fail(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, modules=FAKE_MODULES)
    return info.value


def test_levers_load_in_file_order(write: Writer) -> None:
    sc = load_scenario(write(WITH_LEVERS), modules=FAKE_MODULES)
    assert list(sc.levers) == ["shell_use", "blue.share"]
    shells = sc.levers["shell_use"]
    assert shells == Lever(label="Shell use", unit="thousand rounds/week", low=0, high=100,
                           step=1, description="Shells fired a week.")
    assert shells.shown_unit == "thousand rounds/week"  # no unit_label: the unit itself
    assert sc.levers["blue.share"].shown_unit == "share, 0-1"
    # the parameter table converts the parameter's value (thousand rounds/day) to the lever's
    assert sc.table["shell_use"].factor_to(shells.unit) == pytest.approx(7.0, rel=1e-15)


def test_a_scenario_without_levers_has_none(write: Writer) -> None:
    assert load_scenario(write(MINIMAL), modules=FAKE_MODULES).levers == {}


def test_levers_round_trip(write: Writer) -> None:
    sc = load_scenario(write(WITH_LEVERS), modules=FAKE_MODULES)
    data = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert "unit_label" not in data["levers"]["shell_use"]
    assert data["levers"]["blue.share"]["unit_label"] == "share, 0-1"
    again = Scenario.model_validate(data)
    assert again == sc
    assert list(again.levers) == list(sc.levers)
    assert validate_scenario(data, modules=FAKE_MODULES) == []


TOML = """\
name = "mini"
title = "A minimal scenario"
modules = ["military", "economy"]
time = {start = 2023-12-01, step_days = 7, horizon_steps = 104}
sides = {blue = {name = "Blue"}, red = {name = "Red"}}

[parameters]
"blue.share" = {dist = "pert", low = 10, mode = 20, high = 40, unit = "%", source = "a guess"}
shell_use = {dist = "uniform", low = 2, high = 4, unit = "k rounds/day", source = "assumption"}
"blue.recruitment" = {value = 30000, unit = "persons/month", source = "a guess"}
"red.growth" = {value = 3, unit = "%/year", source = "Rosstat 2023"}

[policies.status_quo]
description = "Carry on."

[levers.shell_use]
label = "Shell use"
unit = "thousand rounds/week"
low = 0
high = 100
step = 1
description = "Shells fired a week."

[levers."blue.share"]
label = "A share"
unit = "fraction"
unit_label = "share, 0-1"
low = 0
high = 1
step = 0.05
"""


def test_levers_in_toml(write: Writer) -> None:
    yaml_sc = load_scenario(write(WITH_LEVERS), modules=FAKE_MODULES)
    toml_sc = load_scenario(write(TOML, "mini.toml"), modules=FAKE_MODULES)
    assert toml_sc.levers == yaml_sc.levers
    text = TOML.replace('unit = "thousand rounds/week"', 'unit = "USD/week"')
    err = fail(write(text, "bad.toml"))
    find(err, path="levers.shell_use.unit", line=line_of(text, 'unit = "USD/week"'),
         contains=("cannot convert 'k rounds/day' to 'USD/week'",))


def test_builtin_scenarios_have_levers_on_their_parameters() -> None:
    for name in ("ukraine-2023", "lanchester-bench"):
        sc = load_scenario(name)
        assert len(sc.levers) >= 4, name
        for param, lever in sc.levers.items():
            factor = sc.table[param].factor_to(lever.unit)
            assert lever.low <= sc.parameters[param].central() * factor <= lever.high


def test_json_schema_describes_levers() -> None:
    schema = json_schema()
    levers = schema["properties"]["levers"]
    assert levers["type"] == "object"
    assert "levers" not in schema.get("required", [])
    lever = schema["$defs"]["Lever"]
    assert set(lever["required"]) == {"label", "unit", "low", "high", "step"}
    assert {"unit_label", "description"} <= set(lever["properties"])
    assert lever["additionalProperties"] is False


SHELLS = "    low: 0\n    high: 100\n    step: 1\n"

# (id, old text, new text, dotted path, text on the expected line, message fragments)
CASES = [
    ("unknown_parameter", "  shell_use:\n    label", "  shell_uses:\n    label",
     "levers.shell_uses", "shell_uses:",
     ("unknown parameter 'shell_uses'", "a lever names a parameter",
      "did you mean 'shell_use'?")),
    ("unit_not_convertible", "unit: thousand rounds/week", "unit: USD bn/week",
     "levers.shell_use.unit", "unit: USD bn/week",
     ("cannot convert 'thousand rounds/day' to 'USD bn/week'",
      "'shell_use' is in thousand rounds/day")),
    ("unit_malformed", "unit: thousand rounds/week", "unit: rounds/week/day",
     "levers.shell_use.unit", "unit: rounds/week/day", ("at most one '/'",)),
    ("high_outside_bounds", SHELLS, "    low: 0\n    high: 800\n    step: 1\n",
     "levers.shell_use.high", "high: 800",
     ("expected a value in [0, 100000] rounds/day for 'shell_use'",
      "found 800 thousand rounds/week (= 114286 rounds/day)")),
    ("low_outside_bounds", "unit_label: \"share, 0-1\", low: 0,",
     "unit_label: \"share, 0-1\", low: -0.5,", "levers.blue.share.low", "blue.share: {label",
     ("expected a value in [0, 1] fraction for 'blue.share'", "found -0.5 fraction")),
    ("central_value_outside", SHELLS, "    low: 50\n    high: 100\n    step: 1\n",
     "levers.shell_use", "  shell_use:\n    label",
     ("the range [50, 100] thousand rounds/week leaves out the central value of "
      "'shell_use', 21 thousand rounds/week",)),
    ("low_not_below_high", SHELLS, "    low: 100\n    high: 100\n    step: 1\n",
     "levers.shell_use", "  shell_use:\n    label", ("low must be < high", "low=100.0")),
    ("infinite_high", SHELLS, "    low: 0\n    high: .inf\n    step: 1\n",
     "levers.shell_use", "  shell_use:\n    label", ("low and high must be finite",)),
    ("step_not_positive", SHELLS, "    low: 0\n    high: 100\n    step: 0\n",
     "levers.shell_use.step", "step: 0", ("expected a number > 0", "found 0")),
    ("step_not_a_number", SHELLS, "    low: 0\n    high: 100\n    step: fine\n",
     "levers.shell_use.step", "step: fine", ("expected a number", "found 'fine'")),
    ("unknown_key", "    description: Shells", "    descripton: Shells",
     "levers.shell_use.descripton", "descripton:", ("unknown key 'descripton'",)),
    ("missing_unit", "    unit: thousand rounds/week\n", "", "levers.shell_use.unit",
     "  shell_use:\n    label", ("missing required key 'unit'",)),
    ("bad_name", "  shell_use:\n    label", "  Shell-use:\n    label", "levers.Shell-use",
     "Shell-use:", ("invalid name 'Shell-use'",)),
    ("not_a_mapping", "levers:\n  shell_use:", "levers: [shell_use]\nunused:\n  shell_use:",
     "levers", "levers: [shell_use]", ("expected a mapping",)),
]


def _line(text: str, needle: str) -> int:
    if "\n" in needle:  # the key of a block mapping: the first line of the needle
        start = text.index(needle)
        return text.count("\n", 0, start) + 1
    return line_of(text, needle)


@pytest.mark.parametrize(("old", "new", "path", "needle", "contains"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_lever(write: Writer, old: str, new: str, path: str, needle: str,
                         contains: tuple[str, ...]) -> None:
    text = mutate(WITH_LEVERS, old, new)
    file = write(text)
    err = fail(file)
    line = _line(text, needle)
    problem = find(err, path=path, line=line, contains=contains)
    assert f"{file}:{line}:" in str(err)
    assert f"{path}: {problem.message}" in str(err)


def test_every_bad_lever_is_reported_at_once(write: Writer) -> None:
    text = mutate(WITH_LEVERS, "unit: thousand rounds/week", "unit: USD bn")
    text = mutate(text, "blue.share: {label", "blue.shares: {label")
    err = fail(write(text))
    find(err, path="levers.shell_use.unit", contains=("cannot convert",))
    find(err, path="levers.blue.shares", contains=("did you mean 'blue.share'?",))


def test_a_lever_on_a_parameter_with_a_bad_unit_is_reported_once(write: Writer) -> None:
    text = mutate(WITH_LEVERS, "    unit: thousand rounds/day\n", "    unit: USD/day\n")
    err = fail(write(text))
    find(err, path="parameters.shell_use.unit", contains=("cannot convert",))
    assert not [p for p in err.problems if p.path.startswith("levers")], str(err)


def test_an_unknown_key_of_a_lever_lists_the_keys_and_suggests_one(tmp_path):
    import yaml

    from detente.scenario import builtin_path

    data = yaml.safe_load(builtin_path("lanchester-bench").read_text())
    name = next(iter(data["levers"]))
    data["levers"][name]["lable"] = data["levers"][name].pop("label")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert f"levers.{name}.lable" in text
    assert "unknown key 'lable'; expected one of:" in text
    assert "did you mean 'label'?" in text
