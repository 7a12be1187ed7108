"""``detente new``: a commented minimal scenario to start a new war from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.cli._app import out
from detente.errors import InputError


def new(
    name: Annotated[str, typer.Argument(help="Name of the new scenario (file NAME.yaml).")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where to write it (default: ./NAME.yaml).")] = None,
    title: Annotated[str | None, typer.Option(help="Its title (default: from the name).")
                     ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")
                     ] = False,
) -> None:
    """Write a commented two-sided scenario with one supporter that runs as written."""
    from detente.scenario.scaffold import scaffold

    text = scaffold(name, title=title)
    path = output if output is not None else Path(f"{name}.yaml")
    if path.exists() and not force:
        raise InputError(f"{path} already exists; choose another name or --output, or "
                         "pass --force to overwrite it")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    out.print(f"wrote {path} ({text.count(chr(10))} lines); run it with: "
              f"detente run {path}")
