"""Shared helpers of the analysis tests: synthetic series, CSV files, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml

from detente.analysis import BattleData


@dataclass
class Cli:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli() -> Callable[..., Cli]:
    """Run ``python -m detente ARGS`` in a fresh process."""

    def _run(*args: str, timeout: float = 120) -> Cli:
        env = {**os.environ, "COLUMNS": "500"}  # no line wrapping in messages
        proc = subprocess.run([sys.executable, "-m", "detente", *args], capture_output=True,
                              text=True, timeout=timeout, env=env)
        return Cli(proc.returncode, proc.stdout, proc.stderr)

    return _run


def _battle_csv(data: BattleData, path: Path, *, red_ends_only: bool = False) -> Path:
    """Write a battle series as CSV (dates from 2024-01-01)."""
    lines = ["date,blue,red,blue_casualties,red_casualties"]
    dates = np.datetime64("2024-01-01") + np.cumsum(
        np.concatenate([[0], data.days[:-1]])).astype("timedelta64[D]")
    for i in range(data.n):
        red = f"{data.red[i]:.6f}"
        red_cas = f"{data.red_casualties[i]:.6f}"
        if red_ends_only:
            red = red if i in (0, data.n - 1) else ""
            red_cas = ""
        lines.append(f"{dates[i]},{data.blue[i]:.6f},{red},{data.blue_casualties[i]:.6f},"
                     f"{red_cas}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def battle_csv() -> Callable[..., Path]:
    """Write a BattleData as CSV: ``battle_csv(data, path, red_ends_only=False)``."""
    return _battle_csv


@pytest.fixture
def bench_small() -> dict:
    """lanchester-bench as a dict, with only two uncertain parameters left uncertain."""
    from detente.scenario import builtin_path

    data = yaml.safe_load(builtin_path("lanchester-bench").read_text())
    # YAML 1.1 reads the key 'off' as False; the scenario loader does not
    data["sources"] = {("off" if k is False else k): v for k, v in data["sources"].items()}
    keep = {"blue.reinforcement", "red.effectiveness"}
    for name, par in data["parameters"].items():
        if "dist" in par and name not in keep:
            mid = (par["low"] + par["high"]) / 2
            data["parameters"][name] = {"value": mid, "unit": par["unit"],
                                        "source": par["source"], "note": par.get("note", "")}
    return data


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[dict, str], Path]:
    def _write(data: dict, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return _write
