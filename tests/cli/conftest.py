"""Run the command line in this process: exit code, standard output and error."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass
class Invoked:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> Callable[..., Invoked]:
    """``invoke("run", "-n", "0")``: run ``detente.cli.main`` as the console script does."""
    from detente.cli import main

    def _run(*args: str) -> Invoked:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["detente", *args])
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        cap = capsys.readouterr()
        return Invoked(code, cap.out, cap.err)

    return _run
