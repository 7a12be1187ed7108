"""Wall time of `detente run` on the built-in scenario, start-up included.

Usage: python benchmarks/bench_run.py [--samples 2000] [--policies status_quo,aid_cutoff,aid_surge]

Times the command line end to end (a fresh process: imports, loading, simulation, table),
median of 3, and the in-process simulation alone, and reports sample-steps per second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import detente as dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--policies", default="status_quo,aid_cutoff,aid_surge")
    ap.add_argument("--scenario", default="ukraine-2023")
    args = ap.parse_args()
    exe = Path(sys.executable).with_name("detente")
    cmd = [str(exe), "run", args.scenario, "--samples", str(args.samples), "--quiet"]
    if args.policies != "all":
        cmd += ["--policies", args.policies]
    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    sc = dt.load(args.scenario)
    pols = None if args.policies == "all" else args.policies.split(",")
    dt.simulate(sc, n_samples=256, seed=0, policies=pols)  # warm-up
    sims = []
    for r in range(3):
        t0 = time.perf_counter()
        res = dt.simulate(sc, n_samples=args.samples, seed=r, policies=pols)
        sims.append(time.perf_counter() - t0)
    n_pol = res.ds.sizes["policy"]
    steps = sc.time.horizon_steps
    sim = statistics.median(sims)
    print(f"detente run {args.scenario}: {args.samples} samples × {n_pol} policies × "
          f"{steps} steps")
    print(f"  command line, start-up included (median of 3): {statistics.median(walls):.2f} s")
    print(f"  simulation alone (median of 3):               {sim:.2f} s")
    print(f"  sample-steps per second:                      "
          f"{args.samples * n_pol * steps / sim:,.0f}")


if __name__ == "__main__":
    main()
