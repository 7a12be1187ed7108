"""Progress bars on the error console, handed to the library as plain callables.

The library reports progress through callbacks (``progress(done, total)`` or
``progress(stage, done, total)``) and prints nothing; these context managers turn the
callbacks into transient rich bars, or into None when quiet or not on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from detente.cli._app import err

#: ``progress(done, total)``
OnProgress = Callable[[int, int], None]
#: ``progress(stage, done, total)``
OnStage = Callable[[str, int, int], None]


def _shown(quiet: bool) -> bool:
    return not quiet and err.is_terminal


@contextmanager
def sample_bar(description: str, total: int | None, *, quiet: bool) -> Iterator[OnProgress | None]:
    """One bar counting samples: yields ``progress(done, total)``, or None when hidden."""
    if not _shown(quiet):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} samples"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, of: bar.update(task, completed=done, total=of)


@contextmanager
def stage_bars(*, quiet: bool) -> Iterator[OnStage | None]:
    """One bar per stage of a long job: yields ``progress(stage, done, total)`` or None."""
    if not _shown(quiet):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def stage(progress: OnStage | None, name: str) -> OnProgress | None:
    """Narrow ``progress(stage, done, total)`` to one stage's ``progress(done, total)``."""
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)
