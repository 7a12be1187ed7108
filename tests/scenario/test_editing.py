"""Editing a scenario in Python (``with_changes``) and policies that extend others."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import detente as dt
from detente.analysis.backtest import with_policy
from detente.errors import InputError, ScenarioError
from detente.scenario import load_scenario
from detente.scenario.schema import Policy


@pytest.fixture(scope="module")
def korea():
    return load_scenario("korea-1951")


def test_a_value_change_keeps_the_entry_and_leaves_the_original(korea):
    name = "communist_forces.personnel0"
    before = korea.parameters[name]
    out = korea.with_changes({name: 123_456})
    after = out.parameters[name]
    assert after.value == 123_456
    assert after.dist is None
    assert (after.unit, after.source, after.note) == (before.unit, before.source, before.note)
    assert korea.parameters[name] == before  # the original is untouched
    # the copy's table is the loader's: the new value, converted to the model's unit
    assert out.table[name].parameter.value == 123_456


def test_an_edit_is_checked_as_a_file_is(korea):
    with pytest.raises(ScenarioError, match=r"parameters\.mil_ground_price: expected low <= "
                                            r"mode <= high"):
        korea.with_changes({"mil_ground_price": {"dist": "pert", "low": 5, "mode": 1,
                                                 "high": 3}})
    with pytest.raises(ScenarioError, match=r"unknown parameter 'un_command\.nonsense'"):
        korea.with_changes({"un_command.nonsense": {"value": 1, "unit": "1",
                                                    "source": "assumption"}})
    with pytest.raises(ScenarioError, match=r"does not convert|cannot convert|unit"):
        korea.with_changes({"communist_forces.personnel0": {"value": 1, "unit": "km2"}})
    with pytest.raises(ScenarioError, match="titel: no such scenario field"):
        korea.with_changes(titel="typo")


def test_the_draws_stay_for_what_an_edit_leaves_alone(korea):
    calibrated = korea.draws.columns[0]
    out = korea.with_changes({calibrated: 0.001})
    assert out.draws is not None
    assert calibrated not in out.draws.columns
    assert out.draws.columns == korea.draws.columns[1:]
    np.testing.assert_array_equal(out.draws.values, korea.draws.values[:, 1:])
    # every sample now takes the edited value; the others still come from the draws
    res = dt.simulate(out, n_samples=16, seed=3, policies=["status_quo"])
    drawn = res.ds[f"param_{calibrated}"].values
    np.testing.assert_allclose(drawn, 0.001)


def test_the_repr_is_short(korea):
    text = repr(korea)
    assert len(text) < 300
    assert text.startswith("<Scenario korea-1951:")
    assert "policies" in text
    res = dt.simulate("lanchester-bench", n_samples=8, seed=0, horizon=20)
    html = res._repr_html_()
    assert "detente.Results" in html
    assert "status_quo" in html
    assert "<table" in html
    assert len(repr(res)) < 200


def _with_policies(sc, extra):
    pols = sc.model_dump(by_alias=True, exclude_none=True)["policies"]
    return sc.with_changes(policies={**pols, **extra})


def test_a_policy_extends_another(korea):
    base = korea.policies["stalin_lives"]
    out = _with_policies(korea, {"more": {
        "extends": "stalin_lives", "description": "and more",
        "changes": [{"param": "communist_forces.personnel0", "value": 1.0e6}]}})
    more = out.policies["more"]
    assert more.extends is None  # resolved: one flat overlay per policy
    assert more.changes[:len(base.changes)] == base.changes
    assert more.changes[-1].param == "communist_forces.personnel0"
    assert more.events == base.events
    assert more.cancel == base.cancel
    # a dump re-reads as it is (the base's changes are not added twice)
    again = out.with_changes()
    assert again.policies["more"] == more
    # chains resolve in order
    out = _with_policies(korea, {"a": {"extends": "stalin_lives"}, "b": {"extends": "a"}})
    assert out.policies["b"].changes == base.changes


def test_a_policy_restating_an_event_overrides_its_base():
    base = Policy.model_validate({"cancel": ["x"], "chances": {"y": {"probability": 0.5}},
                                  "changes": [{"param": "p", "value": 1}]})
    own = Policy.model_validate({"chances": {"x": {"probability": 0.2}}, "cancel": ["y"],
                                 "changes": [{"param": "p", "value": 2}]})
    both = own.on_top_of(base)
    assert both.cancel == ("y",)
    assert set(both.chances) == {"x"}
    assert [c.value for c in both.changes] == [1, 2]  # the policy's own change comes last


def test_bad_extends_are_located_in_the_file(tmp_path):
    from detente.scenario import builtin_path

    data = yaml.safe_load(builtin_path("lanchester-bench").read_text())
    data["policies"]["loop_a"] = {"extends": "loop_b"}
    data["policies"]["loop_b"] = {"extends": "loop_a"}
    data["policies"]["orphan"] = {"extends": "status_qou"}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "policies.orphan.extends: expected one of the scenario's other policies" in text
    assert "found 'status_qou'" in text
    assert "loop_a -> loop_b -> loop_a" in text
    lines = [p.line for p in info.value.problems]
    assert all(line is not None for line in lines)


def test_a_policy_path_may_extend_a_policy(korea):
    path = Policy.model_validate({"extends": "stalin_lives", "description": "as it was"})
    out = with_policy(korea, path)
    assert out.policies["actual"].changes == korea.policies["stalin_lives"].changes
    with pytest.raises(InputError, match="extends: expected one of the policies"):
        with_policy(korea, Policy.model_validate({"extends": "nosuch"}))


def test_a_saved_scenario_loads_back_the_same_with_its_draws(tmp_path, korea):
    from detente.scenario.saving import save_scenario

    path = save_scenario(korea, tmp_path / "mine.yaml")
    assert (tmp_path / "mine.posterior.csv").is_file()
    back = load_scenario(path)
    assert back.draws.columns == korea.draws.columns
    np.testing.assert_array_equal(back.draws.values, korea.draws.values)
    np.testing.assert_allclose(back.draws.weights, korea.draws.weights, rtol=1e-15)
    a = dt.simulate(back, n_samples=16, seed=2, policies=["status_quo"], horizon=12)
    b = dt.simulate(korea, n_samples=16, seed=2, policies=["status_quo"], horizon=12)
    for v in a.ds.data_vars:
        np.testing.assert_array_equal(a.ds[v].values, b.ds[v].values, err_msg=str(v))
    with pytest.raises(InputError, match="does not exist"):
        save_scenario(korea, tmp_path / "nowhere" / "x.yaml")
