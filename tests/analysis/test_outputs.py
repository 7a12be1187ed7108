"""Expressions compiled against what a run of a scenario holds."""

from __future__ import annotations

import pytest

from detente.analysis import scenario_expr
from detente.errors import InputError
from detente.scenario import load_scenario


def test_an_expression_may_name_variables_parameters_defaults_and_events():
    sc = load_scenario("ukraine-2023")
    event = next(iter(sc.events))
    expr = scenario_expr(sc, f"ukraine.personnel / russia.personnel < ukraine.area and {event}",
                         expect="condition")
    assert {"ukraine.personnel", "russia.personnel", "ukraine.area", event} <= set(expr.names)
    bench = load_scenario("lanchester-bench")
    assert "mil_campaign_sd" in bench.table  # a default the benchmark may leave out
    assert "mil_campaign_sd" in scenario_expr(bench, "mil_campaign_sd + 1").names


def test_an_unknown_name_or_the_wrong_kind_is_a_clear_error():
    sc = load_scenario("lanchester-bench")
    with pytest.raises(InputError, match=r"blue\.personel"):
        scenario_expr(sc, "blue.personel > 0")
    with pytest.raises(InputError):
        scenario_expr(sc, "blue.personnel + 1", expect="condition")
