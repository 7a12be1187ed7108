"""Conversion factors held bit for bit to those of the hand-written unit parser.

``unit_factors.json`` was written by the parser that preceded pint (``detente.scenario.units``
at commit 04fcfb8), as ``float.hex`` strings: for each parameter of each built-in scenario,
its file unit, canonical unit and factor; for each policy or event change with a ``value``,
the factor the engine applies to it; the pairs the unit tests, the minimal test scenario and
the dashboard's levers use; and a grid of every pair within each group of convertible units
(multipliers, time words, percent). The golden test holds results bit for bit, so every one
of these factors must come out exactly as before: from the unit algebra, from the engine,
and from the parameter table. Parameters carry today's names (``ua_personnel0`` is
``ukraine.personnel0``, ``blue.personnel0`` in the benchmark); a parameter a file leaves out
at its documented default is held in its canonical unit (factor 1), and one a file states
that the record predates converts as the unit algebra says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detente.engine import compile_plan
from detente.scenario import load_scenario
from detente.units import conversion_factor

FIXTURE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "unit_factors.json").read_text(encoding="utf-8"))
PAIRS = [(a, b, float.fromhex(h)) for a, b, h in FIXTURE["pairs"].values()]
GRID = [(*key.split(" -> "), float.fromhex(h)) for key, h in FIXTURE["grid"].items()]


@pytest.mark.parametrize(("found", "canonical", "factor"), PAIRS,
                         ids=[f"{a} -> {b}" for a, b, _ in PAIRS])
def test_factor_of_each_pair_is_bit_identical(found: str, canonical: str,
                                              factor: float) -> None:
    assert conversion_factor(found, canonical).hex() == factor.hex()


def test_factor_grid_is_bit_identical() -> None:
    wrong = [(a, b, conversion_factor(a, b).hex(), f.hex()) for a, b, f in GRID
             if conversion_factor(a, b) != f]
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("name", sorted(FIXTURE["scenarios"]))
def test_engine_factors_of_builtin_scenarios_are_bit_identical(name: str) -> None:
    sc = load_scenario(name)
    plan = compile_plan(sc)
    expected = FIXTURE["scenarios"][name]["parameters"]
    assert set(plan.factors) == set(sc.table)
    assert set(expected) <= set(sc.parameters)
    for param, (_unit, _canonical, factor) in expected.items():
        assert plan.factors[param].hex() == factor, param
    assert all(plan.factors[param] == 1.0 for param in sc.table.defaults)
    for param in set(sc.parameters) - set(expected):  # stated since the record was made
        entry = sc.table[param]
        assert plan.factors[param] == conversion_factor(entry.unit, entry.canonical), param


@pytest.mark.parametrize("name", sorted(FIXTURE["scenarios"]))
def test_table_factors_of_builtin_scenarios_are_bit_identical(name: str) -> None:
    sc = load_scenario(name)
    table = sc.table
    expected = FIXTURE["scenarios"][name]
    assert [p for p in table if p in expected["parameters"]] == list(expected["parameters"])
    assert list(table) == [*sc.parameters, *table.defaults]
    for param, (unit, canonical, factor) in expected["parameters"].items():
        entry = table[param]
        assert entry.unit == unit
        assert entry.canonical == (canonical or "fraction")  # no module: a probability
        assert entry.factor.hex() == factor, param
    assert expected["changes"] or name == "lanchester-bench"
    for where, (param, unit, factor) in expected["changes"].items():
        assert table[param].change_factor(unit).hex() == factor, where
