"""Headless Debian Chromium through Playwright: browser flags, the dashboard, a report.

The browser is the system's ``chromium`` (Debian package; CI's ``.ci/run`` installs it),
never one Playwright downloads. Without it these tests skip, saying so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_runner import serving
from detente.report import CHROMIUM_ARGS as _PDF_CHROMIUM_ARGS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: The flags ``--pdf`` passes too (no update, account, sync or metrics calls of its own).
CHROMIUM_ARGS = list(_PDF_CHROMIUM_ARGS)
NO_BROWSER = ("Debian's chromium is not installed (apt-get install chromium; .ci/run "
              "installs it before `make test`)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Point pytest-playwright at the system Chromium (a hook fixture of the plugin)."""
    if CHROMIUM is None:
        pytest.skip(NO_BROWSER)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def e2e_scenario() -> Path:
    """The built-in scenario with the op-ed's claims, as a file (as an analyst passes one)."""
    from detente.scenario import builtin_path

    return builtin_path("ukraine-2023")


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $DETENTE_E2E_ARTIFACTS, else a temporary folder."""
    env = os.environ.get("DETENTE_E2E_ARTIFACTS")
    if env:
        path = Path(env)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("e2e-artifacts")


@contextlib.contextmanager
def _served(scenario: Path | str, folder: Path) -> Iterator[str]:
    """``detente serve SCENARIO`` in a subprocess on a free local port; yield its URL."""
    with serving(str(scenario), "--samples", "100", "--horizon", "52",
                 log=folder / "serve.log") as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def dashboard_url(e2e_scenario: Path, tmp_path_factory: pytest.TempPathFactory,
                  ) -> Iterator[str]:
    """The dashboard of ``e2e_scenario`` served by ``detente serve``."""
    if CHROMIUM is None:
        pytest.skip(NO_BROWSER)
    with _served(e2e_scenario, tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture(scope="module")
def bench_dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard of ``lanchester-bench`` (levers of another scenario), served."""
    if CHROMIUM is None:
        pytest.skip(NO_BROWSER)
    with _served("lanchester-bench", tmp_path_factory.mktemp("serve-bench")) as url:
        yield url


@pytest.fixture(scope="session")
def report_files(e2e_scenario: Path, tmp_path_factory: pytest.TempPathFactory,
                 ) -> tuple[Path, Path]:
    """``detente report ... -o report.html --pdf report.pdf`` run once."""
    if CHROMIUM is None:
        pytest.skip(NO_BROWSER)
    folder = tmp_path_factory.mktemp("report")
    html, pdf = folder / "report.html", folder / "report.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "detente", "report", str(e2e_scenario), "-n", "48",
         "--horizon", "52", "--hinges", "none", "--tornado-trajectories", "2", "-o",
         str(html), "--pdf", str(pdf), "--quiet"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return html, pdf
