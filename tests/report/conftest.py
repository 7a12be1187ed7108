"""Fixtures of the report tests: the built-in scenario (with its claims), a small ensemble."""

from __future__ import annotations

from typing import Any

import pytest

#: A short run keeps these tests fast: 64 samples over half a year.
N_SAMPLES = 64
HORIZON = 26


@pytest.fixture(scope="session")
def scenario() -> Any:
    from detente.scenario import load_scenario

    sc = load_scenario("ukraine-2023")
    assert sc.claims, "the report's tests need a scenario with claims"
    return sc


@pytest.fixture(scope="session")
def results(scenario: Any) -> Any:
    from detente.engine import simulate
    from detente.report import report_record

    return simulate(scenario, n_samples=N_SAMPLES, seed=1, horizon=HORIZON,
                    record=report_record(scenario))


@pytest.fixture(scope="session")
def report_html(results: Any, scenario: Any) -> str:
    from detente.report import build_report

    return build_report(results, scenario, hinges=(), tornado_trajectories=2, seed=1)
