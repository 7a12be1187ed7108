"""Malformed scenario files: every problem reported at once, located, explained."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_fakes import FAKE_MODULES, MINIMAL, Writer, find, line_of, make_writer, mutate

import detente.model
from detente.errors import DETAIL_INDENT, InputError, Problem, ScenarioError
from detente.model.base import Module, ParamSpec
from detente.scenario import Scenario, load_scenario, validate_scenario
from detente.scenario.loading import MAX_BYTES, SourceMap, read_scenario_file


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    return make_writer(tmp_path)


def one_line_each(problem: Problem) -> None:
    """One line per problem; only the list of missing parameters goes on, indented."""
    assert "\n" not in problem.message, problem
    assert "\n" not in problem.path, problem
    _head, *rest = str(problem).split("\n")
    assert len(rest) == len(problem.details), problem
    if rest:
        assert problem.message.startswith("missing "), problem
        assert all(line.startswith(DETAIL_INDENT) and line.strip() for line in rest), problem


def fail(path: Path, modules: Mapping[str, Module] | None = FAKE_MODULES) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, modules=modules)
    err = info.value
    text = str(err)
    assert "Traceback" not in text
    for p in err.problems:  # always naming the file
        one_line_each(p)
        assert p.file == str(path)
    return err


def test_minimal_scenario_is_valid(write: Writer) -> None:
    sc = load_scenario(write(MINIMAL), modules=FAKE_MODULES)
    assert isinstance(sc, Scenario)
    assert sc.name == "mini"
    assert sc.time.start == dt.date(2023, 12, 1)
    assert sc.uncertain == ["blue.share", "shell_use"]
    assert sc.policies["aid_surge"].changes[0].from_ == dt.date(2024, 3, 1)


# (id, old text, new text, dotted path, text on the expected line, message fragments)
CASES = [
    ("wrong_type", "step_days: 7", "step_days: weekly", "time.step_days", "step_days",
     ("expected a number", "found 'weekly'")),
    ("wrong_type_text", "title: A minimal scenario", "title: [a, list]", "title", "title:",
     ("expected text", "found a list")),
    ("unknown_key_did_you_mean", "    high: 40\n", "    high: 40\n    hgih: 41\n",
     "parameters.blue.share.hgih", "hgih", ("unknown key 'hgih'", "did you mean 'high'?")),
    ("unknown_top_key", "title: A minimal", "titel: x\ntitle: A minimal", "titel", "titel",
     ("unknown key 'titel'", "did you mean 'title'?")),
    ("unknown_event_field", "    effective: 2025-01-20\n",
     "    effective: 2025-01-20\n    probabilty: x\n", "events.election.probabilty",
     "probabilty", ("unknown key", "did you mean 'probability'?")),
    ("unknown_policy_field", "    description: Carry on.\n",
     "    description: Carry on.\n    chnages: []\n", "policies.status_quo.chnages", "chnages",
     ("unknown key", "did you mean 'changes'?")),
    ("low_gt_high", "    low: 2\n    high: 4\n", "    low: 5\n    high: 4\n",
     "parameters.shell_use", "shell_use:", ("low must be < high", "low=5", "high=4")),
    ("unknown_distribution", "dist: pert", "dist: pret", "parameters.blue.share.dist",
     "dist: pret", ("unknown distribution 'pret'", "did you mean 'pert'?")),
    ("distribution_not_a_name", "dist: pert", "dist: 5", "parameters.blue.share.dist",
     "dist: 5", ("expected a distribution name", "found 5")),
    ("bad_date", "start: 2023-12-01", "start: 2023-13-01", "time.start", "start:",
     ("expected a date YYYY-MM-DD", "'2023-13-01'", "month")),
    ("negative_horizon", "horizon_steps: 104", "horizon_steps: -5", "time.horizon_steps",
     "horizon_steps", ("expected a number > 0", "found -5")),
    ("horizon_past_9999", "  step_days: 7\n  horizon_steps: 104",
     "  step_days: 366\n  horizon_steps: 100000", "time", "time:",
     ("runs past the year 9999",)),
    ("mode_outside", "mode: 20", "mode: 50", "parameters.blue.share", "blue.share:",
     ("expected low <= mode <= high", "mode=50")),
    ("value_and_dist", "    dist: pert\n", "    value: 1\n    dist: pert\n",
     "parameters.blue.share", "blue.share:", ("exactly one of 'value' or 'dist'", "found both")),
    ("neither_value_nor_dist", "    value: 3\n", "", "parameters.red.growth", "red.growth:",
     ("exactly one of 'value' or 'dist'", "found neither")),
    ("missing_unit", "    unit: fraction\n", "", "parameters.p_change.unit",
     "p_change:", ("missing required key 'unit'",)),
    ("bad_parameter_name", "  red.growth:", "  RED-growth:", "parameters.RED-growth",
     "RED-growth", ("invalid name 'RED-growth'", "lower-case")),
    ("norway_problem", "source: Rosstat 2023", "source: no", "parameters.red.growth.source",
     "source: no", ("expected text", "quote it")),
    ("missing_required_parameter", "  red.growth:\n    value: 3\n    unit: \"%/year\"\n"
     "    source: Rosstat 2023\n", "", "parameters", "parameters:",
     ("missing parameter 'red.growth'", "needed by module 'economy'", "fraction/day")),
    ("unknown_parameter", "blue.recruitment:", "blue.recruitmnt:", "parameters.blue.recruitmnt",
     "blue.recruitmnt", ("unknown parameter 'blue.recruitmnt'",
                         "did you mean 'blue.recruitment'?")),
    ("unit_not_convertible", "unit: persons/month", "unit: rounds/year",
     "parameters.blue.recruitment.unit", "unit: rounds/year",
     ("cannot convert 'rounds/year' to 'persons/day'", "rounds vs persons")),
    ("unit_malformed", "unit: persons/month", "unit: persons/month/year",
     "parameters.blue.recruitment.unit", "persons/month/year", ("at most one '/'",)),
    ("value_out_of_bounds", "    high: 40\n", "    high: 140\n", "parameters.blue.share.high",
     "high: 140", ("expected a value in [0, 1] fraction", "found 140 % (= 1.4 fraction)")),
    ("fixed_value_out_of_bounds", "value: 3\n", "value: 500\n", "parameters.red.growth.value",
     "value: 500", ("expected a value in [-0.01, 0.01] fraction/day",)),
    ("fact_unknown", "fact:ua_mobilisation_request", "fact:ua_mobilisation_requets",
     "parameters.blue.recruitment.source", "fact:ua_", ("unknown fact 'ua_mobilisation_requets'",
                                                      "did you mean 'ua_mobilisation_request'?")),
    ("ref_unknown", "source: ref:isw", "source: ref:iws", "parameters.blue.share.source",
     "ref:iws", ("unknown reference 'iws'", "did you mean 'isw'?")),
    ("assumption_without_dist", "    note: a coin flip\n", "", "parameters.p_change.source",
     ("source: assumption", 2), ("needs a distribution", "'note'")),
    ("event_outside_horizon", "date: 2024-11-05", "date: 2026-11-05",
     "events.election.date", "date: 2026",
     ("outside the horizon", "from 2023-12-01 to 2025-11-28")),
    ("event_before_start", "date: 2024-11-05\n    effective: 2025-01-20",
     "date: 2023-01-05\n    effective: 2023-01-20", "events.election.date", "date: 2023",
     ("event date 2023-01-05 is outside the horizon",)),
    ("event_probability_not_parameter", "probability: p_change",
     "probability: p_chnage", "events.election.probability", "probability:",
     ("'p_chnage', which is not a parameter", "did you mean 'p_change'?")),
    ("event_probability_not_in_0_1", "    value: 0.5\n    unit: fraction\n",
     "    value: 1.5\n    unit: fraction\n", "events.election.probability", "probability:",
     ("must lie in [0, 1]", "1.5")),
    ("change_unknown_parameter", "param: shell_use,", "param: shell_uses,",
     "policies.aid_surge.changes[0].param", "shell_uses",
     ("unknown parameter 'shell_uses'", "did you mean 'shell_use'?")),
    ("change_value_out_of_bounds", "value: 5, unit: thousand", "value: 500, unit: thousand",
     "policies.aid_surge.changes[0].value", "value: 500", ("expected a value in [0, 100000]",
                                                           "(= 500000 rounds/day)")),
    ("change_unit_not_convertible", "unit: thousand rounds/day, from", "unit: USD bn, from",
     "policies.aid_surge.changes[0].unit", "USD bn", ("cannot convert 'USD bn'",)),
    ("change_scale_out_of_bounds", "scale: 0.5", "scale: 4", "events.election.changes[0].scale",
     "scale: 4", ("scaling 'blue.share' by 4", "outside [0, 1] fraction")),
    ("change_before_start", "from: 2024-03-01", "from: 2020-03-01",
     "policies.aid_surge.changes[0].from", "from: 2020", ("outside the horizon",)),
    ("change_value_and_scale", "scale: 0.5", "scale: 0.5, value: 0.1",
     "events.election.changes[0]", "scale: 0.5", ("exactly one of 'value' or 'scale'",)),
    ("policies_empty", "policies:\n  status_quo:\n    description: Carry on.\n  aid_surge:\n"
     "    changes:\n      - {param: shell_use, value: 5, unit: thousand rounds/day, "
     "from: 2024-03-01}\n", "policies: {}\n", "policies", "policies:",
     ("expected at least 1 entry",)),
    ("unknown_module", "modules: [military, economy]", "modules: [military, economy, politcs]",
     "modules[2]", "modules:", ("unknown module 'politcs'", "did you mean 'politics'?")),
    ("module_requires", "modules: [military, economy]", "modules: [economy]", "modules",
     "modules:", ("module 'economy' needs module 'military'",)),
    ("parameter_of_disabled_module", "  red.growth:", "  elite_pressure:\n    value: 0.5\n"
     "    unit: index\n    source: a guess\n  red.growth:", "parameters.elite_pressure",
     "elite_pressure", ("read only by module 'politics', which is not in 'modules'",)),
    ("duplicate_module", "modules: [military, economy]", "modules: [military, economy, economy]",
     "modules", "modules:", ("modules listed twice: economy",)),
    ("until_before_from", "from: 2024-03-01}", "from: 2024-03-01, until: 2024-01-01}",
     "policies.aid_surge.changes[0]", "until", ("'until' (2024-01-01) must be after 'from'",)),
    ("lognormal_unbounded", "    dist: pert\n    low: 10\n    mode: 20\n    high: 40\n",
     "    dist: lognormal\n    median: 20\n    sigma: 0.5\n", "parameters.blue.share",
     "blue.share:", ("lognormal distribution is unbounded above", "[0, 1] fraction")),
]


@pytest.mark.parametrize(("old", "new", "path", "needle", "contains"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_scenario(write: Writer, old: str, new: str, path: str,
                            needle: str | tuple[str, int], contains: tuple[str, ...]) -> None:
    text = mutate(MINIMAL, old, new)
    file = write(text)
    err = fail(file)
    line = line_of(text, *needle) if isinstance(needle, tuple) else line_of(text, needle)
    problem = find(err, path=path, line=line, contains=contains)
    assert f"{file}:{line}:" in str(err)
    assert f"{path}: {problem.message}" in str(err)


def test_yaml_syntax_error(write: Writer) -> None:
    text = mutate(MINIMAL, "title: A minimal scenario", "title: [unclosed, list")
    err = fail(write(text))
    assert len(err.problems) == 1
    p = err.problems[0]
    assert p.message.startswith("YAML syntax error")
    assert p.line is not None
    assert line_of(text, "title:") <= p.line <= line_of(text, "sources:")


def test_percent_unquoted_hints_quoting(write: Writer) -> None:
    text = mutate(MINIMAL, 'unit: "%"', "unit: %")
    err = fail(write(text))
    find(err, line=line_of(text, "unit: %"), contains=("YAML syntax error", "quote the value"))


def test_tabs(write: Writer) -> None:
    text = mutate(MINIMAL, "  step_days: 7", "\tstep_days: 7")
    file = write(text)
    err = fail(file)
    find(err, line=line_of(text, "step_days"), contains=("tab", "spaces"))
    assert f"{file}:{line_of(text, 'step_days')}:" in str(err)


def test_non_utf8_bytes(write: Writer) -> None:
    text = MINIMAL.encode().replace(b"A minimal scenario", b"A minimal sc\xe9nario")
    err = fail(write(text))
    find(err, line=3, contains=("expected UTF-8 text", "0xe9"))


def test_utf8_with_bom_is_fine(write: Writer) -> None:
    assert load_scenario(write(b"\xef\xbb\xbf" + MINIMAL.encode()), modules=FAKE_MODULES)


@pytest.mark.parametrize("text", ["", "\n\n   \n", "# only a comment\n", "---\n"])
def test_empty_file(write: Writer, text: str) -> None:
    err = fail(write(text))
    find(err, contains=("file is empty", "expected a mapping"))


def test_huge_file(write: Writer) -> None:
    filler = "# " + "x" * 1000 + "\n"
    text = MINIMAL + filler * (MAX_BYTES // len(filler) + 1)
    err = fail(write(text))
    find(err, contains=("MB limit",))


def test_python_object_tag(write: Writer) -> None:
    text = mutate(MINIMAL, "title: A minimal scenario",
                  'title: !!python/object/apply:os.system ["echo pwned"]')
    err = fail(write(text))
    find(err, path="title", line=3, contains=("unsupported YAML tag", "python/object"))


@pytest.mark.parametrize("tag", ["!!binary aGk=", "!custom x", "!!set {a: null}"])
def test_other_tags(write: Writer, tag: str) -> None:
    text = mutate(MINIMAL, "description: Carry on.", f"description: {tag}")
    err = fail(write(text))
    find(err, path="policies.status_quo.description", line=line_of(text, "description:"),
         contains=("unsupported YAML tag",))


def test_duplicate_key(write: Writer) -> None:
    text = mutate(MINIMAL, "    unit: fraction\n", "    unit: fraction\n    unit: \"%\"\n")
    err = fail(write(text))
    find(err, path="parameters.p_change.unit", line=line_of(text, "unit: fraction") + 1,
         contains=("duplicate key 'unit'", f"first at line {line_of(text, 'unit: fraction')}"))


def test_duplicate_parameter(write: Writer) -> None:
    text = MINIMAL + "  red.growth: {value: 1, unit: fraction/day, source: x}\n"
    text = text.replace("events:", "events_:")  # keep the extra block under parameters
    text = mutate(MINIMAL, "  p_change:\n", "  red.growth: {value: 1, unit: fraction/day, "
                  "source: x}\n  p_change:\n")
    err = fail(write(text))
    find(err, path="parameters.red.growth", line=line_of(text, "red.growth", 2),
         contains=("duplicate key 'red.growth'",))


def test_alias_bomb(write: Writer) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    err = fail(write("\n".join(lines) + "\n"))
    find(err, contains=("expands to more than", "aliases"))


def test_recursive_alias(write: Writer) -> None:
    text = mutate(MINIMAL, "sources:\n", "loop: &loop [*loop]\nsources:\n")
    err = fail(write(text))
    assert any("recursive" in p.message or "unknown key 'loop'" in p.message
               for p in err.problems)


def test_small_aliases_and_merge_keys_are_fine(write: Writer) -> None:
    text = mutate(MINIMAL, "  shell_use:\n    dist: uniform\n    low: 2\n    high: 4\n"
                  "    unit: thousand rounds/day\n    source: assumption\n",
                  "  shell_use:\n    <<: &rng {dist: uniform, low: 2, high: 4}\n"
                  "    unit: thousand rounds/day\n    source: assumption\n")
    sc = load_scenario(write(text), modules=FAKE_MODULES)
    assert sc.parameters["shell_use"].dist is not None


def test_deep_nesting(write: Writer) -> None:
    text = MINIMAL + "deep: " + "[" * 500 + "]" * 500 + "\n"
    err = fail(write(text))
    find(err, contains=("nesting",))


def test_non_mapping_top_level(write: Writer) -> None:
    err = fail(write("- name: mini\n- title: x\n"))
    find(err, line=1, contains=("expected a mapping", "found a list"))


def test_scalar_top_level(write: Writer) -> None:
    err = fail(write("just some text\n"))
    find(err, contains=("expected a mapping", "'just some text'"))


def test_multiple_documents(write: Writer) -> None:
    err = fail(write(MINIMAL + "---\nname: other\n"))
    find(err, contains=("YAML syntax error", "single document"))


def test_toml_syntax_error(write: Writer) -> None:
    text = 'name = "mini"\ntitle = "x"\n[time]\nstart = 2023-12-01\nstep_days = = 7\n'
    file = write(text, "bad.toml")
    err = fail(file)
    find(err, line=5, contains=("TOML syntax error",))
    assert f"{file}:5:" in str(err)


TOML = """\
name = "mini"
title = "A minimal scenario"
modules = ["military", "economy"]

[sources]
isw = "Institute for the Study of War, 2023"

[time]
start = 2023-12-01
step_days = 7
horizon_steps = 104

[sides]
blue = {name = "Blue"}
red = {name = "Red"}

[parameters]
"blue.recruitment" = {value=30000, unit="persons/month", source="fact:ua_mobilisation_request"}
"blue.share" = {dist = "pert", low = 10, mode = 20, high = 40, unit = "%", source = "ref:isw"}
shell_use = {dist = "uniform", low = 2, high = 4, unit = "k rounds/day", source = "assumption"}
"red.growth" = {value = 3, unit = "%/year", source = "Rosstat 2023"}
p_change = {value = 0.5, unit = "fraction", source = "assumption", note = "a coin flip"}

[events.election]
date = 2024-11-05
effective = 2025-01-20
probability = "p_change"
changes = [
  {param = "blue.share", scale = 0.5},
]

[policies.status_quo]
description = "Carry on."

[[policies.aid_surge.changes]]
param = "shell_use"
value = 5
unit = "thousand rounds/day"
from = 2024-03-01
"""


def test_toml_valid(write: Writer) -> None:
    sc = load_scenario(write(TOML, "mini.toml"), modules=FAKE_MODULES)
    assert sc.parameters["blue.share"].dist is not None
    assert sc.policies["aid_surge"].changes[0].value == 5


@pytest.mark.parametrize(("old", "new", "path", "needle", "contains"), [
    ("step_days = 7", "step_days = -7", "time.step_days", "step_days", ("> 0",)),
    ("high = 40", "hgih = 40", "parameters.blue.share.hgih", "blue.share",
     ("did you mean 'high'",)),
    ("scale = 0.5", "scale = 9", "events.election.changes[0].scale", "scale = 9",
     ("scaling 'blue.share' by 9",)),
    ('param = "shell_use"', 'param = "shell_uze"', "policies.aid_surge.changes[0].param",
     "shell_uze", ("did you mean 'shell_use'",)),
    ('unit="persons/month"', 'unit="rounds"', "parameters.blue.recruitment.unit",
     "blue.recruitment", ("cannot convert 'rounds'",)),
])
def test_toml_problems_are_located(write: Writer, old: str, new: str, path: str, needle: str,
                                   contains: tuple[str, ...]) -> None:
    text = mutate(TOML, old, new)
    err = fail(write(text, "mini.toml"))
    find(err, path=path, line=line_of(text, needle), contains=contains)


def test_multiple_errors_reported_together(write: Writer) -> None:
    text = MINIMAL
    for old, new in [("step_days: 7", "step_days: weekly"), ("high: 40", "high: 140"),
                     ("dist: uniform", "dist: unifrom"), ("date: 2024-11-05", "date: 2023-01-01"),
                     ("param: shell_use,", "param: shell_uses,"),
                     ("unit: persons/month", "unit: rounds/month")]:
        text = mutate(text, old, new)
    file = write(text)
    err = fail(file)
    expected = [
        ("time.step_days", "step_days"),
        ("parameters.blue.recruitment.unit", "rounds/month"),
        ("parameters.blue.share.high", "high: 140"),
        ("parameters.shell_use.dist", "unifrom"),
        ("policies.aid_surge.changes[0].param", "shell_uses"),
    ]
    for path, needle in expected:
        find(err, path=path, line=line_of(text, needle))
    assert str(err).startswith(f"{len(err.problems)} problems in scenario:")
    lines = [p.line or 0 for p in err.problems]
    assert lines == sorted(lines)


def test_semantic_checks_run_beside_schema_errors(write: Writer) -> None:
    text = mutate(MINIMAL, "title: A minimal scenario", "title: ''")
    text = mutate(text, "probability: p_change", "probability: nope")
    err = fail(write(text))
    find(err, path="title", contains=("non-empty",))
    find(err, path="events.election.probability", contains=("not a parameter",))


# ------------------------------------------------------------------ files, names, registries
def test_missing_file(tmp_path: Path) -> None:
    err = fail(tmp_path / "nope.yaml")
    find(err, contains=("no such file",))


def test_directory(tmp_path: Path) -> None:
    d = tmp_path / "dir.yaml"
    d.mkdir()
    find(fail(d), contains=("found a folder",))


def test_wrong_suffix(write: Writer) -> None:
    find(fail(write(MINIMAL, "scenario.json")), contains=("expected a .yaml, .yml or .toml",))


def test_unknown_builtin_name() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("no-such-scenario-xyz")
    assert "no such file or built-in scenario" in str(info.value)
    assert isinstance(info.value, InputError)


def test_real_registry_unknown_module(write: Writer) -> None:
    text = mutate(MINIMAL, "modules: [military, economy]", "modules: [militray]")
    err = fail(write(text), modules=None)
    find(err, path="modules[0]", contains=("unknown module 'militray'",
                                           "did you mean 'military'?"))


def test_real_registry_module_not_importable(write: Writer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> Module:
        raise ModuleNotFoundError(f"No module named 'detente.model.{name}'")

    monkeypatch.setattr(detente.model, "get_module", broken)
    err = fail(write(MINIMAL), modules=None)
    find(err, path="modules[0]", line=line_of(MINIMAL, "modules:"),
         contains=("module 'military' is not available",))
    # without the modules' specs, parameters are not called unknown
    assert not any("unknown parameter" in p.message for p in err.problems)


def test_read_scenario_file_returns_positions(write: Writer) -> None:
    data, smap, problems, bad = read_scenario_file(write(MINIMAL))
    assert problems == []
    assert bad == []
    assert data["parameters"]["blue.share"]["high"] == 40
    assert smap.where(("parameters", "blue.share", "high")) == (line_of(MINIMAL, "high: 40"), 11)
    assert smap.where(("parameters", "blue.share")) == (line_of(MINIMAL, "blue.share:"), 3)
    assert smap.where(("parameters", "blue.share", "nothing_here")) == (
        line_of(MINIMAL, "blue.share:"), 3)


def test_validate_scenario_on_model_and_dict(write: Writer) -> None:
    sc = load_scenario(write(MINIMAL), modules=FAKE_MODULES)
    assert validate_scenario(sc, modules=FAKE_MODULES) == []
    data, smap, _, _ = read_scenario_file(write(MINIMAL))
    data["parameters"]["blue.share"]["high"] = 120
    problems = validate_scenario(data, file="x.yaml", modules=FAKE_MODULES, source_map=smap)
    assert [p.path for p in problems] == ["parameters.blue.share.high"]
    assert problems[0].line == line_of(MINIMAL, "high: 40")
    # a model whose parameter lies outside a module's bounds
    bad = sc.model_copy(update={"parameters": {**sc.parameters, "blue.share":
                                               sc.parameters["blue.share"].model_copy(
                                                   update={"unit": "fraction"})}})
    problems = validate_scenario(bad, modules=FAKE_MODULES, source_map=SourceMap())
    assert any(p.path == "parameters.blue.share.dist.high" for p in problems)


_UNITS = ("persons", "rounds/day", "fraction", "USD bn/day", "1/day", "km2", "day")


def test_every_missing_parameter_is_named_with_its_unit_and_meaning(write: Writer) -> None:
    specs = tuple(ParamSpec(f"p{i}", _UNITS[i % len(_UNITS)], f"What p{i} means.")
                  for i in range(70))
    many = Module(name="military", description="big", variables=(),
                  init=FAKE_MODULES["military"].init, step=FAKE_MODULES["military"].step,
                  params=(*specs, ParamSpec("quiet", "switch", "Off.", 0.0, 1.0, 0.0)))
    text = mutate(MINIMAL, "modules: [military, economy]", "modules: [military]")
    err = fail(write(text), modules={"military": many})
    p = find(err, path="parameters", contains=("missing 70 parameters needed by module "
                                               "'military'",))
    assert p.line == line_of(MINIMAL, "parameters:")
    _head, *lines = str(p).split("\n")
    assert lines == [f"{DETAIL_INDENT}p{i} (in {s.unit}): What p{i} means."
                     for i, s in enumerate(specs)]
    assert "more" not in str(p)
    assert "quiet" not in str(p)  # it has a default
    # all of it reaches the message of the error, and one problem counts once in the cap
    assert all(line in str(err) for line in lines)
    assert [q for q in err.problems if "missing" in q.message] == [p]


def test_one_missing_parameter_is_one_line(write: Writer) -> None:
    text = mutate(MINIMAL, "  red.growth:\n    value: 3\n    unit: \"%/year\"\n"
                           "    source: Rosstat 2023\n", "")
    err = fail(write(text))
    p = find(err, path="parameters", contains=("missing parameter 'red.growth'",))
    assert p.message == ("missing parameter 'red.growth' (in fraction/day), needed by module "
                         "'economy': Real growth rate.")


# ------------------------------------------------------------------ robustness
_NOISE = st.text(alphabet=[*":-[]{}&*!|>'\"%@`#,?\t\n x0.9eTZ", "\x00", "\xe9", "\\"],
                 max_size=4)


@pytest.mark.parametrize(("old", "new", "shown"), [
    ('"blue.recruitment"', '"blue.recrui\\nt"', "'blue.recrui\\nt'"),
    ("fact:ua_mobilisation_request", "fact:ua_mobili\\t_request", "'ua_mobili\\t_request'"),
])
def test_a_control_character_from_the_file_is_shown_escaped(write: Writer, old: str, new: str,
                                                            shown: str) -> None:
    # a TOML escape puts a newline or tab into a key or a value; quoted raw, it would split
    # one problem over two lines
    err = fail(write(mutate(TOML, old, new), "scenario.toml"))
    hits = [p for p in err.problems if shown in p.message]
    assert hits, str(err)
    for p in err.problems:
        one_line_each(p)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from(["yaml", "toml"]), data=st.data())
def test_any_corruption_gives_scenario_error_or_a_scenario(write: Writer, base: str,
                                                           data: st.DataObject) -> None:
    text = MINIMAL if base == "yaml" else TOML
    start = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 6))
    noise = data.draw(_NOISE)
    corrupted = text[:start] + noise + text[start + cut:]
    path = write(corrupted, f"fuzz.{base}")
    try:
        load_scenario(path, modules=FAKE_MODULES)
        return
    except ScenarioError as err:
        problems = err.problems
    assert problems
    for p in problems:
        assert p.file == str(path)
        one_line_each(p)
        assert p.line is None or p.line >= 1
