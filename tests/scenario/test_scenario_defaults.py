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
from detente.model import available_modules
from detente.model.base import ParamSpec
from detente.scenario import Scenario, builtin_path, load_scenario
from detente.scenario._checks import MISSING_INDENT
from detente.scenario.loading import read_scenario_file
from detente.scenario.table import DEFAULT_SOURCE

#: A small war with the military module only, stating just what has no default.
MINIMAL_WAR = """\
schema_version: 1
name: minimal-war
title: Two armies and their shells, nothing else
time: {start: 2024-01-01, step_days: 7, horizon_steps: 52}
modules: [military]
parameters:
  ua_personnel0: {value: 200, unit: thousand persons, source: assumption, note: toy}
  ru_personnel0: {value: 300, unit: thousand persons, source: assumption, note: toy}
  ua_effectiveness: {dist: uniform, low: 0.002, high: 0.006, unit: 1/week, source: assumption}
  ru_effectiveness: {value: 0.003, unit: 1/week, source: assumption, note: toy}
  ua_fire_rate: {value: 0.4, unit: 1/week, source: assumption, note: toy}
  ru_fire_rate: {value: 0.6, unit: 1/week, source: assumption, note: toy}
  ua_half_sat: {value: 500, unit: thousand rounds, source: assumption, note: toy}
  ru_half_sat: {value: 500, unit: thousand rounds, source: assumption, note: toy}
  ua_shells0: {value: 1000, unit: thousand rounds, source: assumption, note: toy}
  ru_shells0: {value: 3000, unit: thousand rounds, source: assumption, note: toy}
  ua_shell_production: {value: 50, unit: thousand rounds/week, source: assumption, note: toy}
  ru_shell_production: {value: 150, unit: thousand rounds/week, source: assumption, note: toy}
  ua_shell_production_target: {value: 50, unit: thousand rounds/week, source: assumption,
    note: no ramp}
  ru_shell_production_target: {value: 150, unit: thousand rounds/week, source: assumption,
    note: no ramp}
  ua_ramp_time: {value: 365, unit: day, source: assumption, note: ramp switched off}
  ru_ramp_time: {value: 365, unit: day, source: assumption, note: ramp switched off}
  ua_pool0: {value: 0, unit: persons, source: assumption, note: pipeline switched off}
  ru_pool0: {value: 0, unit: persons, source: assumption, note: pipeline switched off}
  ua_training_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  ru_training_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  ua_killed_share: {value: 0.3, unit: fraction, source: assumption, note: toy}
  ru_killed_share: {value: 0.3, unit: fraction, source: assumption, note: toy}
  ua_return_share: {value: 0, unit: fraction, source: assumption, note: pipeline switched off}
  ru_return_share: {value: 0, unit: fraction, source: assumption, note: pipeline switched off}
  ua_recovery_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  ru_recovery_time: {value: 60, unit: day, source: assumption, note: pipeline switched off}
  mil_initiative_sharpness: {value: 4, unit: ratio, source: assumption, note: no defender advantage}
  mil_breakthrough_threshold: {value: 3, unit: ratio, source: assumption, note: no breakthroughs}
  mil_front_max_speed: {value: 0, unit: km2/day, source: assumption, note: a static front}
  mil_territory_ru0: {value: 1000, unit: km2, source: assumption, note: toy}
  ua_area: {value: 100000, unit: km2, source: assumption, note: toy}
  ua_aid_shell_share: {value: 0, unit: fraction, source: assumption, note: no aid money}
  ua_aid_interceptor_share: {value: 0, unit: fraction, source: assumption, note: no aid money}
  west_shell_cost: {value: 5000, unit: USD/round, source: assumption, note: no aid money}
  west_interceptor_cost: {value: 1, unit: million USD/interceptor, source: assumption,
    note: no aid money}
  west_shell_capacity: {value: 0, unit: rounds/day, source: assumption, note: no aid money}
  west_shell_capacity_target: {value: 0, unit: rounds/day, source: assumption, note: no aid money}
  west_ramp_time: {value: 365, unit: day, source: assumption, note: no aid money}
policies:
  status_quo: {description: Nothing changes.}
  shells_for_blue:
    description: A partner sends Blue shells from the fourth month.
    changes:
      - {param: ua_shell_aid_direct, value: 30, unit: thousand rounds/week, from: 2024-04-01}
"""

N_SAMPLES = 40


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    return make_writer(tmp_path)


def military_defaults() -> dict[str, ParamSpec]:
    return {s.name: s for s in available_modules()["military"].params if s.default is not None}


def written_out(text: str, specs: dict[str, ParamSpec]) -> str:
    """The same file with each of ``specs`` written out at its default."""
    lines = "".join(f"  {name}: {{value: {spec.default!r}, unit: \"{spec.unit}\", source: "
                    f"\"the documented default\"}}\n" for name, spec in specs.items())
    return mutate(text, "policies:\n", lines + "policies:\n")


def variables(sc: Scenario, **kw: Any) -> dict[str, np.ndarray]:
    ds = simulate(sc, n_samples=N_SAMPLES, seed=3, **kw).ds
    return {str(name): np.asarray(var.values) for name, var in ds.data_vars.items()}


# ------------------------------------------------------------------ the table
def test_a_left_out_parameter_enters_the_table_at_its_default(write: Writer) -> None:
    sc = load_scenario(write(MINIMAL_WAR))
    table = sc.table
    defaults = military_defaults()
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
    assert table["ua_area"].source == "assumption"
    assert not table["ua_area"].is_default


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
    assert not np.array_equal(noisy["ua_personnel"], quiet["ua_personnel"])


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
    defaults = military_defaults()
    short = load_scenario(write(MINIMAL_WAR, "short.yaml"))
    full = load_scenario(write(written_out(MINIMAL_WAR, defaults), "full.yaml"))
    assert full.table.defaults == ()
    assert short.table.constants == full.table.constants
    assert short.table.factors == full.table.factors
    a, b = variables(short), variables(full)
    # the policy changes a parameter the file leaves out: it takes effect
    assert not np.array_equal(a["ua_shells"][0], a["ua_shells"][1])
    assert set(a) <= set(b)
    for name, values in a.items():
        np.testing.assert_array_equal(values, b[name], err_msg=name)
    # the results hold every parameter, defaults included, whether the file states it or not
    assert set(a) == set(b)


def test_the_results_hold_each_default_as_a_parameter(write: Writer) -> None:
    a = variables(load_scenario(write(MINIMAL_WAR)), policies=["status_quo"])
    for name, spec in military_defaults().items():
        np.testing.assert_array_equal(a[f"param_{name}"], np.full(N_SAMPLES, spec.default))


def test_the_benchmark_without_the_values_that_are_defaults_gives_the_same_run(
        write: Writer) -> None:
    data, _, _, _ = read_scenario_file(builtin_path("lanchester-bench"))
    bench = load_scenario("lanchester-bench")
    specs = military_defaults()
    dropped = [n for n, e in bench.table.items() if n in specs
               and not e.distribution.is_uncertain
               and e.distribution.central() * e.factor == specs[n].default]
    assert len(dropped) >= 25  # every switch, amplitude, drone and aid flow the bench turns off
    for name in dropped:
        del data["parameters"][name]
    short = load_scenario(write(yaml.safe_dump(data, sort_keys=False), "bench.yaml"))
    assert set(short.table.defaults) == set(dropped)
    a, b = variables(short, horizon=104), variables(bench, horizon=104)
    for name, values in a.items():
        np.testing.assert_array_equal(values, b[name], err_msg=name)


# ------------------------------------------------------------------ what is missing
def test_a_left_out_parameter_without_a_default_is_named_with_its_unit(write: Writer) -> None:
    text = mutate(MINIMAL_WAR, "  ua_pool0: {value: 0, unit: persons, source: assumption, "
                               "note: pipeline switched off}\n", "")
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(text))
    p = find(info.value, path="parameters", contains=("missing parameter 'ua_pool0'",))
    assert p.message == ("missing parameter 'ua_pool0' (in persons), needed by module "
                         "'military': Ukraine's mobilisable pool at the start.")
    assert p.line == MINIMAL_WAR.splitlines().index("parameters:") + 1


def test_validate_lists_every_parameter_a_module_needs_and_no_default(write: Writer) -> None:
    head, _, _ = MINIMAL_WAR.partition("parameters:\n")
    text = head + "parameters:\n  ua_area: {value: 1000, unit: km2, source: assumption, " \
                  "note: toy}\npolicies:\n  status_quo: {description: x}\n"
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(text))
    military = available_modules()["military"]
    needed = [s for s in military.params if s.default is None and s.name != "ua_area"]
    p = find(info.value, path="parameters",
             contains=(f"missing {len(needed)} parameters needed by module 'military'",))
    assert p.message.split("\n")[1:] == [
        f"{MISSING_INDENT}{s.name} (in {s.unit}): {s.description}" for s in needed]
    assert not any(name in p.message for name in military_defaults())
    assert str(info.value).count("missing") == 1
