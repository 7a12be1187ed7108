"""Fixtures of the report and dashboard tests: a scenario with claims, a small ensemble."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

#: A short run keeps these tests fast: 64 samples over half a year.
N_SAMPLES = 64
HORIZON = 26


def claims_scenario_data() -> dict[str, Any]:
    """ukraine-2023 with the op-ed's claims (merged from ``_claims.yaml`` until shipped)."""
    from detente.scenario import builtin_path
    from detente.scenario.loading import read_scenario_file

    data, _smap, problems, _bad = read_scenario_file(builtin_path("ukraine-2023"))
    assert not problems, problems
    data = dict(data)
    if not data.get("claims"):
        frag = builtin_path("ukraine-2023").parent / "_claims.yaml"
        if frag.exists():
            extra, _s, problems, _b = read_scenario_file(frag)
            assert not problems, problems
            data["claims"] = dict(extra).get("claims", {})
    return data


@pytest.fixture(scope="session")
def scenario_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "ukraine-claims.yaml"
    path.write_text(yaml.safe_dump(claims_scenario_data(), sort_keys=False,
                                   allow_unicode=True))
    return path


@pytest.fixture(scope="session")
def scenario(scenario_path: Path) -> Any:
    from detente.scenario import load_scenario

    return load_scenario(str(scenario_path))


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


@dataclass
class Cli:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, timeout: float = 180) -> Cli:
    """Run ``python -m detente ARGS`` in a fresh process (exit codes as a user sees them)."""
    env = {**os.environ, "COLUMNS": "400"}
    proc = subprocess.run([sys.executable, "-m", "detente", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)
    return Cli(proc.returncode, proc.stdout, proc.stderr)
