"""Calibration by batch ABC-SMC with ELFI: recovery, batches, seeds, bounds, origins, errors."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pytest

import detente.engine
from detente.analysis import Calibrator, Observations
from detente.engine import simulate
from detente.errors import DataError, InputError, MissingDependencyError
from detente.scenario import load_scenario

TRUE = {"blue.reinforcement": 4.2, "red.reinforcement": 2.0}  # thousand persons per week
VARS = ["blue.personnel", "red.personnel"]
WEEKS = (8, 16, 26, 39, 52)
SMALL = {"population": 200, "generations": 4, "n_samples": 400}


def _truth(sc):
    return simulate(sc, n_samples=1, seed=0, record=VARS, horizon=max(WEEKS),
                    samples={k: [v] for k, v in TRUE.items()})


def _observations(sc, weeks=WEEKS) -> Observations:
    ds = _truth(sc)
    start = sc.time.start
    return Observations.from_records(
        [(start + dt.timedelta(days=7 * k), var,
          float(ds[var].isel(policy=0, sample=0, time=k).values))
         for var in VARS for k in weeks], name="obs.csv")


@pytest.fixture
def bench_pair(bench_small):
    """lanchester-bench with only both sides' reinforcement uncertain (each identified by
    its own side's series)."""
    pars = bench_small["parameters"]
    pars["red.reinforcement"] = {"dist": "uniform", "low": 1.0, "high": 5.0,
                                 "unit": "thousand persons/week", "source": "ref:bench"}
    pars["red.effectiveness"] = {"value": 0.005, "unit": "1/week", "source": "ref:bench"}
    return bench_small


@pytest.fixture
def bench(bench_pair, write_yaml):
    return load_scenario(write_yaml(bench_pair))


def test_smc_recovers_known_parameters(bench):
    cal = Calibrator(list(TRUE), seed=3, **SMALL).fit(bench, _observations(bench))
    assert cal.method_ == "smc"
    post = cal.posterior_.set_index("param")
    for p, v in TRUE.items():
        row = post.loc[p]
        assert row["accepted_q05"] <= v <= row["accepted_q95"], p
        assert row["accepted_sd"] < 0.5 * row["prior_sd"], p
    assert cal.fit_["distance_accepted_median"] < 0.5 * cal.fit_["distance_prior_median"]
    assert len(cal.posterior_samples_) == SMALL["population"]
    assert cal.weights_.sum() == pytest.approx(1.0)
    assert cal.warnings_ == ()


def test_each_batch_is_one_engine_run(bench, monkeypatch):
    sizes: list[int] = []
    real = detente.engine.simulate

    def counted(*args, **kwargs):
        sizes.append(kwargs["n_samples"])
        return real(*args, **kwargs)

    monkeypatch.setattr(detente.engine, "simulate", counted)
    cal = Calibrator(list(TRUE), seed=3, batch_size=100, **SMALL).fit(
        bench, _observations(bench))
    assert len(sizes) == cal.engine_calls_
    assert sizes[0] == SMALL["n_samples"]  # the pilot
    assert set(sizes[1:]) == {100}  # every batch whole, in one run
    assert sum(sizes) == cal.n_sim_
    assert cal.engine_calls_ < SMALL["population"]  # never one run per particle
    assert sum(g.n_sim for g in cal.generations_) == cal.n_sim_ - SMALL["n_samples"]


def test_the_same_seed_gives_the_same_posterior(bench):
    obs = _observations(bench)
    small = {**SMALL, "generations": 3}
    a = Calibrator(list(TRUE), seed=11, **small).fit(bench, obs)
    b = Calibrator(list(TRUE), seed=11, **small).fit(bench, obs)
    np.testing.assert_array_equal(a.posterior_samples_.to_numpy(),
                                  b.posterior_samples_.to_numpy())
    np.testing.assert_array_equal(a.weights_, b.weights_)
    assert [g.threshold for g in a.generations_] == [g.threshold for g in b.generations_]
    c = Calibrator(list(TRUE), seed=12, **small).fit(bench, obs)
    assert not np.array_equal(a.posterior_samples_.to_numpy(),
                              c.posterior_samples_.to_numpy())


def test_generations_narrow_the_threshold_and_are_reported(bench):
    cal = Calibrator(list(TRUE), seed=3, **SMALL).fit(bench, _observations(bench))
    gens = cal.generations_
    assert len(gens) == SMALL["generations"]
    thresholds = [g.threshold for g in gens]
    assert thresholds == sorted(thresholds, reverse=True)
    assert thresholds[-1] < thresholds[0]
    assert gens[0].accept_rate == pytest.approx(0.5)  # the first keeps half its draws
    for g in gens:
        assert 0 < g.ess <= SMALL["population"] + 1e-9
        assert g.n_sim >= SMALL["population"]
    d = cal.to_dict()
    assert d["method"] == "smc"
    assert [g["threshold"] for g in d["diagnostics"]["generations"]] == thresholds
    assert d["diagnostics"]["simulations"] == cal.n_sim_
    assert d["diagnostics"]["coverage"]["posterior"] == cal.fit_["coverage_accepted"]
    assert d["n_accepted"] == SMALL["population"]


def test_a_lower_bound_counts_only_when_the_model_is_below_it(bench):
    # only a lower bound on red's personnel at week 26: the truth's value
    ds = _truth(bench)
    start = bench.time.start
    bound = float(ds["red.personnel"].isel(policy=0, sample=0, time=26).values)
    obs = Observations.from_records(
        [(start + dt.timedelta(days=7 * 26), "red.personnel", bound)], name="bound.csv",
        low=[bound])
    cal = Calibrator(list(TRUE), seed=5, **{**SMALL, "generations": 3}).fit(bench, obs)
    prior_below = np.mean(cal.results_["red.personnel"].isel(policy=0, time=26).values
                          < bound)
    assert 0.2 < prior_below < 0.8  # the bound cuts the prior
    assert cal.threshold_ == 0.0  # above the bound nothing is missed
    assert cal.particle_distance_.max() == 0.0
    # every posterior particle's red personnel lies at or above the bound
    sims = detente.engine.simulate(bench, n_samples=len(cal.posterior_samples_), seed=0,
                                   record=["red.personnel"], horizon=26,
                                   samples={p: cal.posterior_samples_[p].to_numpy()
                                            for p in TRUE})
    at = sims["red.personnel"].isel(policy=0, time=26).values
    assert np.all(at >= bound * (1 - 1e-9))


def test_an_sd_makes_a_source_count_less(bench):
    obs = _observations(bench)
    n = len(obs)
    # a second source claims red's personnel 20 % lower, with a wide sd
    recs = [*zip(obs.dates, obs.variables, obs.values, obs.sources, strict=True),
            *((d, v, 0.8 * x, "claims") for d, v, x in
              zip(obs.dates, obs.variables, obs.values, strict=True) if v == "red.personnel")]
    extra = len(recs) - n
    claimed = [float(r[2]) for r in recs[n:]]
    wide = Observations.from_records(recs, name="two-sources.csv",
                                     sd=[np.nan] * n + [0.5 * c for c in claimed])
    plain = Observations.from_records(recs, name="two-sources.csv")
    assert extra > 0
    post_wide = Calibrator(list(TRUE), seed=3, **SMALL).fit(bench, wide).posterior_
    post_plain = Calibrator(list(TRUE), seed=3, **SMALL).fit(bench, plain).posterior_
    # the biased source pulls red's reinforcement less when its rows carry a wide sd
    truth = TRUE["red.reinforcement"]
    e_wide = post_wide.set_index("param").loc["red.reinforcement", "accepted_q50"]
    e_plain = post_plain.set_index("param").loc["red.reinforcement", "accepted_q50"]
    assert abs(e_wide - truth) < 0.5 * abs(e_plain - truth)


def _origin_case(bench_pair, write_yaml):
    """A scenario starting mid-year, and the record of its war from the war's start."""
    truth_sc = load_scenario(write_yaml(bench_pair, "truth.yaml"))
    ds = simulate(truth_sc, n_samples=1, seed=0, horizon=52,
                  record=["blue.personnel", "red.personnel", "red.casualties_cum"],
                  samples={k: [v] for k, v in TRUE.items()})
    began = truth_sc.time.start
    recs = []
    for k in range(0, 53, 2):
        for var in ("blue.personnel", "red.personnel", "red.casualties_cum"):
            recs.append((began + dt.timedelta(days=7 * k), var,
                         float(ds[var].isel(policy=0, sample=0, time=k).values)))
    record = Observations.from_records(sorted(recs, key=lambda r: (r[1], r[0])),
                                       name="record.csv")
    data = {**bench_pair, "time": {**bench_pair["time"], "start": dt.date(2024, 7, 1)}}
    return load_scenario(write_yaml(data, "late.yaml")), record


def _value(record: Observations, variable: str, date: dt.date) -> float:
    dates, values = record.subset(variable)
    return float(values[dates.index(date)])


def test_calibrating_from_an_origin_restarts_there_and_writes_for_the_scenario(
        bench_pair, write_yaml, tmp_path):
    sc, record = _origin_case(bench_pair, write_yaml)
    origin = dt.date(2024, 2, 26)
    cal = Calibrator(list(TRUE), seed=3, origin=origin, **SMALL).fit(sc, record)
    assert cal.origin_ == origin
    assert min(cal.observed_.dates) > origin
    # a count from the start is rebased to the origin
    first = cal.observed_.variables.index("red.casualties_cum")
    at = cal.observed_.dates[first]
    assert cal.observed_.values[first] == pytest.approx(
        _value(record, "red.casualties_cum", at) - _value(record, "red.casualties_cum", origin))
    assert cal.results_.ds.attrs["start"] == origin.isoformat()
    post = cal.posterior_.set_index("param")
    for p, v in TRUE.items():
        assert post.loc[p, "accepted_q05"] <= v <= post.loc[p, "accepted_q95"], p
        assert post.loc[p, "accepted_sd"] < 0.5 * post.loc[p, "prior_sd"], p
    out = load_scenario(cal.write(tmp_path / "late-cal.yaml"))
    assert out.time.start == sc.time.start  # the posterior is the scenario's own
    assert out.parameters["blue.personnel0"] == sc.parameters["blue.personnel0"]
    assert f"restarted on {origin}" in out.description
    assert cal.to_dict()["diagnostics"]["origin"] == origin.isoformat()


def test_observations_before_the_start_need_an_origin(bench_pair, write_yaml):
    sc, record = _origin_case(bench_pair, write_yaml)
    with pytest.raises(DataError, match=r"before the scenario's start.*--from DATE"):
        Calibrator(list(TRUE), **SMALL).fit(sc, record)


@pytest.mark.parametrize(("origin", "error", "message"), [
    (dt.date(2025, 6, 1), DataError, "no observation after the origin 2025-06-01"),
    (dt.date(2023, 6, 1), InputError, "before the record starts"),
    ("2024-13", InputError, "origin: expected a date"),
])
def test_bad_origins(bench_pair, write_yaml, origin, error, message):
    sc, record = _origin_case(bench_pair, write_yaml)
    with pytest.raises(error, match=message):
        Calibrator(list(TRUE), origin=origin, **SMALL).fit(sc, record)


def test_the_state_cannot_be_calibrated_from_an_origin(bench_pair, write_yaml):
    bench_pair["parameters"]["blue.personnel0"] = {
        "dist": "uniform", "low": 350.0, "high": 450.0, "unit": "thousand persons",
        "source": "ref:bench"}
    sc, record = _origin_case(bench_pair, write_yaml)
    with pytest.raises(InputError, match=r"'blue\.personnel0' describes the state"):
        Calibrator(["blue.personnel0"], origin=dt.date(2024, 2, 26), **SMALL).fit(sc, record)


@pytest.mark.parametrize(("config", "message"), [
    ({"method": "mcmc"}, "method must be 'smc' or 'rejection'"),
    ({"population": 5}, "population must be an integer >= 20"),
    ({"generations": 0}, "generations must be a positive integer"),
    ({"quantile": 1.0}, "quantile must lie strictly between 0 and 1"),
    ({"adjust": "regression"}, "adjust='regression' corrects rejection's"),
])
def test_bad_configuration_is_an_input_error(config, message):
    with pytest.raises(InputError, match=message):
        Calibrator(["blue.reinforcement"], **config).fit("lanchester-bench", "unused.csv")


def test_a_missing_extra_names_it(bench, monkeypatch):
    monkeypatch.setitem(sys.modules, "elfi", None)  # import elfi raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'detente\[calibrate\]'"):
        Calibrator(list(TRUE), **SMALL).fit(bench, _observations(bench))
    # rejection needs no extra
    Calibrator(list(TRUE), method="rejection", n_samples=400).fit(bench, _observations(bench))


def test_no_bundled_record_is_an_input_error(bench):
    with pytest.raises(InputError, match="has no bundled record"):
        Calibrator(list(TRUE), **SMALL).fit(bench)


def test_unreachable_observations_are_warned_of(bench):
    start = bench.time.start
    obs = Observations.from_records(
        [(start + dt.timedelta(days=7 * k), "blue.personnel", 1.0e6 - 1.0e4 * k)
         for k in (2, 4, 6)], name="far.csv")
    # the model cannot come near: each generation gains less, and acceptance falls
    cal = Calibrator(["blue.reinforcement"], seed=0, population=50, generations=8,
                     quantile=0.2, n_samples=200).fit(bench, obs)
    text = " ".join(cal.warnings_)
    assert "blue.reinforcement:" in text
    assert "highest 5%" in text
    assert "the last generation accepted" in text
    assert cal.to_dict()["warnings"] == list(cal.warnings_)
