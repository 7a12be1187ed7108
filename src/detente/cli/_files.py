"""``detente validate``, ``scenarios`` and ``schema``: scenario files, checked and listed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from detente.cli._app import out
from detente.errors import InputError


def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in names).")],
) -> None:
    """Check scenario files and report every problem with file:line:column."""
    from detente.errors import ScenarioError
    from detente.scenario import load_scenario

    problems: list[str] = []
    for f in files:
        try:
            sc = load_scenario(f)
        except ScenarioError as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        n_unc = len(sc.uncertain)
        out.print(f"[green]ok[/] {f}: {sc.name} — {len(sc.parameters)} parameters "
                  f"({n_unc} uncertain), {len(sc.events)} events, "
                  f"{len(sc.policies)} policies")
    if problems:
        n = len(problems)
        raise InputError(f"{n} problem{'s' if n != 1 else ''}:\n" + "\n".join(problems))


def scenarios(
    path: Annotated[str | None, typer.Option(
        "--path", help="Print the file path of this built-in scenario.")] = None,
) -> None:
    """List the built-in scenarios, or print one's file path (to copy and edit)."""
    from detente.scenario import builtin_names, builtin_path, load_scenario

    if path is not None:
        typer.echo(str(builtin_path(path)))
        return
    from detente.present.tables import scenarios_table

    out.print(scenarios_table((name, load_scenario(name)) for name in builtin_names()))


def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from detente.scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
