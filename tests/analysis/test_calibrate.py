"""Calibration by ABC rejection: narrowing, the written scenario, errors (both methods)."""

from __future__ import annotations

import datetime as dt
import difflib
import json

import numpy as np
import pytest

from detente.analysis import Calibrator, Observations
from detente.engine import simulate
from detente.errors import InputError
from detente.results.schema import param_var
from detente.scenario import builtin_path, load_scenario

TRUE = {"blue.reinforcement": 4.2, "red.effectiveness": 0.0035}  # file units (per week)
VARS = ["blue.personnel", "red.personnel"]
WEEKS = (8, 16, 26, 39, 52)
NARROWING = 0.5  # accepted sd below half the prior sd


def _observations(sc) -> Observations:
    ds = simulate(sc, n_samples=1, seed=0, record=VARS, horizon=max(WEEKS),
                  samples={k: [v] for k, v in TRUE.items()})
    start = sc.time.start
    return Observations.from_records(
        [(start + dt.timedelta(days=7 * k), var,
          float(ds[var].isel(policy=0, sample=0, time=k).values))
         for var in VARS for k in WEEKS], name="obs.csv")


def _write(obs: Observations, path):
    path.write_text("date,variable,value\n" + "".join(
        f"{d},{v},{float(x)!r}\n" for d, v, x in zip(obs.dates, obs.variables, obs.values,
                                              strict=True)))
    return path


def test_abc_narrows_towards_the_truth_and_writes_a_loadable_scenario(
        bench_small, write_yaml, tmp_path):
    sc = load_scenario(write_yaml(bench_small))
    obs = _observations(sc)
    cal = Calibrator(list(TRUE), method="rejection", n_samples=6000, accept=0.01,
                     seed=1).fit(sc, obs)
    post = cal.posterior_.set_index("param")
    for p, v in TRUE.items():
        row = post.loc[p]
        assert row["accepted_sd"] < NARROWING * row["prior_sd"], p
        assert row["accepted_q05"] <= v <= row["accepted_q95"], p
    assert cal.fit_["distance_accepted_median"] < cal.fit_["distance_prior_median"]
    out = cal.write(tmp_path / "calibrated.yaml")
    again = load_scenario(out)
    assert again.name == "lanchester-bench-calibrated"
    assert "Calibrated with detente calibrate" in again.description
    for p in TRUE:
        par = again.parameters[p]
        assert par.dist is not None
        assert par.dist.dist == "truncnormal"
        assert par.dist.low == sc.parameters[p].dist.low  # prior support kept
        assert "ABC rejection" in par.note
        assert "obs.csv" in par.note
    untouched = [k for k in sc.parameters if k not in TRUE]
    assert all(again.parameters[k] == sc.parameters[k] for k in untouched)
    assert set(again.policies) == set(sc.policies)


def test_calibrate_cli_writes_file_and_leaves_builtin_alone(tmp_path, cli):
    before = builtin_path("lanchester-bench").read_bytes()
    sc = load_scenario("lanchester-bench")
    obs = _write(_observations(sc), tmp_path / "obs.csv")
    out = tmp_path / "cal.yaml"
    r = cli("calibrate", "lanchester-bench", "--observed", str(obs), "--params",
            "blue.reinforcement,red.reinforcement", "-o", str(out), "--samples", "400",
            "--method", "rejection", "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["n_accepted"] == 40
    assert set(data["params"]) == {"blue.reinforcement",
                                                                "red.reinforcement"}
    assert out.exists()
    assert load_scenario(out).name == "lanchester-bench-calibrated"
    assert builtin_path("lanchester-bench").read_bytes() == before
    r = cli("validate", str(out))
    assert r.code == 0, r.stderr


@pytest.mark.parametrize(("params", "message"), [
    ("blue.reinforcment", "Did you mean 'blue.reinforcement'"),
    ("blue.personnel0", "has a fixed value"),
])
def test_bad_parameters_are_input_errors(params, message):
    sc = load_scenario("lanchester-bench")
    obs = Observations.from_records([(sc.time.start + dt.timedelta(days=70),
                                      "blue.personnel", 400_000.0)])
    with pytest.raises(InputError, match=message):
        Calibrator([params], n_samples=200).fit(sc, obs)


def test_observations_before_start_exit_2(tmp_path, cli):
    obs = tmp_path / "obs.csv"
    obs.write_text("date,variable,value\n2022-06-01,blue.personnel,400000\n")
    r = cli("calibrate", "lanchester-bench", "--observed", str(obs), "--params",
            "blue.reinforcement", "-o", str(tmp_path / "x.yaml"), "--samples", "200")
    assert r.code == 2
    assert "Traceback" not in r.stderr
    assert "before the scenario's start" in " ".join(r.stderr.split())
    assert not (tmp_path / "x.yaml").exists()


def test_too_few_accepted_is_an_input_error():
    sc = load_scenario("lanchester-bench")
    with pytest.raises(InputError, match="accepted samples"):
        Calibrator(["blue.reinforcement"], method="rejection", n_samples=100,
                   accept=0.1).fit(sc, "unused.csv")


def test_a_parameter_at_its_default_has_a_fixed_value():
    sc = load_scenario("lanchester-bench")
    name = sorted(sc.table.defaults)[0]  # a module parameter the file leaves out
    obs = Observations.from_records([(sc.time.start + dt.timedelta(days=70),
                                      "blue.personnel", 400_000.0)])
    with pytest.raises(InputError, match=f"'{name}' has a fixed value"):
        Calibrator([name], n_samples=200).fit(sc, obs)


def _calibrate_copy(tmp_path, params, **kw):
    src = tmp_path / "bench.yaml"
    src.write_bytes(builtin_path("lanchester-bench").read_bytes())
    obs = _observations(load_scenario(src))
    cal = Calibrator(params, method="rejection", n_samples=kw.pop("n_samples", 1000),
                     accept=0.05, seed=2, **kw).fit(str(src), obs)
    return src, cal


def test_the_written_file_differs_only_in_the_calibrated_lines(tmp_path):
    params = ["blue.reinforcement", "red.effectiveness"]
    src, cal = _calibrate_copy(tmp_path, params)
    out = cal.write(tmp_path / "cal.yaml")
    before = src.read_text().splitlines()
    after = out.read_text().splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    removed = [line[1:] for line in changed if line.startswith("-")]
    assert sorted(removed) == sorted(
        line for line in before
        if line.startswith(("name:", *(f"  {p}: {{dist" for p in params))))
    added = [line[1:] for line in changed if line.startswith("+")]
    assert sum(line.startswith("posterior: {file: cal.posterior.csv") for line in added) == 1
    assert [line for line in added if line.strip() and not line.startswith(
        ("name:", "posterior:", "  Calibrated with", *(f"  {p}:" for p in params)))
        and not line.startswith("  ")] == []
    comments = [line for line in before if line.lstrip().startswith("#")]
    assert comments
    assert [line for line in after if line.lstrip().startswith("#")] == comments
    again = load_scenario(out)
    assert again.name == "lanchester-bench-calibrated"
    assert again.description.startswith(load_scenario(src).description + "\n\n")
    assert again.draws is not None
    assert again.draws.columns == tuple(params)
    np.testing.assert_array_equal(again.draws.column(params[0]),
                                  cal.posterior_samples_[params[0]].to_numpy())
    np.testing.assert_allclose(again.draws.weights, cal.weights_, rtol=1e-12)
    assert "marginal summary" in again.parameters[params[0]].note


def test_a_scenario_calibrated_in_place_keeps_its_name(tmp_path):
    params = ["blue.reinforcement", "red.effectiveness"]
    src, cal = _calibrate_copy(tmp_path, params)
    name = load_scenario(src).name
    out = cal.write(src)
    assert out == src
    again = load_scenario(out)
    assert again.name == name  # a built-in calibrated in place is still loaded by its name
    assert again.posterior is not None
    assert again.posterior.file == f"{src.stem}.posterior.csv"
    assert (tmp_path / again.posterior.file).is_file()


def test_a_calibrated_scenario_draws_the_accepted_samples_jointly(tmp_path):
    params = ["blue.reinforcement", "red.effectiveness"]
    _src, cal = _calibrate_copy(tmp_path, params)
    again = load_scenario(cal.write(tmp_path / "cal.yaml"))
    res = simulate(again, n_samples=500, seed=0, record=[], horizon=2)
    drawn = set(zip(*(res[param_var(p)].values.tolist() for p in params), strict=True))
    table = set(zip(*(cal.posterior_samples_[p].tolist() for p in params), strict=True))
    assert drawn <= table  # whole rows, correlations and all
    assert len(drawn) > len(table) // 2


def test_a_posterior_piled_on_a_prior_bound_is_warned_of(bench_small, write_yaml, tmp_path):
    # the truth lies at the top of blue.reinforcement's prior (uniform 1..5)
    bench_small["parameters"]["blue.reinforcement"]["high"] = 4.25
    sc = load_scenario(write_yaml(bench_small))
    cal = Calibrator(list(TRUE), method="rejection", n_samples=2000, accept=0.02,
                     seed=1).fit(sc, _observations(sc))
    assert any(w.startswith("blue.reinforcement:") and "highest 5%" in w
               for w in cal.warnings_), cal.warnings_
    assert not any(w.startswith("red.effectiveness:") for w in cal.warnings_)
    assert cal.to_dict()["warnings"] == list(cal.warnings_)


def test_a_scenario_with_actors_calibrates_and_writes_a_loadable_file(tmp_path):
    """The actors' distributions are written as the file states them (no unset fields):
    writing them with every field made the written scenario fail to load."""
    sc = load_scenario("ukraine-2023")
    assert sc.actors
    obs = Observations.from_records(
        [(dt.date(2023, 12, 29), "russia.territory", 108_000.0)], name="obs.csv")
    cal = Calibrator(["mil_ground_price"], method="rejection", n_samples=40, accept=0.5,
                     seed=0).fit(sc, obs)
    again = load_scenario(cal.write(tmp_path / "cal.yaml"))
    assert again.actors == sc.actors
    assert again.parameters["mil_ground_price"].dist.dist == "truncnormal"
