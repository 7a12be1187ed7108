"""Backtests: scores, calibration against the scenario's own draws, policy paths, errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from detente.analysis import Backtest, Observations, output_variables
from detente.analysis.backtest import ensemble_at, score_points
from detente.engine import simulate
from detente.errors import DataError, InputError
from detente.scenario import load_scenario

VARS = ["blue.personnel", "red.personnel", "blue.shells", "red.shells"]
WEEKS = (10, 30, 52)
HORIZON = 60
N_TRUTHS = 60
LEVELS = {"50": 0.5, "80": 0.8, "95": 0.95}
COVERAGE_TOL = 0.1  # absolute, on each level, pooled over variables and truths
DOCS = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.fixture(scope="module")
def bench():
    return load_scenario("lanchester-bench")


def _obs(res, sample: int, start: dt.date, name: str = "<obs>") -> Observations:
    recs = [(start + dt.timedelta(days=7 * k), var,
             float(res[var].isel(policy=0, sample=sample, time=k).values))
            for var in VARS for k in WEEKS]
    return Observations.from_records(recs, name=name)


def _write_obs(obs: Observations, path: Path) -> Path:
    lines = ["date,variable,value,source"] + [
        f"{d},{v},{float(x)!r},{s}" for d, v, x, s in
        zip(obs.dates, obs.variables, obs.values, obs.sources, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


NOTHING = Observations("<none>", (), (), np.array([]))


def test_scenario_backtested_against_its_own_draws_is_calibrated(bench):
    truth = simulate(bench, n_samples=N_TRUTHS, seed=99, record=VARS, horizon=HORIZON)
    forecast = simulate(bench, n_samples=400, seed=1, record=VARS, horizon=HORIZON)
    start = bench.time.start
    ens = ensemble_at(forecast, _obs(truth, 0, start), "status_quo")
    cov: dict[str, list[float]] = {k: [] for k in LEVELS}
    pits = []
    for j in range(N_TRUTHS):
        scores, table = score_points(ens, _obs(truth, j, start), NOTHING, origin=start, seed=j)
        for k in LEVELS:
            cov[k] += [scores[v]["coverage"][k]["share"] for v in VARS]
        pits.append(table["pit"].to_numpy())
    for k, level in LEVELS.items():
        assert np.mean(cov[k]) == pytest.approx(level, abs=COVERAGE_TOL), k
    counts, _ = np.histogram(np.concatenate(pits), bins=5, range=(0, 1))
    assert counts.min() > 0.5 * counts.mean()  # roughly flat PIT


def test_backtest_cli_json_and_policy_path(bench, tmp_path, cli):
    truth = simulate(bench, n_samples=1, seed=5, record=VARS, horizon=HORIZON)
    path = _write_obs(_obs(truth, 0, bench.time.start), tmp_path / "obs.csv")
    r = cli("backtest", "lanchester-bench", "--observed", str(path), "--samples", "200",
            "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert {"variables", "points", "excluded", "policy", "levels"} <= set(data)
    assert set(data["variables"]) == set(VARS)
    for entry in data["variables"].values():
        assert {"kind", "n", "n_eff", "coverage", "crps", "baselines", "pit_hist",
                "sources"} <= set(entry)
        assert set(entry["coverage"]) == {"50", "80", "95"}
        assert entry["n"] == len(WEEKS)
    assert len(data["points"]) == len(VARS) * len(WEEKS)
    when = bench.time.start + dt.timedelta(days=7 * 20)
    overlay = {"description": "Red's production stops", "events": {"halt": {
        "date": when.isoformat(), "changes": [{"param": "red.shell_production", "value": 0}]}}}
    pp = tmp_path / "actual.yaml"
    pp.write_text(yaml.safe_dump(overlay))
    table = cli("backtest", "lanchester-bench", "--observed", str(path), "--samples", "200",
                "--policy-path", str(pp))
    assert table.code == 0, table.stderr
    assert "'actual'" in table.stdout
    assert "red.shells" in table.stdout
    bt = Backtest(n_samples=200).fit(bench, path, pp)
    base = Backtest(n_samples=200).fit(bench, path)
    assert bt.policy_ == "actual"
    assert base.policy_ == "status_quo"
    late = bt.table_["variable"].eq("red.shells") & (bt.table_["date"] > when)
    assert (bt.table_.loc[late, "median"] < base.table_.loc[late, "median"]).all()


BAD_OBS = {
    "unknown_variable": ("date,variable,value\n2024-03-01,blue.personel,1\n",
                         ":2: column 'variable': unknown variable 'blue.personel'",
                         "Did you mean 'blue.personnel'?"),
    "nothing_after_start": ("date,variable,value\n2023-03-01,blue.personnel,1\n"
                            "2024-01-01,blue.personnel,1\n",
                            "no observation after the scenario's start 2024-01-01 to score",
                            "(1 on the start, 1 before it"),
    "same_source_twice": ("date,variable,value,source\n2024-03-01,blue.personnel,1,a\n"
                          "2024-03-01,blue.personnel,2,a\n",
                          ":3: dates of 'blue.personnel' from source 'a' must increase",
                          "Sort by variable, source and date"),
    "two_unnamed_sources": ("date,variable,value\n2024-03-01,blue.personnel,1\n"
                            "2024-03-01,blue.personnel,2\n",
                            ":3: dates of 'blue.personnel' must increase strictly",
                            "name each in a 'source' column"),
    "non_monotone": ("date,variable,value\n2024-03-01,blue.personnel,1\n"
                     "2024-02-01,blue.personnel,1\n", ":3: dates of 'blue.personnel' must increase",
                     "after 2024-03-01"),
    "missing_column": ("date,var,value\n2024-03-01,blue.personnel,1\n",
                       "missing column 'variable'", "Did you mean"),
    "bad_value": ("date,variable,value\n2024-03-01,blue.personnel,\n",
                  ":2: column 'value': expected a number", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_OBS))
def test_bad_observations_exit_2(case, tmp_path, cli):
    text, first, second = BAD_OBS[case]
    path = tmp_path / "obs.csv"
    path.write_text(text)
    r = cli("backtest", "lanchester-bench", "--observed", str(path), "--samples", "50")
    assert r.code == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    msg = " ".join(r.stderr.split())
    assert "obs.csv" in msg
    assert first in msg
    assert second in msg


def test_bad_policy_path_exits_2(tmp_path, cli):
    obs = tmp_path / "obs.csv"
    obs.write_text("date,variable,value\n2024-03-01,blue.personnel,400000\n")
    pp = tmp_path / "pp.yaml"
    pp.write_text(yaml.safe_dump({"changes": [{"param": "red.shell_prodution", "scale": 0.5}]}))
    r = cli("backtest", "lanchester-bench", "--observed", str(obs), "--policy-path", str(pp))
    assert r.code == 2
    assert "Traceback" not in r.stderr
    assert "Did you mean 'red.shell_production'" in " ".join(r.stderr.split())


def test_python_api_errors(bench):
    obs = Observations.from_records([(dt.date(2024, 3, 1), "viability", 0.5)])
    with pytest.raises(DataError, match="unknown variable 'viability'"):
        Backtest(n_samples=10).fit(bench, obs)  # not an output of the military module
    with pytest.raises(InputError, match="levels"):
        Backtest(levels=(0.5, 80)).fit(bench, obs)


def test_observations_name_the_outputs_of_the_scenario_s_own_sides(bench):
    variables = output_variables(bench)
    assert {"blue.personnel", "red.personnel", "red.territory"} <= set(variables)
    assert variables == output_variables("lanchester-bench")
    assert variables["red.shells"].owner == "red"
    assert "Red" in variables["red.shells"].description
    assert not any(v.startswith("<") for v in variables)
    with pytest.raises(DataError, match=r"unknown variable 'green\.personnel'.*'red\.personnel'"):
        Backtest(n_samples=10).fit(bench, Observations.from_records(
            [(dt.date(2024, 3, 1), "green.personnel", 1.0)]))


def test_every_output_is_listed_once_for_any_cast():
    from detente.analysis import variables_markdown

    variables = output_variables()
    assert variables["<side>.personnel"].unit == "persons"
    assert "war_intensity" in variables or "escalated" in variables
    assert not [v for v in variables if v.startswith(("blue.", "red."))]
    table = variables_markdown()
    assert "| military | `<side>.personnel` | persons | The side's" in table
    assert "{owner}" not in table


def test_output_variables_are_documented():
    text = DOCS.read_text()
    missing = [v for v in output_variables() if f"`{v}`" not in text]
    assert not missing, f"docs/validation.md lacks {missing}; regenerate its table"



def test_a_policy_path_keeps_the_scenario_s_posterior_draws():
    # a calibrated scenario samples its calibrated parameters jointly from the draws beside
    # its file; adding what happened as a policy must not lose them (nor their file's place)
    from detente.analysis.backtest import with_policy
    from detente.scenario.schema import Policy

    sc = load_scenario("korea-1951")
    assert sc.draws is not None
    path = with_policy(sc, Policy.model_validate({"description": "what happened"}))
    assert path.draws is not None
    assert path.draws.columns == sc.draws.columns
    np.testing.assert_array_equal(path.draws.values, sc.draws.values)
    assert set(path.policies) == {*sc.policies, "actual"}
    simulate(path, n_samples=8, seed=1, policies=["actual"])  # reads the draws it carries
