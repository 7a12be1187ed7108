"""What the ``claims``, ``sensitivity`` and ``discover`` commands do, behind thin wrappers.

The Typer commands in :mod:`detente.cli` parse options and call these functions, which
use the public API and print tables (rich) or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from detente.errors import InputError

__all__ = ["parse_time", "parse_window", "run_claims", "run_discover", "run_sensitivity"]

_VERDICT_STYLE = {"supported": "green", "refuted": "red", "contested": "yellow",
                  "untestable": "dim"}


def parse_time(text: str) -> dt.date | str:
    """``start``, ``end`` or a date ``YYYY-MM-DD``."""
    t = text.strip()
    if t in ("start", "end"):
        return t
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        raise InputError(f"expected a time: 'start', 'end' or a date YYYY-MM-DD, found "
                         f"{text!r}") from None


def parse_window(text: str | None) -> tuple[dt.date | str, dt.date | str] | None:
    """``FROM,TO`` (each a time) or None."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError(f"--over expects FROM,TO (e.g. 'start,2024-12-01'), found {text!r}")
    return parse_time(parts[0]), parse_time(parts[1])


def _split(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [p.strip() for p in text.split(",") if p.strip()]


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _echo_json(out: Console, obj: Any) -> None:
    out.print(json.dumps(_clean(obj), indent=2, allow_nan=False), markup=False,
              highlight=False, soft_wrap=True)


@contextmanager
def _progress(err: Console, quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def run_claims(out: Console, err: Console, *, scenario: str, samples: int, seed: int,
               policies: str | None, horizon: int | None, ids: str | None,
               supported: float | None, refuted: float | None, hinges: str, sobol_n: int,
               json_: bool, quiet: bool, processes: int) -> None:
    """Evaluate the claims of ``scenario`` and print a table or JSON."""
    from detente.analysis.claims import Claims

    kinds = _split(hinges) or []
    if kinds == ["none"]:
        kinds = []
    bad = [k for k in kinds if k not in ("sobol", "prim")]
    if bad:
        raise InputError(f"--hinges expects a comma-separated list of sobol, prim (or "
                         f"'none'), found {', '.join(bad)}")
    ev = Claims(supported=supported, refuted=refuted, hinges=kinds,  # type: ignore[arg-type]
                sobol_n=sobol_n, ids=_split(ids), processes=processes)
    with _progress(err, quiet) as cb:
        ev.fit(scenario, n_samples=samples, seed=seed, policies=_split(policies),
               horizon=horizon, progress=cb)
    if json_:
        _echo_json(out, ev.to_list())
        return
    from rich.table import Table

    t = Table(title=f"claims of {ev.results_.ds.attrs['scenario']} — "
                    f"{ev.results_.ds.sizes['sample']} samples, seed {seed}",
              title_justify="left", show_lines=True)
    t.add_column("claim")
    t.add_column("verdict")
    t.add_column("P", justify="right")
    t.add_column("90 % interval", justify="right")
    t.add_column("hinges on")
    for c in ev.claims_:
        style = _VERDICT_STYLE[c.verdict]
        p = "–" if c.probability is None else f"{c.probability:.2f}"
        ci = "–" if c.interval is None else f"[{c.interval[0]:.2f}, {c.interval[1]:.2f}]"
        hinge = ", ".join(c.hinges_on) if c.hinges_on else ""
        if c.prim:
            hinge = (hinge + "\n" if hinge else "") + c.prim
        if c.reason:
            hinge = c.reason
        t.add_row(c.id, f"[{style}]{c.verdict}[/]", p, ci, hinge)
    out.print(t)
    notes = sorted({n for c in ev.claims_ for n in c.notes if "not installed" in n})
    for n in notes:
        out.print(f"[dim]{n}[/]")


def run_sensitivity(out: Console, err: Console, *, scenario: str, output: str,
                    method: str, policy: str | None, at: str, over: str | None,
                    reduce: str | None, n_base: int, trajectories: int,
                    parameters: str | None, seed: int, horizon: int | None, top: int,
                    json_: bool, quiet: bool) -> None:
    """Sobol or Morris indices of one output; print a table or JSON."""
    from detente.analysis.sensitivity import Morris, Sobol

    if method not in ("sobol", "morris"):
        raise InputError(f"--method expects sobol or morris, found {method!r}")
    est: Sobol | Morris = (Sobol(n_base=n_base, seed=seed, parameters=_split(parameters))
                           if method == "sobol" else
                           Morris(n_trajectories=trajectories, seed=seed,
                                  parameters=_split(parameters)))
    with _progress(err, quiet) as cb:
        prog = (lambda d, t: cb("model runs", d, t)) if cb else None
        est.fit(scenario, output, policy=policy, at=parse_time(at),
                over=parse_window(over), reduce=reduce, horizon=horizon, progress=prog)
    df = est.indices_
    key = "ST" if method == "sobol" else "mu_star"
    df = df.sort_values(key, ascending=False)
    when = f"over {over} ({reduce or 'mean'})" if over else f"at {at}"
    if json_:
        _echo_json(out, {
            "method": method, "output": output, "when": when, "policy": policy,
            "runs": int(est.y_.size), "seed": seed,
            "indices": [{"parameter": str(i), **{k: float(v) for k, v in r.items()}}
                        for i, r in df.iterrows()],
        })
        return
    from rich.table import Table

    t = Table(title=f"{method} indices of {output} {when} ({est.y_.size} model runs)",
              title_justify="left")
    t.add_column("parameter")
    for col in df.columns:
        t.add_column(col, justify="right")
    for name, row in df.head(top).iterrows():
        t.add_row(str(name), *(f"{float(v):.3g}" for v in row.values))
    out.print(t)
    if len(df) > top:
        out.print(f"[dim]{len(df) - top} more parameters (--top to show them, --json for "
                  "all)[/]")


def run_discover(out: Console, err: Console, *, scenario: str, where: str,
                 policy: str | None, at: str, over: str | None, reduce: str | None,
                 samples: int, seed: int, horizon: int | None, threshold: float,
                 json_: bool, quiet: bool, processes: int) -> None:
    """PRIM box where a condition holds; print it or JSON."""
    from detente.analysis._base import as_scenario
    from detente.analysis._outputs import OutputReader, model_variables, record_for
    from detente.analysis.discovery import Prim
    from detente.engine import simulate
    from detente.scenario.expr import compile_expr

    sc = as_scenario(scenario)
    events = [*sc.events, *(e for p in sc.policies.values() for e in p.events)]
    expr = compile_expr(where, numbers=[*model_variables(sc), *sc.parameters],
                        conditions=events, expect="condition")
    pol = policy or next(iter(sc.policies))
    with _progress(err, quiet) as cb:
        prog = (lambda d, t: cb("simulating", d, t)) if cb else None
        res = simulate(sc, n_samples=samples, seed=seed, policies=[pol], horizon=horizon,
                       record=record_for(sc, [expr]), processes=processes, progress=prog)
    _ = OutputReader
    box = Prim(threshold=threshold).fit(res, where, policy=pol, at=parse_time(at),
                                        over=parse_window(over), reduce=reduce)
    when = f"over {over} ({reduce or 'any'})" if over else f"at {at}"
    if json_:
        _echo_json(out, {
            "where": where, "when": when, "policy": pol, "n_samples": samples,
            "n_cases": box.n_cases_, "found": box.found_, "description": box.description_,
            "coverage": box.coverage_, "density": box.density_, "mass": box.mass_,
            "box": [{"parameter": str(i), "low": float(r["low"]), "high": float(r["high"]),
                     "unit": str(r["unit"]), "low_restricted": bool(r["low_restricted"]),
                     "high_restricted": bool(r["high_restricted"])}
                    for i, r in box.box_.iterrows()],
        })
        return
    share = box.n_cases_ / samples
    out.print(f"'{where}' {when} under {pol}: {box.n_cases_} of {samples} samples "
              f"({share:.0%})")
    if not box.found_:
        out.print(f"no box reaches density {threshold:.0%} (cases too rare, too common, or "
                  "spread over the whole parameter space)")
        return
    out.print(f"[bold]box[/]: {box.description_}")
    out.print(f"coverage {box.coverage_:.0%} (share of the cases inside), density "
              f"{box.density_:.0%} (share of the box that are cases), mass {box.mass_:.0%}")
