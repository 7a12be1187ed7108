"""The application as a whole: version, help and its grouping, fast start, exit codes."""

from __future__ import annotations

import re

import pytest

from cli_runner import imported_by, run_cli

HEAVY = ("numpy", "scipy", "xarray", "pandas", "plotly", "matplotlib", "panel", "bokeh",
         "jinja2", "playwright", "numba", "SALib", "ema_workbench", "dask", "zarr",
         "duckdb")


def test_version():
    r = run_cli("--version")
    assert r.code == 0
    assert re.fullmatch(r"detente \d+\.\d+\.\d+\S*\n", r.stdout)


def test_help_lists_commands_grouped_by_what_an_analyst_does():
    r = run_cli("--help")
    assert r.code == 0, r.stderr
    text = r.stdout
    panels = ["Run, compare and judge", "Scenario files", "Contact with data",
              "Sensitivity, discovery and large sweeps"]
    at = [text.index(p) for p in panels]
    assert at == sorted(at)
    groups = [text[a:b] for a, b in zip(at, [*at[1:], len(text)], strict=True)]
    expected = [("run", "claims", "compare", "negotiate", "report", "serve"),
                ("new", "validate", "scenarios", "schema"),
                ("fit", "calibrate", "backtest", "hindcast"),
                ("sensitivity", "discover", "sweep", "runs")]
    for group, names in zip(groups, expected, strict=True):
        found = re.findall(r"│ (\w+) {2,}", group)
        assert tuple(found) == names


@pytest.mark.parametrize("args", [["--help"], ["report", "--help"], ["serve", "--help"],
                                  ["sweep", "--help"], ["runs", "list", "--help"]])
def test_help_imports_no_heavy_library(args):
    code = ("from detente.cli import app\n"
            f"try:\n    app({args!r})\nexcept SystemExit:\n    pass")
    assert imported_by(code, HEAVY) == []


def test_python_dash_m_runs_the_same_app():
    r = run_cli("scenarios", "--path", "lanchester-bench")
    assert r.code == 0, r.stderr
    assert r.stdout.strip().endswith("lanchester-bench.yaml")


def test_debug_shows_the_traceback():
    plain = run_cli("run", "lanchester-bench", "-n", "0")
    assert plain.code == 2
    assert "Traceback" not in plain.stderr
    debug = run_cli("--debug", "run", "lanchester-bench", "-n", "0")
    assert debug.code == 1
    assert "Traceback" in debug.stderr
    assert "InputError: --samples must be a positive integer, found 0" in debug.stderr


@pytest.mark.parametrize(("error", "code"), [("InputError", 2), ("DataError", 2),
                                             ("MissingDependencyError", 1),
                                             ("DetenteError", 1)])
def test_main_turns_detente_errors_into_exit_codes(monkeypatch, capsys, error, code):
    import detente.errors
    from detente.cli import _app

    exc = getattr(detente.errors, error)

    def failing_app() -> None:
        raise exc("what went wrong")

    monkeypatch.setattr(_app, "app", failing_app)
    with pytest.raises(SystemExit) as stop:
        _app.main()
    assert stop.value.code == (2 if issubclass(exc, detente.errors.InputError) else 1)
    assert stop.value.code == code
    assert "error: what went wrong" in capsys.readouterr().err
