"""What the ``report`` command (and ``run --report``) does, behind thin wrappers.

Every check of the user's input (output paths, the tornado's output and policy)
runs before any simulation, so a typo fails in a second with exit code 2, not after minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from detente.analysis._cli import _progress
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = ["check_report_options", "run_report", "write_run_report"]

def _hinges(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    if kinds == ["none"]:
        return []
    bad = [k for k in kinds if k not in ("sobol", "prim")]
    if bad:
        raise InputError(f"--hinges expects a comma-separated list of sobol, prim (or "
                         f"'none'), found {', '.join(bad)}")
    return kinds


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
        from detente.report._pdf import _require_chromium

        import_optional("playwright", extra="pdf", purpose="Printing the report to PDF")
        _require_chromium()
    if tornado_output:
        from detente.analysis._outputs import model_variables
        from detente.scenario.expr import compile_expr

        events = [*sc.events, *(e for p in sc.policies.values() for e in p.events)]
        try:
            compile_expr(tornado_output, numbers=[*model_variables(sc), *sc.parameters],
                         conditions=events)
        except InputError as exc:
            raise InputError(f"--tornado-output: {exc}") from None
    if tornado_policy is not None and tornado_policy not in sc.policies:
        raise InputError(f"--tornado-policy: unknown policy '{tornado_policy}'; the "
                         f"scenario '{sc.name}' has {', '.join(sc.policies)}")


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def _build_and_write(out: Console, err: Console, res: Results, sc: Scenario, *,
                     output: Path, pdf: Path | None, tornado_output: str | None,
                     tornado_policy: str | None, tornado_trajectories: int, hinges: list[str],
                     sobol_n: int, seed: int, processes: int, quiet: bool) -> None:
    from detente.report import build_report, write_pdf, write_report

    with _progress(err, quiet) as cb:
        html = build_report(res, sc, hinges=hinges,  # type: ignore[arg-type]
                            sobol_n=sobol_n, tornado_output=tornado_output,
                            tornado_policy=tornado_policy,
                            tornado_trajectories=tornado_trajectories, seed=seed,
                            processes=processes, progress=cb)
    write_report(html, output)
    out.print(f"wrote {output} ({_size(output)}; self-contained, opens offline)")
    if pdf is not None:
        write_pdf(output, pdf)
        out.print(f"wrote {pdf} ({_size(pdf)})")


def run_report(out: Console, err: Console, *, scenario: str, samples: int, seed: int,
               policies: list[str] | None, horizon: int | None, processes: int,
               quiet: bool, output: Path, pdf: Path | None, tornado_output: str | None,
               tornado_policy: str | None, tornado_trajectories: int, hinges: str,
               sobol_n: int) -> None:
    """Simulate ``scenario`` and write its HTML report (and PDF)."""
    from detente.engine import simulate
    from detente.report import report_record
    from detente.scenario import load_scenario

    kinds = _hinges(hinges)
    if tornado_output is not None and tornado_output.strip().lower() in ("", "none"):
        tornado_output = None
    if tornado_trajectories < 2:
        raise InputError(f"--tornado-trajectories must be at least 2, found "
                         f"{tornado_trajectories}")
    if samples < 1:
        raise InputError(f"--samples must be at least 1, found {samples}")
    sc = load_scenario(scenario)
    check_report_options(sc, output=output, pdf=pdf, tornado_output=tornado_output,
                         tornado_policy=tornado_policy)
    with _progress(err, quiet) as cb:
        res = simulate(sc, n_samples=samples, seed=seed, policies=policies, horizon=horizon,
                       record=report_record(sc), processes=processes,
                       progress=(lambda d, t: cb("simulating", d, t)) if cb else None)
    _build_and_write(out, err, res, sc, output=output, pdf=pdf,
                     tornado_output=tornado_output, tornado_policy=tornado_policy,
                     tornado_trajectories=tornado_trajectories, hinges=kinds,
                     sobol_n=sobol_n, seed=seed, processes=processes, quiet=quiet)


def write_run_report(out: Console, err: Console, res: Results, scenario: str, path: Path,
                     *, seed: int, processes: int, quiet: bool) -> None:
    """Write the report of ``detente run --report FILE`` at the default options."""
    from detente.report import DEFAULT_TORNADO_OUTPUT
    from detente.scenario import load_scenario

    sc = load_scenario(scenario)
    _build_and_write(out, err, res, sc, output=path, pdf=None,
                     tornado_output=DEFAULT_TORNADO_OUTPUT, tornado_policy=None,
                     tornado_trajectories=10, hinges=["sobol", "prim"], sobol_n=32,
                     seed=seed, processes=processes, quiet=quiet)
