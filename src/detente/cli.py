"""The ``detente`` command line: thin wrappers over the public API.

Heavy imports (NumPy, SciPy, xarray) happen inside the commands so ``detente --help`` is fast.
Bad input raises :class:`detente.errors.InputError`; :func:`main` prints its message and exits
with code 2 (1 for any other detente error). Tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from detente._version import __version__
from detente.errors import DetenteError, InputError

if TYPE_CHECKING:
    from detente.results import Results

app = typer.Typer(
    name="detente",
    help="Simulate wars of attrition and test the ways they can end.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, bool] = {"debug": False}
# help panels, in the order a user meets them
_ENSEMBLES = "Run, compare and judge"
_ANALYSE = "Sensitivity, discovery and large sweeps"
_DATA = "Contact with data"
_FILES = "Scenario files"

ScenarioArg = Annotated[
    str, typer.Argument(help="Built-in scenario name (see `detente scenarios`) or a file path.")
]
SamplesOpt = Annotated[int, typer.Option("--samples", "-n", help="Monte Carlo samples.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Root random seed.")]
PoliciesOpt = Annotated[
    str | None, typer.Option("--policies", "-p", help="Comma-separated policies (default: all).")
]
HorizonOpt = Annotated[
    int | None, typer.Option("--horizon", help="Steps to simulate (default: the scenario's).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
ProcessesOpt = Annotated[int, typer.Option(
    "--processes", help="Worker processes (0: one per core). Results do not depend on it.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


# --------------------------------------------------------------------------- helpers
def _split(policies: str | None) -> list[str] | None:
    if not policies:
        return None
    return [p.strip() for p in policies.split(",") if p.strip()]


def _simulate(scenario: str, samples: int, seed: int, policies: str | None,
              horizon: int | None, quiet: bool, processes: int = 1,
              record: list[str] | None = None) -> Results:
    from detente.engine import simulate
    from detente.scenario import load_scenario

    sc = load_scenario(scenario)
    if processes == 0:
        processes = _auto_processes(samples)
    if quiet or not err.is_terminal:
        return simulate(sc, n_samples=samples, seed=seed, policies=_split(policies),
                        horizon=horizon, processes=processes, record=record)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} samples"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(f"simulating {sc.name}", total=samples)
        return simulate(sc, n_samples=samples, seed=seed, policies=_split(policies),
                        horizon=horizon, processes=processes, record=record,
                        progress=lambda done, _total: bar.update(task, completed=done))


def _auto_processes(samples: int) -> int:
    """One worker per core, but no more than there are blocks of samples to share out."""
    import os

    from detente.engine import BLOCK_SIZE

    blocks = -(-samples // BLOCK_SIZE)
    return max(1, min(os.cpu_count() or 1, blocks))


def fmt(x: float) -> str:
    """Format a number compactly for tables (3 significant digits, k/M/bn suffixes)."""
    if x != x:  # NaN
        return "–"
    a = abs(x)
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= size:
            return f"{x / size:.3g}{suffix}"
    if a >= 100 or a == 0:
        return f"{x:.0f}"
    return f"{x:.3g}"


def _summary_json(res: Results, months: tuple[float, ...]) -> dict[str, Any]:
    df = res.summary(months=months)
    pols: dict[str, Any] = {}
    for row in df.itertuples(index=False):
        var = pols.setdefault(str(row.policy), {}).setdefault(
            str(row.variable), {"units": row.units})
        var[f"{row.month:g}"] = {"median": row.median, "low": row.low, "high": row.high}
    return {
        "scenario": res.ds.attrs["scenario"],
        "seed": res.ds.attrs["seed"],
        "n_samples": int(res.ds.sizes["sample"]),
        "band": [0.1, 0.9],
        "policies": pols,
    }


def _table_months(res: Results) -> tuple[float, ...]:
    """12, 24 and 36 months where the run reaches them; otherwise its last point."""
    reached = tuple(m for m in (12.0, 24.0, 36.0) if res.step_at_month(m) is not None)
    if reached:
        return reached
    return (round(float(res.ds["month"].values[-1]), 1),)


def _print_tables(res: Results, months: tuple[float, ...]) -> None:
    from rich.table import Table

    df = res.summary(months=months)
    shown = [m for m in months if (df["month"] == m).any()]
    a = res.ds.attrs
    out.print(f"[bold]{a['scenario_title']}[/] — {a['n_samples']} samples, seed {a['seed']}; "
              "median [10th–90th percentile]")
    for pol in res.policies:
        t = Table(title=f"policy: [bold]{pol}[/]", title_justify="left", show_lines=True)
        t.add_column("variable (units)", no_wrap=True)
        for m in shown:
            t.add_column(f"{m:g} months", justify="right", no_wrap=True)
        sub = df[df["policy"] == pol]
        for var in dict.fromkeys(sub["variable"]):
            rows = sub[sub["variable"] == var]
            cells = []
            for m in shown:
                r = rows[rows["month"] == m].iloc[0]
                cells.append(f"{fmt(r['median'])}\n[dim][{fmt(r['low'])}–{fmt(r['high'])}][/]")
            t.add_row(f"{var}\n[dim]{rows['units'].iloc[0]}[/]", *cells)
        out.print(t)


# --------------------------------------------------------------------------- commands
@app.command(rich_help_panel=_ENSEMBLES)
def run(
    scenario: ScenarioArg = "ukraine-2023",
    samples: SamplesOpt = 2000,
    seed: SeedOpt = 0,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write results.nc and the resolved scenario.yaml into this folder.")] = None,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 0,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the HTML report of this run (as `detente report`) "
                         "to this file.")] = None,
) -> None:
    """Run the ensemble under each policy and print a table at 12, 24 and 36 months."""
    if out_dir is not None:
        _check_writable_dir(out_dir)
    record = None
    if report is not None:
        from detente.report import report_record
        from detente.report._cli import check_report_options
        from detente.scenario import load_scenario

        sc = load_scenario(scenario)
        check_report_options(sc, output=report, pdf=None, tornado_output=None,
                             tornado_policy=None, option="--report")
        record = report_record(sc, defaults=True)
    elif out_dir is None:
        # the table needs only the key outputs; keeping nothing else saves memory and time
        from detente.results import KEY_OUTPUTS

        record = _recordable(scenario, KEY_OUTPUTS)
    res = _simulate(scenario, samples, seed, policies, horizon, quiet, processes, record)
    months = _table_months(res)
    if out_dir is not None:
        _write_run(res, scenario, out_dir)
    if json_:
        out.print_json(json.dumps(_summary_json(res, months)))
    else:
        _print_tables(res, months)
        if out_dir is not None:
            out.print(f"wrote {out_dir / 'results.nc'} and {out_dir / 'scenario.yaml'}")
    if report is not None:
        from detente.report._cli import write_run_report

        write_run_report(err if json_ else out, err, res, scenario, report, seed=seed,
                         processes=processes, quiet=quiet)


def _recordable(scenario: str, wanted: Sequence[str]) -> list[str]:
    """Return the variables of ``wanted`` that the scenario's model has, in order."""
    from detente.model import resolve_modules
    from detente.scenario import load_scenario

    have = {v.name for m in resolve_modules(load_scenario(scenario).modules) for v in m.variables}
    return [v for v in wanted if v in have]


def _check_writable_dir(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise InputError(f"--out {path}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".detente-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"--out {path}: cannot write there ({exc.strerror})") from exc


def _write_run(res: Results, scenario: str, out_dir: Path) -> None:
    import yaml

    from detente.scenario import load_scenario

    sc = load_scenario(scenario)
    res.to_netcdf(out_dir / "results.nc")
    tmp = out_dir / "scenario.yaml.part"
    tmp.write_text(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True, exclude_none=True),
                                  sort_keys=False, allow_unicode=True))
    tmp.replace(out_dir / "scenario.yaml")


@app.command(rich_help_panel=_FILES)
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in names).")],
) -> None:
    """Check scenario files and report every problem with file:line:column."""
    from detente.errors import ScenarioError
    from detente.scenario import load_scenario

    problems: list[str] = []
    for f in files:
        try:
            sc = load_scenario(f)
        except ScenarioError as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        n_unc = len(sc.uncertain)
        out.print(f"[green]ok[/] {f}: {sc.name} — {len(sc.parameters)} parameters "
                  f"({n_unc} uncertain), {len(sc.events)} events, "
                  f"{len(sc.policies)} policies")
    if problems:
        n = len(problems)
        raise InputError(f"{n} problem{'s' if n != 1 else ''}:\n" + "\n".join(problems))


@app.command(rich_help_panel=_FILES)
def scenarios(
    path: Annotated[str | None, typer.Option(
        "--path", help="Print the file path of this built-in scenario.")] = None,
) -> None:
    """List the built-in scenarios, or print one's file path (to copy and edit)."""
    from detente.scenario import builtin_names, builtin_path, load_scenario

    if path is not None:
        typer.echo(str(builtin_path(path)))
        return
    from rich.table import Table

    t = Table("name", "title", "steps", "policies")
    for name in builtin_names():
        sc = load_scenario(name)
        t.add_row(name, sc.title, f"{sc.time.horizon_steps} × {sc.time.step_days:g} d",
                  ", ".join(sc.policies))
    out.print(t)


@app.command(rich_help_panel=_FILES)
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from detente.scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


# ------------------------------------------------------------------ fit, calibrate, backtest
def _finite(obj: Any) -> Any:
    """Replace NaN and infinities by None, recursively (strict JSON)."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(_finite(obj), indent=2, allow_nan=False))


def _reinforcement_columns(spec: str | None) -> tuple[str | None, str | None]:
    if spec is None:
        return None, None
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > 2 or not any(parts):
        raise InputError(f"--reinforcements expects BLUE_COL[,RED_COL] (e.g. "
                         f"'blue_reinf,red_reinf' or ',red_reinf'), found {spec!r}")
    blue = parts[0] or None
    red = parts[1] if len(parts) == 2 and parts[1] else None
    return blue, red


@app.command("fit", rich_help_panel=_DATA)
def fit_command(
    data: Annotated[Path, typer.Argument(
        help="CSV battle series, one row per date: date, blue, red (strengths) and "
             "optionally blue_casualties, red_casualties, reinforcements.")],
    law: Annotated[str | None, typer.Option(
        "--law", help="square, linear, logarithmic, mixed, power, or all "
                      "(default: all, compared by AIC).")] = None,
    method: Annotated[str, typer.Option(
        "--method", help="engel (square law only), loglinear or trajectory.")] = "loglinear",
    reinforcements: Annotated[str | None, typer.Option(
        "--reinforcements", help="Reinforcement columns BLUE_COL[,RED_COL] (default: "
                                 "blue_reinforcements / red_reinforcements if present).")] = None,
    date_col: Annotated[str, typer.Option("--date", help="Date column.")] = "date",
    blue: Annotated[str, typer.Option("--blue", help="Blue strength column.")] = "blue",
    red: Annotated[str, typer.Option("--red", help="Red strength column.")] = "red",
    blue_casualties: Annotated[str, typer.Option(
        "--blue-casualties", help="Blue casualty column (used if present).")] = "blue_casualties",
    red_casualties: Annotated[str, typer.Option(
        "--red-casualties", help="Red casualty column (used if present).")] = "red_casualties",
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap replicates (0: none).")] = 200,
    level: Annotated[float, typer.Option("--level", help="Confidence level.")] = 0.95,
    block: Annotated[int, typer.Option(
        "--block", help="Bootstrap block length in days (serially correlated noise).")] = 1,
    seed: SeedOpt = 0,
    json_: JsonOpt = False,
) -> None:
    """Fit a Lanchester attrition law to battle data, with bootstrap intervals."""
    from detente.analysis import LanchesterFit, LawComparison, read_battle_csv

    rb, rr = _reinforcement_columns(reinforcements)
    series = read_battle_csv(data, date=date_col, blue=blue, red=red,
                             blue_casualties=blue_casualties, red_casualties=red_casualties,
                             blue_reinforcements=rb, red_reinforcements=rr)
    if law is not None and law != "all":
        fit = LanchesterFit(law, method=method, n_boot=boot, level=level, block=block,
                            seed=seed).fit(series)
        if json_:
            _echo_json(fit.to_dict())
            return
        _print_fit(fit)
        return
    cmp = LawComparison(method=method, n_boot=boot, level=level, block=block,
                        seed=seed).fit(series)
    if json_:
        _echo_json(cmp.to_dict())
        return
    from rich.table import Table

    t = Table(title=f"laws fitted by {method} to {data} ({series.n} rows); best: "
                    f"[bold]{cmp.best_}[/]", title_justify="left")
    for col in ("law", "params", "R²", "RMSE", "AIC", "ΔAIC", "weight"):
        t.add_column(col, justify="left" if col in ("law", "params") else "right")
    for row in cmp.table_.itertuples(index=False):
        f = cmp.fits_[str(row.law)]
        params = ", ".join(f"{k}={v:.3g}" for k, v in f.params_.items())
        t.add_row(str(row.law), params, f"{row.r2:.3f}", fmt(float(row.rmse)),
                  f"{row.aic:.1f}", f"{row.delta_aic:.1f}", f"{row.weight:.2f}")
    out.print(t)


def _print_fit(fit: Any) -> None:
    from rich.table import Table

    from detente.analysis import LAWS

    law = LAWS[str(fit.law)]
    t = Table(title=f"{law.name} law ({law.equations}) fitted by {fit.method} to "
                    f"{fit.data_.name}", title_justify="left")
    t.add_column("coefficient")
    t.add_column("estimate", justify="right")
    t.add_column(f"{fit.level:.0%} interval", justify="right")
    for k, v in fit.params_.items():
        lo, hi = fit.interval_[k]
        t.add_row(k, f"{v:.4g}", f"[{lo:.4g}, {hi:.4g}]" if lo == lo else "–")
    out.print(t)
    out.print(f"R² {fit.r2_:.3f}   RMSE {fit.rmse_:.4g}   AIC {fit.aic_:.1f}   "
              f"({fit.n_obs_} observations; {len(fit.bootstrap_)} bootstrap replicates)")


@app.command("calibrate", rich_help_panel=_DATA)
def calibrate_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a file path.")],
    observed: Annotated[Path, typer.Option(
        "--observed", help="CSV of observations: date, variable, value.")],
    params: Annotated[str, typer.Option(
        "--params", help="Comma-separated parameters to calibrate (each with a distribution).")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Write the calibrated scenario (YAML) here.")],
    samples: SamplesOpt = 2000,
    accept: Annotated[float, typer.Option(
        "--accept", help="Share of samples accepted (closest to the observations).")] = 0.1,
    seed: SeedOpt = 0,
    policy: Annotated[str | None, typer.Option(
        "--policy", help="Policy to run (default: the scenario's first).")] = None,
    policy_path: Annotated[Path | None, typer.Option(
        "--policy-path", help="YAML overlay of what happened (description, changes, "
                              "events), run as the policy 'actual'.")] = None,
    json_: JsonOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Narrow chosen parameters' distributions to match observed series (ABC rejection)."""
    from detente.analysis import Calibrator

    names = [p.strip() for p in params.split(",") if p.strip()]
    cal = Calibrator(names, n_samples=samples, accept=accept, seed=seed, policy=policy,
                     processes=processes).fit(scenario, observed, policy_path)
    path = cal.write(output)
    if json_:
        _echo_json({**cal.to_dict(), "output": str(path)})
        return
    from rich.table import Table

    t = Table(title=f"calibrated {', '.join(names)}: {cal.accepted_.size} of "
                    f"{cal.distance_.size} samples accepted", title_justify="left")
    for col in ("parameter", "prior mean ± sd", "accepted mean ± sd", "accepted 5–95 %"):
        t.add_column(col, justify="left" if col == "parameter" else "right")
    for row in cal.posterior_.to_dict(orient="records"):
        t.add_row(str(row["param"]), f"{row['prior_mean']:.4g} ± {row['prior_sd']:.3g}",
                  f"{row['accepted_mean']:.4g} ± {row['accepted_sd']:.3g}",
                  f"[{row['accepted_q05']:.4g}, {row['accepted_q95']:.4g}]")
    out.print(t)
    f = cal.fit_
    out.print(f"distance (RMS error in prior sds): median {f['distance_prior_median']:.3g} "
              f"(prior) -> {f['distance_accepted_median']:.3g} (accepted); 80 % band "
              f"coverage {f['coverage_prior']:.0%} -> {f['coverage_accepted']:.0%}")
    out.print(f"wrote {path}")


@app.command("backtest", rich_help_panel=_DATA)
def backtest_command(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a file path.")],
    observed: Annotated[Path, typer.Option(
        "--observed", help="CSV of observations: date, variable, value.")],
    policy_path: Annotated[Path | None, typer.Option(
        "--policy-path", help="YAML overlay of what happened (description, changes, "
                              "events), run as the policy 'actual'.")] = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", help="Policy to score (default: 'actual' with --policy-path, else the "
                         "scenario's first).")] = None,
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 0,
    json_: JsonOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Score a scenario's projections against observed series (coverage, CRPS, PIT)."""
    from detente.analysis import Backtest

    bt = Backtest(n_samples=samples, seed=seed, policy=policy,
                  processes=processes).fit(scenario, observed, policy_path)
    if json_:
        _echo_json(bt.to_dict())
        return
    from rich.table import Table

    bars = " ▁▂▃▄▅▆▇█"
    t = Table(title=f"backtest of {bt.results_.ds.attrs['scenario']} under policy "
                    f"'{bt.policy_}' ({samples} samples)", title_justify="left")
    for col in ("variable", "n", "50 %", "80 %", "95 %", "CRPS", "PIT histogram"):
        t.add_column(col, justify="left" if col in ("variable", "PIT histogram") else "right")
    for var, s in bt.scores_.items():
        hist = bt.pit_hist_[var]
        top = max(float(hist.max()), 1.0)
        spark = "".join(bars[round(h / top * (len(bars) - 1))] for h in hist)
        t.add_row(var, str(s["n_obs"]), f"{s['coverage_50']:.0%}", f"{s['coverage_80']:.0%}",
                  f"{s['coverage_95']:.0%}", fmt(s["crps"]), spark)
    out.print(t)
    out.print("coverage: share of observations inside the central band (calibrated: about "
              "50/80/95 %); CRPS in the variable's unit, lower is better; PIT flat when "
              "calibrated.")


# ------------------------------------------------------------- claims, sensitivity, discover
_TimeOpt = Annotated[str, typer.Option(
    "--at", help="Time to read the output: 'start', 'end' or a date YYYY-MM-DD.")]
_OverOpt = Annotated[str | None, typer.Option(
    "--over", help="A window FROM,TO (times as for --at) instead of --at.")]
_ReduceOpt = Annotated[str | None, typer.Option(
    "--reduce", help="How --over is reduced: mean, min, max, sum, integral, first, last, "
                     "any, all.")]
_PolicyOpt = Annotated[str | None, typer.Option(
    "--policy", help="Policy to read (default: the scenario's first).")]


@app.command("claims", rich_help_panel=_ENSEMBLES)
def claims_command(
    scenario: ScenarioArg = "ukraine-2023",
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 0,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    ids: Annotated[str | None, typer.Option(
        "--ids", help="Comma-separated claim ids (default: all).")] = None,
    supported: Annotated[float | None, typer.Option(
        "--supported", help="P at or above which a claim is supported (default: each "
                            "claim's own, else 0.8).")] = None,
    refuted: Annotated[float | None, typer.Option(
        "--refuted", help="P at or below which a claim is refuted (default: each claim's "
                          "own, else 0.2).")] = None,
    hinges: Annotated[str, typer.Option(
        "--hinges", help="What a verdict hinges on: sobol, prim (comma-separated) or "
                         "none.")] = "sobol,prim",
    sobol_n: Annotated[int, typer.Option(
        "--sobol-n", help="Base sample size of the Sobol design (a power of two).")] = 32,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Judge a scenario's claims: verdict, probability with a 90 % interval, hinges."""
    from detente.analysis._cli import run_claims

    run_claims(out, err, scenario=scenario, samples=samples, seed=seed, policies=policies,
               horizon=horizon, ids=ids, supported=supported, refuted=refuted,
               hinges=hinges, sobol_n=sobol_n, json_=json_, quiet=quiet,
               processes=processes)


@app.command("sensitivity", rich_help_panel=_ANALYSE)
def sensitivity_command(
    scenario: ScenarioArg = "ukraine-2023",
    output: Annotated[str, typer.Option(
        "--output", "-o", help="Output expression, e.g. 'ua_personnel / ru_personnel'.")
    ] = "combat_power_ratio",
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    policy: _PolicyOpt = None,
    at: _TimeOpt = "end",
    over: _OverOpt = None,
    reduce: _ReduceOpt = None,
    n_base: Annotated[int, typer.Option(
        "--n-base", help="Sobol base sample N (power of two); N (D + 2) runs.")] = 64,
    trajectories: Annotated[int, typer.Option(
        "--trajectories", help="Morris trajectories r; r (D + 1) runs.")] = 20,
    parameters: Annotated[str | None, typer.Option(
        "--parameters", help="Comma-separated parameters to vary (default: all "
                             "uncertain).")] = None,
    seed: SeedOpt = 0,
    horizon: HorizonOpt = None,
    top: Annotated[int, typer.Option("--top", help="Rows shown in the table.")] = 15,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sobol or Morris sensitivity of any output at any time (SALib)."""
    from detente.analysis._cli import run_sensitivity

    run_sensitivity(out, err, scenario=scenario, output=output, method=method,
                    policy=policy, at=at, over=over, reduce=reduce, n_base=n_base,
                    trajectories=trajectories, parameters=parameters, seed=seed,
                    horizon=horizon, top=top, json_=json_, quiet=quiet)


@app.command("discover", rich_help_panel=_ANALYSE)
def discover_command(
    scenario: ScenarioArg = "ukraine-2023",
    where: Annotated[str, typer.Option(
        "--where", "-w", help="Condition on outputs, e.g. 'territory_ru_pct > 20'.")
    ] = "combat_power_ratio < 1",
    policy: _PolicyOpt = None,
    at: _TimeOpt = "end",
    over: _OverOpt = None,
    reduce: _ReduceOpt = None,
    samples: SamplesOpt = 2000,
    seed: SeedOpt = 0,
    horizon: HorizonOpt = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Minimum density of the box.")] = 0.8,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Scenario discovery (PRIM): where in parameter space a condition holds."""
    from detente.analysis._cli import run_discover

    run_discover(out, err, scenario=scenario, where=where, policy=policy, at=at, over=over,
                 reduce=reduce, samples=samples, seed=seed, horizon=horizon,
                 threshold=threshold, json_=json_, quiet=quiet, processes=processes)


@app.command(rich_help_panel=_ENSEMBLES)
def compare(
    scenario: ScenarioArg = "ukraine-2023",
    samples: SamplesOpt = 2000,
    seed: SeedOpt = 0,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    baseline: Annotated[str, typer.Option(help="Policy to take differences against.")] = (
        "status_quo"),
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 0,
) -> None:
    """Compare policies side by side: settlement odds and terms, escalation, outcomes."""
    from detente.analysis.compare import NEEDED, OUTCOMES
    from detente.analysis.compare import compare as compare_policies

    res = _simulate(scenario, samples, seed, policies, horizon, quiet, processes,
                    _recordable(scenario, NEEDED))
    months = (12, 24, 36)
    data = compare_policies(res, months=months, baseline=baseline)
    if json_:
        out.print_json(json.dumps(data, allow_nan=False))
        return
    _print_comparison(data, OUTCOMES)


def _print_comparison(data: dict[str, Any], outcomes: Any) -> None:
    from rich.table import Table

    meta = data["meta"]
    pols = data["policies"]
    names = list(pols)
    m_last = f"{meta['outcome_month']:g}"

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.0f} %"

    t = Table(title=f"{meta['scenario']}: policies compared ({meta['n_samples']} samples, "
              f"seed {meta['seed']}); outcomes: median [10th–90th] at {m_last} months",
              title_justify="left")
    t.add_column("")
    for name in names:
        t.add_column(name, justify="right")
    if any(p["p_settlement"] is not None for p in pols.values()):
        for m in meta["months"]:
            key = f"{m:g}"
            t.add_row(f"P(settlement) by {key} months",
                      *[pct(pols[n]["p_settlement"][key]) if pols[n]["p_settlement"] else "–"
                        for n in names])
        t.add_row("median months to settlement",
                  *[fmt(pols[n]["median_months_to_settlement"])
                    if pols[n]["median_months_to_settlement"] is not None else "–"
                    for n in names])
    t.add_row("P(NATO–Russia war)", *[pct(pols[n]["p_escalation"]) for n in names])
    for name, units, _desc in outcomes:
        if all(name not in pols[n]["outcomes"] for n in names):
            continue
        cells = []
        for n in names:
            q = pols[n]["outcomes"].get(name)
            cells.append("–" if q is None or q["median"] is None else
                         f"{fmt(q['median'])} [{fmt(q['low'])}–{fmt(q['high'])}]")
        t.add_row(f"{name} ({units})", *cells)
    out.print(t)
    base = meta["baseline"]
    if base:
        d = Table(title=f"difference from {base} (mean ± Monte Carlo standard error, paired "
                  "by sample)", title_justify="left")
        d.add_column("")
        others = [n for n in names if n != base]
        for n in others:
            d.add_column(n, justify="right")
        keys = list(pols[others[0]]["vs_baseline"]) if others else []
        for key in keys:
            cells = []
            for n in others:
                e = pols[n]["vs_baseline"][key]
                scale = 100.0 if key.startswith("p_") else 1.0
                unit = " pp" if key.startswith("p_") else ""
                if e["value"] is None:
                    cells.append("–")
                else:
                    se = e["se"] if e["se"] is not None else float("nan")
                    cells.append(f"{fmt(scale * e['value'])} ± {fmt(scale * se)}{unit}")
            d.add_row(key, *cells)
        if others:
            out.print(d)
    if any(p.get("terms") for p in pols.values()):
        tt = Table(title="terms of settlements signed (most common level, share of deals)",
                   title_justify="left")
        tt.add_column("dimension")
        for n in names:
            tt.add_column(n, justify="right")
        dims = next(iter(p["terms"] for p in pols.values() if p.get("terms")))
        for dim in dims:
            cells = []
            for n in names:
                shares = (pols[n].get("terms") or {}).get(dim) or {}
                valid = {k: v for k, v in shares.items() if v is not None}
                if not valid:
                    cells.append("–")
                    continue
                top = max(valid, key=lambda k: valid[k])
                cells.append(f"{top} {100 * valid[top]:.0f} %")
            tt.add_row(dim, *cells)
        out.print(tt)


# ------------------------------------------------------------------ sweep and run stores
def _names(spec: str | None) -> list[str] | None:
    if spec is None:
        return None
    return [s.strip() for s in spec.split(",") if s.strip()]


@app.command("sweep", rich_help_panel=_ANALYSE)
def sweep_command(
    scenario: Annotated[str | None, typer.Argument(
        help="Built-in scenario name or a file path (optional with --resume).")] = None,
    samples: Annotated[int | None, typer.Option(
        "--samples", "-n", help="Monte Carlo samples (required for a new run).")] = None,
    store: Annotated[Path, typer.Option(
        "--out", help="Run store folder (created if new).")] = Path("runs"),
    seed: SeedOpt = 0,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    record: Annotated[str | None, typer.Option(
        "--record", help="Comma-separated variables whose full trajectories are kept "
                         "(default: none).")] = None,
    outcomes: Annotated[str | None, typer.Option(
        "--outcomes", help="Comma-separated variables kept per sample at the horizon "
                           "(default: the key outputs).")] = None,
    quantiles: Annotated[str | None, typer.Option(
        "--quantiles", help="Comma-separated variables whose per-time quantiles are kept "
                            "(default: the key outputs).")] = None,
    block_size: Annotated[int | None, typer.Option(
        "--block-size", help="Samples per block (default 1024; part of the run's "
                             "identity).")] = None,
    dtype: Annotated[str, typer.Option(
        "--dtype", help="Storage type of trajectories: float64 or float32.")] = "float64",
    resume: Annotated[str | None, typer.Option(
        "--resume", help="Complete the interrupted run RUN_ID in --out.")] = None,
    scheduler: Annotated[str, typer.Option(
        "--scheduler", help="local, processes, dask (a local Dask cluster) or a Dask "
                            "scheduler address (tcp://HOST:8786).")] = "local",
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Worker processes for processes/dask (default: one per core).")
    ] = None,
    backend: Annotated[str, typer.Option(
        "--backend", help="Kernels: auto, numba or numpy (same results).")] = "auto",
    checkpoint_every: Annotated[float, typer.Option(
        "--checkpoint-every", help="Seconds between checkpoints of the quantiles.")] = 30.0,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run an ensemble into a run store, block by block (resumable with --resume)."""
    from detente.store import sweep

    kwargs: dict[str, Any] = {
        "out": store, "n_samples": samples, "seed": seed, "policies": _split(policies),
        "horizon": horizon, "record": _names(record) or (), "outcomes": _names(outcomes),
        "quantiles": _names(quantiles), "block_size": block_size, "dtype": dtype,
        "scheduler": scheduler, "workers": workers, "resume": resume,
        "backend": backend, "checkpoint_every": checkpoint_every,
    }
    if backend not in ("auto", "numba", "numpy"):
        raise InputError(f"--backend must be auto, numba or numpy, found {backend!r}")
    if quiet or json_ or not err.is_terminal:
        run = sweep(scenario, **kwargs)
    else:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} samples"),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task(f"sweep {scenario or resume}", total=samples)
            run = sweep(scenario, **kwargs,
                        progress=lambda d, t: bar.update(task, completed=d, total=t))
    row = _run_row(run)
    if json_:
        _echo_json(row)
        return
    out.print(f"run [bold]{run.id}[/] complete: {row['n_samples']} samples × "
              f"{len(row['parameters']['policies'])} policies in {run.path}")


def _run_row(run: Any) -> dict[str, Any]:
    from detente.store import RunStore

    row: dict[str, Any] = RunStore(run.store).catalog_row(run)
    return row


runs_app = typer.Typer(help="List, show and open the runs in a run store.",
                       no_args_is_help=True)
app.add_typer(runs_app, name="runs", rich_help_panel=_ANALYSE)
StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Run store folder.")]


@runs_app.command("list")
def runs_list(
    store: StoreOpt = Path("runs"),
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Recreate the catalogue from the run folders first.")] = False,
    json_: JsonOpt = False,
) -> None:
    """List the runs in the store's catalogue."""
    from detente.store import RunStore

    st = RunStore(store)
    if rebuild:
        st.rebuild_catalog()
    rows = st.list()
    if json_:
        _echo_json(rows)
        return
    from rich.table import Table

    t = Table("id", "scenario", "hash", "seed", "samples", "blocks", "status", "created",
              "version", title=f"runs in {store}", title_justify="left")
    for r in rows:
        t.add_row(r["id"], r["scenario"], r["scenario_hash"], r["seed"], str(r["n_samples"]),
                  f"{r['blocks_done']}/{r['n_blocks']}", r["status"], str(r["created"]),
                  r["detente_version"])
    out.print(t)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (see `detente runs list`).")],
    store: StoreOpt = Path("runs"),
    json_: JsonOpt = False,
) -> None:
    """Show a run's manifest, progress and any damage found in its files."""
    from detente.store import RunStore

    st = RunStore(store)
    run = st.run(run_id)
    problems = run.verify()
    m = run.manifest
    info = {**st.catalog_row(run), "path": str(run.path), "problems": problems,
            "sample_params": m["sample_params"], "events": m["events"]}
    if json_:
        _echo_json(info)
    else:
        for k in ("id", "scenario", "scenario_hash", "seed", "detente_version", "n_samples",
                  "block_size", "status", "created", "updated", "path"):
            out.print(f"[bold]{k}[/]: {info[k]}")
        out.print(f"[bold]blocks[/]: {info['blocks_done']}/{info['n_blocks']}")
        for k, v in info["parameters"].items():
            out.print(f"[bold]{k}[/]: {v}")
    if problems:
        raise InputError(f"run {run_id} is damaged:\n" + "\n".join(f"  {p}" for p in problems))


@runs_app.command("open")
def runs_open(
    run_id: Annotated[str, typer.Argument(help="Run id (see `detente runs list`).")],
    store: StoreOpt = Path("runs"),
    json_: JsonOpt = False,
) -> None:
    """Open a complete run and print its outcomes: median [10th–90th percentile]."""
    import numpy as np

    from detente.store import RunStore

    run = RunStore(store).run(run_id)
    ds = run.to_dataset()
    rows = []
    for var in run.manifest["outcomes"]:
        arr = ds[f"final_{var}"].values
        q = np.nanquantile(arr, [0.1, 0.5, 0.9], axis=1)
        for ip, pol in enumerate(ds["policy"].values):
            rows.append({"policy": str(pol), "variable": var, "low": float(q[0, ip]),
                         "median": float(q[1, ip]), "high": float(q[2, ip])})
    if json_:
        _echo_json({"id": run_id, "n_samples": int(ds.sizes["sample"]), "outcomes": rows})
        return
    from rich.table import Table

    t = Table("policy", "variable", "at the horizon: median [10–90 %]",
              title=f"run {run_id}: {ds.sizes['sample']} samples", title_justify="left")
    for r in rows:
        t.add_row(r["policy"], r["variable"],
                  f"{fmt(r['median'])} [{fmt(r['low'])}–{fmt(r['high'])}]")
    out.print(t)
    out.print(f"in Python: detente.store.open_run({str(store)!r}, {run_id!r}).to_dataset()")


# ------------------------------------------------------------------ report and dashboard
@app.command("report", rich_help_panel=_ENSEMBLES)
def report_command(
    scenario: ScenarioArg = "ukraine-2023",
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="HTML file to write (self-contained; opens offline).")
    ] = Path("report.html"),
    samples: SamplesOpt = 2000,
    seed: SeedOpt = 0,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="Also print the report to this PDF file (headless Chromium).")] = None,
    tornado_output: Annotated[str, typer.Option(
        "--tornado-output", help="Output of the sensitivity tornado, read at the horizon: a "
                                 "variable or expression, or 'none'.")
    ] = "territory_ru_km2",
    tornado_policy: Annotated[str | None, typer.Option(
        "--tornado-policy", help="Policy the tornado reads (default: the first run).")
    ] = None,
    tornado_trajectories: Annotated[int, typer.Option(
        "--tornado-trajectories", help="Morris trajectories r of the tornado; r (D + 1) "
                                       "model runs.")] = 10,
    hinges: Annotated[str, typer.Option(
        "--hinges", help="What claim verdicts hinge on: sobol, prim (comma-separated) or "
                         "none.")] = "sobol,prim",
    sobol_n: Annotated[int, typer.Option(
        "--sobol-n", help="Base sample size of the claims' Sobol design (a power of "
                          "two).")] = 32,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Write an HTML report: trajectories, settlement, escalation, claims, assumptions."""
    from detente.report._cli import run_report

    run_report(out, err, scenario=scenario, samples=samples, seed=seed,
               policies=_split(policies), horizon=horizon, processes=processes, quiet=quiet,
               output=output, pdf=pdf, tornado_output=tornado_output,
               tornado_policy=tornado_policy, tornado_trajectories=tornado_trajectories,
               hinges=hinges, sobol_n=sobol_n)


@app.command("serve", rich_help_panel=_ENSEMBLES)
def serve_command(
    scenario: ScenarioArg = "ukraine-2023",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 5006,
    address: Annotated[str | None, typer.Option(
        "--address", help="Address to listen on (default 127.0.0.1, this machine only; "
                          "another address exposes the dashboard, with a warning).")
    ] = None,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", help="Monte Carlo samples per update.")] = 500,
    seed: SeedOpt = 0,
    policies: Annotated[str | None, typer.Option(
        "--policies", "-p", help="Comma-separated policies shown at first (default: "
                                 "status_quo, direct_talks).")] = None,
    horizon: Annotated[int | None, typer.Option(
        "--horizon", help="Steps simulated per update (default 104 weeks).")] = None,
    show: Annotated[bool, typer.Option(
        "--show/--no-show", help="Open a browser tab.")] = False,
) -> None:
    """Serve the interactive dashboard: levers, policies, charts and claim verdicts."""
    from detente.dashboard._cli import run_serve

    run_serve(out, err, scenario=scenario, port=port, address=address, samples=samples,
              seed=seed, policies=_split(policies), horizon=horizon, show=show)


def main() -> None:
    """Entry point: run the app, turning detente errors into messages and exit codes."""
    try:
        app()
    except DetenteError as exc:
        if _state["debug"]:
            raise
        from rich.text import Text

        err.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)
        sys.exit(2 if isinstance(exc, InputError) else 1)
