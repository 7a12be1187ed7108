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


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> CliResult:
    """Run ``python -m detente ARGS`` in a fresh process (exit codes as a user sees them)."""
    # a wide virtual terminal so that tables are not wrapped mid-word
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "detente", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env=env)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
