"""The ``detente`` command line: thin wrappers over the public API.

Each command checks its options (naming the flags in its messages), calls the library,
and prints what :mod:`detente.present` lays out, or JSON with ``--json``. Heavy imports
(NumPy, SciPy, xarray, Plotly, Bokeh) happen inside the commands, so ``detente --help``
is fast. Bad input exits with code 2 and a one-paragraph message, anything else that
goes wrong with 1; tracebacks appear only with ``--debug``.

The commands are grouped by what an analyst does, in the order ``--help`` lists them:

* the outside view: base rates and forecast skill (:mod:`._outside`), first, as a
  forecaster starts from them;
* run, compare and judge (:mod:`._run`, :mod:`._claims`, :mod:`._negotiate`,
  :mod:`._report`, :mod:`._serve`);
* scenario files (:mod:`._files`);
* contact with data (:mod:`._data`, :mod:`._hindcast`);
* sensitivity, discovery and large sweeps (:mod:`._explore`, :mod:`._store`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from detente.cli import (
    _claims,
    _data,
    _explore,
    _files,
    _hindcast,
    _negotiate,
    _new,
    _outside,
    _report,
    _run,
    _serve,
    _store,
)
from detente.cli._app import app, main

__all__ = ["app", "main"]

#: Help panels, in the order a user meets them, each with its commands in help order.
COMMANDS: dict[str, tuple[tuple[str, Callable[..., Any]], ...]] = {
    # first, as a forecaster starts from the base rates before the model's inside view
    "The outside view": (
        ("base-rates", _outside.base_rates), ("score", _outside.score)),
    "Run, compare and judge": (
        ("run", _run.run), ("claims", _claims.claims), ("compare", _run.compare),
        ("negotiate", _negotiate.negotiate), ("report", _report.report),
        ("serve", _serve.serve)),
    "Scenario files": (
        ("new", _new.new), ("validate", _files.validate), ("scenarios", _files.scenarios),
        ("schema", _files.schema)),
    "Contact with data": (
        ("fit", _data.fit), ("calibrate", _data.calibrate), ("backtest", _data.backtest),
        ("hindcast", _hindcast.hindcast)),
    "Sensitivity, discovery and large sweeps": (
        ("sensitivity", _explore.sensitivity), ("discover", _explore.discover),
        ("sweep", _store.sweep)),
}
#: Sub-commands with their own group: (name, Typer app, help panel).
GROUPS = (("runs", _store.runs_app, "Sensitivity, discovery and large sweeps"),)


def _register() -> None:
    for panel, commands in COMMANDS.items():
        for name, command in commands:
            app.command(name, rich_help_panel=panel)(command)
    for name, group, panel in GROUPS:
        app.add_typer(group, name=name, rich_help_panel=panel)


_register()
