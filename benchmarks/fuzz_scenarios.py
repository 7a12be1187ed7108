"""Fuzz the built-in scenarios: the long profile of tests/scenario/test_fuzz.py.

Each case mutates a built-in scenario (key deletions and renames, type swaps, extreme and
non-finite numbers, huge integers, dates out of range, deep nesting, unicode, truncation,
swapped bounds, zero-width distributions, odd expressions, policies naming unknown
parameters), loads it and simulates what loads (4 samples, at most 12 steps). It prints
the counts of clean rejections, clean runs, tracebacks, rejections without a file:line and
runs that load and then give non-finite values or negative stocks, and each bad case by
its seed (``--start SEED --cases 1`` reproduces one).

Usage::

    PYTHONPATH=src python benchmarks/fuzz_scenarios.py [--cases 10000] [--start 0]
        [--time-limit SECONDS]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "scenario"))

from scenario_fuzz import fuzzed_text, judge, write_fuzzed


def main(argv: list[str] | None = None) -> int:
    """Run the cases; exit 1 if any was a traceback, unlocated or a silent bad run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="stop after this many seconds (the counts say how many ran)")
    args = parser.parse_args(argv)
    counts: collections.Counter[str] = collections.Counter()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.start, args.start + args.cases):
            if args.time_limit is not None and time.perf_counter() - t0 > args.time_limit:
                break
            mutations, text = fuzzed_text(seed)
            verdict = judge(write_fuzzed(Path(tmp), text))
            counts[verdict.outcome] += 1
            if verdict.outcome not in ("rejected", "ran"):
                detail = verdict.detail.replace(tmp, "").strip().splitlines()
                print(f"seed {seed} ({mutations}): {verdict.outcome}: "
                      f"{detail[-1] if detail else ''}", flush=True)
    total = sum(counts.values())
    print(f"{total} cases in {time.perf_counter() - t0:.0f} s: "
          f"{counts['rejected']} rejected cleanly, {counts['ran']} ran clean, "
          f"{counts['traceback']} tracebacks, {counts['unlocated']} rejections without "
          f"file:line, {counts['bad_run']} silent bad runs (non-finite or negative stocks)")
    return 0 if counts["traceback"] + counts["unlocated"] + counts["bad_run"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
