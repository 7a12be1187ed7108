"""Overlays: a policy cancels an event or changes its chance, and its change holds.

The benchmark scenario (lanchester-bench, the military module alone) with two chance
events: ``aid_arrives`` (a flood of shells for blue, probability ``p_aid`` drawn per sample)
and ``red_surge`` (red's reinforcements triple, probability ``p_red``). Whether ``aid_arrives``
happened in a sample under a policy is read from the outputs: blue's shell stock differs
from the run in which it is cancelled.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.engine import compile_plan
from detente.engine.plan import POLICY_CHANGE, POLICY_EVENT, SCENARIO_EVENT, Chance
from detente.engine.streams import block_noise, block_parameters, blocks, seed_sequence
from detente.errors import InputError, ScenarioError
from detente.scenario import load_scenario
from detente.scenario.schema import Scenario

STEPS = 30
N = 1500  # two blocks: the draws of a later block are keyed by its own index
SEED = 5
RECORD = ["blue.shells", "blue.personnel"]


def _day(data: dict, days: int) -> str:
    start = dt.date.fromisoformat(str(data["time"]["start"]))
    return (start + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def events_dict(bench_dict: dict) -> dict:
    data = copy.deepcopy(bench_dict)
    data["time"]["horizon_steps"] = STEPS
    data["parameters"].update({
        "p_aid": {"dist": "uniform", "low": 0.2, "high": 0.6, "unit": "fraction",
                  "source": "assumption"},
        "p_red": {"value": 50, "unit": "%", "source": "assumption", "note": "a coin flip"},
        "p_high": {"value": 0.9, "unit": "fraction", "source": "assumption",
                   "note": "another judgement"},
    })
    data["events"] = {
        "aid_arrives": {"date": _day(data, 28), "probability": "p_aid", "changes": [
            {"param": "blue.shell_aid_direct", "value": 5000}]},
        "red_surge": {"date": _day(data, 56), "probability": "p_red", "changes": [
            {"param": "red.reinforcement", "scale": 3}]},
    }
    data["policies"] = {
        "base": {"description": "The scenario as it is."},
        "no_aid": {"description": "No aid.", "cancel": ["aid_arrives"]},
        "never": {"description": "p = 0.", "chances": {"aid_arrives": {"probability": 0}}},
        "always": {"description": "p = 1.", "chances": {"aid_arrives": {"probability": 1}}},
        "p30": {"description": "p = 0.3.", "chances": {"aid_arrives": {"probability": 0.3}}},
        "p70": {"description": "p = 0.7.", "chances": {"aid_arrives": {"probability": 0.7}}},
        "high": {"description": "Another parameter's.",
                 "chances": {"aid_arrives": {"probability": "p_high"}}},
        "half": {"description": "Half as likely.", "chances": {"aid_arrives": {"scale": 0.5}}},
    }
    return data


Load = Callable[[dict], Scenario]


@pytest.fixture
def load(write_scenario: Callable[..., Path]) -> Load:
    count = iter(range(100))

    def _load(data: dict) -> Scenario:
        return load_scenario(write_scenario(data, f"scenario_{next(count)}.yaml"))

    return _load


def _run(sc: Scenario, policies: list[str], n: int = N) -> dict[str, dict[str, np.ndarray]]:
    """Per policy: each recorded variable, shape (sample, time)."""
    ds = detente.simulate(sc, n_samples=n, seed=SEED, policies=policies, record=RECORD).ds
    out: dict[str, dict[str, np.ndarray]] = {}
    for pol in policies:
        out[pol] = {f"{s}.{v}": ds[v].sel(policy=pol, side=s).values
                    for v in ("shells", "personnel") for s in ("blue", "red")}
        out[pol].update((str(v), ds[v].values) for v in ds.data_vars
                        if str(v).startswith("event_"))
    return out


def _fired(runs: dict[str, dict[str, np.ndarray]], pol: str) -> np.ndarray:
    """Per sample: whether aid arrived under ``pol`` (blue's shells differ from no aid)."""
    return np.any(runs[pol]["blue.shells"] != runs["no_aid"]["blue.shells"], axis=1)


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], rows: np.ndarray | None = None
          ) -> None:
    for name, values in a.items():
        if name.startswith("event_"):
            continue
        mine, theirs = (values, b[name]) if rows is None else (values[rows], b[name][rows])
        np.testing.assert_array_equal(mine, theirs, err_msg=name)


# --------------------------------------------------------------------------- cancel
def test_cancelling_an_event_removes_it_in_every_sample_and_nothing_else(
        events_dict: dict, load: Load) -> None:
    runs = _run(load(events_dict), ["base", "no_aid"])
    happened = runs["base"]["event_aid_arrives"]
    assert 0.2 < happened.mean() < 0.6  # p_aid is uniform on [0.2, 0.6]
    # where the event did not happen, the policy changes nothing, bit for bit
    _same(runs["no_aid"], runs["base"], ~happened)
    # where it did, the policy removes it: blue has fewer shells in every such sample
    assert np.all(runs["no_aid"]["blue.shells"][happened, -1]
                  < runs["base"]["blue.shells"][happened, -1])
    # and the result is the scenario whose event changes nothing, bit for bit: the other
    # event (red_surge) and every parameter keep their draws
    inert = copy.deepcopy(events_dict)
    inert["events"]["aid_arrives"]["changes"] = []
    ref = _run(load(inert), ["base"])
    _same(runs["no_aid"], ref["base"])
    assert runs["no_aid"]["event_red_surge"].any()
    np.testing.assert_array_equal(runs["base"]["event_red_surge"],
                                  ref["base"]["event_red_surge"])


def test_a_cancelled_event_leaves_no_overlay(events_dict: dict, load: Load) -> None:
    plan = compile_plan(load(events_dict), policies=["base", "no_aid"])
    assert [o.event for o in plan.overlays["base"]] == ["aid_arrives", "red_surge"]
    assert [o.event for o in plan.overlays["no_aid"]] == ["red_surge"]
    assert plan.chances["no_aid"] == {"aid_arrives": Chance(fixed=0.0)}
    assert plan.chances["base"] == {}


# --------------------------------------------------------------------------- chances
def test_probability_zero_is_never_and_one_is_always(events_dict: dict, load: Load) -> None:
    runs = _run(load(events_dict), ["no_aid", "never", "always"])
    _same(runs["never"], runs["no_aid"])
    assert _fired(runs, "always").all()
    # always is the scenario in which the event is certain, bit for bit
    certain = copy.deepcopy(events_dict)
    del certain["events"]["aid_arrives"]["probability"]
    # p_aid keeps its place in the design as the probability of an event that changes nothing
    certain["events"]["unseen"] = {"date": _day(certain, 7), "probability": "p_aid"}
    ref = _run(load(certain), ["base"])
    _same(runs["always"], ref["base"])


def test_a_fixed_probability_gives_its_share_on_the_same_draws(events_dict: dict,
                                                              load: Load) -> None:
    runs = _run(load(events_dict), ["base", "no_aid", "p30", "p70", "high", "half"])
    fired = {p: _fired(runs, p) for p in ("base", "p30", "p70", "high", "half")}
    # the run's own record of the event is the scenario's draw
    np.testing.assert_array_equal(fired["base"], runs["base"]["event_aid_arrives"])
    for pol, p in (("p30", 0.3), ("p70", 0.7), ("high", 0.9)):
        tolerance = 4.0 * np.sqrt(p * (1.0 - p) / N)  # binomial, about 1 in 16,000 to fail
        assert abs(fired[pol].mean() - p) < tolerance, pol
    # the same uniform per sample: what fires at a lower probability fires at a higher one
    assert np.all(fired["p70"][fired["p30"]])
    assert np.all(fired["high"][fired["p70"]])
    assert fired["p70"].sum() > fired["p30"].sum()
    # scaling the event's own probability by 0.5 keeps a subset of the samples it fired in
    assert np.all(fired["base"][fired["half"]])
    assert 0 < fired["half"].sum() < fired["base"].sum()
    # and the samples a policy does not touch are the base's, bit for bit
    for pol in ("p30", "p70", "high", "half"):
        same = fired[pol] == fired["base"]
        _same(runs[pol], runs["base"], same)


def test_a_chance_is_the_event_s_uniform_against_its_threshold(events_dict: dict,
                                                               load: Load) -> None:
    sc = load(events_dict)
    plan = compile_plan(sc)
    root = seed_sequence(SEED)
    for block, n in blocks(N):
        params = block_parameters(plan, root, block, n)
        noise = block_noise(plan, root, block, n, params)
        u = noise.uniforms["aid_arrives"]
        p_aid = params["p_aid"]
        expected = {"base": u < p_aid, "no_aid": np.zeros(n, bool), "never": np.zeros(n, bool),
                    "always": np.ones(n, bool), "p30": u < 0.3, "p70": u < 0.7,
                    "high": u < 0.9, "half": u < p_aid * 0.5}
        for pol, want in expected.items():
            happened = noise.under(plan, pol, params)
            np.testing.assert_array_equal(happened["aid_arrives"], want, err_msg=pol)
            # the other event is the scenario's draw under every policy
            np.testing.assert_array_equal(happened["red_surge"], noise.events["red_surge"])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), low=st.floats(0.0, 1.0), high=st.floats(0.0, 1.0))
def test_a_likelier_chance_fires_in_a_superset_of_samples(seed: int, low: float,
                                                          high: float) -> None:
    low, high = sorted((low, high))
    u = np.random.default_rng(seed).random(512)
    params: dict[str, np.ndarray] = {}
    less = Chance(fixed=low).happened(u, params, u.size)
    more = Chance(fixed=high).happened(u, params, u.size)
    assert np.all(more[less])
    assert less.sum() <= more.sum()


def test_a_policy_s_own_version_of_an_event_keeps_its_probability(events_dict: dict,
                                                                  load: Load) -> None:
    data = copy.deepcopy(events_dict)
    redefined = copy.deepcopy(data["events"]["aid_arrives"])
    redefined["probability"] = "p_high"
    data["policies"] = {
        "base": data["policies"]["base"], "no_aid": data["policies"]["no_aid"],
        "likely": {"description": "Aid is likely.", "events": {"aid_arrives": redefined}}}
    runs = _run(load(data), ["base", "no_aid", "likely"])
    fired = {p: _fired(runs, p) for p in ("base", "likely")}
    assert abs(fired["likely"].mean() - 0.9) < 4.0 * np.sqrt(0.09 / N)
    assert np.all(fired["likely"][fired["base"]])  # p_aid <= 0.6 < 0.9, on the same draw


# --------------------------------------------------------------------------- the order
def _plain(data: dict) -> dict:
    """The scenario without its chance events (and their probabilities)."""
    data = copy.deepcopy(data)
    data["events"] = {}
    for name in ("p_aid", "p_red", "p_high"):
        del data["parameters"][name]
    return data


def _order(data: dict, policy_change: dict, event_change: dict, event_day: int,
           policy_event: dict | None = None) -> dict:
    data = _plain(data)
    data["events"] = {"cut": {"date": _day(data, event_day), "changes": [event_change]}}
    pol: dict = {"description": "The policy.", "changes": [policy_change]}
    if policy_event is not None:
        pol["events"] = {"own": policy_event}
    data["policies"] = {"policy": pol}
    return data


def test_a_policy_change_holds_over_a_scenario_event_of_the_same_day(events_dict: dict,
                                                                     load: Load) -> None:
    day = 70
    keep = {"param": "blue.shell_production", "value": 60, "from": _day(events_dict, day)}
    cut = {"param": "blue.shell_production", "scale": 0}
    sc = load(_order(events_dict, keep, cut, day))
    plan = compile_plan(sc)
    assert [(o.event, o.scale, o.value is not None) for o in plan.overlays["policy"]] == [
        ("cut", 0.0, False), (None, None, True)]
    # the policy's value holds: the run is that of the policy without the event, bit for bit
    without = _plain(events_dict)
    without["policies"] = {"policy": {"description": "p", "changes": [keep]}}
    runs = _run(sc, ["policy"], n=64)["policy"]
    ref = _run(load(without), ["policy"], n=64)["policy"]
    _same(runs, ref)
    # and the event does cut production where it is not overridden (the test has teeth)
    alone = _order(events_dict, {**keep, "from": _day(events_dict, day + 70)}, cut, day)
    cut_runs = _run(load(alone), ["policy"], n=64)["policy"]
    assert np.all(cut_runs["blue.shells"][:, -1] != ref["blue.shells"][:, -1])


def test_on_one_day_scenario_events_then_policy_events_then_policy_changes(
        events_dict: dict, load: Load) -> None:
    day = 70
    change = {"param": "blue.shell_production", "value": 60, "from": _day(events_dict, day)}
    own = {"date": _day(events_dict, day), "changes": [
        {"param": "blue.shell_production", "scale": 0.5}]}
    data = _order(events_dict, change, {"param": "blue.shell_production", "scale": 0}, day,
                  own)
    plan = compile_plan(load(data))
    assert [o.event for o in plan.overlays["policy"]] == ["cut", "own", None]
    assert (SCENARIO_EVENT, POLICY_EVENT, POLICY_CHANGE) == (0, 1, 2)


def test_a_change_that_begins_later_holds_whoever_states_it(events_dict: dict,
                                                            load: Load) -> None:
    # a policy's change from the start, a scenario event on day 70: the event holds from
    # then; and within one weekly step the later day holds (days are days, not steps)
    early = {"param": "blue.shell_production", "value": 60}
    cut = {"param": "blue.shell_production", "scale": 0}
    plan = compile_plan(load(_order(events_dict, early, cut, 70)))
    assert [o.event for o in plan.overlays["policy"]] == [None, "cut"]
    same_step = {**early, "from": _day(events_dict, 71)}  # day 71 is in the step of day 70
    plan = compile_plan(load(_order(events_dict, same_step, cut, 73)))
    first, second = plan.overlays["policy"]
    assert first.start == second.start
    assert (first.event, second.event) == (None, "cut")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("policy", "path", "says"), [
    ({"cancel": ["aid_arives"]}, "policies.bad.cancel[0]",
     ("unknown event 'aid_arives'", "aid_arrives, red_surge", "did you mean 'aid_arrives'")),
    ({"chances": {"red_surg": {"scale": 0.5}}}, "policies.bad.chances.red_surg",
     ("unknown event 'red_surg'", "did you mean 'red_surge'")),
    ({"chances": {"aid_arrives": {"probability": "p_hihg"}}},
     "policies.bad.chances.aid_arrives.probability", ("'p_hihg'", "did you mean 'p_high'")),
    ({"chances": {"aid_arrives": {"probability": 1.5}}},
     "policies.bad.chances.aid_arrives.probability", ("in [0, 1]", "1.5")),
    ({"chances": {"aid_arrives": {"scale": 2}}}, "policies.bad.chances.aid_arrives.scale",
     ("'p_aid' scaled by 2", "[0, 1]", "high 0.6")),
    ({"chances": {"aid_arrives": {}}}, "policies.bad.chances.aid_arrives",
     ("exactly one of 'probability'", "or 'scale'",)),
    ({"cancel": ["aid_arrives"], "chances": {"aid_arrives": {"scale": 0.5}}},
     "policies.bad.cancel[0]", ("both cancelled and given a chance",)),
    ({"changes": [{"param": "p_aid", "value": 0}]}, "policies.bad.changes[0].param",
     ("only as the probability of an event", "'cancel' or 'chances'")),
])
def test_a_bad_overlay_is_located(events_dict: dict, write_scenario: Callable[..., Path],
                                  policy: dict, path: str, says: tuple[str, ...]) -> None:
    events_dict["policies"]["bad"] = {"description": "Bad.", **policy}
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(events_dict))
    found = [p for p in info.value.problems if p.path == path]
    assert found, str(info.value)
    assert all(s in found[0].message for s in says), found[0].message
    assert found[0].line is not None


def test_a_bad_overlay_exits_with_code_2(events_dict: dict,
                                         write_scenario: Callable[..., Path],
                                         invoke: Callable[..., Any]) -> None:
    events_dict["policies"]["bad"] = {"description": "Bad.", "cancel": ["aid_arives"]}
    r = invoke("validate", str(write_scenario(events_dict)))
    assert r.code == 2
    assert "did you mean 'aid_arrives'" in r.output
    assert "Traceback" not in r.output


def test_a_scenario_made_in_python_is_checked_too(events_dict: dict, load: Load) -> None:
    sc = load(events_dict)
    policies = dict(sc.policies)
    policies["base"] = policies["base"].model_copy(update={"cancel": ("nothing",)})
    with pytest.raises(InputError, match="'nothing', which is not an event of scenario"):
        compile_plan(sc.model_copy(update={"policies": policies}))


def test_a_policy_path_names_the_scenario_s_events(events_dict: dict, load: Load,
                                                   tmp_path: Path) -> None:
    """A backtest's policy path (a policy in a file of its own) is checked the same way."""
    from detente.analysis.backtest import read_policy_path

    sc = load(events_dict)
    good = tmp_path / "good.yaml"
    good.write_text("cancel: [red_surge]\nchances: {aid_arrives: {probability: p_high}}\n")
    policy = read_policy_path(good, sc)
    assert (policy.cancel, policy.chances["aid_arrives"].probability) == (("red_surge",),
                                                                           "p_high")
    for text, says in (("cancel: [red_surg]\n", "cancel[0]: unknown event 'red_surg'"),
                       ("chances: {aid_arrive: {scale: 0.5}}\n",
                        "Did you mean 'aid_arrives'?"),
                       ("chances: {aid_arrives: {probability: p_hihg}}\n",
                        "unknown parameter 'p_hihg'")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(InputError, match=re.escape(says)):
            read_policy_path(bad, sc)
