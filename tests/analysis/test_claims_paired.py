"""Policy contrasts as paired, per-sample comparisons: differences, rankings, words."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import detente as dt
from cli_runner import run_cli
from detente.analysis.claims import Claims, describe_test, difference_summary
from detente.errors import ScenarioError
from detente.scenario.schema import Claim

HORIZON = 26
WINDOW = ["start", "2024-04-01"]


@pytest.fixture
def paired_file(bench_dict, write_scenario):
    data = dict(bench_dict)
    data["time"] = {**data["time"], "horizon_steps": HORIZON}
    data["policies"] = {
        **data["policies"],
        "more_aid": {"description": "double direct aid",
                     "changes": [{"param": "blue.shell_aid_direct", "scale": 2}]},
        "less_aid": {"description": "halve direct aid",
                     "changes": [{"param": "blue.shell_aid_direct", "scale": 0.5}]},
    }
    shells = {"metric": "blue.shells", "over": WINDOW, "reduce": "mean"}
    data["claims"] = {
        "aid_difference": {"text": "aid adds shells", "source": "test", "modal": "likely",
                           "test": {"kind": "difference", **shells, "policy": "more_aid",
                                    "versus": "status_quo", "op": ">", "by": 0}},
        "aid_ranked_two": {"text": "more aid ranks first", "source": "test", "modal": "likely",
                           "test": {"kind": "rank", **shells,
                                    "order": ["more_aid", "status_quo"]}},
        "aid_ranked": {"text": "the more aid the more shells", "source": "test",
                       "modal": "likely",
                       "test": {"kind": "rank", **shells,
                                "order": ["more_aid", "status_quo", "less_aid"]}},
        "aid_versus": {"text": "aid keeps more soldiers", "source": "test", "modal": "may",
                       "policies": ["more_aid"],
                       "test": {"kind": "compare", "metric": "blue.personnel",
                                "at": "2024-04-01", "op": ">=", "versus": "status_quo"}},
        "assumed": {"text": "a non-negative force", "source": "test", "modal": "will",
                    "assumption": "the model keeps stocks non-negative",
                    "test": {"kind": "compare", "metric": "blue.personnel", "at": "end",
                             "op": ">=", "threshold": 0}},
    }
    return write_scenario(data, "paired.yaml")


@pytest.fixture
def fitted(paired_file) -> Claims:
    return Claims(hinges=()).fit(str(paired_file), n_samples=96, seed=3)


def _by_id(ev: Claims) -> dict:
    return {c.id: c for c in ev.claims_}


def test_a_ranking_of_two_policies_is_their_paired_difference(fitted: Claims):
    c = _by_id(fitted)
    assert c["aid_ranked_two"].probability == c["aid_difference"].probability
    assert c["aid_ranked_two"].ranking["more_aid > status_quo"] == pytest.approx(
        c["aid_ranked_two"].probability)


def test_a_ranking_reports_every_ordering_and_its_share(fitted: Claims):
    r = _by_id(fitted)["aid_ranked"]
    assert r.ranking is not None
    assert sum(r.ranking.values()) == pytest.approx(1.0)
    assert r.probability == pytest.approx(
        r.ranking.get("more_aid > status_quo > less_aid", 0.0))
    assert list(r.ranking.values()) == sorted(r.ranking.values(), reverse=True)
    assert lo_le_hi(r.interval)
    assert [d["label"].split(": ")[1] for d in r.differences] == [
        "more_aid minus status_quo", "status_quo minus less_aid"]


def lo_le_hi(interval) -> bool:
    return interval is not None and interval[0] <= interval[1]


def test_every_contrast_reports_the_per_sample_difference(fitted: Claims, paired_file):
    from detente.analysis._outputs import OutputReader

    c = _by_id(fitted)
    sc = dt.load(str(paired_file))
    reader = OutputReader(fitted.results_, sc)
    expr = reader.compile("blue.shells")
    d = (reader.reading(expr, "more_aid", over=tuple(WINDOW), reduce="mean")
         - reader.reading(expr, "status_quo", over=tuple(WINDOW), reduce="mean"))
    [summary] = c["aid_difference"].differences
    assert summary["median"] == pytest.approx(float(np.median(d)))
    assert summary["interval"] == pytest.approx([float(np.quantile(d, 0.05)),
                                                 float(np.quantile(d, 0.95))])
    assert summary["positive"] == pytest.approx(c["aid_difference"].probability)
    assert c["aid_difference"].effect["median"] == pytest.approx(summary["median"])
    # a comparison against another policy is a difference too, not two shares
    [versus] = c["aid_versus"].differences
    assert versus["label"] == "blue.personnel at 2024-04-01: more_aid minus status_quo"


def test_an_assumption_is_carried_and_shown_apart(fitted: Claims, paired_file):
    assert _by_id(fitted)["assumed"].assumption == "the model keeps stocks non-negative"
    r = run_cli("claims", str(paired_file), "--samples", "32", "--hinges", "none",
                "--quiet", "--no-outside-view")
    assert r.code == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "The tests in words" in out
    assert "Model assumptions" in out
    assert "assumed: the model keeps stocks non-negative" in out
    assert ("aid_ranked [likely]: mean over the start to 2024-04-01 of blue.shells ranks "
            "more_aid > status_quo > less_aid (higher is better), same sample") in out


@given(arrays(np.float64, st.integers(1, 60),
              elements=st.floats(-1e6, 1e6, allow_nan=False)))
@settings(max_examples=60, deadline=None)
def test_the_difference_summary_is_the_samples_median_and_central_range(d):
    s = difference_summary("x", d)
    assert s["median"] == pytest.approx(float(np.median(d)))
    lo, hi = s["interval"]
    assert lo <= s["median"] <= hi
    assert s["positive"] + s["negative"] <= 1.0
    assert s["n"] == d.size


def _claim(test: dict) -> Claim:
    return Claim.model_validate({"text": "t", "source": "s", "test": test})


@pytest.mark.parametrize(("test", "words"), [
    ({"kind": "compare", "metric": "settled", "at": "end", "op": ">", "threshold": 0.5,
      "policy": "direct_talks"},
     "under direct_talks, at the end: settled > 0.5"),
    ({"kind": "change", "metric": "x", "at": "2024-12-01", "op": "<", "than": "start",
      "given": "not stall"},
     "under status_quo, at 2024-12-01: x < its value at the start, in the samples where "
     "not stall"),
    ({"kind": "compare", "metric": "x", "at": "end", "op": ">=", "versus": "b", "policy": "a"},
     "under a, at the end: x ≥ its value under b, same sample"),
    ({"kind": "difference", "metric": "x", "at": "end", "policy": "a", "versus": "b",
      "op": ">", "by": 0},
     "at the end: x under a minus under b > 0, same sample"),
    ({"kind": "event", "when": "escalated > 0", "happens": False},
     "under status_quo, never escalated > 0 from the start to the end"),
    ({"kind": "rank", "metric": "x", "at": "end", "order": ["a", "b", "c"],
      "better": "lower", "strict": False},
     "at the end: x ranks a ≥ b ≥ c (lower is better), same sample"),
])
def test_the_test_in_words(test, words):
    assert describe_test(_claim(test).test, "status_quo") == words  # type: ignore[arg-type]


def test_a_ranking_names_each_policy_once_and_only_known_ones(bench_dict, write_scenario):
    data = dict(bench_dict)
    rank = {"kind": "rank", "metric": "blue.shells", "at": "end"}
    data["claims"] = {"twice": {"text": "t", "source": "s",
                                "test": {**rank, "order": ["status_quo", "status_quo"]}}}
    with pytest.raises(ScenarioError, match="names a policy twice"):
        dt.load(str(write_scenario(data, "twice.yaml")))
    data["claims"] = {"unknown": {"text": "t", "source": "s",
                                  "test": {**rank, "order": ["status_quo", "nope"]}}}
    with pytest.raises(ScenarioError, match="unknown policy 'nope'") as exc:
        dt.load(str(write_scenario(data, "unknown.yaml")))
    assert any("order" in p.path for p in exc.value.problems)
