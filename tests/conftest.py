from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PEER_DIR = REPO.parent / "shared" / "bench" / "peer-model"


@pytest.fixture
def bench_dict() -> dict:
    """The lanchester-bench scenario as a plain dict, to modify in tests."""
    from detente.scenario import builtin_path
    from detente.scenario.loading import read_scenario_file

    data, _where, problems, _bad = read_scenario_file(builtin_path("lanchester-bench"))
    assert not problems
    return dict(data)


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write a scenario dict to a YAML file and return its path."""

    def _write(data: dict, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return _write
