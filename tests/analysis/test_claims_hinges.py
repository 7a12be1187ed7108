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
