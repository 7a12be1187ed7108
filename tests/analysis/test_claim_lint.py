"""Claim-lint finds the claims the model decides by construction, and only those."""

from __future__ import annotations

import json

import pytest

from cli_runner import run_cli
from detente.analysis.claim_lint import lint_claims
from detente.errors import InputError
from detente.scenario import load_scenario

CLAIMS = {
    # reads only inputs: the verdict restates them
    "inputs": {"text": "Blue's recruits outnumber Red's.", "source": "test",
               "test": {"kind": "compare", "metric": "blue.recruit_rate - red.recruit_rate",
                        "at": "end", "op": ">", "threshold": 0}},
    # a stock the model keeps non-negative: it holds whatever the parameters
    "always": {"text": "Blue keeps a non-negative force.", "source": "test",
               "test": {"kind": "compare", "metric": "blue.personnel", "at": "end",
                        "op": ">=", "threshold": 0}},
    # the outcome of the war: it goes either way across the ranges
    "varies": {"text": "Blue ends stronger than Red.", "source": "test",
               "test": {"kind": "compare", "metric": "blue.personnel - red.personnel",
                        "at": "end", "op": ">", "threshold": 0}},
}


@pytest.fixture
def linted(bench_dict, write_scenario):
    data = dict(bench_dict)
    data["time"] = {**data["time"], "horizon_steps": 52}
    data["claims"] = CLAIMS
    return write_scenario(data, "lint.yaml")


def test_the_lint_flags_inputs_only_and_constant_claims_and_passes_the_others(linted):
    found = {f.claim: f for f in lint_claims(load_scenario(linted), n_runs=64, seed=1)}
    assert set(found) == {"inputs", "always"}
    assert found["inputs"].kind == "inputs_only"
    assert "blue.recruit_rate" in found["inputs"].message
    assert found["always"].kind == "constant"
    assert "holds in every one of 64 runs" in found["always"].message


def test_the_lint_from_the_command_line(linted):
    r = run_cli("claims", str(linted), "--lint", "--json")
    assert r.code == 1, r.stderr
    kinds = {row["claim"]: row["kind"] for row in json.loads(r.stdout)}
    assert kinds == {"inputs": "inputs_only", "always": "constant"}
    r = run_cli("claims", str(linted), "--lint", "--ids", "varies")
    assert r.code == 0, r.stderr
    assert "every claim could go either way" in r.stdout


def test_bad_lint_requests_are_clean_errors(linted):
    with pytest.raises(InputError, match="at least 2 runs"):
        lint_claims(load_scenario(linted), n_runs=1)
    with pytest.raises(InputError, match="nope"):
        lint_claims(load_scenario(linted), ids=["nope"])


def test_a_claim_declared_an_assumption_is_accepted_and_listed(bench_dict, write_scenario):
    claims = {k: dict(v) for k, v in CLAIMS.items()}
    claims["inputs"]["assumption"] = "the recruitment rates are inputs"
    claims["always"]["assumption"] = "the model keeps its stocks non-negative"
    data = dict(bench_dict)
    data["time"] = {**data["time"], "horizon_steps": 52}
    data["claims"] = claims
    path = write_scenario(data, "assumed.yaml")
    assert lint_claims(load_scenario(path), n_runs=64, seed=1) == []
    r = run_cli("claims", str(path), "--lint")
    assert r.code == 0, r.stderr
    assert "apart from the 2 declared model assumptions (inputs, always)" in r.stdout


def test_an_assumption_needs_a_test(bench_dict, write_scenario):
    from detente.errors import ScenarioError

    data = dict(bench_dict)
    data["claims"] = {"x": {"text": "t", "source": "s", "untestable": "no",
                            "assumption": "by construction"}}
    with pytest.raises(ScenarioError, match="assumption"):
        load_scenario(write_scenario(data, "bad.yaml"))
