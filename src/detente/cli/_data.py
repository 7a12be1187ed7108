"""``detente fit``, ``calibrate`` and ``backtest``: the model in contact with data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.cli._app import err, out
from detente.cli._options import (
    JsonOpt,
    ProcessesOpt,
    SamplesOpt,
    SeedOpt,
    check_samples,
    parse_reinforcements,
    resolve_processes,
)
from detente.cli._output import echo_json, show

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
    observed: ObservedOpt,
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
    policy_path: PolicyPathOpt = None,
    json_: JsonOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Narrow chosen parameters to match observed series (ABC rejection).

    Writes the calibrated scenario (the original file with only the calibrated lines, the
    name, the description and the posterior line changed) and the accepted samples beside
    it as joint posterior draws (NAME.posterior.csv).
    """
    from detente.analysis import Calibrator
    from detente.present.tables import calibration_table
    from detente.scenario.posterior import POSTERIOR_SUFFIX

    check_samples(samples)
    processes = resolve_processes(processes, samples)
    names = [p.strip() for p in params.split(",") if p.strip()]
    cal = Calibrator(names, n_samples=samples, accept=accept, seed=seed, policy=policy,
                     processes=processes).fit(scenario, observed, policy_path)
    path = cal.write(output)
    draws = path.with_name(path.stem + POSTERIOR_SUFFIX)
    if json_:
        echo_json({**cal.to_dict(), "output": str(path), "posterior": str(draws)})
        return
    show(calibration_table(cal, names))
    for warning in cal.warnings_:
        err.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    out.print(f"wrote {path} and its posterior draws {draws}")


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
