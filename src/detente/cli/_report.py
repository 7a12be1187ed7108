"""``detente report`` (and ``run --report``): the HTML report of an ensemble, and its PDF.

Every check of the user's input (output paths, the tornado's output and policy) runs
before any simulation, so a typo fails in a second with exit code 2, not after minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.cli._app import out
from detente.cli._options import (
    DefaultSamplesOpt,
    DefaultSeedOpt,
    HorizonOpt,
    PoliciesOpt,
    ProcessesOpt,
    QuietOpt,
    RunStoreOpt,
    ScenarioArg,
    check_at_least,
    check_horizon,
    ensemble_settings,
    parse_hinges,
    resolve_processes,
    split,
)
from detente.cli._progress import stage, stage_bars
from detente.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from detente.results import Results
    from detente.scenario.schema import Scenario

#: What ``run --report`` computes (``detente report``'s defaults). The claims' design is
#: ``detente claims``'s (:data:`~detente.analysis.claims.SOBOL_N`, written as a number so
#: that ``--help`` loads no numerics; a test holds the two equal), so a claim's P and
#: hinges read the same in the report and from the command.
_RUN_REPORT_HINGES = ["sobol", "prim"]
SOBOL_N = 256
_RUN_REPORT_SOBOL_N = SOBOL_N
_RUN_REPORT_TRAJECTORIES = 10


def check_report_options(sc: Scenario, *, output: Path | None, pdf: Path | None,
                         tornado_output: str | None, tornado_policy: str | None,
                         option: str = "--output") -> None:
    """Check every report option against the scenario before anything runs."""
    from detente.report import check_writable_file

    if output is not None:
        check_writable_file(output, option)
        if output.suffix.lower() not in (".html", ".htm"):
            raise InputError(f"{option} {output}: the report is an HTML file; give a name "
                             "ending in .html")
    if pdf is not None:
        check_writable_file(pdf, "--pdf")
        if output is not None and pdf.resolve() == output.resolve():
            raise InputError(f"--pdf {pdf}: the same file as the HTML report")
        from detente._optional import import_optional
        from detente.report import require_chromium

        import_optional("playwright", extra="pdf", purpose="Printing the report to PDF")
        require_chromium()
    if tornado_output:
        from detente.analysis import scenario_expr

        try:
            scenario_expr(sc, tornado_output)
        except InputError as exc:
            raise InputError(f"--tornado-output: {exc}") from None
    if tornado_policy is not None and tornado_policy not in sc.policies:
        raise InputError(f"--tornado-policy: unknown policy '{tornado_policy}'; the "
                         f"scenario '{sc.name}' has {', '.join(sc.policies)}")


def settings_line(sc: Scenario, *, samples: int, seed: int, horizon: int | None,
                  hinges: list[str], sobol_n: int) -> str:
    """Write the settings a report's numbers come from in one line (the report prints them)."""
    import datetime as dt

    steps = horizon if horizon is not None else sc.time.horizon_steps
    end = sc.time.start + dt.timedelta(days=steps * sc.time.step_days)
    design = (f"claims' Sobol base {sobol_n} ({sobol_n * (len(sc.uncertain) + 2):,} runs "
              "per policy)" if "sobol" in hinges and sc.uncertain else
              "no Sobol design for the claims")
    return (f"report of {sc.name}: {samples:,} samples, seed {seed}, horizon {steps} steps "
            f"of {sc.time.step_days:g} days (to {end.isoformat()}), levers drawn from their "
            f"distributions, {design}")


def _stored(sc: Scenario, run_id: str, store: Path) -> tuple[Results, int]:
    """Open the stored run ``run_id`` of ``store`` as results of ``sc``, with its seed."""
    from detente.report import report_record
    from detente.results.schema import model_names
    from detente.store import RunStore

    if not store.is_dir():
        raise InputError(f"--store {store}: no such folder (a run store is the folder "
                         "`detente sweep --out` wrote)")
    run = RunStore(store).run(run_id)
    res = run.to_results()
    if res.scenario is not None and res.scenario.name != sc.name:
        raise InputError(f"--run {run_id}: a run of scenario '{res.scenario.name}', not "
                         f"'{sc.name}'; give its scenario")
    missing = [n for n in report_record(sc) if n not in set(model_names(res.ds))]
    if missing:
        raise InputError(f"--run {run_id}: the run did not record {len(missing)} variable(s) "
                         f"the report reads ({', '.join(missing[:8])}"
                         f"{', ...' if len(missing) > 8 else ''}); sweep again with --record "
                         f"{','.join(report_record(sc))}")
    return res, int(res.ds.attrs.get("seed", 0))


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def _build_and_write(console: Console, res: Results, sc: Scenario, *, output: Path,
                     pdf: Path | None, tornado_output: str | None,
                     tornado_policy: str | None, tornado_trajectories: int,
                     hinges: list[str], sobol_n: int, seed: int, processes: int,
                     quiet: bool) -> None:
    from detente.report import build_report, write_pdf, write_report

    with stage_bars(quiet=quiet) as progress:
        html = build_report(res, sc, hinges=hinges,  # type: ignore[arg-type]
                            sobol_n=sobol_n, tornado_output=tornado_output,
                            tornado_policy=tornado_policy,
                            tornado_trajectories=tornado_trajectories, seed=seed,
                            processes=processes, progress=progress)
    write_report(html, output)
    console.print(f"wrote {output} ({_size(output)}; self-contained, opens offline)")
    if pdf is not None:
        write_pdf(output, pdf)
        console.print(f"wrote {pdf} ({_size(pdf)})")


def write_run_report(console: Console, res: Results, scenario: str, path: Path, *,
                     seed: int, processes: int, quiet: bool) -> None:
    """Write the report of ``detente run --report FILE`` at the report's default options."""
    from detente.report import default_tornado_output
    from detente.scenario import load_scenario

    sc = load_scenario(scenario)
    _build_and_write(console, res, sc, output=path, pdf=None,
                     tornado_output=default_tornado_output(sc), tornado_policy=None,
                     tornado_trajectories=_RUN_REPORT_TRAJECTORIES, hinges=_RUN_REPORT_HINGES,
                     sobol_n=_RUN_REPORT_SOBOL_N, seed=seed, processes=processes, quiet=quiet)


def report(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="HTML file to write (self-contained; opens offline).")
    ] = Path("report.html"),
    samples: DefaultSamplesOpt = None,
    seed: DefaultSeedOpt = None,
    policies: PoliciesOpt = None,
    horizon: HorizonOpt = None,
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="Also print the report to this PDF file (headless Chromium).")] = None,
    tornado_output: Annotated[str | None, typer.Option(
        "--tornado-output", help="Output of the sensitivity tornado, read at the horizon: a "
                                 "variable or expression, or 'none' (default: the first "
                                 "side's combat-power ratio).")
    ] = None,
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
                          "two; the default is `detente claims`'s).")] = SOBOL_N,
    run: Annotated[str | None, typer.Option(
        "--run", help="Report a run stored by `detente sweep` (its id, from `detente runs "
                      "list`) instead of simulating; it must record what the report reads "
                      "(sweep --record with the variables `report_record` names).")] = None,
    store: RunStoreOpt = Path("runs"),
    quiet: QuietOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Write an HTML report: trajectories, settlement, escalation, claims, assumptions."""
    import numpy as np

    from detente.cli._files import warn_hindsight
    from detente.engine import simulate
    from detente.report import default_tornado_output, report_record
    from detente.scenario import load_scenario

    kinds = parse_hinges(hinges)
    tornado: str | None = tornado_output
    check_at_least(tornado_trajectories, "--tornado-trajectories", 2)
    # the samples and seed of every command (detente.analysis.defaults), so that with the
    # defaults each claim's P in the report is detente claims's
    samples, seed = ensemble_settings(samples, seed)
    check_horizon(horizon)
    processes = resolve_processes(processes, samples)
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    if tornado is None:
        tornado = default_tornado_output(sc)
    elif tornado.strip().lower() in ("", "none"):
        tornado = None
    check_report_options(sc, output=output, pdf=pdf, tornado_output=tornado,
                         tornado_policy=tornado_policy)
    if run is not None:
        res, seed = _stored(sc, run, store)
        samples = int(res.ds.sizes["sample"])
        horizon = int(res.ds.sizes["time"]) - 1
    if not quiet:
        out.print(settings_line(sc, samples=samples, seed=seed, horizon=horizon,
                                hinges=kinds, sobol_n=sobol_n), highlight=False,
                  soft_wrap=True)
    if run is None:
        with stage_bars(quiet=quiet) as progress:
            # kept in single precision, as a stored run's file keeps it (the model runs
            # in double): the report shows three or four digits, and its ensemble is then
            # half the memory (the default report peaks under 1 GB)
            res = simulate(sc, n_samples=samples, seed=seed, policies=split(policies),
                           horizon=horizon, record=report_record(sc), processes=processes,
                           progress=stage(progress, "simulating"), dtype=np.float32)
    _build_and_write(out, res, sc, output=output, pdf=pdf, tornado_output=tornado,
                     tornado_policy=tornado_policy, tornado_trajectories=tornado_trajectories,
                     hinges=kinds, sobol_n=sobol_n, seed=seed, processes=processes,
                     quiet=quiet)
