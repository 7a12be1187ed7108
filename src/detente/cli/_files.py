"""``detente validate``, ``scenarios`` and ``schema``: scenario files, checked and listed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._app import err, out
from detente.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from detente.model import Cast, ParamSpec
    from detente.scenario import Scenario


#: At most this many hindsight warnings are printed in full by a command that runs a model.
HINDSIGHT_SHOWN = 3


def warn_hindsight(scenario: Scenario, console: Console | None = None, *,
                   every: bool = False) -> None:
    """Print a warning for the entries of the scenario's ``knowledge.later`` (to stderr).

    Each names the source or parameter, the dates that break the look-ahead rule, and the
    reason the scenario gives for using it anyway. Commands that run the model print the
    first :data:`HINDSIGHT_SHOWN` and a count of the rest (``every``: all, as ``validate``
    does), so a reconstruction with dozens of them still shows its output.
    """
    from rich.markup import escape

    console = console if console is not None else err
    entries = scenario.hindsight
    shown = entries if every else entries[:HINDSIGHT_SHOWN]
    for h in shown:
        console.print(f"[bold yellow]warning:[/] {escape(scenario.name)}: hindsight: "
                      f"{escape(h.text)}", highlight=False)
    if len(entries) > len(shown):
        console.print(f"[bold yellow]warning:[/] {escape(scenario.name)}: hindsight: "
                      f"{len(entries) - len(shown)} more values use what was not known at "
                      f"{scenario.as_of}: `detente validate {escape(scenario.name)}` and the "
                      "report list every one", highlight=False)


def missing_parameters(path: str) -> list[tuple[str, list[ParamSpec]]]:
    """Return, module by module, the parameters a scenario file's modules need and it lacks.

    Read off the file as written (it need not load): its declared sides and supporters,
    its ``modules`` and the keys of its ``parameters``; a parameter with a documented
    default is not missing. Empty when the file is too broken to say.
    """
    from detente.errors import ScenarioError
    from detente.model import available_modules
    from detente.scenario.loading import read_scenario_file

    cast = _declared_cast(path)
    if cast is None:
        return []
    try:
        data = read_scenario_file(path)[0]
        registry = available_modules(cast)
    except (ScenarioError, ValueError):
        return []
    listed = data.get("modules")
    given = data.get("parameters")
    given = given if isinstance(given, Mapping) else {}
    out: list[tuple[str, list[ParamSpec]]] = []
    for name in listed if isinstance(listed, list) else []:
        mod = registry.get(str(name))
        if mod is None:
            continue
        missing = [s for s in mod.params if s.name not in given and s.default is None]
        if missing:
            out.append((str(name), missing))
    return out


def missing_yaml(path: str, groups: list[tuple[str, list[ParamSpec]]]) -> str:
    """Write the missing parameters as lines to paste under ``parameters:``, by module.

    Each is ``name: {value: null, unit: ..., source: assumption}`` with its meaning as a
    comment: the file then loads once each ``null`` is a number (or a distribution).
    """
    lines = [f"# {path}: paste under 'parameters:', then give each a value (or a "
             "distribution) and its source"]
    for module, specs in groups:
        lines.append(f"  # --- needed by module '{module}' ({len(specs)}) ---")
        lines += [f"  {s.name}: {{value: null, unit: {s.unit}, source: assumption}}  "
                  f"# {' '.join(s.description.split())}" for s in specs]
    return "\n".join(lines)


def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in names).")],
    missing: Annotated[bool, typer.Option(
        "--missing", help="Also print the parameters each file lacks, grouped by module, "
                          "as YAML to paste under 'parameters:'.")] = False,
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
            groups = missing_parameters(f) if missing else []
            if groups:
                typer.echo(missing_yaml(f, groups))
            continue
        n_unc = len(sc.uncertain)
        knows = ("no knowledge declared: the dates of its sources are not checked"
                 if sc.knowledge is None else
                 f"{sc.knowledge.kind} as of {sc.as_of}")
        out.print(f"[green]ok[/] {f}: {sc.name} — {len(sc.parameters)} parameters "
                  f"({n_unc} uncertain), {len(sc.events)} events, "
                  f"{len(sc.policies)} policies; {knows}")
        warn_hindsight(sc, every=True)
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


def schema(
    scenario: Annotated[str | None, typer.Argument(
        help="A scenario (built-in name or file): list its own parameters by name (its "
             "sides' and supporters'). Without it, parameters a side or supporter owns are "
             "listed as patterns (<side>.personnel0).")] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from detente.errors import ScenarioError
    from detente.scenario import json_schema, load_scenario

    if scenario is None:
        typer.echo(json.dumps(json_schema(), indent=2))
        return
    try:
        found = json_schema(scenario=load_scenario(scenario))
    except ScenarioError as exc:
        # a file being written rarely loads yet: its declared cast is enough to name things
        cast = _declared_cast(scenario)
        if cast is None:
            raise
        from detente.model import available_modules

        try:
            modules = available_modules(cast)
        except ValueError:  # the model cannot be built for that cast: the problems say why
            raise exc from None
        n = len(exc.problems)
        err.print(f"[yellow]note:[/] {scenario} does not load yet ({n} problem"
                  f"{'s' if n != 1 else ''}; `detente validate {scenario}` lists them); the "
                  "schema names the parameters of the sides and supporters it declares.")
        found = json_schema(modules=modules)
    typer.echo(json.dumps(found, indent=2))


def _declared_cast(path: str) -> Cast | None:
    """Return the sides and supporters a scenario file declares, even when it does not load."""
    from detente.errors import ScenarioError
    from detente.model import Cast
    from detente.scenario.loading import read_scenario_file

    try:
        data, _where, _problems, _bad = read_scenario_file(path)
    except ScenarioError:
        return None
    sides = data.get("sides") if isinstance(data, Mapping) else None
    supporters = data.get("supporters") if isinstance(data, Mapping) else None
    if not isinstance(sides, Mapping):
        return None
    supporters = supporters if isinstance(supporters, Mapping) else {}

    def field(entry: Any, key: str, default: str) -> str:
        return str(entry.get(key, default)) if isinstance(entry, Mapping) else default

    try:
        return Cast(sides=tuple(str(x) for x in sides),
                    supporters=tuple(str(x) for x in supporters),
                    supports=tuple(field(v, "supports", "") for v in supporters.values()),
                    names=tuple((str(i), field(v, "name", str(i)))
                                for i, v in (*sides.items(), *supporters.items())))
    except ValueError:
        return None
