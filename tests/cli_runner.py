"""Run the command line in a fresh process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120,
            columns: int = 200) -> CliResult:
    """Run ``python -m detente ARGS`` in a fresh process (exit codes as a user sees them)."""
    # a wide virtual terminal so that tables are not wrapped mid-word
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.run([sys.executable, "-m", "detente", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env=env)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def imported_by(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code``."""
    probe = (f"{code}\nimport sys\n"
             f"print('MODULES=' + ','.join(m for m in {modules!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    last = out.stdout.strip().splitlines()[-1]
    return [m for m in last.removeprefix("MODULES=").split(",") if m]
