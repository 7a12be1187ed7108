"""Options shared by the commands, and the checks of the user's input that name them.

The library's own checks speak of its parameters (``n_samples``, ``horizon``); the command
line checks its options first, so a bad value fails at once with a message naming the
flag the user typed, and exit code 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

from detente.errors import InputError

ScenarioArg = Annotated[
    str, typer.Argument(metavar="SCENARIO",
                        help="Built-in scenario name (see `detente scenarios`) or a file path.")
]
SamplesOpt = Annotated[int, typer.Option("--samples", "-n", help="Monte Carlo samples.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Root random seed.")]
#: ``--samples`` and ``--seed`` of a command that runs with the shared defaults
#: (:mod:`detente.analysis.defaults`, read when the command runs, so ``--help`` imports
#: no numerical library): :func:`ensemble_settings` resolves them. The numbers in the help
#: are those defaults (a test checks them).
DefaultSamplesOpt = Annotated[int | None, typer.Option(
    "--samples", "-n", help="Monte Carlo samples per policy [default: 1,000, the "
                            "default of every command, the report and the library]")]
DefaultSeedOpt = Annotated[int | None, typer.Option(
    "--seed", help="Root random seed [default: 0, the default of every command]")]
#: The store of a run read with ``--run`` (``detente claims``, ``detente report``).
RunStoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Run store folder of --run.")]
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
PolicyOpt = Annotated[str | None, typer.Option(
    "--policy", help="Policy to read (default: the scenario's first).")]
TimeOpt = Annotated[str, typer.Option(
    "--at", help="Time to read the output: 'start', 'end' or a date YYYY-MM-DD.")]
OverOpt = Annotated[str | None, typer.Option(
    "--over", help="A window FROM,TO (times as for --at) instead of --at.")]
ReduceOpt = Annotated[str | None, typer.Option(
    "--reduce", help="How --over is reduced: mean, min, max, sum, integral, first, last, "
                     "any, all.")]

#: What a claim's verdict can hinge on.
HINGE_KINDS = ("sobol", "prim")
#: Scheduler names a sweep knows besides a Dask scheduler's address.
SCHEDULERS = ("local", "processes", "dask")
#: Kernels a run can use (the same results from each).
Backend = Literal["auto", "numba", "numpy"]
BACKENDS: tuple[Backend, ...] = ("auto", "numba", "numpy")


# --------------------------------------------------------------------------- lists
def split(text: str | None) -> list[str] | None:
    """Split ``"a, b"`` into ``["a", "b"]``; None or an empty string gives None."""
    if not text:
        return None
    return [p.strip() for p in text.split(",") if p.strip()]


def parse_hinges(text: str) -> list[str]:
    """Parse ``--hinges``: a comma-separated list of sobol, prim, or ``none``."""
    kinds = split(text) or []
    if kinds == ["none"]:
        return []
    bad = [k for k in kinds if k not in HINGE_KINDS]
    if bad:
        raise InputError(f"--hinges expects a comma-separated list of sobol, prim (or "
                         f"'none'), found {', '.join(bad)}")
    return kinds


def parse_reinforcements(spec: str | None) -> tuple[str | None, str | None]:
    """Parse ``--reinforcements BLUE_COL[,RED_COL]`` into two column names (None: absent)."""
    if spec is None:
        return None, None
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > 2 or not any(parts):
        raise InputError(f"--reinforcements expects BLUE_COL[,RED_COL] (e.g. "
                         f"'blue_reinf,red_reinf' or ',red_reinf'), found {spec!r}")
    blue = parts[0] or None
    red = parts[1] if len(parts) == 2 and parts[1] else None
    return blue, red


# --------------------------------------------------------------------------- times
def parse_time(text: str) -> dt.date | str:
    """Parse a time: ``start``, ``end`` or a date ``YYYY-MM-DD``."""
    t = text.strip()
    if t in ("start", "end"):
        return t
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        raise InputError(f"expected a time: 'start', 'end' or a date YYYY-MM-DD, found "
                         f"{text!r}") from None


def parse_window(text: str | None) -> tuple[dt.date | str, dt.date | str] | None:
    """Parse ``--over FROM,TO`` (each a time), or None."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError(f"--over expects FROM,TO (e.g. 'start,2024-12-01'), found {text!r}")
    return parse_time(parts[0]), parse_time(parts[1])


# --------------------------------------------------------------------------- counts
def check_samples(samples: int) -> None:
    """Check ``--samples`` of an ensemble: a positive integer."""
    if samples <= 0:
        raise InputError(f"--samples must be a positive integer, found {samples}")


def ensemble_settings(samples: int | None, seed: int | None) -> tuple[int, int]:
    """Resolve ``--samples`` and ``--seed`` (None: the shared defaults), checking samples.

    The defaults are :data:`detente.analysis.defaults.DEFAULT_SAMPLES` and
    :data:`~detente.analysis.defaults.DEFAULT_SEED`.
    """
    from detente.analysis.defaults import DEFAULT_SAMPLES, DEFAULT_SEED

    n = DEFAULT_SAMPLES if samples is None else samples
    check_samples(n)
    return n, DEFAULT_SEED if seed is None else seed


def settings_line(n_samples: int, seed: object, months: float) -> str:
    """Return the line a command prints of what it ran: samples, seed, horizon, levers.

    As :func:`detente.analysis.defaults.describe_settings` writes it, levers drawn from
    their distributions (as every command runs them).
    """
    from detente.analysis.defaults import describe_settings

    return describe_settings(n_samples, seed, months)


def check_horizon(horizon: int | None) -> None:
    """Check ``--horizon``: a positive number of steps, or None for the scenario's own."""
    if horizon is not None and horizon <= 0:
        raise InputError(f"--horizon must be a positive number of steps, found {horizon}")


def check_at_least(value: int, option: str, low: int) -> None:
    """Check that ``option`` is at least ``low``."""
    if value < low:
        raise InputError(f"{option} must be at least {low}, found {value}")


def check_positive(value: int | None, option: str) -> None:
    """Check that ``option``, when given, is a positive integer."""
    if value is not None and value <= 0:
        raise InputError(f"{option} must be a positive integer, found {value}")


def resolve_processes(processes: int, samples: int) -> int:
    """Resolve ``--processes``: 0 is one per core, but no more than there are blocks."""
    if processes < 0:
        raise InputError(f"--processes must be a positive integer (or 0: one per core), "
                         f"found {processes}")
    if processes:
        return processes
    import os

    from detente.engine import BLOCK_SIZE

    blocks = -(-samples // BLOCK_SIZE)
    return max(1, min(os.cpu_count() or 1, blocks))


# --------------------------------------------------------------------------- sweeps
def check_scheduler(scheduler: str) -> str:
    """Check ``--scheduler``: local, processes, dask, or a Dask scheduler's address."""
    s = scheduler.strip()
    if s in SCHEDULERS or ":" in s:
        return s
    raise InputError(f"--scheduler {scheduler!r}: expected local, processes, dask or a Dask "
                     "scheduler address such as tcp://HOST:8786")


def check_choice(value: str, option: str, choices: tuple[str, ...]) -> None:
    """Check that ``option`` is one of ``choices``."""
    if value not in choices:
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        raise InputError(f"{option} must be {listed}, found {value!r}")


def parse_backend(text: str) -> Backend:
    """Parse ``--backend``: auto, numba or numpy."""
    for backend in BACKENDS:
        if text == backend:
            return backend
    raise InputError(f"--backend must be auto, numba or numpy, found {text!r}")
