"""``detente base-rates`` and ``detente score``: the outside view, and forecast skill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.cli._app import out
from detente.cli._options import JsonOpt, ProcessesOpt, SeedOpt, check_samples, resolve_processes
from detente.cli._output import echo_json, show
from detente.errors import InputError

_CONFLICTS = ("interstate", "with_internationalised")
_INTENSITY = ("any", "war")
_MAJOR = ("any", "involved", "not_involved")


def _choice(value: str, allowed: tuple[str, ...], flag: str) -> str:
    if value not in allowed:
        raise InputError(f"{flag}: expected one of {', '.join(allowed)}, found {value!r}")
    return value


def _period(text: str | None) -> tuple[int | None, int | None]:
    """``1946..1990``, ``1946..`` or ``..1990`` as (first, last) start years."""
    if text is None:
        return (None, None)
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError
        lo = int(first) if first.strip() else None
        hi = int(last) if last.strip() else None
    except ValueError:
        raise InputError(f"--period: expected FIRST..LAST start years (either may be left "
                         f"out: 1946.., ..1990), found {text!r}") from None
    return (lo, hi)


def _months(text: str) -> tuple[int, ...]:
    try:
        months = tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise InputError(f"--months: expected whole numbers of months, comma-separated "
                         f"(12,24,36), found {text!r}") from None
    if not months or any(m <= 0 for m in months):
        raise InputError(f"--months: expected positive whole numbers of months, found "
                         f"{text!r}")
    return months


def base_rates(
    lasted: Annotated[str, typer.Option(
        "--lasted", help="How long the war has lasted: 645d, 92w, 21m or 1.8y (days, weeks, "
                         "months, years).")] = "0d",
    months: Annotated[str, typer.Option(
        "--months", help="Horizons after that day, in months, comma-separated.")
    ] = "12,24,36",
    conflicts: Annotated[str, typer.Option(
        "--conflicts", help="interstate (wars between states) or with_internationalised "
                            "(also civil wars another state sent troops into).")
    ] = "interstate",
    intensity: Annotated[str, typer.Option(
        "--intensity", help="any, or war (1,000+ battle deaths in a year).")] = "any",
    period: Annotated[str | None, typer.Option(
        "--period", help="Start years FIRST..LAST (1946..1990, 1990..).")] = None,
    major_power: Annotated[str, typer.Option(
        "--major-power", help="any, involved or not_involved.")] = "any",
    level: Annotated[float, typer.Option("--level", help="Level of the intervals.")] = 0.95,
    cow: Annotated[Path | None, typer.Option(
        "--cow", help="Your copy of COW's Inter-StateWarData_v4.0.csv (not shipped: COW's "
                      "terms forbid passing it on) instead of UCDP's table.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Print base rates: P(a war ends within 1/2/3 years | it lasted so long), and how."""
    from detente.analysis.outside_view import BaseRates, read_cow

    months_t = _months(months)
    if not 0 < level < 1:
        raise InputError(f"--level: expected a number strictly between 0 and 1, found {level}")
    br = BaseRates(months=months_t, level=level,
                   conflicts=_choice(conflicts, _CONFLICTS, "--conflicts"),  # type: ignore[arg-type]
                   intensity=_choice(intensity, _INTENSITY, "--intensity"),  # type: ignore[arg-type]
                   period=_period(period),
                   major_power=_choice(major_power, _MAJOR, "--major-power"))  # type: ignore[arg-type]
    wars = read_cow(cow) if cow is not None else None
    from detente.analysis.outside_view.base_rates import parse_duration

    br.fit(parse_duration(lasted, what="--lasted"), wars)
    if json_:
        echo_json(br.to_dict())
        return
    from detente.present.outside_view import base_rates_tables

    show(base_rates_tables(br))


def score(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a file path.")],
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="Resolved questions (YAML; default: those shipped, "
                            "detente/data/outside_view/questions-ru-ua-2023.yaml).")] = None,
    observed: Annotated[Path | None, typer.Option(
        "--observed", help="CSV record the restarts start from (default: the scenario's "
                           "bundled one).")] = None,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", help="Monte Carlo samples per origin.")] = 500,
    seed: SeedOpt = 0,
    policy: Annotated[str | None, typer.Option(
        "--policy", help="Policy to run (default: the scenario's first).")] = None,
    origin: Annotated[str, typer.Option(
        "--origin", help="Start the model at each question's opening (opened) or at the "
                         "date of the crowd's forecast (forecast).")] = "opened",
    widen: Annotated[float, typer.Option(
        "--widen", help="How fast the unobserved state's priors widen per year away from "
                        "the scenario's as-of date.")] = 1.0,
    json_: JsonOpt = False,
    processes: ProcessesOpt = 1,
) -> None:
    """Score the model on resolved questions: Brier and log skill vs the crowd and base rate.

    Each question with a test on model outputs restarts the scenario at its opening date
    from the record (as `detente hindcast` does) and reads the share of samples in which
    the test holds; the crowd's probability and the base rate of war termination are scored
    beside it.
    """
    from detente.analysis.outside_view.skill import ForecastSkill
    from detente.cli._files import warn_hindsight
    from detente.scenario import load_scenario

    check_samples(samples)
    processes = resolve_processes(processes, samples)
    sc = load_scenario(scenario)
    warn_hindsight(sc)
    fs = ForecastSkill(n_samples=samples, seed=seed, policy=policy,
                       origin=_choice(origin, ("opened", "forecast"), "--origin"),  # type: ignore[arg-type]
                       widen=widen, processes=processes)
    fs.fit(sc, questions, observed)
    if json_:
        echo_json(fs.to_dict())
        return
    from detente.present.outside_view import skill_tables

    show(skill_tables(fs))
    out.print("[dim]docs/outside-view.md says how to read these scores.[/]")
