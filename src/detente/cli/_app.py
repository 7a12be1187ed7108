"""The Typer application, its two consoles, and the entry point that turns errors into codes.

Bad input raises :class:`detente.errors.InputError`; :func:`main` prints its message and
exits with code 2 (1 for any other detente error). Tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from detente._version import __version__
from detente.errors import DetenteError, InputError

app = typer.Typer(
    name="detente",
    help="Simulate wars of attrition and test the ways they can end.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
#: Tables and results.
out = Console()
#: Progress, warnings and errors.
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, bool] = {"debug": False}


def _version(value: bool) -> None:
    if value:
        out.print(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


def main() -> None:
    """Entry point: run the app, turning detente errors into messages and exit codes."""
    try:
        app()
    except DetenteError as exc:
        if _state["debug"]:
            raise
        from rich.text import Text

        err.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)
        sys.exit(2 if isinstance(exc, InputError) else 1)
