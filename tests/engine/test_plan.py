"""The compiled plan: overlays in canonical units, events, and the parameter table."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.engine import compile_plan
from detente.errors import InputError
from detente.scenario import load_scenario


def _short(data: dict, steps: int = 40) -> dict:
    data["time"]["horizon_steps"] = steps
    return data


def test_the_plan_takes_its_units_from_the_parameter_table(bench_dict, write_scenario):
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    assert dict(plan.factors) == plan.table.factors
    assert plan.uncertain == plan.table.uncertain
    assert dict(plan.constants) == plan.table.constants


def test_a_change_in_its_own_unit_is_converted_to_the_canonical_one(bench_dict,
                                                                    write_scenario):
    assert bench_dict["parameters"]["blue.shell_production"]["unit"] == "thousand rounds/week"
    bench_dict["policies"] = {
        "file_unit": {"description": "f", "changes": [
            {"param": "blue.shell_production", "value": 7}]},
        "per_day": {"description": "d", "changes": [
            {"param": "blue.shell_production", "value": 1000, "unit": "rounds/day"}]},
        "per_year": {"description": "y", "changes": [
            {"param": "blue.shell_production", "value": 365.25, "unit": "thousand rounds/year"}]},
    }
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    assert plan.specs["blue.shell_production"].unit == "rounds/day"
    values = {pol: plan.overlays[pol][0].value for pol in plan.policies}
    for pol in plan.policies:
        assert values[pol] == pytest.approx(1000.0, rel=1e-15), pol


def test_an_event_probability_in_percent_is_a_share(bench_dict, write_scenario):
    bench_dict["parameters"]["p_event"] = {"value": 30, "unit": "%",
                                           "source": "assumption", "note": "test"}
    bench_dict["events"] = {"shock": {"date": str(bench_dict["time"]["start"]),
                                      "probability": "p_event", "changes": []}}
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    assert plan.factors["p_event"] == 0.01


def test_overlays_hold_from_their_date_until_theirs(bench_dict, write_scenario):
    start = dt.date.fromisoformat(str(bench_dict["time"]["start"]))
    bench_dict["policies"] = {"window": {"description": "w", "changes": [
        {"param": "blue.shell_production", "scale": 2.0,
         "from": (start + dt.timedelta(days=70)).isoformat(),
         "until": (start + dt.timedelta(days=140)).isoformat()}]}}
    plan = compile_plan(load_scenario(write_scenario(_short(bench_dict))))
    (o,) = plan.overlays["window"]
    assert (o.start, o.stop, o.scale, o.event) == (10, 20, 2.0, None)


def test_bad_plans_are_clear_errors(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_short(bench_dict)))
    with pytest.raises(InputError, match="horizon must be a positive number of steps"):
        compile_plan(sc, horizon=0)
    with pytest.raises(InputError, match="unknown policy nope; scenario 'lanchester-bench'"):
        compile_plan(sc, policies=["nope"])
    with pytest.raises(InputError, match="cannot record unknown variable"):
        compile_plan(sc, record=["nothing"])
