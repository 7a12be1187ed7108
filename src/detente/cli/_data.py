"""``detente fit``, ``calibrate`` and ``backtest``: the model in contact with data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from detente.cli._app import err, out
from detente.cli._options import (
    JsonOpt,
    ProcessesOpt,
    QuietOpt,
    SamplesOpt,
    SeedOpt,
    check_choice,
    check_positive,
    check_samples,
    parse_reinforcements,
    resolve_processes,
)
from detente.cli._output import echo_json, show
from detente.errors import InputError

ObservedOpt = Annotated[Path, typer.Option(
    "--observed", help="CSV of observations: date, variable, value.")]
PolicyPathOpt = Annotated[Path | None, typer.Option(
    "--policy-path", help="YAML overlay of what happened (description, changes, "
                          "events), run as the policy 'actual'.")]


def fit(
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
    from detente.present.tables import law_comparison_table, law_fit_table

    rb, rr = parse_reinforcements(reinforcements)
    series = read_battle_csv(data, date=date_col, blue=blue, red=red,
                             blue_casualties=blue_casualties, red_casualties=red_casualties,
                             blue_reinforcements=rb, red_reinforcements=rr)
    if law is not None and law != "all":
        one = LanchesterFit(law, method=method, n_boot=boot, level=level, block=block,
                            seed=seed).fit(series)
        if json_:
            echo_json(one.to_dict())
            return
        show(law_fit_table(one))
        return
    cmp = LawComparison(method=method, n_boot=boot, level=level, block=block,
                        seed=seed).fit(series)
    if json_:
        echo_json(cmp.to_dict())
        return
    out.print(law_comparison_table(cmp, source=str(data), n_rows=series.n))


def calibrate(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a file path.")],
    params: Annotated[str, typer.Option(
        "--params", help="Comma-separated parameters to calibrate (each with a distribution).")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Write the calibrated scenario (YAML) here.")],
    observed: Annotated[Path | None, typer.Option(
        "--observed", help="CSV of observations: date, variable, value and optionally source, "
                           "sd, low, high (default: the scenario's bundled record, "
                           "detente/data/records/NAME.csv, when it has one).")] = None,
    origin: Annotated[str | None, typer.Option(
        "--from", help="Restart the scenario at this date (YYYY-MM-DD, or YYYY-MM: its first "
                       "day) from the record's state there, and calibrate on the record "
                       "after it; the posterior is written for the scenario itself.")] = None,
    method: Annotated[str, typer.Option(
        "--method", help="smc (ABC-SMC with ELFI: the 'calibrate' extra) or rejection.")
    ] = "smc",
    population: Annotated[int, typer.Option(
        "--population", help="SMC: particles per generation.")] = 1000,
    generations: Annotated[int, typer.Option(
        "--generations", help="SMC: generations, the first drawn from the prior.")] = 6,
    quantile: Annotated[float, typer.Option(
        "--quantile", help="SMC: each threshold is this quantile of the previous "
                           "generation's distances.")] = 0.5,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", help="Prior samples: rejection's ensemble, SMC's pilot (the "
                                "distance's scale and the prior's diagnostics).")] = 2000,
    accept: Annotated[float, typer.Option(
        "--accept", help="Rejection: share of samples accepted (closest to the "
                         "observations).")] = 0.1,
    seed: SeedOpt = 0,
    policy: Annotated[str | None, typer.Option(
        "--policy", help="Policy to run (default: the scenario's first).")] = None,
    policy_path: PolicyPathOpt = None,
    widen: Annotated[float, typer.Option(
        "--widen", help="With --from: how fast the unobserved state's priors widen per "
                        "year away from the scenario's as-of date.")] = 1.0,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Narrow chosen parameters to match observed series (ABC-SMC or ABC rejection).

    Prints the prior and posterior of each parameter, every generation's threshold,
    acceptance rate, simulations and effective sample size, the 80 % band coverage of the
    observations before and after, and warnings. Writes the calibrated scenario (the
    original file with only the calibrated lines, the name, the description and the
    posterior line changed) and the posterior particles beside it, with their weights, as
    joint posterior draws (NAME.posterior.csv).
    """
    from detente.analysis import Calibrator
    from detente.analysis.calibrate import METHODS, Method
    from detente.cli._progress import stage_bars
    from detente.scenario.posterior import POSTERIOR_SUFFIX

    check_samples(samples)
    check_choice(method, "--method", METHODS)
    if method == "smc":
        check_positive(population, "--population")
        check_positive(generations, "--generations")
    start = _one_date(origin, "--from") if origin is not None else None
    processes = resolve_processes(processes, samples)
    names = [p.strip() for p in params.split(",") if p.strip()]
    chosen: Method = "smc" if method == "smc" else "rejection"
    cal = Calibrator(names, method=chosen, population=population,
                     generations=generations, quantile=quantile, n_samples=samples,
                     accept=accept, seed=seed, policy=policy, origin=start, widen=widen,
                     processes=processes)
    with stage_bars(quiet=quiet or json_) as progress:
        cal.fit(scenario, observed, policy_path, progress=progress)
    path = cal.write(output)
    draws = path.with_name(path.stem + POSTERIOR_SUFFIX)
    if json_:
        echo_json({**cal.to_dict(), "output": str(path), "posterior": str(draws)})
        return
    from detente.present.tables import calibration_table

    show(calibration_table(cal, names))
    for warning in cal.warnings_:
        err.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    out.print(f"wrote {path} and its posterior draws {draws}")


def _one_date(text: str, option: str) -> dt.date:
    from detente.analysis.hindcast import parse_origins

    dates = parse_origins(text, what=option)
    if len(dates) != 1:
        raise InputError(f"{option} expects one date YYYY-MM-DD (or a month YYYY-MM), found "
                         f"{text!r}")
    return dates[0]


def backtest(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a file path.")],
    observed: Annotated[Path, typer.Option(
        "--observed", help="CSV of observations: date, variable, value and optionally "
                           "source. Those on or before the start only feed the baselines.")],
    policy_path: PolicyPathOpt = None,
    policy: Annotated[str | None, typer.Option(
        "--policy", help="Policy to score (default: 'actual' with --policy-path, else the "
                         "scenario's first).")] = None,
    samples: SamplesOpt = 1000,
    seed: SeedOpt = 0,
    table: Annotated[Path | None, typer.Option(
        "--table", help="Write one row per scored observation (bands, inside, PIT, CRPS or "
                        "Brier, the baselines' forecasts) to this CSV file.")] = None,
    json_: JsonOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Score a scenario's projections against observed series, beside persistence and trend.

    Continuous variables: coverage of the 50/80/95 % bands with intervals, CRPS and a PIT
    histogram; 0/1 variables: Brier, log and a reliability table.
    """
    from detente.analysis import Backtest
    from detente.analysis.backtest import write_table
    from detente.present.tables import backtest_table

    check_samples(samples)
    processes = resolve_processes(processes, samples)
    bt = Backtest(n_samples=samples, seed=seed, policy=policy,
                  processes=processes).fit(scenario, observed, policy_path)
    written = write_table(bt.table_, table) if table is not None else None
    if json_:
        echo_json({**bt.to_dict(), "table": None if written is None else str(written)})
        return
    show(backtest_table(bt, n_samples=samples))
    if written is not None:
        out.print(f"wrote {written}")
