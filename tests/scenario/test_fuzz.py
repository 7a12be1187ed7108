"""Fuzzed built-in scenarios: never a traceback, a rejection located, a run that loads clean.

The short profile of ``benchmarks/fuzz_scenarios.py`` (which runs 10,000 cases): each case
mutates a built-in scenario (:mod:`scenario_fuzz`), loads it, and simulates what loads
(a few samples, a short horizon).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_fuzz import fuzzed_text, judge


@given(seed=st.integers(0, 2 ** 32 - 1))
@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_a_fuzzed_scenario_is_rejected_cleanly_or_runs_clean(tmp_path: Path,
                                                              seed: int) -> None:
    mutations, text = fuzzed_text(seed)
    path = tmp_path / "fuzzed.yaml"
    path.write_text(text, encoding="utf-8")
    verdict = judge(path)
    assert verdict.outcome in ("rejected", "ran"), (
        f"seed {seed} ({mutations}): {verdict.outcome}\n{verdict.detail}")
