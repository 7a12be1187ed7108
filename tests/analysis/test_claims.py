"""Claims: probability = share of samples, intervals, verdicts, errors, the shipped claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import detente as dt
from cli_runner import run_cli
from detente.analysis.claims import Claims, jeffreys_interval, verdict_for
from detente.errors import ScenarioError

HORIZON = 26


@pytest.fixture
def bench_claims(bench_dict: dict) -> dict:
    """lanchester-bench with a second policy and claims of every kind."""
    data = dict(bench_dict)
    data["policies"] = {
        **data["policies"],
        "more_aid": {"description": "double direct aid",
                     "changes": [{"param": "blue.shell_aid_direct", "scale": 2}]},
    }
    data["claims"] = {
        "blue_shrinks": {"text": "Blue's force shrinks", "source": "test",
                       "test": {"kind": "change", "metric": "blue.personnel", "at": "2024-04-01",
                                "op": "<", "than": "start"}},
        "ratio_low": {"text": "ratio below one", "source": "test",
                      "test": {"kind": "compare", "metric": "blue.personnel / red.personnel",
                               "at": "2024-04-01", "op": "<", "threshold": 1}},
        "aid_helps": {"text": "aid keeps more soldiers", "source": "test",
                      "policies": ["more_aid"],
                      "test": {"kind": "compare", "metric": "blue.personnel", "at": "2024-04-01",
                               "op": ">=", "versus": "status_quo"}},
        "shells_run_out": {"text": "shells fall below a fifth", "source": "test",
                           "test": {"kind": "event", "when": "blue.shells < 0.2 * 2e6",
                                    "by": "2024-04-01"}},
        "aid_difference": {"text": "aid adds shells", "source": "test",
                           "test": {"kind": "difference", "metric": "blue.shells",
                                    "over": ["start", "2024-04-01"], "reduce": "mean",
                                    "policy": "more_aid", "versus": "status_quo",
                                    "op": ">", "by": 0}},
        "given_fast": {"text": "with strong reinforcement", "source": "test",
                       "test": {"kind": "change", "metric": "blue.personnel", "at": "2024-04-01",
                                "op": ">", "than": "start",
                                "given": "blue.reinforcement > 0.5 * (1e3 / 7)"}},
        "late": {"text": "reads past the horizon of a short run", "source": "test",
                 "test": {"kind": "compare", "metric": "blue.personnel", "at": "2030-01-01",
                          "op": ">", "threshold": 0}},
        "cannot": {"text": "untestable", "source": "test", "untestable": "no such thing"},
    }
    return data


@pytest.fixture
def bench_file(bench_claims: dict, write_scenario) -> Path:
    return write_scenario(bench_claims)


@pytest.fixture
def fitted(bench_file: Path) -> Claims:
    return Claims(hinges=()).fit(str(bench_file), n_samples=300, seed=3, horizon=HORIZON)


def _by_id(ev: Claims) -> dict:
    return {c.id: c for c in ev.claims_}


def test_probability_is_the_share_of_samples_that_satisfy_the_test(fitted: Claims):
    res = fitted.results_
    pols = res.policies
    k = int(np.searchsorted(res.ds["time"].values, np.datetime64("2024-04-01")))
    blue = res["blue.personnel"].values
    red = res["red.personnel"].values
    sq, more = pols.index("status_quo"), pols.index("more_aid")
    got = _by_id(fitted)
    assert got["blue_shrinks"].probability == pytest.approx(
        np.mean(blue[sq, :, k] < blue[sq, :, 0]))
    assert got["ratio_low"].probability == pytest.approx(
        np.mean(blue[sq, :, k] / red[sq, :, k] < 1))
    assert got["aid_helps"].probability == pytest.approx(
        np.mean(blue[more, :, k] >= blue[sq, :, k]))
    shells = res["blue.shells"].values
    assert got["shells_run_out"].probability == pytest.approx(
        np.mean((shells[sq, :, :k + 1] < 0.2 * 2e6).any(axis=1)))
    diff = shells[more, :, :k + 1].mean(axis=1) - shells[sq, :, :k + 1].mean(axis=1)
    assert got["aid_difference"].probability == pytest.approx(np.mean(diff > 0))
    assert got["aid_difference"].effect["mean"] == pytest.approx(diff.mean())
    # given: parameters in the model's canonical units (persons/day)
    reinf = res["param_blue.reinforcement"].values * 1e3 / 7
    sel = reinf > 0.5 * 1e3 / 7
    assert got["given_fast"].n_samples == int(sel.sum())
    assert got["given_fast"].probability == pytest.approx(
        np.mean(blue[sq, sel, k] > blue[sq, sel, 0]))


def test_intervals_and_verdicts(fitted: Claims):
    for c in fitted.claims_:
        if c.verdict == "untestable":
            assert c.probability is None
            assert c.reason
            continue
        lo, hi = c.interval
        assert 0.0 <= lo <= c.probability <= hi <= 1.0
        assert c.verdict == verdict_for(c.probability, 0.8, 0.2)
    got = _by_id(fitted)
    assert got["aid_difference"].interval_method in ("bootstrap", "jeffreys")
    assert got["blue_shrinks"].interval_method == "jeffreys"
    assert "past the simulated horizon" in got["late"].reason
    assert got["cannot"].reason == "no such thing"


def test_jeffreys_interval_and_thresholds():
    lo, hi = jeffreys_interval(50, 100, 0.9)
    assert lo < 0.5 < hi
    assert hi - lo == pytest.approx(0.164, abs=0.005)
    assert jeffreys_interval(0, 10)[0] == 0.0
    assert jeffreys_interval(10, 10)[1] == 1.0
    assert verdict_for(0.8) == "supported"
    assert verdict_for(0.2) == "refuted"
    assert verdict_for(0.5, supported=0.5) == "supported"


def test_results_carrying_their_scenario_are_judged_as_they_are(bench_file: Path, tmp_path):
    sc = dt.load(str(bench_file))
    res = dt.simulate(sc, n_samples=64, seed=3, horizon=HORIZON, record=["blue.personnel"])
    ev = Claims(hinges=()).fit(res)
    assert ev.results_ is res
    ref = Claims(hinges=()).fit(sc, results=res)
    assert ev.to_list() == ref.to_list()
    got = _by_id(ev)
    assert list(got) == list(sc.claims)
    assert got["blue_shrinks"].verdict != "untestable"
    # what one side owns is recorded for every side: Red's personnel is there, not NaN
    assert np.isfinite(res["red.personnel"].values).all()
    assert got["ratio_low"].verdict != "untestable"
    # a claim reading a variable these results did not record says so rather than guessing
    assert got["shells_run_out"].verdict == "untestable"
    assert "blue.shells" in (got["shells_run_out"].reason or "")
    with pytest.raises(dt.InputError, match="given twice"):
        Claims(hinges=()).fit(res, results=res)
    res.scenario = None  # as results opened from a file
    with pytest.raises(dt.InputError, match="carry no scenario"):
        Claims(hinges=()).fit(res)


def test_thresholds_override_and_claim_selection(bench_file: Path):
    ev = Claims(hinges=(), supported=0.0, refuted=0.0, ids=["ratio_low"]).fit(
        str(bench_file), n_samples=64, seed=0, horizon=HORIZON)
    assert [c.id for c in ev.claims_] == ["ratio_low"]
    assert ev.claims_[0].verdict in ("supported", "refuted")
    with pytest.raises(dt.InputError, match="did you mean 'ratio_low'"):
        Claims(hinges=(), ids=["ratio_lo"]).fit(str(bench_file), n_samples=8, horizon=4)


def test_hinges_sobol_and_prim(bench_file: Path):
    pytest.importorskip("SALib")
    ev = Claims(sobol_n=8, ids=["ratio_low", "aid_helps"]).fit(
        str(bench_file), n_samples=200, seed=1, horizon=HORIZON)
    known = set(dt.load(str(bench_file)).uncertain)
    for c in ev.claims_:
        assert set(c.hinges_on) <= known
        assert len(c.hinges_on) <= 5
        # every hinge listed is one beyond its error
        assert all(s["ST"] - abs(s["ST_conf"]) >= 0.05 for s in c.sobol)
        assert c.prim is None or c.prim.startswith(
            ("fails when", "holds when", "holds in all samples", "fails in all samples"))


def test_prim_missing_is_reported_not_fatal(bench_file: Path, monkeypatch):
    import detente.analysis.discovery as disc

    monkeypatch.setattr(disc, "prim_available", lambda: False)
    ev = Claims(hinges=("prim",), ids=["ratio_low"]).fit(str(bench_file), n_samples=64,
                                                          horizon=HORIZON)
    assert any("pip install 'detente[discovery]'" in n for n in ev.claims_[0].notes)


# --------------------------------------------------------------------------- bad claims
@pytest.mark.parametrize(("claim", "expected"), [
    ({"text": "t", "source": "s", "test": {"kind": "change", "metric": "blue.personel",
                                           "at": "end", "op": "<", "than": "start"}},
     "unknown name 'blue.personel'.*did you mean 'blue.personnel'"),
    ({"text": "t", "source": "s", "test": {"kind": "evnt", "when": "x > 0"}},
     "unknown test kind 'evnt'.*did you mean 'event'"),
    ({"text": "t", "source": "s", "policies": ["status_qo"], "untestable": "x"},
     "unknown policy 'status_qo'.*did you mean 'status_quo'"),
    ({"text": "t", "source": "s", "test": {"kind": "compare", "metric": "blue.shells",
                                           "at": "2099-01-01", "op": ">", "threshold": 1}},
     "outside the horizon"),
    ({"text": "t", "source": "s", "test": {"kind": "compare", "metric": "__import__('os')",
                                           "at": "end", "op": ">", "threshold": 1}},
     "unknown function '__import__'"),
    ({"text": "t", "source": "s", "test": {"kind": "event", "when": "blue.shells"}},
     "expected a condition"),
    ({"text": "t", "source": "s", "test": {"kind": "compare", "metric": "blue.shells",
                                           "at": "end", "op": ">", "treshold": 1}},
     "unknown key 'treshold'.*did you mean 'threshold'"),
    ({"text": "t", "source": "s"}, "exactly one of 'test' or 'untestable'"),
    ({"text": "t", "source": "s", "test": {"kind": "compare", "metric": "blue.shells",
                                           "at": "end", "op": ">", "threshold": 1,
                                           "given": "blue.shells > 0"}},
     "may read only parameters and events"),
])
def test_malformed_claims_are_located(bench_dict, write_scenario, claim, expected):
    data = dict(bench_dict)
    data["claims"] = {"bad": claim}
    path = write_scenario(data)
    with pytest.raises(ScenarioError) as exc:
        dt.load(str(path))
    text = str(exc.value)
    assert str(path) in text
    import re

    assert re.search(expected, text), text
    lines = path.read_text().splitlines()
    claims_line = next(i for i, ln in enumerate(lines, 1) if ln.startswith("claims:"))
    located = [p for p in exc.value.problems if p.path.startswith("claims")]
    assert located
    assert all(p.line is not None and p.line > claims_line for p in located)


def test_cli_claims_json_and_exit_code_two(bench_file: Path, bench_dict, write_scenario):
    r = run_cli("claims", str(bench_file), "--samples", "64", "--horizon", str(HORIZON),
                "--hinges", "none", "--json", "--quiet")
    assert r.code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {row["id"] for row in rows} >= {"blue_shrinks", "cannot"}
    for row in rows:
        assert {"id", "verdict", "probability", "interval", "hinges_on"} <= set(row)
        assert row["verdict"] in ("supported", "contested", "refuted", "untestable")
    data = dict(bench_dict)
    data["claims"] = {"bad": {"text": "t", "source": "s",
                              "test": {"kind": "event", "when": "blue.shels > 0"}}}
    bad = write_scenario(data, "bad.yaml")
    r = run_cli("claims", str(bad), "--samples", "8", "--hinges", "none")
    assert r.code == 2
    assert f"{bad}:" in r.stderr
    assert "did you mean 'blue.shells'" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_metric_undefined_in_every_sample_is_untestable_not_refuted(
        bench_dict: dict, write_scenario) -> None:
    """A comparison with NaN is false: without the check the claim read "refuted, P = 0"."""
    data = dict(bench_dict)
    data["claims"] = {
        "nan_metric": {"text": "log of a negative", "source": "test",
                       "test": {"kind": "compare", "metric": "log(-blue.personnel)",
                                "at": "2024-04-01", "op": ">", "threshold": 0}},
        "nan_change": {"text": "0/0 shrinks", "source": "test",
                       "test": {"kind": "change", "metric": "0 * blue.personnel / 0",
                                "at": "2024-04-01", "op": "<", "than": "start"}},
        "fine": {"text": "ratio below one", "source": "test",
                 "test": {"kind": "compare", "metric": "blue.personnel / red.personnel",
                          "at": "2024-04-01", "op": "<", "threshold": 1}},
    }
    ev = Claims(hinges=()).fit(str(write_scenario(data)), n_samples=20, seed=1,
                               horizon=HORIZON)
    got = _by_id(ev)
    for cid, metric in (("nan_metric", "log(-blue.personnel)"),
                        ("nan_change", "0 * blue.personnel / 0")):
        assert got[cid].verdict == "untestable"
        assert got[cid].probability is None
        assert f"the metric '{metric}' is undefined (NaN) in every sample" in got[cid].reason
    assert got["fine"].verdict != "untestable"


# --------------------------------------------------------------------------- modal words
from hypothesis import given as _given  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402

from detente.analysis.claims import MODAL_RULES  # noqa: E402


def test_the_modal_rules_follow_the_calibrated_language():
    # IPCC (Mastrandrea et al. 2010): very likely >= 90 %, likely >= 66 %, more likely than
    # not > 50 %, unlikely <= 33 %, very unlikely <= 10 %, exceptionally unlikely <= 1 %
    expect = {
        "will": {0.95: "supported", 0.9: "supported", 0.8: "contested", 0.34: "contested",
                 0.33: "refuted", 0.0: "refuted"},
        "likely": {0.7: "supported", 0.66: "supported", 0.5: "contested", 0.3: "refuted"},
        "most": {0.51: "supported", 0.5: "contested", 0.4: "contested", 0.33: "refuted"},
        "may": {0.29: "supported", 0.1: "supported", 0.05: "contested", 0.01: "refuted",
                0.0: "refuted"},
        "never": {0.0: "supported", 0.1: "supported", 0.2: "contested", 0.33: "refuted",
                  0.9: "refuted"},
    }
    assert set(MODAL_RULES) == set(expect)
    for word, cases in expect.items():
        rule = MODAL_RULES[word]
        for p, verdict in cases.items():
            assert verdict_for(p, rule.supported, rule.refuted) == verdict, (word, p)


@_given(_st.floats(0, 1), _st.floats(0, 1))
def test_a_stronger_word_is_never_easier_to_support(p, q):
    # "will" asks more than "likely", which asks more than "most", than "may"; and a
    # higher probability never lowers a positive claim's verdict (nor raises "never"'s)
    order = {"refuted": 0, "contested": 1, "supported": 2}
    ranks = [order[verdict_for(p, MODAL_RULES[w].supported, MODAL_RULES[w].refuted)]
             for w in ("will", "likely", "most", "may")]
    assert ranks == sorted(ranks)
    lo, hi = sorted((p, q))
    for w in ("will", "likely", "most", "may"):
        r = MODAL_RULES[w]
        assert order[verdict_for(lo, r.supported, r.refuted)] <= order[
            verdict_for(hi, r.supported, r.refuted)]
    r = MODAL_RULES["never"]
    assert order[verdict_for(lo, r.supported, r.refuted)] >= order[
        verdict_for(hi, r.supported, r.refuted)]


def test_a_claim_takes_a_modal_word_or_thresholds_not_both(tmp_path):
    import yaml

    from detente.errors import ScenarioError
    from detente.scenario import builtin_path, load_scenario

    data = yaml.safe_load(builtin_path("lanchester-bench").read_text())
    data["claims"] = {"c": {"text": "Blue may hold.", "source": "s", "modal": "may",
                            "thresholds": {"supported": 0.5, "refuted": 0.1},
                            "test": {"kind": "compare", "metric": "blue.personnel",
                                     "at": "end", "op": ">", "threshold": 0}},
                      "d": {"text": "Blue must.", "source": "s", "modal": "must",
                            "untestable": "no"}}
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "claims.c.thresholds: expected either a modal word or thresholds" in text
    assert "claims.d.modal" in text
