"""``detente calibrate`` end to end: ABC-SMC on a tiny run, the tables, JSON, bad options."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from detente.engine import simulate
from detente.scenario import builtin_path, load_scenario

TRUE = {"blue.reinforcement": 4.2, "red.reinforcement": 2.0}
PARAMS = ",".join(TRUE)
TINY = ["--population", "60", "--generations", "3", "--samples", "200"]


@pytest.fixture
def files(tmp_path):
    """A copy of lanchester-bench and observations of its two forces from known values."""
    src = tmp_path / "bench.yaml"
    src.write_bytes(builtin_path("lanchester-bench").read_bytes())
    sc = load_scenario(src)
    ds = simulate(sc, n_samples=1, seed=0, record=["blue.personnel", "red.personnel"],
                  horizon=40, samples={k: [v] for k, v in TRUE.items()})
    rows = ["date,variable,value"]
    for var in ("blue.personnel", "red.personnel"):
        for k in (10, 20, 30, 40):
            day = sc.time.start + dt.timedelta(days=7 * k)
            rows.append(f"{day},{var},{float(ds[var].isel(policy=0, sample=0, time=k))!r}")
    obs = tmp_path / "obs.csv"
    obs.write_text("\n".join(rows) + "\n")
    return src, obs


def test_smc_end_to_end_prints_the_diagnostics_and_writes_the_scenario(invoke, files,
                                                                      tmp_path):
    src, obs = files
    before = src.read_text()
    out = tmp_path / "cal.yaml"
    r = invoke("calibrate", str(src), "--observed", str(obs), "--params", PARAMS,
               "--method", "smc", *TINY, "-o", str(out))
    assert r.code == 0, r.stderr
    text = r.stdout
    assert "by ABC-SMC: 60 particles" in text
    assert "generations" in text
    assert "effective sample size" in text
    assert "80 % band coverage of the observations" in text
    assert f"wrote {out}" in text
    for p in TRUE:
        assert p in text
    cal = load_scenario(out)
    assert cal.name == "lanchester-bench-calibrated"
    assert cal.draws is not None
    assert cal.draws.n_rows == 60
    assert "ABC-SMC (ELFI; 3 generations of 60 particles" in cal.parameters[
        "blue.reinforcement"].note
    assert "Generations (threshold, acceptance, effective sample size): 1:" in cal.description
    assert src.read_text() == before  # the source is read, never written
    # the output keeps the source's comments
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in out.read_text().splitlines()
            if line.lstrip().startswith("#")] == comments


def test_json_holds_every_generation(invoke, files, tmp_path):
    src, obs = files
    r = invoke("calibrate", str(src), "--observed", str(obs), "--params", PARAMS, *TINY,
               "-o", str(tmp_path / "cal.yaml"), "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["method"] == "smc"
    gens = data["diagnostics"]["generations"]
    assert [g["generation"] for g in gens] == [0, 1, 2]
    assert sum(g["n_sim"] for g in gens) + 200 == data["diagnostics"]["simulations"]
    assert data["diagnostics"]["engine_calls"] < 60
    assert data["n_accepted"] == 60
    assert data["posterior"].endswith("cal.posterior.csv")


def test_from_an_origin_before_the_start(invoke, files, tmp_path):
    src, obs = files
    text = src.read_text().replace("start: 2024-01-01,", "start: 2024-05-06,")
    late = tmp_path / "late.yaml"
    late.write_text(text)
    r = invoke("calibrate", str(late), "--observed", str(obs), "--params", PARAMS, *TINY,
               "--from", "2024-03-11", "-o", str(tmp_path / "late-cal.yaml"), "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["diagnostics"]["origin"] == "2024-03-11"
    assert load_scenario(tmp_path / "late-cal.yaml").time.start == dt.date(2024, 5, 6)


@pytest.mark.parametrize(("args", "message"), [
    (["--method", "mcmc"], "--method must be smc or rejection, found 'mcmc'"),
    (["--population", "0"], "--population must be a positive integer, found 0"),
    (["--generations", "0"], "--generations must be a positive integer, found 0"),
    (["--from", "2024-1-5x"], "--from: expected a date YYYY-MM-DD or a month YYYY-MM"),
    (["--from", "2024-01..2024-03"], "--from expects one date"),
    (["--params", "blue.reinforcment"], "Did you mean 'blue.reinforcement'"),
])
def test_bad_input_exits_2_with_a_message(invoke, files, tmp_path, args, message):
    src, obs = files
    r = invoke("calibrate", str(src), "--observed", str(obs), "--params", PARAMS, *TINY,
               "-o", str(tmp_path / "x.yaml"), *args)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_without_observations_a_scenario_needs_a_bundled_record(invoke, files, tmp_path):
    src, _ = files
    r = invoke("calibrate", str(src), "--params", PARAMS, "-o", str(tmp_path / "x.yaml"))
    assert r.code == 2
    assert "has no bundled record" in " ".join(r.stderr.split())
