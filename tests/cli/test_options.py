"""The command line checks its own options and names the flag the user typed.

The library's messages speak of its parameters (``n_samples``, ``horizon``); these checks
run first, so a bad value fails at once with exit code 2, the flag's name and no
traceback, before anything is loaded or simulated.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.cli import _options
from detente.errors import InputError

OBS = "obs.csv"  # never read: the options fail first
BENCH = "lanchester-bench"

BAD_OPTIONS = [
    (["run", BENCH, "-n", "0"], "--samples must be a positive integer, found 0"),
    (["run", BENCH, "-n", "-3"], "--samples must be a positive integer, found -3"),
    (["run", BENCH, "-n", "10", "--horizon", "0"],
     "--horizon must be a positive number of steps, found 0"),
    (["run", BENCH, "-n", "10", "--processes", "-1"],
     "--processes must be a positive integer (or 0: one per core), found -1"),
    (["compare", BENCH, "-n", "0"], "--samples must be a positive integer, found 0"),
    (["compare", BENCH, "-n", "5", "--horizon", "-2"],
     "--horizon must be a positive number of steps, found -2"),
    (["claims", BENCH, "-n", "0"], "--samples must be a positive integer, found 0"),
    (["claims", BENCH, "-n", "10", "--horizon", "0"],
     "--horizon must be a positive number of steps, found 0"),
    (["claims", BENCH, "--hinges", "magic"],
     "--hinges expects a comma-separated list"),
    (["discover", BENCH, "-n", "0"], "--samples must be a positive integer, found 0"),
    (["discover", BENCH, "-n", "10", "--processes", "-4"],
     "--processes must be a positive integer"),
    (["sensitivity", BENCH, "--horizon", "0"],
     "--horizon must be a positive number of steps, found 0"),
    (["sensitivity", BENCH, "--method", "sobl"],
     "--method expects sobol, morris or both, found 'sobl'"),
    (["sensitivity", BENCH, "--at", "tomorrow"],
     "expected a time: 'start', 'end' or a date"),
    (["sensitivity", BENCH, "--over", "start"], "--over expects FROM,TO"),
    (["backtest", BENCH, "--observed", OBS, "-n", "0"],
     "--samples must be a positive integer, found 0"),
    (["calibrate", BENCH, "--observed", OBS, "--params", "x", "-o", "c.yaml",
      "-n", "0"], "--samples must be a positive integer, found 0"),
    (["fit", "battle.csv", "--reinforcements", "a,b,c"], "--reinforcements expects"),
    (["report", BENCH, "-n", "0"], "--samples must be a positive integer, found 0"),
    (["report", BENCH, "--horizon", "0"],
     "--horizon must be a positive number of steps, found 0"),
    (["report", BENCH, "--tornado-trajectories", "1"],
     "--tornado-trajectories must be at least 2, found 1"),
    (["sweep", BENCH], "--samples must be a positive integer, found None"),
    (["sweep", BENCH, "-n", "0"], "--samples must be a positive integer"),
    (["sweep", "-n", "5"], "name a scenario (or --resume RUN_ID)"),
    (["sweep", BENCH, "-n", "5", "--block-size", "0"],
     "--block-size must be a positive integer, found 0"),
    (["sweep", BENCH, "-n", "5", "--horizon", "0"],
     "--horizon must be a positive number of steps, found 0"),
    (["sweep", BENCH, "-n", "5", "--scheduler", "nowhere"],
     "--scheduler 'nowhere': expected local, processes, dask or a Dask scheduler address"),
    (["sweep", BENCH, "-n", "5", "--dtype", "float16"],
     "--dtype must be float64 or float32, found 'float16'"),
    (["sweep", BENCH, "-n", "5", "--backend", "gpu"],
     "--backend must be auto, numba or numpy, found 'gpu'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=lambda a: " ".join(a)
                         if isinstance(a, list) else "")
def test_bad_option_exits_2_naming_the_flag(invoke, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)  # nothing may be written, and nothing is
    r = invoke(*args)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "compare", "claims", "report", "serve",
                                     "sensitivity", "discover"])
def test_a_command_that_runs_a_scenario_asks_for_one(invoke, command):
    # no war is the default one: the scenario is named, as `detente scenarios` lists them
    r = invoke(command)
    assert r.code == 2
    assert "Missing argument 'SCENARIO'" in r.output


def test_processes_zero_is_one_per_core_but_no_more_than_the_blocks():
    import os

    from detente.engine import BLOCK_SIZE

    assert _options.resolve_processes(3, 10) == 3
    assert _options.resolve_processes(0, 1) == 1
    cores = os.cpu_count() or 1
    assert _options.resolve_processes(0, BLOCK_SIZE * 1000) == cores
    assert _options.resolve_processes(0, BLOCK_SIZE * 2) == min(cores, 2)


@given(st.lists(st.text("abcxyz_0123", min_size=1, max_size=8), min_size=1, max_size=6),
       st.sampled_from([",", ", ", " ,", " , "]))
def test_split_reads_back_a_joined_list(names, sep):
    assert _options.split(sep.join(names)) == names


def test_split_of_nothing_is_none():
    assert _options.split(None) is None
    assert _options.split("") is None
    assert _options.split(" , ") == []


@given(st.dates())
def test_parse_time_reads_every_iso_date(day):
    assert _options.parse_time(day.isoformat()) == day
    assert _options.parse_window(f"start,{day.isoformat()}") == ("start", day)


def test_parse_time_keywords_and_errors():
    assert _options.parse_time(" end ") == "end"
    assert _options.parse_window(None) is None
    with pytest.raises(InputError, match="found '2024-13-01'"):
        _options.parse_time("2024-13-01")
    with pytest.raises(InputError, match="--over expects FROM,TO"):
        _options.parse_window("start,end,start")
    assert _options.parse_window("2024-01-01,end") == (dt.date(2024, 1, 1), "end")


@pytest.mark.parametrize("text", ["local", "processes", "dask", " dask ",
                                  "tcp://10.0.0.1:8786", "10.0.0.1:8786"])
def test_scheduler_names_and_addresses_pass(text):
    assert _options.check_scheduler(text) == text.strip()


@pytest.mark.parametrize(("text", "kinds"), [("sobol,prim", ["sobol", "prim"]),
                                             ("prim", ["prim"]), ("none", []), ("", [])])
def test_hinges(text, kinds):
    assert _options.parse_hinges(text) == kinds


def test_reinforcement_columns():
    assert _options.parse_reinforcements(None) == (None, None)
    assert _options.parse_reinforcements("b") == ("b", None)
    assert _options.parse_reinforcements(",r") == (None, "r")
    assert _options.parse_reinforcements("b, r") == ("b", "r")
    with pytest.raises(InputError, match="found ','"):
        _options.parse_reinforcements(",")


def _help(command: object, parameter: str) -> str:
    """The help of a command's option, as Typer shows it."""
    import inspect
    import typing

    hints = typing.get_type_hints(command, include_extras=True)
    assert parameter in inspect.signature(command).parameters  # type: ignore[arg-type]
    return str(hints[parameter].__metadata__[0].help)


def test_the_help_states_the_shared_defaults_and_they_apply():
    """The numbers the help gives are those the commands run with (one set of defaults)."""
    from detente.analysis import defaults
    from detente.cli._explore import discover, sensitivity
    from detente.cli._run import compare, run
    from detente.cli._serve import serve
    from detente.cli._store import sweep

    for command in (run, compare):
        assert f"default: {defaults.DEFAULT_SAMPLES:,}," in _help(command, "samples")
    for command in (run, compare, sensitivity, discover, serve, sweep):
        assert f"default: {defaults.DEFAULT_SEED}," in _help(command, "seed")
    said = _help(serve, "samples")
    assert f"default: {defaults.DASHBOARD_SAMPLES:,}," in said
    assert f"{defaults.DEFAULT_SAMPLES:,}" in said
    assert f"default: {defaults.DISCOVERY_SAMPLES:,}:" in _help(discover, "samples")
    assert _options.ensemble_settings(None, None) == (defaults.DEFAULT_SAMPLES,
                                                      defaults.DEFAULT_SEED)
    assert _options.ensemble_settings(12, 4) == (12, 4)
    with pytest.raises(InputError, match="--samples must be a positive integer, found 0"):
        _options.ensemble_settings(0, None)
    from detente.analysis.claims import SOBOL_N

    assert defaults.SOBOL_N == SOBOL_N  # the claims' own, re-exported
