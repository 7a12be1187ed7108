"""The dashboard without a browser: levers, validation, updates and the Panel app's logic."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from detente.dashboard import DashboardModel, LeverError


@pytest.fixture(scope="module")
def model() -> DashboardModel:
    return DashboardModel("ukraine-2023", n_samples=48, horizon=26, seed=3)


def test_levers_are_the_scenarios_main_parameters(model: DashboardModel) -> None:
    names = [lv.param for lv in model.levers]
    assert names == ["us_mil_aid", "eu_mil_aid", "west_shell_capacity", "ua_recruit_rate",
                     "us_credibility_incumbent", "nato_escalation_rate", "ru_momentum_bias"]
    sc = model.scenario
    assert model.defaults["us_mil_aid"] == pytest.approx(sc.parameters["us_mil_aid"].central(),
                                                         rel=1e-3)
    # shown in million rounds a year and in % of the pool a month
    assert model.defaults["west_shell_capacity"] == pytest.approx(1.2)
    rate = sc.parameters["ua_recruit_rate"].central()
    assert model.defaults["ua_recruit_rate"] == pytest.approx(rate * 365.25 / 12 * 100,
                                                              rel=1e-3)
    assert model.default_policies == ["status_quo", "direct_talks"]


def test_out_of_range_values_are_reported_one_by_one(model: DashboardModel) -> None:
    with pytest.raises(LeverError) as err:
        model.validate({"us_mil_aid": -5, "us_credibility_incumbent": 1.5,
                        "eu_mil_aid": "lots"})
    problems = err.value.problems
    assert problems[0] == "US military aid must be between 0 and 200 USD bn/year; found -5"
    assert "US credibility in Moscow must be between 0 and 1" in problems[1]
    assert "European military aid: enter a number" in problems[2]
    with pytest.raises(LeverError, match="choose at least one policy"):
        model.update(policies=[])


def test_a_lever_moves_the_outcome_and_same_values_repeat(model: DashboardModel) -> None:
    base = model.update()
    again = model.update(dict(model.defaults))
    cut = model.update({"us_mil_aid": 0.0, "eu_mil_aid": 0.0})
    v = "territory_ru_km2"
    np.testing.assert_array_equal(base.results.ds[v].values, again.results.ds[v].values)
    assert base.headline[0]["policy"] == "status_quo"
    assert cut.headline[0]["territory"] > base.headline[0]["territory"]
    assert cut.values["us_mil_aid"] == 0.0
    # the lever is fixed in every sample; the other parameters keep their draws
    ds = cut.results.ds
    assert np.all(ds["param_us_mil_aid"].values == 0.0)
    np.testing.assert_array_equal(ds["param_ua_personnel0"].values,
                                  base.results.ds["param_ua_personnel0"].values)
    assert base.claims
    assert {c.verdict for c in base.claims} <= {
        "supported", "contested", "refuted", "untestable"}


def test_policy_choice(model: DashboardModel) -> None:
    st = model.update(policies=["aid_cutoff", "status_quo"])
    assert st.policies == ["status_quo", "aid_cutoff"]  # scenario order
    with pytest.raises(Exception, match="unknown policy"):
        DashboardModel(model.scenario, policies=["nope"], n_samples=4, horizon=2)


def test_app_shows_message_and_keeps_last_results(model: DashboardModel) -> None:
    from detente.dashboard._app import DashboardApp

    app = DashboardApp(model)
    assert app.version == 1
    assert not app.message.visible
    before = app.numbers.object
    app.inputs["us_mil_aid"].value = 500.0
    assert app.message.visible
    assert "between 0 and 200 USD bn/year; found 500" in app.message.object
    assert app.numbers.object == before
    assert app.version == 1
    app.inputs["us_mil_aid"].value = 0.0
    assert not app.message.visible
    assert app.version == 2
    assert app.numbers.object != before
    app.variable.value = "viability"
    assert "viability" in app.fan.object.layout.title.text.lower()
    # a title with brackets of its own keeps the unit on the axis
    app.variable.value = "ua_casualties_cum"
    assert app.fan.object.layout.yaxis.title.text == "persons"
    assert app.fan.object.layout.title.text.startswith("Ukraine's casualties (cumulative)")
    app.variable.value = "ru_inflation"
    assert app.fan.object.layout.yaxis.title.text == "% a year"
    app._on_reset(None)
    assert app.inputs["us_mil_aid"].value == model.defaults["us_mil_aid"]
    layout: Any = app.layout()
    assert layout is not None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_samples": 0}, "n_samples must be at least 1, found 0"),
    ({"horizon": 0}, "horizon must be at least 1, found 0"),
])
def test_bad_settings_name_the_parameters(kwargs: dict[str, int], message: str) -> None:
    from detente.errors import InputError

    with pytest.raises(InputError, match=f"^{message}"):
        DashboardModel("lanchester-bench", **kwargs)
