"""Progress bars on the error console, handed to the library as plain callables.

The library reports progress through callbacks (``progress(done, total)`` or
``progress(stage, done, total)``) and prints nothing; these context managers turn the
callbacks into transient rich bars on a terminal, into log lines on the error stream when
it is piped or logged (every tenth of the way, or every :data:`LOG_EVERY_S` seconds), and
into None when quiet.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from detente.cli._app import err

#: ``progress(done, total)``
OnProgress = Callable[[int, int], None]
#: ``progress(stage, done, total)``
OnStage = Callable[[str, int, int], None]


#: Seconds between two log lines of progress, however little was done in between.
LOG_EVERY_S = 10.0


class ProgressLog:
    """``progress(done, total)`` that writes a line when a tenth more is done, or time passes.

    For output that is piped or logged, where a bar cannot redraw: ``simulating x: 400/2000
    samples (20 %), 12 s``. The first call and the last (done equal to total) always write.
    """

    def __init__(self, description: str, unit: str = "", *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.description = description
        self.unit = f" {unit}" if unit else ""
        self._clock = clock
        self._start = clock()
        self._last_time = -LOG_EVERY_S
        self._last_tenth = -1

    def __call__(self, done: int, total: int | None) -> None:
        """Write a line if a tenth more of ``total`` is done, or enough time has passed."""
        now = self._clock() - self._start
        tenth = 10 * done // total if total else 0
        finished = total is not None and done >= total
        if tenth <= self._last_tenth and now - self._last_time < LOG_EVERY_S and not (
                finished and self._last_tenth < 10):
            return
        self._last_tenth = 10 if finished else tenth
        self._last_time = now
        share = f" ({100 * done / total:.0f} %)" if total else ""
        of = f"/{total}" if total else ""
        err.print(f"{self.description}: {done}{of}{self.unit}{share}, {now:.0f} s",
                  markup=False, highlight=False, soft_wrap=True)


@contextmanager
def sample_bar(description: str, total: int | None, *, quiet: bool) -> Iterator[OnProgress | None]:
    """One bar counting samples: yields ``progress(done, total)``, or None when quiet."""
    if quiet:
        yield None
        return
    if not err.is_terminal:
        yield ProgressLog(description, "samples")
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
    if quiet:
        yield None
        return
    if not err.is_terminal:
        logs: dict[str, ProgressLog] = {}

        def log(stage: str, done: int, total: int) -> None:
            logs.setdefault(stage, ProgressLog(stage))(done, total)

        yield log
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
