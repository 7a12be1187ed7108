"""``detente hindcast``: restart a scenario at past origins and score its forecasts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.cli._app import err
from detente.cli._options import (
    JsonOpt,
    ProcessesOpt,
    SeedOpt,
    check_samples,
    resolve_processes,
)
from detente.cli._output import echo_json, show
from detente.errors import InputError


def hindcast(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a file path.")],
    origins: Annotated[str, typer.Option(
        "--origins", help="Origins: dates YYYY-MM-DD, months YYYY-MM (their first day) or "
                          "ranges FIRST..LAST/STEP (STEP Nm, Nw or Nd), comma-separated, in "
                          "increasing order: 2022-06..2023-06/1m.")],
    observed: Annotated[Path | None, typer.Option(
        "--observed", help="CSV record: date, variable, value[, source] (default: the "
                           "scenario's bundled record, detente/data/records/NAME.csv, "
                           "when it has one).")] = None,
    lead: Annotated[str, typer.Option(
        "--lead", help="Leads in whole months, comma-separated.")] = "3,6,12",
    samples: Annotated[int, typer.Option(
        "--samples", "-n", help="Monte Carlo samples per origin.")] = 1000,
    seed: SeedOpt = 0,
    policy: Annotated[str | None, typer.Option(
        "--policy", help="Policy to run (default: 'actual' with --policy-path, else the "
                         "scenario's first).")] = None,
    policy_path: Annotated[Path | None, typer.Option(
        "--policy-path", help="YAML overlay of what happened (description, changes, "
                              "events), run as the policy 'actual'.")] = None,
    widen: Annotated[float, typer.Option(
        "--widen", help="How fast the unobserved state's priors widen per year away from "
                        "the scenario's as-of date (0: not at all).")] = 1.0,
    json_: JsonOpt = False,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print the tables as Markdown (for documents).")] = False,
    table: Annotated[Path | None, typer.Option(
        "--table", help="Write every scored point (bands, baselines, scores) to this CSV.")
    ] = None,
    processes: ProcessesOpt = 1,
) -> None:
    """Restart a scenario at past origins, forecast each lead, score against the record.

    Each origin starts a run from the state the record shows there (the rest of the
    state's priors widened); every other parameter keeps the scenario's calibration, which
    is hindsight for origins before its as-of date. Prints, per lead and variable, the
    coverage of the 50/80/95 % bands with their binomial intervals and the number of points,
    the CRPS, and the persistence and trend baselines' CRPS with the model's skill.
    """
    from detente.analysis.hindcast import Hindcast, bundled_record, parse_leads, parse_origins
    from detente.cli._files import warn_hindsight
    from detente.scenario import load_scenario

    if json_ and markdown:
        raise InputError("--json and --markdown each choose the output; give one of them")
    check_samples(samples)
    processes = resolve_processes(processes, samples)
    leads = parse_leads(lead, what="--lead")
    dates = parse_origins(origins, what="--origins")
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    if observed is None and bundled_record(sc) is None:
        raise InputError(f"--observed: scenario '{sc.name}' has no bundled record; give a "
                         "CSV of date, variable, value[, source] rows")
    hc = Hindcast(n_samples=samples, seed=seed, policy=policy, leads=leads, widen=widen,
                  processes=processes).fit(sc, observed, dates, policy_path)
    if table is not None:
        from detente.analysis.backtest import write_table

        err.print(f"wrote {write_table(hc.table_, table)}", highlight=False)
    if json_:
        echo_json(hc.to_dict())
        return
    if markdown:
        from detente.present.hindcast import hindcast_markdown

        typer.echo(hindcast_markdown(hc), nl=False)
        return
    from detente.present.hindcast import hindcast_table

    show(hindcast_table(hc))
