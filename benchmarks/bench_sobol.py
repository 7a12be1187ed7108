"""Total-order Sobol indices over every uncertain parameter of a scenario, for one output.

Usage: python benchmarks/bench_sobol.py [--scenario ukraine-2023] [--n-base 128]
       [--output combat_power_ratio] [--at end] [--policy status_quo]

Runs a Saltelli design of N (D + 2) model runs (D uncertain parameters, common random
numbers within each group), estimates first- and total-order indices with SALib and
prints the wall time, the number of runs and the ten largest total-order indices.
Target (issue 4): under 60 s on 2 cores for ukraine-2023.
"""

from __future__ import annotations

import argparse
import time

import detente as dt
from detente.analysis.sensitivity import Sobol


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="ukraine-2023")
    ap.add_argument("--n-base", type=int, default=128)
    ap.add_argument("--output", default="combat_power_ratio")
    ap.add_argument("--at", default="end")
    ap.add_argument("--policy", default=None)
    args = ap.parse_args()
    sc = dt.load(args.scenario)
    d = len(sc.uncertain)
    t0 = time.perf_counter()
    si = Sobol(n_base=args.n_base, seed=0).fit(sc, args.output, policy=args.policy, at=args.at)
    wall = time.perf_counter() - t0
    runs = si.y_.size
    print(f"scenario {sc.name}: {d} uncertain parameters, output {args.output} at {args.at}")
    print(f"Sobol (Saltelli N={args.n_base}): {runs} model runs of {sc.time.horizon_steps} "
          f"steps in {wall:.1f} s ({runs / wall:.0f} runs/s)")
    top = si.indices_.sort_values("ST", ascending=False).head(10)
    print(top.round(3).to_string())
    print(f"sum of S1 {si.indices_['S1'].sum():.2f}; largest ST_conf "
          f"{si.indices_['ST_conf'].max():.3f}")


if __name__ == "__main__":
    main()
