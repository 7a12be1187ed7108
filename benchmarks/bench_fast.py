"""Fast kernels: lanchester-bench against the peers and the hand-fused Numba reference.

Usage: python benchmarks/bench_fast.py [--n 10000] [--pysd-n 1000] [--skip-peers]

All in one run, on the same machine:

* detente ``simulate`` of the built-in ``lanchester-bench`` at N samples, keeping both force
  trajectories (as the peers do), and keeping only per-sample outcomes (the final forces);
* the hand-fused Numba kernel of the shared benchmark (``attrition_models._numba_kernel``,
  imported from ``shared/bench/peer-model``, never copied), with and without trajectories;
* PySD and EMA Workbench (sequential Python model) via the shared ``bench.py`` in their own
  venv (see ``_peers.py``).

detente and the Numba reference are timed the same way: one warm-up, then the median of 3
(sampling the parameters included; the fastest and slowest of the 3 in brackets). State
updates/s = 4 stocks x 520 steps x N / wall.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import PEER_DIR, run_peer

import detente as dt

STEPS = 520


SPREAD: dict[str, tuple[float, float]] = {}


def timed(fn: Callable[[int], object], n: int, label: str, repeats: int = 3) -> float:
    """Median wall time of ``fn(n)`` after a warm-up; the spread is kept in SPREAD."""
    fn(min(n, 2048))  # warm-up (JIT, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - t0)
    SPREAD[label] = (min(times), max(times))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--pysd-n", type=int, default=1_000)
    ap.add_argument("--skip-peers", action="store_true")
    args = ap.parse_args()
    n = args.n
    sc = dt.load("lanchester-bench")
    forces = ["blue.personnel", "red.personnel"]

    def det_traj(k: int) -> object:
        return dt.simulate(sc, n_samples=k, seed=1, record=forces)

    def det_final(k: int) -> object:
        return dt.simulate(sc, n_samples=k, seed=1, record=[], outcomes=forces)

    rows: dict[str, float] = {}
    for label, fn in {"detente, trajectories kept": det_traj,
                      "detente, per-sample outcomes only": det_final}.items():
        rows[label] = timed(fn, n, label)
    sys.path.insert(0, str(PEER_DIR))
    try:
        am = importlib.import_module("attrition_models")
        params = importlib.import_module("params")
    finally:
        sys.path.remove(str(PEER_DIR))
    if am.attrition_numba is not None:
        label = "Numba reference, trajectories kept"
        rows[label] = timed(lambda k: am.attrition_numba(params.lhs_samples(k)), n, label)
        label = "Numba reference, final values only"
        rows[label] = timed(lambda k: am.attrition_numba(params.lhs_samples(k), record=False),
                            n, label)
    label = "NumPy reference (vectorised), trajectories kept"
    rows[label] = timed(lambda k: am.attrition_numpy(params.lhs_samples(k)), n, label)
    print(f"lanchester-bench, N = {n:,}, {STEPS} weekly steps, median of 3 after a warm-up")
    for label, wall in rows.items():
        lo, hi = SPREAD[label]
        print(f"  {label:50s} {wall * 1e3:9.1f} ms ({lo * 1e3:.1f}-{hi * 1e3:.1f})  "
              f"{n / wall:12,.0f} runs/s  {4 * STEPS * n / wall:10.3g} state updates/s")
    ref_t = rows.get("Numba reference, trajectories kept")
    ref_f = rows.get("Numba reference, final values only")
    if ref_t:
        print(f"  detente / Numba reference, trajectories kept:    "
              f"{ref_t / rows['detente, trajectories kept']:.0%}")
    if ref_f:
        print(f"  detente / Numba reference, outcomes only:        "
              f"{ref_f / rows['detente, per-sample outcomes only']:.0%}")
    if args.skip_peers:
        return
    rps = n / rows["detente, trajectories kept"]
    for label, (tool, k) in {
        "EMA Workbench, Python model, sequential": ("ema_python_seq", n),
        "PySD, model.run() per sample": ("pysd", args.pysd_n),
    }.items():
        rec = run_peer(tool, k)
        if rec is None:
            continue
        print(f"  {label:50s} N={k:>6}  {rec['run_s']:8.3f} s  {rec['runs_per_s']:10,.1f} "
              f"runs/s   detente (trajectories kept) = {rps / rec['runs_per_s']:,.0f}x")


if __name__ == "__main__":
    main()
