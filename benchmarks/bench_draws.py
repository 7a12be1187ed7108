"""Time drawing a scenario's uncertain parameters, and their share of a `simulate` call.

Usage: python benchmarks/bench_draws.py [--scenario ukraine-2023] [--sizes 2000,100000]
       [--runs 5] [--simulate 2000] [--simulate-runs 5]

Draws every block's parameters of a run of each size (``detente.engine.streams.
block_parameters``, as ``simulate`` does) two ways, alternating within each run:

* *reference*: each PERT's quantiles from ``scipy.stats.beta.ppf``, as the draws are
  defined (the quantile function before the fast path);
* *now*: the scenario's own quantile functions (a PERT through ``scipy.special.betaincinv``).

Both must give the same bits (checked on the first run of each size). Then ``simulate``
(serial, every policy) runs with each, and the time spent inside ``block_parameters`` is
reported as a share of the call. Figures are medians with [min–max] over the runs; ratios
are reference / now, from figures measured in this run on the same work.

``--candidates`` also times faster quantile methods that would change the draws (the
trade-off ``docs/scale.md`` describes), on the scenario's own PERT shapes against
``scipy.special.betaincinv``: a table of the CDF on 4,097 Chebyshev nodes per parameter
inverted by linear interpolation, then 0, 1 or 2 Newton steps (each one CDF evaluation,
``scipy.special.betainc``), with how far their draws land from the exact ones.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import detente as dt
from detente.engine import compile_plan
from detente.engine import loop as engine_loop
from detente.engine.streams import block_parameters, blocks, seed_sequence
from detente.scenario.schema import Pert


def _scipy_pert_ppf(self: Pert, u: np.ndarray) -> np.ndarray:
    from scipy import stats

    span = self.high - self.low
    a = 1.0 + self.lamb * (self.mode - self.low) / span
    b = 1.0 + self.lamb * (self.high - self.mode) / span
    return np.asarray(self.low + span * stats.beta.ppf(u, a, b), dtype=np.float64)


@contextlib.contextmanager
def reference_quantiles() -> Iterator[None]:
    """Draw PERTs with ``scipy.stats.beta.ppf`` while inside (the reference)."""
    fast = Pert.ppf
    Pert.ppf = _scipy_pert_ppf  # type: ignore[method-assign]
    try:
        yield
    finally:
        Pert.ppf = fast  # type: ignore[method-assign]


def draw_all(plan: Any, seed: int, n_samples: int) -> list[dict[str, np.ndarray]]:
    """Every block's parameters of a run of ``n_samples``, as ``simulate`` draws them."""
    root = seed_sequence(seed)
    return [block_parameters(plan, root, b, n) for b, n in blocks(n_samples)]


def same_bits(x: list[dict[str, np.ndarray]], y: list[dict[str, np.ndarray]]) -> bool:
    return all(a.keys() == b.keys() and all(
        np.array_equal(np.asarray(a[k]).view(np.int64), np.asarray(b[k]).view(np.int64))
        for k in a) for a, b in zip(x, y, strict=True))


def timed(f: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - t0, out


def band(xs: list[float], unit: str = "s", scale: float = 1.0) -> str:
    v = [x * scale for x in xs]
    return f"{statistics.median(v):8.3f} {unit} [{min(v):.3f}–{max(v):.3f}]"


def bench_sizes(plan: Any, sizes: list[int], runs: int) -> dict[int, tuple[float, float]]:
    """Median draw time (reference, now) per run size."""
    out = {}
    for n in sizes:
        ref_t, now_t = [], []
        for r in range(runs):
            with reference_quantiles():
                t_ref, ref = timed(draw_all, plan, r, n)
            t_now, now = timed(draw_all, plan, r, n)
            if r == 0 and not same_bits(ref, now):
                raise SystemExit(f"{n} samples: the draws differ from the reference's bits")
            ref_t.append(t_ref)
            now_t.append(t_now)
            del ref, now
        ratios = [a / b for a, b in zip(ref_t, now_t, strict=True)]
        print(f"{n:>9,} samples  reference {band(ref_t)}   now {band(now_t)}   "
              f"reference / now {statistics.median(ratios):.2f} "
              f"[{min(ratios):.2f}–{max(ratios):.2f}]")
        per = [t / n / len(plan.uncertain) * 1e6 for t in now_t]
        print(f"{'':>9}          now per sample and parameter: {statistics.median(per):.2f} µs")
        out[n] = statistics.median(ref_t), statistics.median(now_t)
    return out


def bench_share(sc: Any, n_samples: int, runs: int) -> None:
    """Share of a serial ``simulate`` call spent drawing parameters, reference vs now."""
    spent = [0.0]
    inner = engine_loop.block_parameters

    def counting(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    engine_loop.block_parameters = counting  # type: ignore[assignment]
    try:
        dt.simulate(sc, n_samples=256, seed=0)  # warm-up (imports, compile caches)
        rows: dict[str, tuple[list[float], list[float]]] = {"reference": ([], []),
                                                            "now": ([], [])}
        for r in range(runs):
            for label in ("reference", "now"):
                spent[0] = 0.0
                ctx = reference_quantiles() if label == "reference" else contextlib.nullcontext()
                with ctx:
                    wall, _ = timed(dt.simulate, sc, n_samples=n_samples, seed=r)
                rows[label][0].append(wall)
                rows[label][1].append(spent[0] / wall)
    finally:
        engine_loop.block_parameters = inner
    for label, (walls, shares) in rows.items():
        print(f"simulate {n_samples:,} samples, {label:>9}: {band(walls)}   drawing "
              f"{band(shares, '%', 100.0)}")
    saved = [a - b for a, b in zip(rows["reference"][0], rows["now"][0], strict=True)]
    print(f"{'':>9} wall saved per call (paired runs): {band(saved)}")


def _table(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """A PERT's CDF on 4,097 Chebyshev nodes (dense at both ends): built once per plan."""
    from scipy import special

    x = 0.5 * (1.0 - np.cos(np.pi * np.linspace(0.0, 1.0, 4097)))
    return np.asarray(special.betainc(a, b, x)), x


def _interpolated(a: float, b: float, table: tuple[np.ndarray, np.ndarray], u: np.ndarray,
                  newton: int) -> np.ndarray:
    from scipy import special

    y = np.interp(u, *table)
    log_b = special.betaln(a, b)
    for _ in range(newton):
        pdf = np.exp((a - 1.0) * np.log(y) + (b - 1.0) * np.log1p(-y) - log_b)
        y = np.clip(y - (special.betainc(a, b, y) - u) / pdf, 0.0, 1.0)
    return np.asarray(y, dtype=np.float64)


def bench_candidates(plan: Any, n: int, runs: int) -> None:
    """Faster quantile methods that change the draws, on the plan's PERT shapes."""
    from scipy import special

    shapes = []
    for name in plan.uncertain:
        d = plan.table[name].distribution.dist
        if isinstance(d, Pert):
            span = d.high - d.low
            shapes.append((1.0 + d.lamb * (d.mode - d.low) / span,
                           1.0 + d.lamb * (d.high - d.mode) / span))
    shapes = shapes[:: max(1, len(shapes) // 12)]  # a dozen of them, in file order
    u = np.random.default_rng(0).random(n)
    tables = [_table(a, b) for a, b in shapes]
    exact = [special.betaincinv(a, b, u) for a, b in shapes]
    ts: list[float] = []
    for _ in range(runs):
        t, _ = timed(lambda: [special.betaincinv(a, b, u) for a, b in shapes])
        ts.append(t)
    per = 1e9 / (n * len(shapes))
    print(f"{len(shapes)} PERT shapes, {n:,} draws each: exact (betaincinv) "
          f"{band(ts, 'ns/draw', per)}")
    for newton in (0, 1, 2):
        ts, rel, same = [], 0.0, 0
        for _ in range(runs):
            t, ys = timed(lambda k=newton: [_interpolated(a, b, tab, u, k)
                                            for (a, b), tab in zip(shapes, tables, strict=True)])
            ts.append(t)
        for y, x in zip(ys, exact, strict=True):
            rel = max(rel, float(np.max(np.abs(y - x) / np.maximum(x, 1e-300))))
            same += int(np.count_nonzero(y == x))
        print(f"  table + {newton} Newton step(s): {band(ts, 'ns/draw', per)}   "
              f"largest relative difference {rel:.1e}, same bits "
              f"{100 * same / (n * len(shapes)):.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="ukraine-2023")
    ap.add_argument("--sizes", default="2000,100000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--simulate", type=int, default=2000, help="samples (0: skip)")
    ap.add_argument("--simulate-runs", type=int, default=5)
    ap.add_argument("--candidates", action="store_true",
                    help="also time quantile methods that would change the draws")
    args = ap.parse_args()
    sc = dt.load(args.scenario)
    plan = compile_plan(sc)
    kinds: dict[str, int] = {}
    for name in plan.uncertain:
        d = plan.table[name].distribution.dist
        kinds[d.dist] = kinds.get(d.dist, 0) + 1  # type: ignore[union-attr]
    print(f"{args.scenario}: {len(plan.uncertain)} uncertain parameters "
          f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}); "
          f"median [min–max] of {args.runs} runs")
    bench_sizes(plan, [int(s) for s in args.sizes.split(",") if s], args.runs)
    if args.simulate:
        bench_share(sc, args.simulate, args.simulate_runs)
    if args.candidates:
        bench_candidates(plan, 20_000, args.runs)


if __name__ == "__main__":
    main()
