"""Settlement, escalation and the policy comparison, through the whole coupled model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente as dt
from cli_runner import run_cli
from detente.analysis.compare import COLUMNS, compare_summary, compare_variables
from detente.errors import InputError

RECORD = ["settled", "breakdowns", "ukraine.strike_hits", "ukraine.reconstruction_investment",
          "ukraine.refugees_abroad", "escalated", "months_to_settlement", "ukraine.viability",
          "russia.territory", "ukraine.casualties_cum", "russia.casualties_cum",
          "ukraine.reconstruction_cum", "deal_territory", "deal_alignment", "deal_guarantees",
          "deal_sanctions", "deal_security_order", "deal_armed_forces"]
TALKS = ["direct_talks", "press_kyiv"]


@pytest.fixture(scope="module")
def scenario():
    return dt.load("ukraine-2023")


def _in_force(res, pol):
    """Points where a first deal has been in force for a whole step (no breakdown yet)."""
    settled = res["settled"].sel(policy=pol).values > 0.5
    before = np.zeros_like(settled)
    before[:, 1:] = settled[:, :-1]
    first = res["breakdowns"].sel(policy=pol).values == 0
    return settled & before & first


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_a_deal_in_force_never_raises_strikes_nor_lowers_rebuilding_and_return(scenario, seed):
    res = dt.simulate(scenario, n_samples=96, seed=seed, record=RECORD,
                      policies=["status_quo", *TALKS])
    sq = {v: res[v].sel(policy="status_quo").values for v in RECORD}
    for pol in TALKS:
        mask = _in_force(res, pol)
        got = {v: res[v].sel(policy=pol).values for v in RECORD}
        assert np.all(got["ukraine.strike_hits"][mask]
                      <= sq["ukraine.strike_hits"][mask] + 1e-9)
        assert np.all(got["ukraine.reconstruction_investment"][mask]
                      >= sq["ukraine.reconstruction_investment"][mask] - 1e-9)
        assert np.all(got["ukraine.refugees_abroad"][mask]
                      <= sq["ukraine.refugees_abroad"][mask] + 1e-6)
        # before the first deal the policies are the same world, sample by sample
        never = np.cumsum(got["settled"] > 0.5, axis=1) == 0
        np.testing.assert_array_equal(got["ukraine.viability"][never],
                                      sq["ukraine.viability"][never])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_escalation_is_absorbing(scenario, seed):
    ds = dt.simulate(scenario, n_samples=128, seed=seed, record=["escalated"],
                     policies=["nato_troops"]).ds
    esc = ds["escalated"].values[0]
    assert set(np.unique(esc)) <= {0.0, 1.0}
    assert not np.any(np.diff(esc, axis=1) < 0)


def test_without_a_channel_there_is_no_settlement(scenario):
    ds = dt.simulate(scenario, n_samples=128, seed=4, record=["settled", "escalated"],
                     policies=["status_quo", "aid_cutoff", "aid_surge"]).ds
    assert float(ds["settled"].max()) == 0.0
    assert float(ds["escalated"].max()) == 0.0  # no NATO troops, no NATO-Russia war


def test_compare_probabilities_are_the_fractions_of_samples(scenario):
    res = dt.simulate(scenario, n_samples=200, seed=9, record=RECORD)
    data = compare_summary(res)
    mts = res.ds["months_to_settlement"].isel(time=-1).values
    for ip, pol in enumerate(res.policies):
        t = np.where(np.isnan(mts[ip]), np.inf, mts[ip])
        entry = data["policies"][pol]
        for m in ("12", "24", "36"):
            assert entry["p_settlement"][m] == pytest.approx(np.mean(t <= float(m)))
        esc = res.ds["escalated"].isel(policy=ip, time=-1).values
        assert entry["p_escalation"] == pytest.approx(np.mean(esc > 0.5))
        if np.mean(np.isfinite(t)) < 0.5:
            assert entry["median_months_to_settlement"] is None
        else:
            assert entry["median_months_to_settlement"] == pytest.approx(np.median(t))
        for shares in entry["terms"].values():
            vals = [v for v in shares.values() if v is not None]
            if vals:
                assert sum(vals) == pytest.approx(1.0)
    # a policy compared with itself differs by exactly zero
    assert data["policies"]["status_quo"]["vs_baseline"]["ukraine.viability"]["value"] == 0.0
    # outcomes per side, described with the scenario's names, in the order of OUTCOMES
    outcomes = data["meta"]["outcomes"]
    assert list(outcomes) == ["russia.territory", "casualties", "ukraine.refugees_returned",
                              "ukraine.reconstruction_cum", "ukraine.viability"]
    # Russia's viability (a mechanism ukraine-2023 leaves off for it) is the same
    # everywhere: it tells the policies apart in nothing and is not reported
    assert "russia.viability" in compare_variables(scenario)
    assert np.unique(res["russia.viability"].values).size == 1
    assert outcomes["russia.territory"]["description"] == "territory held by Russia"
    assert data["meta"]["sides"] == {"ukraine": "Ukraine", "russia": "Russia"}
    k = res.step_at_month(36)
    both = (res["ukraine.casualties_cum"] + res["russia.casualties_cum"]).isel(time=k)
    assert data["policies"]["status_quo"]["outcomes"]["casualties"]["median"] == pytest.approx(
        float(np.median(both.sel(policy="status_quo").values)))
    returned = res["ukraine.refugees_abroad"].isel(time=0) - res[
        "ukraine.refugees_abroad"].isel(time=k)
    assert data["policies"]["aid_cutoff"]["outcomes"]["ukraine.refugees_returned"][
        "median"] == pytest.approx(float(np.median(returned.sel(policy="aid_cutoff").values)))
    viability = res["ukraine.viability"].isel(time=k).sel(policy="status_quo").values
    assert data["policies"]["status_quo"]["viability_36m"] == {
        "ukraine": pytest.approx(float(np.median(viability)))}


@pytest.fixture(scope="module")
def talks(scenario):
    """An ensemble with settlements and escalation, and its comparison both ways."""
    res = dt.simulate(scenario, n_samples=120, seed=2, record=RECORD,
                      policies=["status_quo", "direct_talks", "nato_troops"])
    return res, dt.compare(res), compare_summary(res, negotiation=False)


def test_compare_is_a_tidy_frame_of_the_summarys_numbers(talks):
    res, df, data = talks
    assert list(df.columns) == list(COLUMNS)
    assert list(dict.fromkeys(df["policy"])) == res.policies  # in the order run
    assert not df.duplicated(["policy", "quantity", "month", "statistic"]).any()
    assert df.attrs["n_samples"] == 120
    assert df.attrs["outcomes"] == data["meta"]["outcomes"]

    def one(policy, quantity, statistic, month=36.0):
        rows = df[(df.policy == policy) & (df.quantity == quantity)
                  & (df.statistic == statistic) & (df.month == month)]
        assert len(rows) == 1, (policy, quantity, statistic, month)
        return float(rows["value"].iloc[0])

    for pol, entry in data["policies"].items():
        for m in ("12", "24", "36"):
            assert one(pol, "p_settlement", "mean", float(m)) == entry["p_settlement"][m]
            assert one(pol, "p_settlement", "se", float(m)) == entry["p_settlement_se"][m]
        assert one(pol, "p_escalation", "mean") == entry["p_escalation"]
        for name, q in entry["outcomes"].items():
            assert one(pol, name, "median") == q["median"]
            assert one(pol, name, "q10") == q["low"] <= q["median"] <= one(pol, name, "q90")
        for name, d in entry["vs_baseline"].items():
            assert one(pol, name, "diff_mean") == d["value"]
    # every level of an issue has its share of the deals signed, the shares summing to 1
    terms = df[(df.policy == "direct_talks") & (df.topic == "terms of settlement")]
    assert set(terms["statistic"]) == {"share"}
    for issue, shares in data["policies"]["direct_talks"]["terms"].items():
        got = terms[terms.quantity.str.startswith(f"terms.{issue}.")]
        assert len(got) == len(shares)
        if any(v is not None for v in shares.values()):
            assert got["value"].sum() == pytest.approx(1.0)
    # a probability's unit says it is one, an area keeps the model's unit
    assert set(df[df.quantity == "p_settlement"]["unit"]) == {"fraction"}
    assert set(df[df.quantity == "russia.territory"]["unit"]) == {"km2"}


def test_compare_pivots_as_a_pandas_user_expects(talks):
    res, df, data = talks
    odds = df.query("quantity == 'p_settlement' and statistic == 'mean'")
    wide = odds.pivot(index="policy", columns="month", values="value").loc[res.policies]
    assert list(wide.columns) == [12.0, 24.0, 36.0]
    assert wide.loc["status_quo"].tolist() == [0.0, 0.0, 0.0]  # no channel, no deal
    assert (wide.diff(axis=1).iloc[:, 1:] >= 0).all().all()  # odds by a month only grow
    medians = df[df.statistic == "median"].pivot(index="policy",
                                                 columns=["topic", "quantity"],
                                                 values="value")
    assert ("territory", "russia.territory") in medians.columns
    assert medians.loc["nato_troops", ("losses", "casualties")] == (
        data["policies"]["nato_troops"]["outcomes"]["casualties"]["median"])


def test_compare_has_no_differences_without_its_baseline(talks):
    res, _df, _data = talks
    df = dt.compare(res, months=(24,), baseline="aid_surge")  # not run
    assert df.attrs["baseline"] is None
    assert not df.statistic.str.startswith("diff").any()
    assert set(df[df.quantity == "p_settlement"]["month"]) == {24.0}


def test_a_stored_sweep_feeds_compare_and_claims(tmp_path):
    """What ``detente sweep`` writes opens as Results that compare and Claims accept."""
    pytest.importorskip("zarr")
    import pandas as pd

    from detente.analysis.claims import Claims
    from detente.store import open_run

    sc = dt.load("ukraine-2023")
    record = list(dict.fromkeys([*compare_variables(sc), *RECORD]))
    kw = {"n_samples": 40, "seed": 3, "policies": ["status_quo", "direct_talks"],
          "horizon": 60}
    r = run_cli("sweep", "ukraine-2023", "-n", "40", "--seed", "3", "--horizon", "60",
                "-p", "status_quo,direct_talks", "--record", ",".join(record),
                "--out", str(tmp_path / "store"), "--json", "--quiet")
    assert r.code == 0, r.stderr
    run_id = json.loads(r.stdout)["id"]
    stored = open_run(str(tmp_path / "store"), run_id).to_results()
    memory = dt.simulate(sc, record=record, **kw)
    months = (6, 12)
    ours, theirs = dt.compare(stored, months=months), dt.compare(memory, months=months)
    pd.testing.assert_frame_equal(ours, theirs)  # trajectories kept in double precision
    judged = Claims(hinges=()).fit(stored)
    again = Claims(hinges=()).fit(memory)
    assert [c.id for c in judged.claims_] == [c.id for c in again.claims_]
    assert [c.verdict for c in judged.claims_] == [c.verdict for c in again.claims_]
    assert any(c.probability is not None for c in judged.claims_)
    np.testing.assert_allclose(
        [np.nan if c.probability is None else c.probability for c in judged.claims_],
        [np.nan if c.probability is None else c.probability for c in again.claims_],
        rtol=0)


def test_compare_cli_json_has_every_policy_with_the_required_keys():
    r = run_cli("compare", "ukraine-2023", "--samples", "150", "--json", "--quiet")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    pols = data["policies"]
    assert set(pols) == {"status_quo", "aid_cutoff", "aid_surge", "mobilisation_law", "nato_troops",
                         "press_kyiv", "direct_talks", "direct_talks_no_aid"}
    for entry in pols.values():
        assert set(entry["p_settlement"]) == {"12", "24", "36"}
        assert 0.0 <= entry["p_escalation"] <= 1.0
        assert "median_months_to_settlement" in entry
        assert entry["viability_36m"]["ukraine"] is not None
        assert "russia.territory" in entry["outcomes"]


def test_compare_table_lists_all_policies():
    r = run_cli("compare", "ukraine-2023", "--samples", "100", "--quiet",
                "--policies", "status_quo,direct_talks,nato_troops")
    assert r.code == 0, r.stderr
    for name in ("status_quo", "direct_talks", "nato_troops", "P(settlement) by 12 months",
                 "difference from status_quo"):
        assert name in r.stdout


def test_weights_that_do_not_sum_to_one_exit_2(tmp_path):
    from detente.scenario import builtin_path

    text = builtin_path("ukraine-2023").read_text()
    line = next(ln for ln in text.splitlines()
                if ln.strip().startswith("russia.weight_territory:"))
    bad = line.replace("mode: 0.35", "mode: 0.45")
    assert bad != line
    path = tmp_path / "weights.yaml"
    path.write_text(text.replace(line, bad))
    r = run_cli("validate", str(path))
    assert r.code == 2
    assert "weights of 'russia' must sum to 1" in r.stderr
    lineno = text.splitlines().index(line) + 1
    assert f"weights.yaml:{lineno}:" in r.stderr


def test_compare_of_a_short_run_reports_its_last_point():
    # 30 weekly steps reach neither 12 nor 24 nor 36 months: the table is at the last point
    r = run_cli("compare", "ukraine-2023", "--samples", "20", "--horizon", "30", "--quiet",
                "--json")
    assert r.code == 0, r.stderr
    assert '"36"' not in r.stdout
    assert '"12"' not in r.stdout


def test_compare_refuses_months_beyond_the_run_in_python():
    res = dt.simulate("lanchester-bench", n_samples=10, seed=0, horizon=30)
    with pytest.raises(InputError, match="longer horizon"):
        dt.compare(res, months=(36,))


def test_compare_takes_the_sides_from_the_scenario(bench_dict, write_scenario, tmp_path):
    """Any war: the outcomes are each side's, named as the scenario names the sides."""
    bench_dict["sides"] = {"blue": {"name": "Azure"}, "red": {"name": "Crimson"}}
    bench_dict["policies"] = {**bench_dict["policies"], "more_aid": {
        "description": "more direct aid",
        "changes": [{"param": "blue.shell_aid_direct", "scale": 2}]}}
    sc = dt.load(str(write_scenario(bench_dict)))
    res = dt.simulate(sc, n_samples=100, seed=1, horizon=60,
                      record=compare_variables(sc) or None)
    assert set(compare_variables(sc)) == {"blue.territory", "red.territory",
                                          "blue.casualties_cum", "red.casualties_cum"}
    data = compare_summary(res, months=(6, 12), baseline="status_quo")
    outcomes = data["meta"]["outcomes"]
    # the benchmark has no front: territory stays 0 and is not reported
    assert list(outcomes) == ["casualties"]
    assert data["meta"]["sides"] == {"blue": "Azure", "red": "Crimson"}
    from detente.analysis.compare import outcomes_of

    assert outcomes_of(res)["red.territory"] == ("km2", "territory held by Crimson")
    for entry in data["policies"].values():
        assert entry["p_settlement"] is None
        assert entry["p_escalation"] is None
        assert entry["viability_36m"] is None
        assert set(entry["outcomes"]) == set(outcomes)
    k = res.step_at_month(12)
    both = (res["blue.casualties_cum"] + res["red.casualties_cum"]).isel(time=k).values
    diff = data["policies"]["more_aid"]["vs_baseline"]["casualties"]["value"]
    assert diff == pytest.approx(float(np.mean(both[1] - both[0])))
    # the same comparison from results read back from a file (sides from the dataset)
    pytest.importorskip("h5netcdf")
    back = dt.open_results(res.to_netcdf(tmp_path / "r.nc", full_precision=True))
    assert back.scenario is None
    again = compare_summary(back, months=(6, 12), baseline="status_quo")
    assert again["meta"]["outcomes"] == outcomes
    assert again["policies"] == data["policies"]
