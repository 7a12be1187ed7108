"""Documented defaults: a file may leave out a neutral parameter, and nothing else.

A parameter a module declares with a default (``ParamSpec.default``) that a file leaves out
enters the parameter table at that default, as a fixed value in the model's unit with the
source ``default``: the engine and the module checks see it like any written parameter,
so a file that leaves the defaults out runs exactly as one that writes them out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scenario_fakes import Writer, find, make_writer, mutate

from detente.engine import simulate
from detente.errors import ScenarioError
from detente.model import get_module
from detente.model.base import Cast, ParamSpec
from detente.results import schema
from detente.scenario import Scenario, builtin_path, load_scenario
from detente.scenario.loading import read_scenario_file
from detente.scenario.table import DEFAULT_SOURCE

#: A small war with the military module only, stating just what has no default.
MINIMAL_WAR = """\
schema_version: 1
name: minimal-war
title: Two armies and their shells, nothing else
time: {start: 2024-01-01, step_days: 7, horizon_steps: 52}
sides:
  blue: {name: Blue}
  red: {name: Red}
modules: [military]
parameters:
  blue.personnel0: {value: 200, unit: thousand persons, source: assumption, note: toy}
  red.personnel0: {value: 300, unit: thousand persons, source: assumption, note: toy}
  blue.effectiveness: {dist: uniform, low: 0.002, high: 0.006, unit: 1/week, source: assumption}
  red.effectiveness: {value: 0.003, unit: 1/week, source: assumption, note: toy}
  blue.fire_rate: {value: 0.4, unit: 1/week, source: assumption, note: toy}
  red.fire_rate: {value: 0.6, unit: 1/week, source: assumption, note: toy}
  blue.half_sat: {value: 500, unit: thousand rounds, source: assumption, note: toy}
  red.half_sat: {value: 500, unit: thousand rounds, source: assumption, note: toy}
  blue.shells0: {value: 1000, unit: thousand rounds, source: assumption, note: toy}
  red.shells0: {value: 3000, unit: thousand rounds, source: assumption, note: toy}
  blue.shell_production: {value: 50, unit: thousand rounds/week, source: assumption, note: toy}
  red.shell_production: {value: 150, unit: thousand rounds/week, source: assumption, note: toy}
  blue.shell_production_target: {value: 50, unit: thousand rounds/week, source: assumption,
    note: no ramp}
  red.shell_production_target: {value: 150, unit: thousand rounds/week, source: assumption,
    note: no ramp}
  blue.ramp_time: {value: 365, unit: day, source: assumption, note: ramp switched off}
  red.ramp_time: {value: 365, unit: day, source: assumption, note: ramp switched off}
  blue.pool0: {value: 0, unit: persons, source: assumption, note: pipeline switched off}
  red.pool0: {value: 0, unit: persons, source: assumption, note: pipeline switched off}
  blue.training_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  red.training_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  blue.killed_share: {value: 0.3, unit: fraction, source: assumption, note: toy}
  red.killed_share: {value: 0.3, unit: fraction, source: assumption, note: toy}
  blue.return_share: {value: 0, unit: fraction, source: assumption, note: pipeline switched off}
  red.return_share: {value: 0, unit: fraction, source: assumption, note: pipeline switched off}
  blue.recovery_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  red.recovery_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  mil_initiative_sharpness: {value: 4, unit: ratio, source: assumption, note: no defender advantage}
  mil_ground_price: {value: 10, unit: persons/km2, source: assumption, note: no one assaults}
  mil_exploitation_speed: {value: 0, unit: km2/day, source: assumption, note: a static front}
  red.territory0: {value: 1000, unit: km2, source: assumption, note: toy}
  blue.area: {value: 100000, unit: km2, source: assumption, note: toy}
policies:
  status_quo: {description: Nothing changes.}
  shells_for_blue:
    description: A partner sends Blue shells from the fourth month.
    changes:
      - {param: blue.shell_aid_direct, value: 30, unit: thousand rounds/week, from: 2024-04-01}
"""

N_SAMPLES = 40
#: The sides of MINIMAL_WAR.
CAST = Cast(("blue", "red"), names=(("blue", "Blue"), ("red", "Red")))


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    return make_writer(tmp_path)


def military_defaults() -> dict[str, ParamSpec]:
    return {s.name: s for s in get_module("military", CAST).params if s.default is not None}


def written_out(text: str, specs: dict[str, ParamSpec]) -> str:
    """The same file with each of ``specs`` written out at its default."""
    lines = "".join(f"  {name}: {{value: {spec.default!r}, unit: \"{spec.unit}\", source: "
                    f"\"the documented default\"}}\n" for name, spec in specs.items())
    return mutate(text, "policies:\n", lines + "policies:\n")


def left_out(text: str = MINIMAL_WAR) -> dict[str, ParamSpec]:
    """The military parameters with a default that ``text`` does not state."""
    stated = yaml.safe_load(text)["parameters"]
    return {n: s for n, s in military_defaults().items() if n not in stated}


def variables(sc: Scenario, **kw: Any) -> dict[str, np.ndarray]:
    """Every variable of a run, by the model's name (``param_blue.drones0``, ...)."""
    res = simulate(sc, n_samples=N_SAMPLES, seed=3, **kw)
    names = [f"{prefix}{name}" for kind, prefix in (("model", ""), ("param", "param_"),
                                                    ("event", "event_"))
             for name in schema.model_names(res.ds, kind)]
    return {name: np.asarray(res[name].values) for name in names}


# ------------------------------------------------------------------ the table
def test_a_left_out_parameter_enters_the_table_at_its_default(write: Writer) -> None:
    sc = load_scenario(write(MINIMAL_WAR))
    table = sc.table
    defaults = left_out()
    assert set(table.defaults) == set(defaults)
    assert not set(table.defaults) & set(sc.parameters)
    for name, spec in defaults.items():
        entry = table[name]
        assert entry.is_default
        assert entry.parameter is None
        assert (entry.source, entry.module, entry.spec) == (DEFAULT_SOURCE, "military", spec)
        assert (entry.unit, entry.canonical, entry.factor) == (spec.unit, spec.unit, 1.0)
        assert (entry.low, entry.high) == (spec.low, spec.high)
        assert not entry.distribution.is_uncertain
        assert table.constants[name] == spec.default
    # what the file states keeps its own source and comes first, in the file's order
    assert list(table)[:len(sc.parameters)] == list(sc.parameters)
    assert table["blue.area"].source == "assumption"
    assert not table["blue.area"].is_default


def test_a_parameter_with_a_default_may_still_be_given(write: Writer) -> None:
    text = mutate(MINIMAL_WAR, "policies:\n", "  mil_intensity_noise: {value: 20, unit: \"%\", "
                                               "source: assumption, note: rough weeks}\n"
                                               "policies:\n")
    sc = load_scenario(write(text))
    entry = sc.table["mil_intensity_noise"]
    assert not entry.is_default
    assert "mil_intensity_noise" not in sc.table.defaults
    assert entry.unit == "%"
    assert entry.distribution.central() * entry.factor == 0.2
    noisy = variables(sc, policies=["status_quo"])
    quiet = variables(load_scenario(write(MINIMAL_WAR, "quiet.yaml")), policies=["status_quo"])
    assert not np.array_equal(noisy["blue.personnel"], quiet["blue.personnel"])


def test_an_out_of_range_override_is_still_checked(write: Writer) -> None:
    text = mutate(MINIMAL_WAR, "policies:\n", "  mil_intensity_noise: {value: 2, unit: fraction,"
                                               " source: assumption, note: too rough}\n"
                                               "policies:\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(text))
    find(info.value, path="parameters.mil_intensity_noise.value",
         contains=("expected a value in [0, 1] fraction",))


# ------------------------------------------------------------------ the run
def test_leaving_the_defaults_out_runs_exactly_as_writing_them_out(write: Writer) -> None:
    defaults = left_out()
    short = load_scenario(write(MINIMAL_WAR, "short.yaml"))
    full = load_scenario(write(written_out(MINIMAL_WAR, defaults), "full.yaml"))
    assert full.table.defaults == ()
    assert short.table.constants == full.table.constants
    assert short.table.factors == full.table.factors
    a, b = variables(short), variables(full)
    # the policy changes a parameter the file leaves out: it takes effect
    assert not np.array_equal(a["blue.shells"][0], a["blue.shells"][1])
    assert set(a) <= set(b)
    for name, values in a.items():
        np.testing.assert_array_equal(values, b[name], err_msg=name)
    # the results hold every parameter, defaults included, whether the file states it or not
    assert set(a) == set(b)


def test_the_results_hold_each_default_as_a_parameter(write: Writer) -> None:
    a = variables(load_scenario(write(MINIMAL_WAR)), policies=["status_quo"])
    for name, spec in left_out().items():
        np.testing.assert_array_equal(a[f"param_{name}"], np.full(N_SAMPLES, spec.default))


def test_the_benchmark_without_the_values_that_are_defaults_gives_the_same_run(
        write: Writer) -> None:
    data, _, _, _ = read_scenario_file(builtin_path("lanchester-bench"))
    bench = load_scenario("lanchester-bench")
    specs = military_defaults()
    dropped = [n for n, e in bench.table.items() if n in specs and n in data["parameters"]
               and not e.distribution.is_uncertain
               and e.distribution.central() * e.factor == specs[n].default]
    assert len(dropped) >= 25  # every switch, amplitude, drone and aid flow the bench turns off
    for name in dropped:
        del data["parameters"][name]
    short = load_scenario(write(yaml.safe_dump(data, sort_keys=False), "bench.yaml"))
    assert set(short.table.defaults) == set(dropped) | set(bench.table.defaults)
    a, b = variables(short, horizon=104), variables(bench, horizon=104)
    for name, values in a.items():
        np.testing.assert_array_equal(values, b[name], err_msg=name)


# ------------------------------------------------------------------ what is missing
def test_a_left_out_parameter_without_a_default_is_named_with_its_unit(write: Writer) -> None:
    text = mutate(MINIMAL_WAR, "  blue.pool0: {value: 0, unit: persons, source: assumption, "
                               "note: pipeline switched off}\n", "")
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(text))
    p = find(info.value, path="parameters", contains=("missing parameter 'blue.pool0'",))
    assert p.message == ("missing parameter 'blue.pool0' (in persons), needed by module "
                         "'military': Blue's mobilisable pool at the start.")
    assert p.line == MINIMAL_WAR.splitlines().index("parameters:") + 1


def test_validate_lists_every_parameter_a_module_needs_and_no_default(write: Writer) -> None:
    head, _, _ = MINIMAL_WAR.partition("parameters:\n")
    text = head + "parameters:\n  blue.area: {value: 1000, unit: km2, source: assumption, " \
                  "note: toy}\npolicies:\n  status_quo: {description: x}\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(text))
    military = get_module("military", CAST)
    needed = [s for s in military.params if s.default is None and s.name != "blue.area"]
    p = find(info.value, path="parameters",
             contains=(f"missing {len(needed)} parameters needed by module 'military'",))
    assert p.details == tuple(f"{s.name} (in {s.unit}): {s.description}" for s in needed)
    assert not any(name in str(p) for name in military_defaults())
    assert str(info.value).count("missing") == 1
