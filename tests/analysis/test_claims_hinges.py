"""What a claim's verdict hinges on: known answers, and claims that never change."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.analysis.claims import Claims

pytest.importorskip("SALib")

HORIZON = 13
AT = "2024-03-01"
#: The median of blue.reinforcement (uniform 1-5 thousand persons/week), in persons/day.
MEDIAN_REINFORCEMENT = 3e3 / 7


def _compare(metric: str, op: str, threshold: float) -> dict:
    return {"text": metric, "source": "test",
            "test": {"kind": "compare", "metric": metric, "at": AT, "op": op,
                     "threshold": threshold}}


@pytest.fixture
def hinge_file(bench_dict: dict, write_scenario) -> Path:
    data = dict(bench_dict)
    data["claims"] = {
        "always": _compare("blue.personnel", ">", 0),
        "never": _compare("blue.personnel", "<", 0),
        "one_driver": _compare("blue.reinforcement", ">", MEDIAN_REINFORCEMENT),
    }
    return write_scenario(data)


def test_a_claim_of_one_parameter_hinges_on_it_alone(hinge_file: Path):
    ev = Claims(sobol_n=64, hinges=("sobol",), ids=["one_driver"]).fit(
        str(hinge_file), n_samples=200, seed=0, horizon=HORIZON)
    c = ev.claims_[0]
    assert c.hinges_on == ["blue.reinforcement"]
    assert c.sobol[0]["ST"] == pytest.approx(1.0, abs=0.2)
    assert c.prim is None


@pytest.mark.parametrize(("cid", "what"), [("always", "holds"), ("never", "fails")])
def test_a_claim_the_same_in_every_sample_says_it_hinges_on_nothing(hinge_file: Path,
                                                                     cid: str, what: str):
    for hinges in (("sobol", "prim"), ("prim",)):
        ev = Claims(sobol_n=8, hinges=hinges, ids=[cid]).fit(
            str(hinge_file), n_samples=100, seed=0, horizon=HORIZON)
        c = ev.claims_[0]
        assert c.hinges_on == []
        assert c.prim == f"{what} in all samples: nothing it hinges on within the ranges"
    # without hinges, nothing is said about them
    ev = Claims(hinges=(), ids=[cid]).fit(str(hinge_file), n_samples=100, seed=0,
                                          horizon=HORIZON)
    assert ev.claims_[0].prim is None


@pytest.fixture
def aid_file(bench_dict: dict, write_scenario) -> Path:
    data = dict(bench_dict)
    data["policies"] = {
        **data["policies"],
        "more_aid": {"description": "double direct aid",
                     "changes": [{"param": "blue.shell_aid_direct", "scale": 2}]},
    }
    data["claims"] = {
        "aid_adds_shells": {
            "text": "aid adds shells", "source": "test",
            "test": {"kind": "difference", "metric": "blue.shells", "at": AT,
                     "policy": "more_aid", "versus": "status_quo", "op": ">", "by": 6.5e5}},
    }
    return write_scenario(data, "aid.yaml")


def test_the_design_runs_one_policy_at_a_time_with_the_indices_of_the_whole(
        aid_file: Path, monkeypatch: pytest.MonkeyPatch):
    import numpy as np

    import detente.analysis.claims as claims_module
    from detente.analysis._design import unit_to_file_units
    from detente.analysis._outputs import OutputReader
    from detente.analysis.sensitivity import Sobol, design_chunks, run_chunk
    from detente.scenario import load_scenario

    runs: list[list[str]] = []

    def recorded(*args, policies, **kwargs):
        runs.append(list(policies))
        res = run_chunk(*args, policies=policies, **kwargs)
        assert all(a.dtype == np.float32 for v, a in res.ds.data_vars.items()
                   if "time" in a.dims), "the design's trajectories are single precision"
        return res

    monkeypatch.setattr(claims_module, "run_chunk", recorded)
    n_base, seed = 64, 5
    ev = Claims(sobol_n=n_base, hinges=("sobol",)).fit(str(aid_file), n_samples=64,
                                                       seed=seed, horizon=HORIZON)
    # only one policy's trajectories are held at a time
    assert all(len(p) == 1 for p in runs)
    assert {p[0] for p in runs} == {"status_quo", "more_aid"}
    # the same indices as the design read whole, every policy run at once
    sc = load_scenario(str(aid_file))
    names = list(sc.uncertain)
    sobol = Sobol(n_base=n_base, seed=seed)
    sobol.names_ = names
    u = sobol._sample(len(names))
    group = len(names) + 2
    claim = sc.claims["aid_adds_shells"]
    assert claim.test is not None
    ys = []
    for c in design_chunks(len(u) // group, group):
        res = run_chunk(sc, unit_to_file_units(sc, names, u[c.first * group:c.end * group]),
                        c, group=group, seed=seed, policies=["status_quo", "more_aid"],
                        horizon=HORIZON, record=["blue.shells"], dtype=np.float32)
        ind = claims_module.claim_indicator(claim.test, OutputReader(res, sc), "status_quo")
        ys.append(ind.holds.astype(np.float64))
    whole = sobol._analyse(np.concatenate(ys))
    got = ev.claims_[0]
    assert got.hinges_on, got.notes
    for hinge in got.sobol:
        assert hinge["ST"] == float(whole.loc[hinge["parameter"], "ST"])
