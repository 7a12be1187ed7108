"""The parameter table: spec, units, factor, bounds and distribution of every parameter."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_fakes import FAKE_MODULES, MINIMAL, make_writer

from detente.errors import UnitError
from detente.model import resolve_modules
from detente.model.base import Module, ParamSpec
from detente.scenario import (
    ParameterDistribution,
    ParameterTable,
    Scenario,
    TableEntry,
    load_scenario,
)
from detente.scenario.schema import Parameter
from detente.scenario.table import change_scales
from detente.units import conversion_factor


def minimal() -> Scenario:
    return Scenario.model_validate(yaml.safe_load(MINIMAL))


def param(**fields: Any) -> Parameter:
    return Parameter.model_validate({"unit": "fraction", "source": "x", **fields})


@pytest.fixture(scope="module")
def ukraine() -> Scenario:
    return load_scenario("ukraine-2023")


# ------------------------------------------------------------------ built from a scenario
def test_each_entry_holds_its_spec_factor_and_bounds(ukraine: Scenario) -> None:
    specs = {ps.name: (m.name, ps) for m in resolve_modules(ukraine.modules, ukraine.cast)
             for ps in m.params}
    table = ukraine.table
    # the file's parameters in its order, then those it leaves at their default
    assert list(table) == [*ukraine.parameters, *table.defaults]
    for name in table.defaults:
        module, spec = specs[name]
        assert (table[name].spec, table[name].module, table[name].factor) == (spec, module, 1.0)
    for name in ukraine.parameters:
        entry = table[name]
        par = ukraine.parameters[name]
        assert entry.parameter == par
        assert entry.unit == par.unit
        if name in specs:
            module, spec = specs[name]
            assert (entry.spec, entry.module, entry.canonical) == (spec, module, spec.unit)
            assert (entry.low, entry.high) == (spec.low, spec.high)
            assert entry.factor == conversion_factor(par.unit, spec.unit)
        elif name in change_scales(ukraine):  # the 2023 offensive's factors: changes only
            assert entry.spec is None
            assert (entry.canonical, entry.low, entry.high, entry.factor) == (
                "ratio", 0.0, None, 1.0)
        else:  # the election and stall probabilities: read by events only
            assert entry.spec is None
            assert (entry.canonical, entry.low, entry.high) == ("fraction", 0.0, 1.0)
    assert change_scales(ukraine) == {"ua_counteroffensive_2023_tempo",
                                      "ru_tempo_while_defending_2023"}
    assert table.factors == {n: e.factor for n, e in table.items()}
    assert table.uncertain == tuple(ukraine.uncertain)
    assert set(table.specs) == set(specs)


def test_a_loaded_scenario_carries_the_table_it_was_checked_on(tmp_path: Path) -> None:
    sc = load_scenario(make_writer(tmp_path)(MINIMAL), modules=FAKE_MODULES)
    table = sc.table
    assert table is sc.table
    assert table["blue.recruitment"].module == "military"
    assert table["blue.recruitment"].factor == pytest.approx(1 / (365.25 / 12))
    assert table["blue.share"].factor == pytest.approx(0.01)
    assert table["p_change"].canonical == "fraction"
    # the fake registry's table, not one rebuilt against detente.model
    assert table["red.growth"].canonical == "fraction/day"
    assert pickle.loads(pickle.dumps(sc)).table.factors == table.factors


def test_a_scenario_made_in_python_builds_its_table_once() -> None:
    sc = minimal()
    assert "table" not in sc.__dict__
    table = ParameterTable.of(sc, modules=FAKE_MODULES)
    assert table["shell_use"].factor == 1000.0
    assert sc.table is sc.table  # against detente.model: these names are read by none
    assert sc.table["shell_use"].spec is None
    assert sc.table["shell_use"].factor == 1.0


def test_a_copy_with_new_fields_builds_its_own_table(ukraine: Scenario) -> None:
    table = ukraine.table
    assert ukraine.model_copy().table is table
    par = ukraine.parameters["ukraine.pool0"].model_copy(update={"unit": "thousand persons"})
    changed = ukraine.model_copy(update={"parameters": {**ukraine.parameters,
                                                        "ukraine.pool0": par}})
    assert changed.table is not table
    assert changed.table["ukraine.pool0"].factor == 1e3
    assert table["ukraine.pool0"].factor == 1e6


def test_a_unit_the_module_cannot_read_names_the_module() -> None:
    bad = minimal().parameters["blue.recruitment"].model_copy(update={"unit": "rounds/day"})
    with pytest.raises(UnitError) as info:
        ParameterTable.build({"blue.recruitment": bad}, FAKE_MODULES.values())
    assert str(info.value) == ("cannot convert 'rounds/day' to 'persons/day': the quantities "
                               "differ (rounds vs persons); module 'military' reads "
                               "'blue.recruitment' in persons/day")
    growth = param(value=0.0, unit="%/year")
    loose = ParameterTable.build({"blue.recruitment": bad, "red.growth": growth},
                                 FAKE_MODULES.values(), strict=False)
    assert list(loose) == ["red.growth"]
    assert str(loose.errors["blue.recruitment"]) == str(info.value)


@pytest.mark.parametrize(("unit", "factor"), [("fraction", 1.0), ("%", 0.01), ("1", 1.0),
                                              ("probability", 1.0)])
def test_a_probability_is_a_fraction(unit: str, factor: float) -> None:
    table = ParameterTable.build({"p": param(value=0.5, unit=unit)}, (), probabilities={"p"})
    assert (table["p"].canonical, table["p"].factor) == ("fraction", factor)
    assert table["p"].probability_factor() == factor


def test_a_probability_in_another_unit_is_an_error() -> None:
    with pytest.raises(UnitError, match="parameter 'p' is in 'persons'; a probability is in"):
        ParameterTable.build({"p": param(value=1.0, unit="persons")}, (), probabilities={"p"})


def test_a_parameter_no_one_reads_keeps_its_unit() -> None:
    entry = ParameterTable.build({"x": param(value=2.0, unit="USD bn")}, ())["x"]
    assert (entry.spec, entry.module, entry.canonical, entry.factor) == (
        None, None, "USD bn", 1.0)
    assert (entry.low, entry.high) == (None, None)


def test_an_unknown_module_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        ParameterTable.of(minimal(), modules={"military": FAKE_MODULES["military"]})


# ------------------------------------------------------------------ defaults
_QUIET = Module(
    name="quiet", description="a module with neutral parameters", variables=(),
    init=FAKE_MODULES["military"].init, step=FAKE_MODULES["military"].step,
    params=(ParamSpec("noise", "fraction", "Noise amplitude.", 0.0, 1.0, 0.0),
            ParamSpec("force", "persons", "A force.", 0.0),
            ParamSpec("factor", "ratio", "A factor.", 1.0, None, 1.0)),
)


def test_a_parameter_left_out_is_held_at_its_default_after_those_stated() -> None:
    table = ParameterTable.build({"force": param(value=3.0, unit="thousand persons"),
                                  "x": param(value=1.0)}, [_QUIET])
    assert list(table) == ["force", "x", "noise", "factor"]
    assert table.defaults == ("noise", "factor")
    noise = table["noise"]
    assert noise == TableEntry.default(_QUIET.params[0], "quiet")
    assert (noise.parameter, noise.source, noise.is_default) == (None, "default", True)
    assert (noise.unit, noise.canonical, noise.factor) == ("fraction", "fraction", 1.0)
    assert table.constants == {"force": 3.0, "x": 1.0, "noise": 0.0, "factor": 1.0}
    assert table.specs["factor"] == _QUIET.params[2]
    assert table["force"].source == "x"
    assert not table["force"].is_default
    # a stated value replaces the default, in the file's unit
    stated = ParameterTable.build({"force": param(value=3.0, unit="persons"),
                                   "noise": param(value=20.0, unit="%")}, [_QUIET])
    assert stated.defaults == ("factor",)
    assert stated["noise"].distribution.central() * stated["noise"].factor == 0.2
    # so does a stated value whose unit does not convert: it is an error, not a default
    loose = ParameterTable.build({"noise": param(value=1.0, unit="persons")}, [_QUIET],
                                 strict=False)
    assert "noise" in loose.errors
    assert "noise" not in loose


def test_a_parameter_without_a_default_has_no_default_entry() -> None:
    with pytest.raises(ValueError, match="'force' has no default; a scenario must state it"):
        TableEntry.default(_QUIET.params[1], "quiet")
    assert "force" not in ParameterTable.build({}, [_QUIET])


def test_a_scenario_made_in_python_gets_the_defaults_of_its_modules() -> None:
    sc = minimal().model_copy(update={"modules": ("military", "quiet")})
    table = ParameterTable.of(sc, modules={**FAKE_MODULES, "quiet": _QUIET})
    assert table.defaults == ("noise", "factor")
    assert "noise" not in sc.parameters


# ------------------------------------------------------------------ a change's own unit
def test_a_change_in_its_own_unit_converts_as_the_engine_does() -> None:
    table = ParameterTable.of(minimal(), modules=FAKE_MODULES)
    entry = table["shell_use"]  # thousand rounds/day, read in rounds/day
    assert entry.change_factor() == entry.factor == 1000.0
    assert entry.change_factor("thousand rounds/day") == 1000.0
    assert entry.change_factor("rounds/week") == 1000.0 * conversion_factor(
        "rounds/week", "thousand rounds/day")
    assert entry.change_factor("million rounds/year").hex() == (
        entry.factor * conversion_factor("million rounds/year", entry.unit)).hex()


def test_a_change_unit_the_module_cannot_read_names_the_module() -> None:
    entry = ParameterTable.of(minimal(), modules=FAKE_MODULES)["shell_use"]
    with pytest.raises(UnitError) as info:
        entry.change_factor("USD bn")
    assert str(info.value) == ("cannot convert 'USD bn' to 'rounds/day': the quantities "
                               "differ (USD vs rounds); module 'military' reads 'shell_use' "
                               "in rounds/day")


def test_a_change_to_a_parameter_no_one_reads_converts_to_its_unit() -> None:
    entry = ParameterTable.build({"x": param(value=2.0, unit="USD bn")}, ())["x"]
    assert entry.change_factor("million USD") == pytest.approx(1e-3)
    with pytest.raises(UnitError, match="cannot convert 'persons' to 'USD bn'"):
        entry.change_factor("persons")


# ------------------------------------------------------------------ distributions
NOMINAL = [
    ({"value": 0.3}, 0.3),
    ({"dist": "pert", "low": 0.1, "mode": 0.2, "high": 0.6}, 0.2),
    ({"dist": "triangular", "low": 0.1, "mode": 0.5, "high": 0.6}, 0.5),
    ({"dist": "uniform", "low": 0.1, "high": 0.4}, 0.25),
    ({"dist": "truncnormal", "mean": 0.3, "sd": 0.2, "low": 0.0, "high": 1.0}, 0.3),
    ({"dist": "lognormal", "median": 0.2, "sigma": 0.5}, 0.2),
]


@pytest.mark.parametrize(("fields", "nominal"), NOMINAL,
                         ids=[f.get("dist", "value") for f, _ in NOMINAL])
def test_nominal_value_per_distribution_kind(fields: dict[str, Any], nominal: float) -> None:
    par = param(**fields)
    dist = ParameterDistribution.of(par)
    assert dist.nominal() == pytest.approx(nominal, rel=1e-15)
    assert par.nominal() == dist.nominal()
    assert dist.is_uncertain == ("dist" in fields)


@pytest.mark.parametrize(("fields", "bounds"), [
    ({"value": 0.3}, (("value", 0.3),)),
    ({"dist": "pert", "low": 0.1, "mode": 0.2, "high": 0.6}, (("low", 0.1), ("high", 0.6))),
    ({"dist": "truncnormal", "mean": 0.3, "sd": 0.2}, (("low", -np.inf), ("high", np.inf))),
    ({"dist": "lognormal", "median": 0.2, "sigma": 0.5}, (("low", 0.0), ("high", np.inf))),
])
def test_bounds_are_the_value_or_the_support(fields: dict[str, Any],
                                             bounds: tuple[tuple[str, float], ...]) -> None:
    assert ParameterDistribution.of(param(**fields)).bounds() == bounds


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(NOMINAL[1:]),
       st.lists(st.floats(0.001, 0.999), min_size=1, max_size=20))
def test_sample_is_the_distributions_quantile_function(case: tuple[dict[str, Any], float],
                                                       u: list[float]) -> None:
    par = param(**case[0])
    assert par.dist is not None
    uu = np.array(u)
    dist = ParameterDistribution.of(par)
    np.testing.assert_array_equal(dist.sample(uu), par.dist.ppf(uu))
    np.testing.assert_array_equal(par.sample(uu), dist.sample(uu))
    assert dist.central() == par.dist.median() == par.central()


def test_a_fixed_value_repeats() -> None:
    dist = ParameterDistribution.of(param(value=0.3))
    np.testing.assert_array_equal(dist.sample(np.array([0.1, 0.9])), [0.3, 0.3])
    assert dist.central() == 0.3


def test_a_distribution_needs_exactly_one_of_value_and_dist() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        ParameterDistribution(None, None)


def test_constants_and_central_values(ukraine: Scenario) -> None:
    table = ukraine.table
    fixed = [n for n in ukraine.parameters if n not in ukraine.uncertain]
    defaults = {n: table[n].spec.default for n in table.defaults}
    assert table.constants == {**{n: ukraine.parameters[n].central() for n in fixed},
                               **defaults}
    assert table.central() == {**{n: p.central() for n, p in ukraine.parameters.items()},
                               **defaults}
    assert isinstance(table["ukraine.recruit_rate"], TableEntry)
    assert repr(table) == f"ParameterTable({len(table)} parameters, {len(table.uncertain)} " \
                          f"uncertain, {len(defaults)} at their default)"


def test_a_value_is_shown_in_a_unit_of_ones_choice():
    sc = load_scenario("lanchester-bench")
    entry = sc.table["blue.shell_production"]
    assert entry.unit == "thousand rounds/week"
    assert entry.factor_to("rounds/day") == entry.factor
    assert entry.factor_to("thousand rounds/week") == 1.0
    with pytest.raises(UnitError, match="persons"):
        entry.factor_to("persons/day")


def test_a_fixed_value_has_no_scipy_distribution():
    from detente.errors import InputError

    fixed = ParameterDistribution(value=2.0, dist=None)
    with pytest.raises(InputError, match="fixed value"):
        fixed.to_scipy()
    sc = load_scenario("lanchester-bench")
    name = sc.uncertain[0]
    u = np.linspace(0.01, 0.99, 9)
    dist = sc.table[name].distribution
    np.testing.assert_allclose(dist.to_scipy().ppf(u), dist.sample(u), rtol=1e-12)
