"""Writing results: JSON for machines, rich renderables for people."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import typer

from detente.cli._app import out

if TYPE_CHECKING:
    from rich.console import RenderableType


def finite(obj: Any) -> Any:
    """Replace NaN and infinities by None and keys by strings, recursively (strict JSON)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj


def echo_json(obj: Any) -> None:
    """Print ``obj`` as strict, indented JSON on standard output."""
    typer.echo(json.dumps(finite(obj), indent=2, allow_nan=False))


def show(renderables: Iterable[RenderableType]) -> None:
    """Print tables and lines (rich markup) on standard output, in order."""
    for r in renderables:
        out.print(r)
