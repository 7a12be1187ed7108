"""Run the shared peer benchmark (PySD, EMA Workbench, NumPy/Numba references) in its own venv.

The peers live beside the checkout in ``shared/bench/peer-model`` (override with
``DETENTE_PEER_BENCH``) and are installed into ``benchmarks/.peer-venv`` (override with
``DETENTE_PEER_VENV``), never into the project's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_DIR = Path(os.environ.get("DETENTE_PEER_BENCH",
                               HERE.parents[1] / "shared" / "bench" / "peer-model"))
PEER_VENV = Path(os.environ.get("DETENTE_PEER_VENV", HERE / ".peer-venv"))


def peer_python() -> Path:
    """The peer venv's interpreter, created and filled from requirements.txt if missing."""
    py = PEER_VENV / "bin" / "python"
    if not py.exists():
        print(f"creating the peer venv in {PEER_VENV} (one-off, a few minutes)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "-r",
                        str(PEER_DIR / "requirements.txt")], check=True)
    return py


def run_peer(tool: str, n: int, timeout: float = 900) -> dict[str, float] | None:
    """One measurement of ``bench.py TOOL N``; None when the peer is unavailable."""
    if not (PEER_DIR / "bench.py").exists():
        print(f"peer benchmark not found at {PEER_DIR}; skipping {tool}", file=sys.stderr)
        return None
    proc = subprocess.run([str(peer_python()), str(PEER_DIR / "bench.py"), tool, str(n)],
                          capture_output=True, text=True, cwd=PEER_DIR, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"{tool} failed: {proc.stderr[-500:]}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(lines[-1])
    return result
