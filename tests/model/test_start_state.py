"""What describes the state at the start, declared and checked, not guessed from names.

A parameter that is a variable's value at the start declares ``initial_of`` (a restart at
another date takes it from the record); one that describes the war at the start without a
variable declares ``start_condition``; a variable counted from the start declares
``from_start``. Every ``*0`` parameter declares one of the first two, and a run's first
point agrees with the declarations.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.engine import simulate
from detente.model import installed, templates
from detente.model.base import ParamSpec, VariableSpec
from detente.results import schema
from detente.scenario import load_scenario

PARAMS = [(m, p) for m in installed() for p in templates(m)[0]]
VARIABLES = [(m, v) for m in installed() for v in templates(m)[1]]


def _id(item: tuple[str, ParamSpec | VariableSpec]) -> str:
    return f"{item[0]}.{item[1].name}"


@pytest.mark.parametrize("item", [x for x in PARAMS if x[1].name.endswith("0")], ids=_id)
def test_every_parameter_named_for_the_start_declares_what_it_describes(item):
    _module, spec = item
    assert spec.describes_start, (f"{spec.name} ends in 0 (a value at the start) but declares "
                                  "neither initial_of nor start_condition")


@pytest.mark.parametrize("item", [x for x in PARAMS if x[1].initial_of], ids=_id)
def test_initial_of_names_a_variable_of_the_same_module_owner_and_unit(item):
    module, spec = item
    variables = {v.name: v for v in templates(module)[1]}
    assert spec.initial_of in variables, f"{spec.name}: no variable {spec.initial_of!r}"
    var = variables[spec.initial_of]
    assert var.per == spec.per
    assert var.unit == spec.unit
    assert var.from_start is None  # a count from the start has no parameter: it is 0 there


def test_initial_variable_is_owned_like_its_parameter():
    spec = next(p for m, p in PARAMS if p.name == "personnel0")
    assert spec.initial_variable == "personnel"  # a template
    from dataclasses import replace
    built = replace(spec, name="blue.personnel0", owner="blue")
    assert built.initial_variable == "blue.personnel"
    assert ParamSpec("x", "1", "").initial_variable is None
    assert not ParamSpec("x", "1", "").describes_start
    assert ParamSpec("x", "1", "", start_condition=True).describes_start


@pytest.mark.parametrize("item", VARIABLES, ids=_id)
def test_variables_counted_from_the_start_say_how(item):
    _module, var = item
    text = var.description
    if "since the start" in text or "above their initial" in text:
        assert var.from_start == "difference", var.name
    elif "relative to the start" in text or "(start = 1)" in text:
        assert var.from_start == "ratio", var.name
    else:
        assert var.from_start is None, var.name


@pytest.fixture(scope="module", params=["ukraine-2023", "korea-1951", "lanchester-bench"])
def first_point(request):
    sc = load_scenario(request.param)
    enabled = {v.name: v for m in sc.enabled_modules for v in m.variables}
    initial = {p.name: p.initial_variable for m in sc.enabled_modules for p in m.params
               if p.initial_variable is not None}
    counted = [n for n, v in enabled.items() if v.from_start is not None]
    res = simulate(sc, n_samples=8, seed=0, policies=[next(iter(sc.policies))], horizon=1,
                   record=sorted({*initial.values(), *counted}))
    return sc, res, enabled, initial, counted


#: Stocks ``mil_steady_start_switch`` sets from the flows instead of their parameters.
STEADY = ("shells", "drones")


def _steady(sc) -> bool:
    entry = sc.parameters.get("mil_steady_start_switch")
    return entry is not None and entry.value == 1


def _at_start(res, name: str) -> np.ndarray:
    values = schema.select(res.ds, name).isel(policy=0, time=0)
    return np.asarray(values.values, dtype=np.float64)


def test_a_run_starts_each_declared_variable_at_its_parameter(first_point):
    sc, res, _enabled, initial, _counted = first_point
    assert initial
    for param, var in initial.items():
        if var.rsplit(".", 1)[-1] in STEADY and _steady(sc):
            continue  # the munition stocks start where fire equals supply (the switch)
        drawn = np.asarray(res.ds[f"param_{param}"].values, dtype=np.float64)
        expected = drawn * sc.table[param].factor
        np.testing.assert_allclose(_at_start(res, var), expected, rtol=1e-9, atol=1e-9,
                                   err_msg=f"{var} at the start is not {param}")


def test_a_run_starts_counts_at_0_and_indices_at_1(first_point):
    _sc, res, enabled, _initial, counted = first_point
    for name in counted:
        start = 0.0 if enabled[name].from_start == "difference" else 1.0
        np.testing.assert_allclose(_at_start(res, name), start, atol=1e-9, err_msg=name)
