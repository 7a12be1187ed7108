"""Changes of uncertain size (``scale: PARAM``) and the war's recorded events (``public``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis import Observations
from detente.analysis.hindcast import restart
from detente.engine import compile_plan, simulate
from detente.engine.plan import Overlay, effective
from detente.errors import ScenarioError
from detente.scenario import load_scenario

FACTOR = {"unit": "ratio", "source": "assumption", "note": "the size of the surge; a test"}


def _short(data: dict, steps: int = 30) -> dict:
    data["time"]["horizon_steps"] = steps
    return data


def _window(data: dict, scale: float | str) -> dict:
    start = dt.date.fromisoformat(str(data["time"]["start"]))
    data["policies"]["surge"] = {"description": "s", "changes": [
        {"param": "blue.shell_production", "scale": scale,
         "from": (start + dt.timedelta(days=70)).isoformat(),
         "until": (start + dt.timedelta(days=140)).isoformat()}]}
    return data


def test_a_factor_held_by_a_fixed_parameter_is_the_same_run_as_the_number(bench_dict,
                                                                          write_scenario):
    by_number = load_scenario(write_scenario(_window(_short(bench_dict), 2.5), "a.yaml"))
    named = _window(_short(bench_dict), "blue_surge")
    named["parameters"]["blue_surge"] = {"value": 2.5, **FACTOR}
    by_name = load_scenario(write_scenario(named, "b.yaml"))
    a = simulate(by_number, n_samples=64, seed=3, policies=["surge"]).ds
    b = simulate(by_name, n_samples=64, seed=3, policies=["surge"]).ds
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)
    # and the surge does something: the window's production is not the status quo's
    base = simulate(by_number, n_samples=64, seed=3, policies=["status_quo"]).ds
    assert not np.array_equal(a["shells"].values, base["shells"].values)


def test_a_factor_drawn_per_sample_scales_each_sample_in_the_window(bench_dict,
                                                                    write_scenario):
    data = _window(_short(bench_dict), "blue_surge")
    data["parameters"]["blue_surge"] = {"dist": "uniform", "low": 1.0, "high": 4.0, **FACTOR}
    sc = load_scenario(write_scenario(data))
    plan = compile_plan(sc, policies=["surge"])
    (o,) = plan.overlays["surge"]
    assert (o.start, o.stop, o.scale, o.scale_param) == (10, 20, None, "blue_surge")
    assert plan.table["blue_surge"].canonical == "ratio"
    rng = np.random.default_rng(0)
    base = {"blue.shell_production": rng.uniform(1e3, 2e3, 50),
            "blue_surge": rng.uniform(1.0, 4.0, 50)}
    p = effective(base, [o], {})
    np.testing.assert_array_equal(p["blue.shell_production"],
                                  base["blue.shell_production"] * base["blue_surge"])
    assert p["blue_surge"] is base["blue_surge"]  # the factor itself is left as drawn


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1e3), min_size=1, max_size=8),
       st.lists(st.floats(0.0, 10.0), min_size=1, max_size=8), st.booleans())
def test_a_named_factor_multiplies_only_where_its_event_happened(values, factors, hit):
    n = min(len(values), len(factors))
    x, f = np.array(values[:n]), np.array(factors[:n])
    happened = np.array([hit ^ (i % 2 == 1) for i in range(n)])
    o = Overlay("x", 0, 5, None, None, "ev", "f")
    p = effective({"x": x, "f": f}, [o], {"ev": happened})
    np.testing.assert_array_equal(p["x"], np.where(happened, x * f, x))


@pytest.mark.parametrize(("factor", "entry", "expected"), [
    ("blue_surj", None, "scale: expected a factor (a number) or the name of a parameter "
                        "holding it, found 'blue_surj', which is not a parameter"),
    ("blue_surge", {"value": 2.0, "unit": "km", "source": "assumption", "note": "t"},
     "parameter 'blue_surge' is in 'km'; a change's factor is in 'ratio' or '1'"),
    ("blue_surge", {"dist": "uniform", "low": -1.0, "high": 2.0, **FACTOR},
     "parameter 'blue_surge' must be at least 0 to scale a parameter, found low -1"),
    ("red.reinforcement", None, "parameter 'red.reinforcement' is read by module "
                                "'military'; a change's factor is a parameter of its own"),
])
def test_a_bad_factor_is_a_located_error(bench_dict, write_scenario, factor, entry,
                                         expected):
    data = _window(_short(bench_dict), factor)
    if entry is not None:
        data["parameters"]["blue_surge"] = entry
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(data))
    assert expected in str(err.value)
    assert "policies.surge.changes[0].scale" in str(err.value)


def test_a_factor_that_takes_its_parameter_out_of_range_is_refused(bench_dict,
                                                                   write_scenario):
    data = _short(bench_dict)
    # a share (at most 1) scaled by a factor that reaches 50
    data["parameters"]["mil_intensity_noise"] = {"value": 0.5, "unit": "fraction",
                                                 "source": "assumption", "note": "t"}
    data["parameters"]["big"] = {"dist": "uniform", "low": 1.0, "high": 50.0, **FACTOR}
    data["policies"]["odd"] = {"description": "o", "changes": [
        {"param": "mil_intensity_noise", "scale": "big"}]}
    with pytest.raises(ScenarioError, match="scaling 'mil_intensity_noise' by 50 takes its"):
        load_scenario(write_scenario(data))


# --------------------------------------------------------------------------- the record
def _recorded(data: dict, public: str | None) -> dict:
    """The bench with a war begun a year before the start and one event of that year."""
    data["time"]["war_began"] = "2023-01-01"
    event = {"description": "a past offensive", "date": "2023-06-04",
             "changes": [{"param": "blue.shell_production", "scale": 3.0,
                          "until": "2024-03-01"}]}
    if public is not None:
        event["public"] = public
    later = {"description": "a hypothesis", "date": "2024-02-01",
             "changes": [{"param": "blue.shell_production", "scale": 0.5}]}
    data["events"] = {"offensive": event, "later": later}
    return data


def test_an_event_before_the_start_must_say_when_it_was_known(bench_dict, write_scenario):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(_recorded(_short(bench_dict), None)))
    text = str(err.value)
    assert "events.offensive.date: event date 2023-06-04 is outside the horizon" in text
    assert "states 'public' (the date it was known)" in text


def test_an_event_of_the_record_runs_from_the_start_while_it_lasts(bench_dict,
                                                                   write_scenario):
    sc = load_scenario(write_scenario(_recorded(_short(bench_dict), "2023-03-29")))
    assert sc.events["offensive"].public == dt.date(2023, 3, 29)
    o = compile_plan(sc).overlays["status_quo"][0]
    assert o.event == "offensive"
    # it began before the start and holds from the start to its 'until' (2024-03-01)
    assert (o.start, o.stop) == (0, sc.time.step_of(dt.date(2024, 3, 1)))


def test_a_restart_knows_the_record_events_public_by_its_origin(bench_dict, write_scenario):
    sc = load_scenario(write_scenario(_recorded(_short(bench_dict), "2023-03-29")))
    obs = Observations.from_records([(dt.date(2023, 1, 31), "blue.personnel", 1e5)])
    before = restart(sc, dt.date(2023, 2, 1), obs, months=3)
    after = restart(sc, dt.date(2023, 4, 1), obs, months=3)
    told = restart(sc, dt.date(2023, 2, 1), obs, months=3, known=dt.date(2023, 12, 1))
    assert "offensive" not in before.events
    assert "offensive" in after.events
    assert "offensive" in told.events
    # an event of the scenario's future (no 'public') stays in every restart, as before
    assert all("later" in r.events for r in (before, after, told))
    assert sc.events["offensive"].known_on(dt.date(2023, 3, 29))
    assert not sc.events["offensive"].known_on(dt.date(2023, 3, 28))
