"""``detente negotiate`` as a user meets it: the tables, JSON, the plot, the coupled copy."""

from __future__ import annotations

import json

import pytest

from cli_runner import run_cli


@pytest.fixture(scope="module")
def tables():
    r = run_cli("negotiate", "ukraine-2023", "-n", "60", "--rounds", "4")
    assert r.code == 0, r.stderr
    return r.stdout


def test_the_tables_show_each_model_per_issue_with_bands_and_the_exchanges(tables):
    assert "negotiation forecasts (60 samples, seed 0, 4 rounds" in tables
    for head in ("weighted mean", "weighted median", "expected utility", "exchange"):
        assert head in tables
    for issue in ("territory", "alignment", "guarantees", "sanctions", "security_order",
                  "armed_forces"):
        assert issue in tables
    assert "exchanges made" in tables
    assert "who moves" in tables
    assert "Kyiv's hardliners" in tables


def test_json_holds_every_model_the_exchanges_and_the_terms():
    r = run_cli("negotiate", "ukraine-2023", "-n", "40", "--rounds", "3", "--rule", "nash",
                "--formulation", "scholz_code", "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["meta"]["rule"] == "nash"
    assert data["meta"]["formulation"] == "scholz_code"
    assert data["meta"]["n_samples"] == 40
    assert set(data["models"]) == {"baseline_mean", "baseline_median", "expected_utility",
                                   "exchange"}
    terr = data["models"]["exchange"]["issues"]["territory"]
    assert terr["low"] <= terr["median"] <= terr["high"]
    assert data["exchanges"]
    assert {"actor_i", "actor_j", "issue_i", "issue_j",
                                  "share"} <= set(data["exchanges"][0])
    assert set(data["terms"]["expected_utility"]["territory"]) == {
        "claimed_line", "current_line", "partial_return", "pre_war_line"}


def test_the_plot_and_the_coupled_scenario_are_written(tmp_path):
    plot, coupled = tmp_path / "rounds.html", tmp_path / "coupled.yaml"
    r = run_cli("negotiate", "ukraine-2023", "-n", "30", "--rounds", "2", "--plot", str(plot),
                "--coupled", str(coupled), "--json")
    assert r.code == 0, r.stderr
    assert "Positions over rounds" in plot.read_text()
    assert f"wrote {coupled}" in r.stderr
    v = run_cli("validate", str(coupled))
    assert v.code == 0, v.stderr + v.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("lanchester-bench",), "declares no actors"),
    (("ukraine-2023", "--rule", "fair"), "--rule expects one of equal_gain, nash"),
    (("ukraine-2023", "--formulation", "paper"),
     "--formulation expects one of equations, scholz_code, found 'paper'"),
    (("ukraine-2023", "--rounds", "-1"), "--rounds expects a whole number >= 0"),
    (("ukraine-2023", "--plot", "x.png"), "--plot x.png: expected a file ending in .html"),
    (("ukraine-2023", "--plot-model", "median"), "--plot-model expects expected_utility"),
])
def test_bad_input_exits_2_with_a_message(args, message):
    r = run_cli("negotiate", *args, "-n", "10")
    assert r.code == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr
