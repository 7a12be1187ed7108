"""The dashboard without a browser: levers from the scenario, validation, updates, the app."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.dashboard import DashboardModel, LeverError, levers_of
from detente.errors import InputError, UnitError
from detente.scenario import builtin_names, builtin_path, load_scenario


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


# --------------------------------------------------------------------------- from the scenario
#: The levers of ukraine-2023 as the dashboard had them before they moved to the file:
#: (parameter, label, unit shown, low, high, step, factor from the file unit, help).
UKRAINE_LEVERS = [
    ("us_mil_aid", "US military aid", "USD bn/year", 0.0, 200.0, 0.5, 1.0,
     "US military aid to Ukraine, before policy changes and events."),
    ("eu_mil_aid", "European military aid", "USD bn/year", 0.0, 200.0, 0.5, 1.0,
     "European military aid to Ukraine."),
    ("west_shell_capacity", "Western shell capacity", "M rounds/year", 0.0, 20.0, 0.05, 1e-6,
     "Artillery shells a year that US and European industry can make for Ukraine at the "
     "start."),
    ("ua_recruit_rate", "Ukraine's mobilisation", "% of pool/month", 0.0, 5.0, 0.01,
     365.25 / 12 * 100, "Share of Ukraine's mobilisable men recruited each month."),
    ("us_credibility_incumbent", "US credibility in Moscow", "share, 0–1", 0.0, 1.0, 0.05,
     1.0, "How far Moscow trusts the current US administration to deliver a deal."),
    ("nato_escalation_rate", "Escalation hazard", "per year", 0.0, 10.0, 0.01, 1.0,
     "Hazard of a NATO–Russia war with NATO troops in Ukraine at full intensity."),
    ("ru_momentum_bias", "Moscow's momentum bias", "per year", -1.0, 1.0, 0.01, 1.0,
     "Extra drift of the force ratio Moscow projects in its favour."),
]


def test_ukraine_levers_are_those_the_dashboard_had(model: DashboardModel) -> None:
    got = [(lv.param, lv.label, lv.unit, lv.low, lv.high, lv.step, lv.factor, lv.help)
           for lv in model.levers]
    assert [g[:6] + g[7:] for g in got] == [e[:6] + e[7:] for e in UKRAINE_LEVERS]
    for g, e in zip(got, UKRAINE_LEVERS, strict=True):
        assert g[6] == pytest.approx(e[6], rel=1e-15), g[0]


def _bench_with(tmp_path: Path, levers: str) -> Path:
    """lanchester-bench as a file, with ``levers`` (YAML text) instead of its own."""
    text = builtin_path("lanchester-bench").read_text(encoding="utf-8")
    head = text[:text.index("\nlevers:")] if "\nlevers:" in text else text
    path = tmp_path / "bench-levers.yaml"
    path.write_text(head + "\n" + levers, encoding="utf-8")
    return path


TWO_LEVERS = """\
levers:
  ru_shell_production:
    label: Red's shells
    unit: M rounds/year
    low: 0
    high: 50
    step: 0.5
    description: Red's munitions production.
  ua_reinforcement: {label: Blue's recruits, unit: persons/day, low: 0, high: 2000, step: 10}
"""


@pytest.fixture(scope="module")
def two_levers(tmp_path_factory: pytest.TempPathFactory) -> DashboardModel:
    path = _bench_with(tmp_path_factory.mktemp("levers"), TWO_LEVERS)
    return DashboardModel(str(path), n_samples=16, horizon=30, seed=5)


def test_levers_come_from_the_scenario_in_its_order(two_levers: DashboardModel) -> None:
    sc = two_levers.scenario
    assert [lv.param for lv in two_levers.levers] == ["ru_shell_production",
                                                      "ua_reinforcement"]
    shells, recruits = two_levers.levers
    assert (shells.label, shells.unit, shells.low, shells.high, shells.step, shells.help) == (
        "Red's shells", "M rounds/year", 0.0, 50.0, 0.5, "Red's munitions production.")
    assert recruits.help == ""
    # the factors are the parameter table's: thousand rounds/week -> M rounds/year
    assert shells.factor == sc.table["ru_shell_production"].factor_to("M rounds/year")
    assert shells.factor == pytest.approx(365.25 / 7 / 1000, rel=1e-14)
    assert recruits.factor == pytest.approx(1000 / 7, rel=1e-14)
    # each control starts at its parameter's central value, in the lever's unit, rounded
    assert two_levers.defaults == {"ru_shell_production": 13.04,  # 250 k/week
                                   "ua_reinforcement": 428.6}  # 3 thousand persons/week


def test_lever_values_are_converted_to_the_file_unit(two_levers: DashboardModel) -> None:
    st = two_levers.update({"ru_shell_production": 26.0, "ua_reinforcement": 1000.0})
    ds = st.results.ds
    # the parameter is fixed in every sample, in the file's unit
    np.testing.assert_allclose(ds["param_ru_shell_production"].values,
                               26.0 * 1000 * 7 / 365.25, rtol=1e-14)
    np.testing.assert_allclose(ds["param_ua_reinforcement"].values, 7.0, rtol=1e-14)
    # the other uncertain parameters keep their draws
    base = two_levers.update()
    np.testing.assert_array_equal(ds["param_ua_effectiveness"].values,
                                  base.results.ds["param_ua_effectiveness"].values)
    assert len(set(ds["param_ua_effectiveness"].values.tolist())) == two_levers.n_samples


@settings(max_examples=50, deadline=None)
@given(x=st.floats(0.0, 50.0))
def test_a_lever_shows_what_it_states(two_levers: DashboardModel, x: float) -> None:
    shells = two_levers.levers[0]
    assert shells.shown(shells.stated(x)) == pytest.approx(x, rel=1e-14, abs=1e-300)


def test_a_lever_moves_its_sides_outcome(two_levers: DashboardModel) -> None:
    few = two_levers.update({"ua_reinforcement": 0.0}, claims=False)
    many = two_levers.update({"ua_reinforcement": 2000.0}, claims=False)
    blue = "ua_personnel"
    assert np.all(many.results.ds[blue].values[:, :, -1] > few.results.ds[blue].values[:, :, -1])
    with pytest.raises(LeverError, match=r"^Blue's recruits must be between 0 and 2000 "
                                         r"persons/day; found 2500$"):
        two_levers.update({"ua_reinforcement": 2500})


def test_lanchester_bench_dashboard() -> None:
    model = DashboardModel("lanchester-bench", n_samples=8, horizon=20, seed=1)
    sc = model.scenario
    assert [lv.param for lv in model.levers] == list(sc.levers)
    assert {"ua_shell_production", "ru_shell_production", "ua_reinforcement",
            "ru_reinforcement"} <= set(sc.levers)
    for lv in model.levers:  # in the benchmark's own units: the factor is 1
        assert lv.factor == 1.0
        assert model.defaults[lv.param] == pytest.approx(sc.parameters[lv.param].central())
    base = model.update()
    cut = model.update({"ru_shell_production": 0.0})
    assert base.policies == ["status_quo"]
    assert np.all(cut.results.ds["param_ru_shell_production"].values == 0.0)
    assert cut.headline[0]["ratio"] != base.headline[0]["ratio"]


def test_a_scenario_without_levers_has_policies_and_charts(tmp_path: Path) -> None:
    from detente.dashboard._app import DashboardApp

    model = DashboardModel(str(_bench_with(tmp_path, "")), n_samples=8, horizon=12)
    assert model.scenario.levers == {}
    assert model.levers == []
    assert model.defaults == {}
    st = model.update()
    assert st.values == {}
    assert st.headline[0]["policy"] == "status_quo"
    with pytest.raises(LeverError, match="unknown lever 'ru_shell_production'"):
        model.update({"ru_shell_production": 1.0})
    app = DashboardApp(model)
    assert app.inputs == {}
    assert app.version == 1
    html = "".join(str(getattr(o, "object", "")) for o in app.layout().objects[0].objects)
    assert "This scenario marks no levers" in html


def test_a_lever_of_a_scenario_made_in_python_is_checked() -> None:
    sc = load_scenario("lanchester-bench")
    lever = sc.levers["ua_reinforcement"]
    odd = sc.model_copy(update={"levers": {"no_such_parameter": lever}})
    with pytest.raises(InputError, match="scenario 'lanchester-bench' has no parameter "
                                         "'no_such_parameter'"):
        levers_of(odd)
    bad_unit = sc.model_copy(update={"levers": {
        "ua_reinforcement": lever.model_copy(update={"unit": "USD bn"})}})
    with pytest.raises(UnitError, match="cannot convert 'thousand persons/week' to 'USD bn'"):
        levers_of(bad_unit)


def test_the_dashboard_names_no_parameter() -> None:
    import detente.dashboard

    folder = Path(detente.dashboard.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py")))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    named = {p for name in builtin_names() for p in load_scenario(name).parameters} & words
    assert named == set()
