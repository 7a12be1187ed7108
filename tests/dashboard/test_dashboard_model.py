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
from detente.results.schema import select
from detente.scenario import builtin_names, builtin_path, load_scenario


@pytest.fixture(scope="module")
def model() -> DashboardModel:
    return DashboardModel("ukraine-2023", n_samples=48, horizon=26, seed=3)


def test_levers_are_the_scenarios_main_parameters(model: DashboardModel) -> None:
    names = [lv.param for lv in model.levers]
    assert names == [lever[0] for lever in UKRAINE_LEVERS]
    sc = model.scenario
    aid = "united_states.mil_aid"
    assert model.defaults[aid] == pytest.approx(sc.parameters[aid].central(), rel=1e-3)
    # shown in million rounds a year and in % of the pool a month
    capacity = sc.parameters["ukraine.aid_shell_capacity"].central()  # rounds a year
    assert model.defaults["ukraine.aid_shell_capacity"] == pytest.approx(capacity / 1e6,
                                                                         abs=5e-5)
    rate = sc.parameters["ukraine.recruit_rate"].central()
    assert model.defaults["ukraine.recruit_rate"] == pytest.approx(rate * 365.25 / 12 * 100,
                                                                   rel=1e-3)
    assert model.default_policies == list(sc.policies)[:2]


def test_out_of_range_values_are_reported_one_by_one(model: DashboardModel) -> None:
    with pytest.raises(LeverError) as err:
        model.validate({"united_states.mil_aid": -5,
                        "united_states.credibility_incumbent": 1.5, "europe.mil_aid": "lots"})
    problems = err.value.problems
    assert problems[0] == "US military aid must be between 0 and 200 USD bn/year; found -5"
    assert "US credibility in Moscow must be between 0 and 1" in problems[1]
    assert "European military aid: enter a number" in problems[2]
    with pytest.raises(LeverError, match="choose at least one policy"):
        model.update(policies=[])


def test_a_lever_moves_the_outcome_and_same_values_repeat(model: DashboardModel) -> None:
    base = model.update()
    again = model.update(dict(model.defaults))
    cut = model.update({"united_states.mil_aid": 0.0, "europe.mil_aid": 0.0})
    v = "russia.territory"
    np.testing.assert_array_equal(select(base.results.ds, v).values,
                                  select(again.results.ds, v).values)
    assert base.headline[0]["policy"] == "status_quo"
    assert cut.headline[0][v] > base.headline[0][v]
    assert cut.values["united_states.mil_aid"] == 0.0
    # the lever is fixed in every sample; the other parameters keep their draws
    ds = cut.results.ds
    assert np.all(select(ds, "param_united_states.mil_aid").values == 0.0)
    np.testing.assert_array_equal(select(ds, "param_ukraine.personnel0").values,
                                  select(base.results.ds, "param_ukraine.personnel0").values)
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
    before = app.numbers.text
    app.inputs["united_states.mil_aid"].value = 500.0
    assert app.message.visible
    assert "between 0 and 200 USD bn/year; found 500" in app.message.text
    assert app.numbers.text == before
    assert app.version == 1
    app.inputs["united_states.mil_aid"].value = 0.0
    assert not app.message.visible
    assert app.version == 2
    assert app.numbers.text != before
    app.variable.value = "ukraine.viability"
    assert app.fan_figure.layout.title.text.startswith("Ukraine — viability")
    app.variable.value = "ukraine.casualties_cum"
    assert app.fan_figure.layout.yaxis.title.text == "persons"
    assert app.fan_figure.layout.title.text.startswith(
        "Ukraine — military casualties since 1 December 2023")
    app.variable.value = "russia.inflation"
    assert app.fan_figure.layout.yaxis.title.text == "% a year"
    # shown in per cent a year: the fraction the model keeps, times 100
    median = app.fan_figure.data[4].y  # the first policy's median, after two bands of two edges
    q = app.state.quantiles["russia.inflation"]
    np.testing.assert_allclose(median, (100 * q[3, 0]).astype(np.float32))
    version = app.version
    app._on_reset(None)
    aid = "united_states.mil_aid"
    assert app.inputs[aid].value == model.defaults[aid]
    assert app.version == version + 1  # one update for all the levers
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
    ("united_states.mil_aid", "US military aid", "USD bn/year", 0.0, 200.0, 0.5, 1.0,
     "US military aid to Ukraine, before policy changes and events."),
    ("europe.mil_aid", "European military aid", "USD bn/year", 0.0, 200.0, 0.5, 1.0,
     "European military aid to Ukraine."),
    ("ukraine.aid_shell_capacity", "Western shell capacity", "M rounds/year", 0.0, 20.0, 0.05,
     1e-6,
     "Artillery shells a year that US and European industry can make for Ukraine at the "
     "start."),
    ("ukraine.recruit_rate", "Ukraine's mobilisation", "% of pool/month", 0.0, 5.0, 0.01,
     365.25 / 12 * 100, "Share of Ukraine's mobilisable men recruited each month."),
    ("united_states.credibility_incumbent", "US credibility in Moscow", "share, 0–1", 0.0,
     1.0, 0.05, 1.0, "How far Moscow trusts the current US administration to deliver a deal."),
    ("nato.escalation_rate", "Escalation hazard", "per year", 0.0, 10.0, 0.01, 1.0,
     "Hazard of a NATO–Russia war with NATO troops in Ukraine at full intensity."),
    ("russia.momentum_bias", "Moscow's momentum bias", "per year", -1.0, 1.0, 0.01, 1.0,
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
  red.shell_production:
    label: Red's shells
    unit: M rounds/year
    low: 0
    high: 50
    step: 0.5
    description: Red's munitions production.
  blue.reinforcement: {label: Blue's recruits, unit: persons/day, low: 0, high: 2000, step: 10}
"""


@pytest.fixture(scope="module")
def two_levers(tmp_path_factory: pytest.TempPathFactory) -> DashboardModel:
    path = _bench_with(tmp_path_factory.mktemp("levers"), TWO_LEVERS)
    return DashboardModel(str(path), n_samples=16, horizon=30, seed=5)


def test_levers_come_from_the_scenario_in_its_order(two_levers: DashboardModel) -> None:
    sc = two_levers.scenario
    assert [lv.param for lv in two_levers.levers] == ["red.shell_production",
                                                      "blue.reinforcement"]
    shells, recruits = two_levers.levers
    assert (shells.label, shells.unit, shells.low, shells.high, shells.step, shells.help) == (
        "Red's shells", "M rounds/year", 0.0, 50.0, 0.5, "Red's munitions production.")
    assert recruits.help == ""
    # the factors are the parameter table's: thousand rounds/week -> M rounds/year
    assert shells.factor == sc.table["red.shell_production"].factor_to("M rounds/year")
    assert shells.factor == pytest.approx(365.25 / 7 / 1000, rel=1e-14)
    assert recruits.factor == pytest.approx(1000 / 7, rel=1e-14)
    # each control starts at its parameter's central value, in the lever's unit, rounded
    assert two_levers.defaults == {"red.shell_production": 13.04,  # 250 k/week
                                   "blue.reinforcement": 428.6}  # 3 thousand persons/week


def test_lever_values_are_converted_to_the_file_unit(two_levers: DashboardModel) -> None:
    st = two_levers.update({"red.shell_production": 26.0, "blue.reinforcement": 1000.0})
    ds = st.results.ds
    # the parameter is fixed in every sample, in the file's unit
    np.testing.assert_allclose(select(ds, "param_red.shell_production").values,
                               26.0 * 1000 * 7 / 365.25, rtol=1e-14)
    np.testing.assert_allclose(select(ds, "param_blue.reinforcement").values, 7.0, rtol=1e-14)
    # the other uncertain parameters keep their draws
    base = two_levers.update()
    drawn = select(ds, "param_blue.effectiveness").values
    np.testing.assert_array_equal(drawn,
                                  select(base.results.ds, "param_blue.effectiveness").values)
    assert len(set(drawn.tolist())) == two_levers.n_samples


@settings(max_examples=50, deadline=None)
@given(x=st.floats(0.0, 50.0))
def test_a_lever_shows_what_it_states(two_levers: DashboardModel, x: float) -> None:
    shells = two_levers.levers[0]
    assert shells.shown(shells.stated(x)) == pytest.approx(x, rel=1e-14, abs=1e-300)


def test_a_lever_moves_its_sides_outcome(two_levers: DashboardModel) -> None:
    few = two_levers.update({"blue.reinforcement": 0.0}, claims=False)
    many = two_levers.update({"blue.reinforcement": 2000.0}, claims=False)
    blue = "blue.personnel"
    assert np.all(select(many.results.ds, blue).values[:, :, -1]
                  > select(few.results.ds, blue).values[:, :, -1])
    with pytest.raises(LeverError, match=r"^Blue's recruits must be between 0 and 2000 "
                                         r"persons/day; found 2500$"):
        two_levers.update({"blue.reinforcement": 2500})


def test_lanchester_bench_dashboard() -> None:
    model = DashboardModel("lanchester-bench", n_samples=8, horizon=20, seed=1)
    sc = model.scenario
    assert [lv.param for lv in model.levers] == list(sc.levers)
    assert {"blue.shell_production", "red.shell_production", "blue.reinforcement",
            "red.reinforcement"} <= set(sc.levers)
    for lv in model.levers:  # in the benchmark's own units: the factor is 1
        assert lv.factor == 1.0
        assert model.defaults[lv.param] == pytest.approx(sc.parameters[lv.param].central())
    base = model.update()
    cut = model.update({"red.shell_production": 0.0})
    assert base.policies == ["status_quo"]
    assert np.all(select(cut.results.ds, "param_red.shell_production").values == 0.0)
    ratio = "blue.combat_power_ratio"
    assert cut.headline[0][ratio] > base.headline[0][ratio]  # Red without shells


def test_a_scenario_without_levers_has_policies_and_charts(tmp_path: Path) -> None:
    from detente.dashboard._app import DashboardApp

    model = DashboardModel(str(_bench_with(tmp_path, "")), n_samples=8, horizon=12)
    assert model.scenario.levers == {}
    assert model.levers == []
    assert model.defaults == {}
    st = model.update()
    assert st.values == {}
    assert st.headline[0]["policy"] == "status_quo"
    with pytest.raises(LeverError, match=r"unknown lever 'red\.shell_production'"):
        model.update({"red.shell_production": 1.0})
    app = DashboardApp(model)
    assert app.inputs == {}
    assert app.version == 1
    html = "".join(str(getattr(o, "text", "")) for o in app.layout().children[0].children)
    assert "This scenario marks no levers" in html


def test_a_lever_of_a_scenario_made_in_python_is_checked() -> None:
    sc = load_scenario("lanchester-bench")
    lever = sc.levers["blue.reinforcement"]
    odd = sc.model_copy(update={"levers": {"no_such_parameter": lever}})
    with pytest.raises(InputError, match="scenario 'lanchester-bench' has no parameter "
                                         "'no_such_parameter'"):
        levers_of(odd)
    bad_unit = sc.model_copy(update={"levers": {
        "blue.reinforcement": lever.model_copy(update={"unit": "USD bn"})}})
    with pytest.raises(UnitError, match="cannot convert 'thousand persons/week' to 'USD bn'"):
        levers_of(bad_unit)


def test_the_dashboard_names_no_parameter() -> None:
    import detente.dashboard

    folder = Path(detente.dashboard.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py")))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    named = {p for name in builtin_names() for p in load_scenario(name).parameters} & words
    assert named == set()


# --------------------------------------------------------------------------- its words
def _menu(app: Any) -> list[str]:
    """The labels of the fan chart's menu."""
    return [label for _value, label in app.variable.options]


def _page_text(app: Any) -> str:
    """Everything the page shows as text: panes, the menu, the charts' titles and legends."""
    parts = [str(o.text) for o in (app.numbers, app.status, app.claims)]
    parts += _menu(app)
    parts += [str(o.text) for o in app.layout().children[1].children if hasattr(o, "text")]
    for fig in (app.fan_figure, app.settlement_figure):
        if fig is not None:
            parts.append(fig.to_json())
    return "\n".join(parts)


def test_the_bench_dashboard_speaks_of_its_own_sides() -> None:
    from detente.dashboard._app import DashboardApp

    model = DashboardModel("lanchester-bench", n_samples=8, horizon=20, seed=1)
    app = DashboardApp(model)
    text = _page_text(app)
    for word in ("Ukrain", "Russia", "NATO", "Kyiv", "Moscow"):
        assert word not in text, word
    assert "Blue, Red: <span data-testid='settings'>8 samples, seed 1, " in text
    assert "levers drawn from their distributions until a control is moved" in text
    assert "from 1 January 2024" in text
    assert "Blue — combat power over its enemy" in text  # the numbers and the menu
    labels = _menu(app)
    assert "Red — front-line personnel (persons)" in labels
    assert "Blue — military casualties since 1 January 2024 (persons)" in labels
    # the benchmark has no front line: its territory stays 0 and is not offered
    assert not any("territory" in label for label in labels)
    assert "blue.territory" not in app.numbers.text
    assert "data-testid='blue.combat_power_ratio-status_quo'" in app.numbers.text


def test_renamed_sides_rename_the_dashboard(tmp_path: Path) -> None:
    from detente.dashboard._app import DashboardApp

    text = builtin_path("lanchester-bench").read_text(encoding="utf-8")
    text = text.replace("{name: Blue,", "{name: Azure Republic,").replace(
        "2024-01-01", "1999-05-06")  # the start, and the day the war began
    path = tmp_path / "azure.yaml"
    path.write_text(text, encoding="utf-8")
    app = DashboardApp(DashboardModel(str(path), n_samples=8, horizon=12, seed=1))
    shown = _page_text(app)
    assert "Azure Republic — front-line personnel (persons)" in _menu(app)
    assert "Azure Republic — military casualties since 6 May 1999 (persons)" in shown
    assert "Blue —" not in shown


def test_lever_classes_are_one_css_class() -> None:
    from detente.dashboard._app import lever_class

    assert lever_class("blue.reinforcement") == "lever-blue-reinforcement"
    assert lever_class("mil_force_floor") == "lever-mil_force_floor"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", lever_class("united_states.mil_aid"))


def test_at_their_defaults_the_levers_keep_their_distributions(
        two_levers: DashboardModel) -> None:
    """As every command runs them: a lever at its start is drawn, moved it is set."""
    import detente as dt

    base = two_levers.update(claims=False)
    assert two_levers.drawn(base.values) == ["red.shell_production", "blue.reinforcement"]
    plain = dt.simulate(two_levers.scenario, n_samples=two_levers.n_samples, seed=5,
                        horizon=two_levers.horizon, policies=base.policies,
                        record=["blue.personnel"])
    for lever in ("red.shell_production", "blue.reinforcement"):
        drawn = select(base.results.ds, f"param_{lever}").values
        assert len(set(drawn.tolist())) == two_levers.n_samples  # not one value
    # the same ensemble as the library's (and the command line's) at the same settings
    np.testing.assert_array_equal(select(base.results.ds, "blue.personnel").values,
                                  select(plain.ds, "blue.personnel").values)
    moved = two_levers.update({"blue.reinforcement": 1000.0}, claims=False)
    assert two_levers.drawn(moved.values) == ["red.shell_production"]
    from detente.dashboard._views import Views

    assert "set: Blue's recruits; the other levers drawn" in Views(two_levers).status(moved, 1)


def test_the_numbers_show_their_monte_carlo_error(two_levers: DashboardModel) -> None:
    from detente.dashboard import mc_error, median_error
    from detente.dashboard._views import Views

    st_ = two_levers.update(claims=False)
    row = st_.headline[0]
    name = two_levers.headline_variables[0]
    values = select(st_.results.ds, name).values[0, :, -1]
    assert row[f"{name}_se"] == median_error(values) > 0
    html = Views(two_levers).numbers(st_)
    assert html.count("± ") >= len(st_.headline)
    assert f"{two_levers.n_samples:,} samples per policy" in html
    # a share's error never claims exactness, and shrinks as 1/sqrt(n)
    assert mc_error(0.0, 100) > 0
    assert mc_error(0.3, 400) == pytest.approx(mc_error(0.3, 100) / 2, rel=0.05)


@pytest.mark.parametrize("n", [100, 333, 1000])
def test_a_medians_stated_error_is_the_spread_of_medians_between_ensembles(n: int) -> None:
    """Over 400 ensembles of skewed draws, the stated error is what the medians scatter by."""
    from detente.dashboard import median_error

    draws = np.random.default_rng(n).lognormal(0.0, 0.8, size=(400, n))
    medians = np.median(draws, axis=1)
    stated = np.array([median_error(x) for x in draws])
    assert np.mean(stated) == pytest.approx(np.std(medians, ddof=1), rel=0.15)
