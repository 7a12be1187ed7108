"""Run the command line in a fresh process, as a user would."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(*args: str, log: Path, wait: float = 90) -> Iterator[int]:
    """``detente serve ARGS --port PORT --no-show`` in a subprocess; yield PORT once it answers.

    The server's output goes to ``log`` (shown when it exits early or does not answer within
    ``wait`` seconds); it is stopped when the block ends.
    """
    port = free_port()
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "detente", "serve", *args, "--port", str(port),
             "--no-show"], stdout=fh, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + wait
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"detente serve exited with {proc.returncode}:\n"
                                f"{log.read_text()}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the dashboard did not answer in {wait:g} s:\n"
                                f"{log.read_text()}")
                time.sleep(0.3)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
