"""Scale: wall time, peak memory and throughput of sweeps at growing sample counts.

Usage: python benchmarks/bench_scale.py [--scenario ukraine-2023] [--samples 10000 100000]
       [--scheduler local] [--workers N] [--record VAR,...]

Each size runs in a fresh process (``detente.store.sweep`` into a temporary run store with
every policy, per-sample outcomes and streaming quantiles of the key outputs, no full
trajectories unless ``--record``), so peak RSS is that run's own. Prints wall time, peak RSS
of the sweep process (and of its largest worker process), sample-steps/s (samples x policies
x steps per second) and seconds per 1,000 samples (constant when time is linear).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from detente.store import sweep
from detente.scenario import load_scenario
scenario, n, scheduler, workers, record, out = sys.argv[1:7]
sc = load_scenario(scenario)
t0 = time.perf_counter()
run = sweep(sc, out=out, n_samples=int(n), scheduler=scheduler,
            workers=int(workers) if workers != "0" else None,
            record=[r for r in record.split(",") if r])
wall = time.perf_counter() - t0
m = run.manifest
print(json.dumps({"wall": wall, "policies": len(m["policies"]), "steps": m["n_steps"],
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="ukraine-2023")
    ap.add_argument("--samples", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--scheduler", default="local")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--record", default="")
    args = ap.parse_args()
    print(f"{args.scenario}: sweep, scheduler {args.scheduler}, record [{args.record}]")
    for n in args.samples:
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, args.scenario, str(n), args.scheduler,
                 str(args.workers), args.record, f"{tmp}/store"],
                capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"  N={n}: failed\n{proc.stderr[-2000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        steps = n * r["policies"] * r["steps"]
        print(f"  N={n:>9,}  {r['policies']} policies x {r['steps']} steps  "
              f"wall {r['wall']:8.1f} s  peak RSS {r['rss_mib']:7.0f} MiB "
              f"(largest worker {r['child_rss_mib']:.0f} MiB)  "
              f"{steps / r['wall']:12,.0f} sample-steps/s  "
              f"{1000 * r['wall'] / n:7.3f} s per 1,000 samples", flush=True)


if __name__ == "__main__":
    main()
