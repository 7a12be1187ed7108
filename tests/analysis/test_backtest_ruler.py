"""The backtest as a ruler: per-point bands, sources, the start anchor, 0/1 variables, baselines."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detente.analysis import Backtest, Observations, read_observations
from detente.analysis import scores as sc_
from detente.engine import simulate
from detente.errors import DataError
from detente.scenario import load_scenario

VARS = ("blue.personnel", "red.shells")
WEEKS = (6, 14, 26, 40)


@pytest.fixture(scope="module")
def bench():
    return load_scenario("lanchester-bench")


@pytest.fixture(scope="module")
def truth(bench):
    return simulate(bench, n_samples=1, seed=5, record=list(VARS), horizon=45)


def _value(truth, var: str, week: int) -> float:
    return float(truth[var].isel(policy=0, sample=0, time=week).values)


def _write(rows: list[tuple[dt.date, str, float, str]], path: Path) -> Path:
    lines = ["date,variable,value,source"] + [f"{d},{v},{x!r},{s}" for d, v, x, s in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _history(bench, truth, slope: float = -50.0) -> list[tuple[dt.date, str, float, str]]:
    """A linear series of blue.personnel before the start, ending at the start anchor."""
    start = bench.time.start
    anchor = _value(truth, "blue.personnel", 0)
    return [(start - dt.timedelta(days=d), "blue.personnel", anchor - slope * d, "")
            for d in (400, 300, 200, 100, 0)]


@pytest.fixture(scope="module")
def fitted(bench, truth, tmp_path_factory):
    """Two sources of blue.personnel, one of red.shells, an anchor and a year before it."""
    start = bench.time.start
    rows = _history(bench, truth)
    rows += [(start + dt.timedelta(days=7 * w), "blue.personnel",
              _value(truth, "blue.personnel", w), "") for w in WEEKS]
    rows += [(start + dt.timedelta(days=7 * w), "blue.personnel",
              1.03 * _value(truth, "blue.personnel", w), "other") for w in WEEKS[1:]]
    rows += [(start, "red.shells", _value(truth, "red.shells", 0), "")]
    rows += [(start + dt.timedelta(days=7 * w), "red.shells", _value(truth, "red.shells", w), "")
             for w in WEEKS]
    path = _write(rows, tmp_path_factory.mktemp("obs") / "obs.csv")
    return path, Backtest(n_samples=300, seed=3).fit(bench, path)


# --------------------------------------------------------------------------- per-point bands
def test_every_scored_observation_has_its_bands_pit_and_crps(fitted):
    _, bt = fitted
    t = bt.table_
    assert len(t) == 2 * len(WEEKS) + len(WEEKS) - 1
    for tag in ("50", "80", "95"):
        inside = (t["value"] >= t[f"low_{tag}"]) & (t["value"] <= t[f"high_{tag}"])
        assert (t[f"inside_{tag}"].astype(bool) == inside).all()
    assert ((t["low_95"] <= t["low_50"]) & (t["low_50"] <= t["median"])
            & (t["median"] <= t["high_50"]) & (t["high_50"] <= t["high_95"])).all()
    assert t["pit"].between(0, 1).all()
    assert (t["crps"] >= 0).all()
    # the summary is the mean of its points
    blue = t[t["variable"] == "blue.personnel"]
    entry = bt.scores_["blue.personnel"]
    assert entry["crps"] == pytest.approx(blue["crps"].mean())
    assert entry["coverage"]["80"]["share"] == pytest.approx(blue["inside_80"].mean())


def test_table_file_and_json_carry_the_same_points(bench, fitted, tmp_path, cli):
    path, bt = fitted
    out = tmp_path / "points.csv"
    r = cli("backtest", "lanchester-bench", "--observed", str(path), "--samples", "300",
            "--seed", "3", "--table", str(out), "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["table"] == str(out)
    written = pd.read_csv(out)
    assert list(written.columns[:6]) == ["date", "variable", "source", "kind", "value",
                                         "median"]
    assert {"low_80", "high_80", "inside_80", "pit", "crps", "brier", "persistence",
            "trend"} <= set(written.columns)
    assert len(written) == len(data["points"]) == len(bt.table_)
    for row, point in zip(written.itertuples(index=False), data["points"], strict=True):
        assert point["date"] == row.date
        assert point["value"] == pytest.approx(row.value)
        assert point["crps"] == pytest.approx(row.crps)
        assert point["inside_80"] == bool(row.inside_80)
    # the Python API gives the same numbers
    np.testing.assert_allclose(written["crps"], bt.table_["crps"])
    text = cli("backtest", "lanchester-bench", "--observed", str(path), "--samples", "300",
               "--seed", "3", "--table", str(tmp_path / "again.csv"))
    assert text.code == 0, text.stderr
    assert f"wrote {tmp_path / 'again.csv'}" in text.stdout
    assert "persistence CRPS (skill)" in text.stdout
    assert "not scored: 2 observation(s) on the start" in text.stdout


# --------------------------------------------------------------------------- sources
def test_two_sources_of_one_variable_and_date_are_scored_apart_and_together(fitted):
    path, bt = fitted
    obs = read_observations(path)
    assert ("blue.personnel", "other") in obs.series
    entry = bt.scores_["blue.personnel"]
    assert set(entry["sources"]) == {"", "other"}
    assert entry["sources"][""]["n"] == len(WEEKS)
    assert entry["sources"]["other"]["n"] == len(WEEKS) - 1
    assert entry["n"] == 2 * len(WEEKS) - 1
    t = bt.table_
    other = t[(t["variable"] == "blue.personnel") & (t["source"] == "other")]
    assert entry["sources"]["other"]["crps"] == pytest.approx(other["crps"].mean())
    same_day = t[(t["variable"] == "blue.personnel") & (t["date"] == other["date"].iloc[0])]
    assert len(same_day) == 2
    assert same_day["median"].nunique() == 1  # one forecast, two observations of it
    assert 1 <= entry["n_eff"] <= entry["n"]


def test_sources_in_code_and_their_order_rule():
    day = dt.date(2024, 3, 1)
    obs = Observations.from_records([(day, "x", 1.0, "a"), (day, "x", 2.0, "b"),
                                     (day + dt.timedelta(days=1), "x", 3.0)])
    assert obs.sources == ("a", "b", "")
    assert obs.series == [("x", "a"), ("x", "b"), ("x", "")]
    assert obs.subset("x", "b")[1].tolist() == [2.0]
    assert obs.subset("x")[1].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(DataError, match="row 2: dates of 'x' from source 'a' must increase"):
        Observations.from_records([(day, "x", 1.0, "a"), (day, "x", 2.0, "a")])


# --------------------------------------------------------------------------- the anchor
def test_the_start_anchor_and_earlier_points_feed_only_the_baselines(bench, truth, fitted):
    _, bt = fitted
    start = bench.time.start
    assert bt.excluded_.start_anchor == 2
    assert bt.excluded_.before_start == 4
    t = bt.table_
    assert (t["date"] > start).all()
    unnamed = t[(t["variable"] == "blue.personnel") & (t["source"] == "")]
    anchor = _value(truth, "blue.personnel", 0)
    assert (unnamed["persistence"] == anchor).all()
    # the history is a line of slope -50 a day up to the anchor: the trend extends it
    days = np.array([(d - start).days for d in unnamed["date"]], dtype=float)
    np.testing.assert_allclose(unnamed["trend"], anchor - 50.0 * days, rtol=1e-9)
    # a source with no history of its own has no baseline
    other = t[t["source"] == "other"]
    assert other["persistence"].isna().all()
    entry = bt.scores_["blue.personnel"]
    assert entry["baselines"]["persistence"]["n"] == len(WEEKS)
    excluded = bt.to_dict()["excluded"]
    assert excluded["start_anchor"]["n"] == 2
    assert "inside every band by construction" in excluded["start_anchor"]["why"]
    assert excluded["before_start"]["n"] == 4


def test_the_anchor_is_not_counted_in_coverage(bench, truth):
    start = bench.time.start
    recs = [(start, "blue.personnel", _value(truth, "blue.personnel", 0))]
    recs += [(start + dt.timedelta(days=7 * w), "blue.personnel", 1e9) for w in WEEKS]
    bt = Backtest(n_samples=100).fit(bench, Observations.from_records(recs))
    entry = bt.scores_["blue.personnel"]
    assert entry["n"] == len(WEEKS)
    assert entry["coverage"]["95"]["share"] == 0.0  # the anchor would have made it 1/5


# --------------------------------------------------------------------------- baselines
def test_baselines_and_skill_are_consistent_with_the_points(fitted):
    _, bt = fitted
    entry = bt.scores_["blue.personnel"]["sources"][""]
    t = bt.table_
    pts = t[(t["variable"] == "blue.personnel") & (t["source"] == "")]
    for name in ("persistence", "trend"):
        ref = float(np.mean(np.abs(pts[name] - pts["value"])))
        b = entry["baselines"][name]
        assert b["crps"] == pytest.approx(ref)
        assert b["skill"] == pytest.approx(1 - pts["crps"].mean() / ref)
    for cov in entry["coverage"].values():
        assert cov["low"] <= cov["share"] <= cov["high"]
    # the interval is that of the effective number of points
    low, high = sc_.binomial_interval(entry["coverage"]["50"]["share"] * entry["n_eff"],
                                      entry["n_eff"])
    assert (entry["coverage"]["50"]["low"], entry["coverage"]["50"]["high"]) == (
        pytest.approx(low), pytest.approx(high))


# --------------------------------------------------------------------------- 0/1 variables
@pytest.fixture(scope="module")
def korea():
    return load_scenario("korea-1951")


def test_a_switch_variable_gets_brier_log_and_reliability(korea, tmp_path_factory):
    start = korea.time.start
    rows = [(start, "settled", 0.0, ""),
            (start + dt.timedelta(days=40), "settled", 0.0, ""),
            (start + dt.timedelta(days=90), "settled", 0.0, ""),
            (start + dt.timedelta(days=150), "settled", 1.0, "")]
    path = _write(rows, tmp_path_factory.mktemp("korea") / "settled.csv")
    bt = Backtest(n_samples=100, seed=1).fit(korea, path)
    entry = bt.scores_["settled"]
    assert entry["kind"] == "binary"
    assert "coverage" not in entry
    assert "crps" not in entry
    assert entry["n"] == 3
    t = bt.table_
    y = t["value"].to_numpy()
    p = t["p"].to_numpy()
    assert t["crps"].isna().all()
    assert t["median"].isna().all()
    assert entry["brier"] == pytest.approx(np.mean((p - y) ** 2))
    kt = (100 * p + 0.5) / 101  # the ensemble's share, kept away from 0 and 1
    assert entry["log"] == pytest.approx(np.mean(-np.log(np.where(y == 1, kt, 1 - kt))))
    assert math.isfinite(entry["log"])
    assert sum(r["n"] for r in entry["reliability"]) == 3
    # persistence from the anchor (0) scores the switch to 1 as a full miss
    base = entry["baselines"]["persistence"]
    assert base["brier"] == pytest.approx(1 / 3)
    assert base["skill"] == pytest.approx(1 - entry["brier"] / (1 / 3))


def test_a_switch_variable_observed_at_a_half_is_a_located_error(korea, tmp_path, cli):
    path = tmp_path / "obs.csv"
    start = korea.time.start
    path.write_text(f"date,variable,value\n{start + dt.timedelta(days=10)},settled,0\n"
                    f"{start + dt.timedelta(days=20)},settled,0.5\n")
    with pytest.raises(DataError, match=r"obs\.csv:3: column 'value': 'settled' is a 0/1 "):
        Backtest(n_samples=10).fit(korea, path)
    r = cli("backtest", "korea-1951", "--observed", str(path), "--samples", "10")
    assert r.code == 2
    assert "Traceback" not in r.stderr
    assert "expected 0 or 1, found 0.5" in " ".join(r.stderr.split())
