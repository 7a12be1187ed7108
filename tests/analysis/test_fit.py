"""Attrition-law fits: recovery of known coefficients, interval coverage, data errors.

Synthetic series come from :func:`detente.analysis.simulate_battle`: the law's daily
losses times mean-one log-normal noise (sd 0.2 on the log scale), 60 days, Blue 20 000
against Red 15 000. Stated tolerances: coefficients within 10 % (exponents within 0.1) of
the truth; 90 % intervals cover the truth in 78-98 % of 40 replications (nominal 90 %,
binomial sd about 3 points).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.analysis import (
    BattleData,
    LanchesterFit,
    LawComparison,
    read_battle_csv,
    simulate_battle,
)
from detente.errors import DataError, InputError, NotFittedError

SQUARE = {"a": 0.004, "b": 0.006}
TRUTH = {
    "square": SQUARE,
    "linear": {"a": 0.004 / 15_000, "b": 0.006 / 20_000},
    "logarithmic": {"a": 0.003, "b": 0.008},
    "mixed": {"a": 0.004 / 15_000, "b": 0.006},
    "power": {"a": 0.02, "b": 0.03, "p": 0.8, "q": 0.2},
}
B0, R0, DAYS, NOISE = 20_000.0, 15_000.0, 60, 0.2
REL_TOL = 0.10
EXP_TOL = 0.10
LEVEL = 0.9
N_REP = 40
COVERAGE_RANGE = (0.78, 0.98)


def _series(law: str, seed: int, **kw) -> BattleData:
    return simulate_battle(law, TRUTH[law], blue0=B0, red0=R0, n_days=DAYS, noise=NOISE,
                           seed=seed, **kw)


def _red_ends_only(d: BattleData) -> BattleData:
    """Engel's setting: Red's strength known at the start and the end only."""
    red = np.full(d.n, np.nan)
    red[0], red[-1] = d.red[0], d.red[-1]
    return BattleData.from_arrays(d.days, blue=d.blue, red=red,
                                  blue_casualties=d.blue_casualties,
                                  blue_reinforcements=d.blue_reinforcements,
                                  red_reinforcements=d.red_reinforcements)


def _prepare(method: str, d: BattleData) -> BattleData:
    return _red_ends_only(d) if method == "engel" else d


# --------------------------------------------------------------------------- recovery
@pytest.mark.parametrize("method", ["engel", "loglinear", "trajectory"])
def test_each_method_recovers_square_law(method):
    fit = LanchesterFit("square", method=method, n_boot=0).fit(
        _prepare(method, _series("square", 11)))
    for k, v in SQUARE.items():
        assert fit.params_[k] == pytest.approx(v, rel=REL_TOL), k


@pytest.mark.parametrize("method", ["loglinear", "trajectory"])
@pytest.mark.parametrize("law", ["linear", "logarithmic", "mixed"])
def test_fixed_exponent_laws_are_recovered(law, method):
    fit = LanchesterFit(law, method=method, n_boot=0).fit(_series(law, 12))
    for k, v in TRUTH[law].items():
        assert fit.params_[k] == pytest.approx(v, rel=REL_TOL), (law, k)


@pytest.mark.parametrize("method", ["loglinear", "trajectory"])
def test_power_law_exponents_and_rates_are_recovered(method):
    truth = TRUTH["power"]
    fit = LanchesterFit("power", method=method, n_boot=0).fit(_series("power", 13))
    assert fit.params_["p"] == pytest.approx(truth["p"], abs=EXP_TOL)
    assert fit.params_["q"] == pytest.approx(truth["q"], abs=EXP_TOL)

    # a and b trade off against the exponents; the daily loss rates they imply do not
    def rates(c):
        return (c["a"] * R0 ** c["p"] * B0 ** c["q"], c["b"] * B0 ** c["p"] * R0 ** c["q"])

    for got, want in zip(rates(fit.params_), rates(truth), strict=True):
        assert got == pytest.approx(want, rel=REL_TOL)


def test_engel_with_reinforcements():
    d = _series("square", 14, blue_reinforcements=40.0)
    fit = LanchesterFit("square", method="engel", n_boot=0).fit(_red_ends_only(d))
    for k, v in SQUARE.items():
        assert fit.params_[k] == pytest.approx(v, rel=REL_TOL)
    # ignoring Blue's reinforcements biases a (Blue's losses look smaller)
    bare = BattleData.from_arrays(d.days, blue=d.blue, red=[d.red[0], *[np.nan] * (d.n - 2),
                                                            d.red[-1]])
    biased = LanchesterFit("square", method="engel", n_boot=0).fit(bare)
    assert biased.params_["a"] < fit.params_["a"] * (1 - REL_TOL / 2)


# --------------------------------------------------------------------------- coverage
@pytest.mark.parametrize("method", ["engel", "loglinear", "trajectory"])
def test_bootstrap_intervals_cover_at_about_nominal_rate(method):
    hits = []
    for rep in range(N_REP):
        d = _prepare(method, _series("square", 1000 + rep))
        fit = LanchesterFit("square", method=method, n_boot=100, level=LEVEL,
                            seed=rep).fit(d)
        hits += [fit.interval_[k][0] <= v <= fit.interval_[k][1] for k, v in SQUARE.items()]
    lo, hi = COVERAGE_RANGE
    assert lo <= np.mean(hits) <= hi


def test_power_law_exponent_intervals_cover():
    hits = []
    for rep in range(N_REP):
        fit = LanchesterFit("power", method="loglinear", n_boot=100, level=LEVEL,
                            seed=rep).fit(_series("power", 2000 + rep))
        hits += [fit.interval_[k][0] <= TRUTH["power"][k] <= fit.interval_[k][1]
                 for k in ("p", "q")]
    lo, hi = COVERAGE_RANGE
    assert lo <= np.mean(hits) <= hi


def test_bootstrap_is_reproducible_and_blocks_work():
    d = _series("square", 5)
    a = LanchesterFit("square", n_boot=50, seed=3).fit(d)
    b = LanchesterFit("square", n_boot=50, seed=3).fit(d)
    np.testing.assert_array_equal(a.bootstrap_, b.bootstrap_)
    blocked = LanchesterFit("square", n_boot=50, seed=3, block=7).fit(d)
    assert blocked.bootstrap_.shape == (50, 2)
    assert not np.array_equal(blocked.bootstrap_, a.bootstrap_)


# --------------------------------------------------------------------------- comparison, API
#: A decisive 40-day battle (Red loses about half), where the laws' curvatures differ.
DECISIVE = {"square": {"a": 0.01, "b": 0.012}, "linear": {"a": 0.01 / 15_000, "b": 0.012 / 20_000},
            "logarithmic": {"a": 0.0075, "b": 0.016}, "mixed": {"a": 0.01 / 15_000, "b": 0.012}}


@pytest.mark.parametrize("method", ["loglinear", "trajectory"])
@pytest.mark.parametrize("law", sorted(DECISIVE))
def test_law_comparison_prefers_the_true_law(law, method):
    d = simulate_battle(law, DECISIVE[law], blue0=B0, red0=R0, n_days=40, noise=NOISE, seed=1)
    cmp = LawComparison(method=method, n_boot=0).fit(d)
    assert set(cmp.table_["law"]) == set(TRUTH)
    fixed = cmp.table_[cmp.table_["law"] != "power"]
    assert fixed["law"].iloc[0] == law  # the table is sorted by AIC
    assert cmp.best_ in (law, "power")  # the power law nests every other law
    assert cmp.table_["weight"].sum() == pytest.approx(1.0)


def test_predict_gives_fitted_curves_and_goodness_of_fit():
    d = _series("square", 7)
    fit = LanchesterFit("square", method="trajectory", n_boot=0).fit(d)
    traj = fit.predict()
    assert list(traj.columns) == ["blue", "red", "blue_casualties", "red_casualties"]
    assert len(traj) == d.n
    assert traj["blue"].iloc[0] == d.blue[0]
    assert np.max(np.abs(traj["blue"].to_numpy() - d.blue)) < 0.02 * B0
    cas = fit.predict("casualties")
    assert cas["blue_casualties"].to_numpy()[0] == pytest.approx(
        fit.params_["a"] * d.red[0])
    assert 0.9 < fit.r2_ <= 1.0
    assert fit.rmse_ > 0
    assert np.isfinite(fit.aic_)


def test_errors_before_fit_and_on_bad_configuration():
    fit = LanchesterFit("square")
    with pytest.raises(NotFittedError):
        fit.predict()
    with pytest.raises(NotFittedError):
        fit.to_dict()
    d = _series("square", 1)
    with pytest.raises(InputError, match="Did you mean 'square'"):
        LanchesterFit("sqare").fit(d)
    with pytest.raises(InputError, match="square law only"):
        LanchesterFit("linear", method="engel").fit(d)
    with pytest.raises(InputError, match="level"):
        LanchesterFit("square", level=95).fit(d)


def test_too_few_points_is_a_data_error():
    d = _series("square", 1)
    short = BattleData.from_arrays(d.days[:3], blue=d.blue[:3], red=d.red[:3])
    with pytest.raises(DataError, match="too few points"):
        LanchesterFit("power", method="loglinear").fit(short)
    shorter = BattleData.from_arrays(d.days[:2], blue=d.blue[:2], red=d.red[:2])
    with pytest.raises(DataError, match="too few points"):
        LanchesterFit("square", method="trajectory").fit(shorter)
    with pytest.raises(DataError, match="too few points"):
        LanchesterFit("square", method="engel").fit(shorter)


# --------------------------------------------------------------------------- files and CLI
def test_csv_round_trip_with_blanks_and_reinforcement_columns(tmp_path, battle_csv):
    d = _series("square", 9)
    path = battle_csv(d, tmp_path / "battle.csv", red_ends_only=True)
    data = read_battle_csv(path)
    assert np.isnan(data.red_casualties).all()
    assert data.observed["red"].sum() == 2
    np.testing.assert_allclose(data.blue, d.blue, rtol=1e-9)
    text = path.read_text().splitlines()
    text[0] += ",fresh"
    text[1:] = [line + ",25" for line in text[1:]]
    path.write_text("\n".join(text) + "\n")
    data = read_battle_csv(path, blue_reinforcements="fresh")
    assert data.blue_reinforcements[0] == 25


def test_cli_fit_json_has_exactly_the_documented_keys(tmp_path, battle_csv, cli):
    path = battle_csv(_series("square", 3), tmp_path / "battle.csv")
    r = cli("fit", str(path), "--law", "square", "--method", "loglinear", "--boot", "50",
            "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"law", "method", "params", "interval", "r2", "rmse", "aic"}
    assert data["law"] == "square"
    assert data["method"] == "loglinear"
    assert set(data["params"]) == {"a", "b"}
    for k in ("a", "b"):
        lo, hi = data["interval"][k]
        assert lo <= data["params"][k] <= hi


def test_cli_fit_without_law_compares_laws(tmp_path, battle_csv, cli):
    path = battle_csv(_series("square", 4), tmp_path / "battle.csv")
    r = cli("fit", str(path), "--boot", "0", "--json")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["best"] in ("square", "power")
    assert set(data["laws"]) == {"square", "linear", "logarithmic", "mixed", "power"}
    table = cli("fit", str(path), "--boot", "0", "--method", "trajectory")
    assert table.code == 0, table.stderr
    assert "best:" in table.stdout
    assert "square" in table.stdout


BAD = {
    "missing_column": ("date,blue,rde\n2024-01-01,10,10\n", "missing column 'red'",
                       ["--law", "square"]),
    "non_monotone": ("date,blue,red\n2024-01-02,10,10\n2024-01-01,9,9\n2024-01-03,8,8\n",
                     ":3: dates must increase", ["--law", "square"]),
    "negative": ("date,blue,red\n2024-01-01,10,10\n2024-01-02,-9,9\n",
                 ":3: negative strength for blue", ["--law", "square"]),
    "too_few": ("date,blue,red\n2024-01-01,10,10\n2024-01-02,9,9\n", "too few points",
                ["--law", "square"]),
    "bad_number": ("date,blue,red\n2024-01-01,10,ten\n", ":2: column 'red': expected a number",
                   ["--law", "square"]),
    "bad_date": ("date,blue,red\n01/02/2024,10,10\n", ":2: column 'date': expected a date",
                 ["--law", "square"]),
    "unknown_law": ("date,blue,red\n2024-01-01,10,10\n", "Did you mean 'square'",
                    ["--law", "squares"]),
    "missing_reinforcements": ("date,blue,red\n2024-01-01,10,10\n", "missing column 'extra'",
                               ["--reinforcements", "extra"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_data_exits_2_with_a_located_message(case, tmp_path, cli):
    text, expected, extra = BAD[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text)
    r = cli("fit", str(path), *extra)
    assert r.code == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    message = " ".join(r.stderr.split())
    assert expected in message
    if case not in ("unknown_law",):
        assert path.name in message


def test_missing_file_exits_2(tmp_path, cli):
    r = cli("fit", str(tmp_path / "nope.csv"), "--law", "square")
    assert r.code == 2
    assert "no such file" in r.stderr
    assert "Traceback" not in r.stderr


def test_dataframe_input():
    import pandas as pd

    d = _series("square", 2)
    df = pd.DataFrame({"blue": d.blue, "red": d.red, "blue_casualties": d.blue_casualties,
                       "red_casualties": d.red_casualties})
    fit = LanchesterFit("square", n_boot=0).fit(df)
    ref = LanchesterFit("square", n_boot=0).fit(d)
    assert fit.params_ == pytest.approx(ref.params_)

