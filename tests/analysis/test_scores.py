"""Scores against analytic values, baselines on series with known answers, intervals."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import scoringrules as sr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kstest

from detente.analysis import scores
from detente.errors import DataError


# --------------------------------------------------------------------------- CRPS
@given(x=st.floats(-1e6, 1e6), y=st.floats(-1e6, 1e6))
def test_crps_of_a_one_member_ensemble_is_the_absolute_error(x, y):
    got = scores.crps(np.array([[x]]), np.array([y]))[0]
    assert got == pytest.approx(abs(x - y), rel=1e-12, abs=1e-9)


def test_crps_of_a_large_normal_ensemble_approaches_the_closed_form():
    rng = np.random.default_rng(0)
    ens = rng.normal(1.0, 2.0, size=(4, 40_000))
    y = np.array([-3.0, 0.0, 1.0, 4.5])
    exact = sr.crps_normal(y, 1.0, 2.0)
    np.testing.assert_allclose(scores.crps(ens, y), exact, atol=0.02)


def test_crps_is_the_energy_form_of_the_members_and_drops_nan_members():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 50))
    y = np.array([-0.5, 0.0, 2.0])
    brute = [np.mean(np.abs(x[i] - y[i])) - 0.5 * np.mean(np.abs(x[i][:, None] - x[i]))
             for i in range(3)]
    np.testing.assert_allclose(scores.crps(x, y), brute, rtol=1e-12)
    holed = np.concatenate([x, np.full((3, 7), np.nan)], axis=1)
    holed[1, 10] = np.nan  # row 1 loses one more member
    brute[1] = (np.mean(np.abs(np.delete(x[1], 10) - y[1]))
                - 0.5 * np.mean(np.abs(np.delete(x[1], 10)[:, None] - np.delete(x[1], 10))))
    np.testing.assert_allclose(scores.crps(holed, y), brute, rtol=1e-12)
    assert math.isnan(scores.crps(np.full((1, 4), np.nan), np.array([1.0]))[0])


# --------------------------------------------------------------------------- PIT
def test_pit_of_an_ensemble_from_the_distribution_of_y_is_uniform():
    rng = np.random.default_rng(2)
    ens = rng.gamma(2.0, size=(3000, 40))
    y = rng.gamma(2.0, size=3000)
    values = scores.pit(ens, y, np.random.default_rng(3))
    assert kstest(values, "uniform").pvalue > 0.01
    biased = scores.pit(ens, y + 1.0, np.random.default_rng(3))
    assert kstest(biased, "uniform").pvalue < 1e-6


def test_pit_is_randomised_between_ties_and_stays_uniform():
    rng = np.random.default_rng(4)
    # integer-valued: many ties, still exchangeable
    ens = rng.poisson(2.0, size=(4000, 9)).astype(float)
    y = rng.poisson(2.0, size=4000).astype(float)
    values = scores.pit(ens, y, np.random.default_rng(5))
    assert kstest(values, "uniform").pvalue > 0.01
    below = scores.pit(np.arange(10.0)[None, :], np.array([-1.0]), rng)[0]
    assert 0 <= below <= 1 / 11
    above = scores.pit(np.arange(10.0)[None, :], np.array([99.0]), rng)[0]
    assert 10 / 11 <= above <= 1


def test_pit_histogram_counts_every_finite_value():
    hist = scores.pit_histogram(np.array([0.0, 0.05, 0.5, 1.0, np.nan]), bins=10)
    assert hist.tolist() == [2, 0, 0, 0, 0, 1, 0, 0, 0, 1]


def test_band_edges_are_the_central_quantiles():
    ens = np.tile(np.arange(101.0), (2, 1))
    ens[1, :50] = np.nan
    edges = scores.band_edges(ens, [0.5, 0.9])
    assert edges[0.5][0][0] == pytest.approx(25.0)
    assert edges[0.5][1][0] == pytest.approx(75.0)
    assert edges[0.9][0][1] == pytest.approx(np.quantile(np.arange(50.0, 101.0), 0.05))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        scores.band_edges(ens, [80])


# --------------------------------------------------------------------------- binary
def test_brier_of_a_sure_and_right_forecast_is_zero():
    y = np.array([0.0, 1.0, 1.0, 0.0])
    assert scores.brier(y, y).tolist() == [0.0] * 4
    assert scores.brier(np.array([0.2]), np.array([1.0]))[0] == pytest.approx(0.64)
    with pytest.raises(DataError, match="must be 0 or 1; found 2"):
        scores.brier(np.array([0.5]), np.array([2.0]))


def test_log_score_of_an_ensemble_is_kept_away_from_zero_and_one():
    p, m = scores.event_probability(np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]]))
    assert p.tolist() == [0.0, 0.75]
    assert m.tolist() == [4.0, 4.0]
    got = scores.log_score(p, np.array([1.0, 1.0]), n_members=m)
    assert got[0] == pytest.approx(math.log(2 * 5))  # no member foresaw it: (0 + 1/2) / 5
    assert got[1] == pytest.approx(-math.log(3.5 / 5))
    assert math.isinf(scores.log_score(np.array([0.0]), np.array([1.0]))[0])


def test_reliability_bins_forecasts_and_counts_outcomes():
    p = np.array([0.05, 0.05, 0.95, 0.95, 0.95, 1.0])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    table = scores.reliability(p, y, bins=10)
    assert list(table.columns[:1]) == ["bin"]
    assert {"p_mean", "observed_freq", "n"} <= set(table.columns)
    assert table["n"].tolist() == [2, 0, 0, 0, 0, 0, 0, 0, 0, 4]
    assert table.loc[0, "observed_freq"] == pytest.approx(0.5)
    assert table.loc[9, "p_mean"] == pytest.approx(np.mean([0.95, 0.95, 0.95, 1.0]))
    assert table.loc[9, "observed_freq"] == pytest.approx(0.75)
    assert math.isnan(table.loc[3, "p_mean"])


# --------------------------------------------------------------------------- intervals
@pytest.mark.parametrize("n", [4, 10, 100, 1000, 10_000])
def test_wilson_interval_of_half_contains_half_and_shrinks_like_root_n(n):
    low, high = scores.binomial_interval(n / 2, n)
    assert low < 0.5 < high
    z = 1.959964
    # Wilson at k = n/2: width z / sqrt(n) / sqrt(1 + z^2 / n), i.e. about z / sqrt(n)
    assert high - low == pytest.approx(z / math.sqrt(n) / math.sqrt(1 + z * z / n), rel=1e-5)
    if n >= 1000:
        assert (high - low) * math.sqrt(n) == pytest.approx(z, rel=0.01)
    assert scores.binomial_interval(n / 2, n, 0.5)[1] - scores.binomial_interval(
        n / 2, n, 0.5)[0] < high - low


def test_wilson_interval_at_the_edges_and_for_effective_counts():
    low, high = scores.binomial_interval(0, 10)
    assert low == 0.0
    assert 0.2 < high < 0.35
    low, high = scores.binomial_interval(10, 10)
    assert high == pytest.approx(1.0)
    assert 0.65 < low < 0.8
    assert scores.binomial_interval(0, 0) == (0.0, 1.0)
    a = scores.binomial_interval(0.8 * 2.5, 2.5)
    b = scores.binomial_interval(0.8 * 25, 25)
    assert a[0] < b[0] < 0.8 < b[1] < a[1]


def test_effective_n_of_independent_draws_is_about_n_of_a_persistent_series_about_1():
    rng = np.random.default_rng(6)
    hits = rng.random(2000) < 0.8
    assert scores.effective_n(hits) == pytest.approx(2000, rel=0.15)
    persistent = np.r_[np.zeros(500, bool), np.ones(500, bool)]
    assert scores.effective_n(persistent) == pytest.approx(1.0, abs=0.1)
    assert scores.effective_n(np.ones(30, bool)) == 1.0
    assert scores.effective_n(np.array([], bool)) == 0.0


def test_effective_n_of_an_ar1_series_and_of_groups():
    rng = np.random.default_rng(7)
    phi, n = 0.8, 20_000
    x = np.empty(n)
    x[0] = rng.normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.normal()
    assert scores.effective_n(x) == pytest.approx(n * (1 - phi) / (1 + phi), rel=0.15)
    # each group constant, the groups differing: about one point per group
    groups = np.repeat(np.arange(10), 50)
    hits = (groups % 2).astype(bool)
    assert scores.effective_n(hits, groups) < 12
    # alternating within groups: r < 0 is clipped to n
    alt = np.tile([True, False], 50)
    assert scores.effective_n(alt) == 100.0


def test_skill_against_a_reference():
    assert scores.skill(1.0, 2.0) == 0.5
    assert scores.skill(3.0, 2.0) == -0.5
    assert math.isnan(scores.skill(1.0, 0.0))
    assert math.isnan(scores.skill(math.nan, 1.0))


# --------------------------------------------------------------------------- baselines
START = dt.date(2023, 1, 1)


def _linear(slope: float, n: int = 400, step: int = 3):
    dates = [START + dt.timedelta(days=step * k) for k in range(n)]
    values = np.array([10.0 + slope * step * k for k in range(n)])
    return dates, values


@given(slope=st.floats(-50, 50), lead=st.integers(1, 400))
@settings(max_examples=50, deadline=None)
def test_trend_is_exact_and_persistence_off_by_slope_times_lead_on_a_line(slope, lead):
    dates, values = _linear(slope)
    origin = START + dt.timedelta(days=600)  # an observation date: 600 = 3 * 200
    targets = [origin + dt.timedelta(days=lead)]
    truth = 10.0 + slope * (600 + lead)
    assert scores.trend(dates, values, origin, targets)[0] == pytest.approx(
        truth, rel=1e-9, abs=1e-6)
    off = scores.persistence(dates, values, origin, targets)[0] - truth
    assert off == pytest.approx(-slope * lead, rel=1e-9, abs=1e-6)


def test_baselines_use_only_what_was_known_at_the_origin():
    dates = [START, START + dt.timedelta(days=10), START + dt.timedelta(days=400)]
    values = np.array([1.0, 2.0, 100.0])
    origin = START + dt.timedelta(days=20)
    targets = np.array([origin + dt.timedelta(days=30)], dtype="datetime64[D]")
    assert scores.persistence(dates, values, origin, targets).tolist() == [2.0]
    # the line through (0, 1) and (10, 2), at day 50
    assert scores.trend(dates, values, origin, targets)[0] == pytest.approx(6.0)
    # outside the window only one point: persistence
    assert scores.trend(dates, values, origin, targets, window_days=15).tolist() == [2.0]
    early = scores.persistence(dates, values, START - dt.timedelta(days=1), targets)
    assert math.isnan(early[0])


# --------------------------------------------------------------------------- summaries
def test_score_continuous_of_a_calibrated_ensemble():
    rng = np.random.default_rng(8)
    n = 4000
    ens = rng.normal(size=(n, 200))
    y = rng.normal(size=n)
    summary = scores.score_continuous(
        ens, y, levels=(0.5, 0.8, 0.95),
        baselines={"zero": np.zeros(n), "far": np.full(n, 3.0)}, rng=rng)
    assert summary["n"] == n
    assert summary["n_eff"] == pytest.approx(n, rel=0.15)
    for lv, c in summary["coverage"].items():
        assert c["low"] < lv < c["high"]
        assert c["share"] == pytest.approx(lv, abs=0.03)
    assert summary["crps"] == pytest.approx(float(np.mean(sr.crps_normal(y, 0.0, 1.0))),
                                            abs=0.01)
    # a point forecast at the mean is worse than the calibrated ensemble, by 1 - 1/sqrt(2)
    zero = summary["baselines"]["zero"]
    assert zero["crps"] == pytest.approx(math.sqrt(2 / math.pi), abs=0.03)
    assert zero["skill"] == pytest.approx(1 - 1 / math.sqrt(2), abs=0.03)
    assert summary["baselines"]["far"]["skill"] > zero["skill"]
    hist = summary["pit_hist"]
    assert sum(hist) == n
    assert min(hist) > 0.8 * n / 10


def test_score_continuous_coverage_interval_widens_with_correlated_points():
    rng = np.random.default_rng(9)
    ens = rng.normal(size=(100, 100))
    steady = scores.score_continuous(ens, np.linspace(-0.5, 0.5, 100), baselines={},
                                     rng=rng)
    noisy = scores.score_continuous(ens, rng.normal(size=100), baselines={}, rng=rng)
    assert steady["n_eff"] < 10 < 50 < noisy["n_eff"]
    width = {k: s["coverage"][0.8]["high"] - s["coverage"][0.8]["low"]
             for k, s in (("steady", steady), ("noisy", noisy))}
    assert width["steady"] > 2 * width["noisy"]


def test_score_binary_with_baselines():
    y = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    p = np.array([0.1, 0.2, 0.7, 0.9, 0.6])
    summary = scores.score_binary(p, y, baselines={"persistence": np.array(
        [0.0, 0.0, 0.0, 1.0, np.nan])}, n_members=10)
    assert summary["n"] == 5
    assert summary["brier"] == pytest.approx(np.mean((p - y) ** 2))
    logs = -np.log(np.where(y == 1, (10 * p + 0.5) / 11, 1 - (10 * p + 0.5) / 11))
    assert summary["log"] == pytest.approx(logs.mean())
    base = summary["baselines"]["persistence"]
    assert base["n"] == 4
    assert base["brier"] == pytest.approx(0.25)
    assert base["skill"] == pytest.approx(1 - np.mean(((p - y) ** 2)[:4]) / 0.25)
    assert sum(r["n"] for r in summary["reliability"]) == 5
    with pytest.raises(DataError, match="0 or 1"):
        scores.score_binary(p, y + 0.5, baselines={})


def test_without_the_scores_extra_a_score_names_it(monkeypatch):
    import sys

    from detente.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "scoringrules", None)  # import raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'detente\[scores\]'"):
        scores.crps(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(MissingDependencyError, match=r"detente\[scores\]"):
        scores.brier(np.array([0.5]), np.array([1.0]))
