"""Progress written as log lines when the error stream is not a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from detente.cli import _progress


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buf = io.StringIO()
    monkeypatch.setattr(_progress, "err", Console(file=buf, width=200, color_system=None))
    return buf


def test_a_line_every_tenth_and_at_the_end(log: io.StringIO):
    now = [0.0]
    progress = _progress.ProgressLog("simulating x", "samples", clock=lambda: now[0])
    for done in range(0, 1001, 25):
        progress(done, 1000)
    lines = log.getvalue().splitlines()
    assert lines[0] == "simulating x: 0/1000 samples (0 %), 0 s"
    assert lines[-1] == "simulating x: 1000/1000 samples (100 %), 0 s"
    assert len(lines) == 11  # 0 %, 10 %, ..., 100 %


def test_a_line_when_time_passes_without_a_tenth(log: io.StringIO):
    now = [0.0]
    progress = _progress.ProgressLog("fitting", clock=lambda: now[0])
    progress(0, 1000)
    now[0] = 5.0
    progress(10, 1000)  # neither a tenth more nor 10 s: nothing
    now[0] = 11.0
    progress(20, 1000)
    assert log.getvalue().splitlines() == ["fitting: 0/1000 (0 %), 0 s",
                                           "fitting: 20/1000 (2 %), 11 s"]


def test_quiet_shows_nothing_and_a_pipe_gets_the_log(log: io.StringIO):
    with _progress.sample_bar("simulating x", 10, quiet=True) as progress:
        assert progress is None
    with _progress.stage_bars(quiet=False) as stages:
        assert stages is not None
        stages("sobol", 5, 5)
    assert log.getvalue().splitlines() == ["sobol: 5/5 (100 %), 0 s"]
