"""lanchester-bench: detente's runs/s against the peers, measured in the same run.

Usage: python benchmarks/bench_lanchester.py [--n 10000] [--pysd-n 1000] [--skip-peers]

detente runs the shared benchmark model as its built-in ``lanchester-bench`` scenario at
N samples, keeping both force trajectories (as the peers do). Timing: one warm-up, then the
median of 3. Peers run via the shared ``bench.py`` in a separate venv (see ``_peers.py``).
PySD runs at ``--pysd-n`` (its runs/s hardly depends on N; 10,000 takes about 2 minutes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import run_peer

import detente as dt


def detente_runs_per_s(n: int, repeats: int = 3) -> tuple[float, float]:
    sc = dt.load("lanchester-bench")
    record = ["ua_personnel", "ru_personnel"]
    dt.simulate(sc, n_samples=min(n, 1024), seed=1, record=record)  # warm-up
    times = []
    for r in range(repeats):
        t0 = time.perf_counter()
        dt.simulate(sc, n_samples=n, seed=r, record=record)
        times.append(time.perf_counter() - t0)
    wall = statistics.median(times)
    return n / wall, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--pysd-n", type=int, default=1_000)
    ap.add_argument("--skip-peers", action="store_true")
    args = ap.parse_args()

    rps, wall = detente_runs_per_s(args.n)
    print(f"detente lanchester-bench  N={args.n:>6}  {wall:8.3f} s  {rps:12,.0f} runs/s")
    if args.skip_peers:
        return
    peers = {
        "numpy reference (bench.py numpy)": ("numpy", args.n),
        "EMA Workbench, Python model, sequential": ("ema_python_seq", args.n),
        "PySD, model.run() per sample": ("pysd", args.pysd_n),
    }
    for label, (tool, n) in peers.items():
        rec = run_peer(tool, n)
        if rec is None:
            continue
        ratio = rps / rec["runs_per_s"]
        print(f"{label:42s} N={n:>6}  {rec['run_s']:8.3f} s  {rec['runs_per_s']:12,.0f} runs/s"
              f"   detente = {ratio:,.1f}×")


if __name__ == "__main__":
    main()
