"""Fuzzed built-in scenarios: never a traceback, a rejection located, a run that loads clean.

The short profile of ``benchmarks/fuzz_scenarios.py`` (which runs 10,000 cases): each case
mutates a built-in scenario (:mod:`scenario_fuzz`), loads it, and simulates what loads
(a few samples, a short horizon).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_fuzz import fuzzed_text, judge, write_fuzzed


@given(seed=st.integers(0, 2 ** 32 - 1))
@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_a_fuzzed_scenario_is_rejected_cleanly_or_runs_clean(tmp_path: Path,
                                                              seed: int) -> None:
    mutations, text = fuzzed_text(seed)
    verdict = judge(write_fuzzed(tmp_path, text))
    assert verdict.outcome in ("rejected", "ran"), (
        f"seed {seed} ({mutations}): {verdict.outcome}\n{verdict.detail}")


def test_a_population_that_drifts_is_a_bad_run_and_a_closed_one_is_not():
    import xarray as xr
    from scenario_fuzz import POPULATION, _check_population

    # two sides over three steps: people leave home for abroad, the total stays
    home = np.array([[100.0, 90.0, 80.0], [50.0, 50.0, 49.0]]).T  # (time, side)
    abroad = np.array([[0.0, 10.0, 20.0], [0.0, 0.0, 1.0]]).T
    zeros = np.zeros_like(home)
    parts = {"pop_home": home, "refugees_abroad": abroad, "pop_occupied": zeros,
             "pop_dead": zeros}
    closed = xr.Dataset({k: (("time", "side"), v) for k, v in parts.items()})
    assert set(POPULATION) <= set(closed.data_vars)
    assert _check_population(closed) == ""
    leaky = closed.copy()
    leaky["pop_dead"] = (("time", "side"), np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1e-3]]).T)
    assert "population not conserved" in _check_population(leaky)
