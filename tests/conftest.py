from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class Invoked:
    """What one command line gave: its exit code and its two output streams."""

    code: int
    stdout: str
    stderr: str

    @property
    def exit_code(self) -> int:
        return self.code

    @property
    def output(self) -> str:
        """Standard output and standard error, in that order."""
        return self.stdout + self.stderr


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> Callable[..., Invoked]:
    """``invoke("run", "-n", "0")``: run ``detente.cli.main`` as the console script does."""
    from detente.cli import main

    def _run(*args: str) -> Invoked:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["detente", *args])
        monkeypatch.setenv("COLUMNS", "200")
        # the consoles read the width once, when the CLI is first imported in this process
        # (whichever test did it): every invocation gets the same 200 columns
        from detente.cli._app import err, out

        for console in (out, err):
            monkeypatch.setattr(console, "width", 200)
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        cap = capsys.readouterr()
        return Invoked(code, cap.out, cap.err)

    return _run
