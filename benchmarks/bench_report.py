"""Report generation time for the default run, and dashboard update latency at 500 samples.

Usage: python benchmarks/bench_report.py [--samples 2000] [--dashboard-samples 500]
                                         [--updates 10] [--skip-report]

Report: what `detente report` does at its defaults (2000 samples, every policy, claims with
Sobol and PRIM hinges at sobol_n 32, a Morris tornado with 10 trajectories), timed stage by
stage in process: simulation, claims, tornado, figures and page, writing. The built-in
scenario is used with the op-ed's claims merged in when it does not ship them yet.

Dashboard: one update is what a lever change costs on the server: validate, simulate the
shown policies at 500 samples over the default horizon (104 weeks), quantiles, headline
numbers, claim verdicts, and the two Plotly figures. Median and worst of ``--updates``
changes of US military aid after one warm-up update.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml


def claims_scenario(folder: Path) -> str:
    """The built-in scenario, with ``_claims.yaml`` merged in if it lacks claims."""
    from detente.scenario import builtin_path
    from detente.scenario.loading import read_scenario_file

    data, _s, _p, _b = read_scenario_file(builtin_path("ukraine-2023"))
    data = dict(data)
    frag = builtin_path("ukraine-2023").parent / "_claims.yaml"
    if data.get("claims") or not frag.exists():
        return "ukraine-2023"
    extra, _s, _p, _b = read_scenario_file(frag)
    data["claims"] = dict(extra).get("claims", {})
    path = folder / "ukraine-claims.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return str(path)


def bench_report(scenario: str, samples: int, folder: Path) -> None:
    from detente.engine import simulate
    from detente.report import build_report, report_record, write_report
    from detente.scenario import load_scenario

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    sc = load_scenario(scenario)
    res = simulate(sc, n_samples=samples, seed=0, record=report_record(sc))
    stages["simulate"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    html = build_report(res, sc, seed=0)
    build = time.perf_counter() - t1
    t2 = time.perf_counter()
    out = write_report(html, folder / "report.html")
    stages["write"] = time.perf_counter() - t2
    stages["build_report (claims, tornado, figures)"] = build
    total = time.perf_counter() - t0
    print(f"report of {sc.name}: {samples} samples x {len(res.policies)} policies, "
          f"{len(sc.claims)} claims, {out.stat().st_size / 1e6:.1f} MB")
    for k, v in stages.items():
        print(f"  {k:42s} {v:7.2f} s")
    print(f"  {'total (in process)':42s} {total:7.2f} s")


def bench_dashboard(scenario: str, samples: int, updates: int) -> None:
    from detente.dashboard import DashboardModel
    from detente.present.figures import overlay_fan_figure, settlement_figure
    from detente.present.style import policy_colour

    t0 = time.perf_counter()
    model = DashboardModel(scenario, n_samples=samples)
    setup = time.perf_counter() - t0
    if not model.levers:
        raise SystemExit(f"scenario {scenario} marks no levers: nothing to move")
    lever = model.levers[0]  # the scenario's first lever

    def one(value: float) -> tuple[float, float]:
        t = time.perf_counter()
        st = model.update({lever.param: value})
        mid = time.perf_counter()
        dates = [str(d)[:10] for d in st.results.ds["time"].values]
        colours = [policy_colour(i) for i in range(len(st.policies))]
        figs: list[Any] = [
            overlay_fan_figure(next(iter(st.quantiles.values())), dates=dates,
                               policies=st.policies, colours=colours,
                               label="first chart", unit=""),
            settlement_figure(st.results)]
        for f in figs:
            f.to_plotly_json()
        return mid - t, time.perf_counter() - t

    one(model.defaults[lever.param])  # warm-up
    model_t, total_t = [], []
    for k in range(updates):
        m, tot = one(lever.low + (lever.high - lever.low) * (k + 1) / (updates + 1))
        model_t.append(m)
        total_t.append(tot)
    print(f"dashboard of {model.scenario.name}: {samples} samples x "
          f"{len(model.default_policies)} policies ({', '.join(model.default_policies)}), "
          f"{model.horizon} steps; set-up {setup:.2f} s")
    print(f"  update (simulate, quantiles, claims)      median {statistics.median(model_t):.3f} s"
          f", worst {max(model_t):.3f} s")
    print(f"  update + both Plotly figures              median {statistics.median(total_t):.3f} s"
          f", worst {max(total_t):.3f} s  (target < 1 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--dashboard-samples", type=int, default=500)
    ap.add_argument("--updates", type=int, default=10)
    ap.add_argument("--skip-report", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario = claims_scenario(folder)
        bench_dashboard(scenario, args.dashboard_samples, args.updates)
        if not args.skip_report:
            bench_report(scenario, args.samples, folder)


if __name__ == "__main__":
    main()
