from __future__ import annotations

import pytest

pytest.importorskip("zarr")
pytest.importorskip("pyarrow")
pytest.importorskip("duckdb")

class Invoked:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.exit_code = code
        self.stdout = stdout
        self.output = stdout + stderr


@pytest.fixture
def invoke(capsys, monkeypatch):
    """Run the command line in this process (exit code as ``main`` gives it)."""
    import sys

    from detente.cli import main

    def _run(args: list[str]) -> Invoked:
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
