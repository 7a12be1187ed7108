"""``detente report``, ``run --report`` and ``serve`` on the command line: output and errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .conftest import run_cli


def test_report_command_writes_a_self_contained_file(tmp_path: Path,
                                                     scenario_path: Path) -> None:
    out = tmp_path / "r.html"
    r = run_cli("report", str(scenario_path), "-n", "32", "--horizon", "13", "--hinges",
                "none", "--tornado-trajectories", "2", "-o", str(out), "--quiet")
    assert r.code == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    html = out.read_text()
    assert "<b>Samples</b>32 per policy" in html
    assert 'id="fig-tornado"' in html


def test_run_report_option(tmp_path: Path, scenario_path: Path) -> None:
    out = tmp_path / "run.html"
    r = run_cli("run", str(scenario_path), "-n", "32", "--horizon", "53", "--report",
                str(out), "--quiet", "-p", "status_quo,direct_talks")
    assert r.code == 0, r.stderr
    assert "policy: status_quo" in r.stdout  # the usual tables
    html = out.read_text()
    assert 'id="claims-table"' in html
    assert "hinges on" in html


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-scenario"], "no such file or built-in scenario"),
    (["-o", "/no/such/folder/r.html"], "does not exist"),
    (["-o", "{tmp}"], "is a folder"),
    (["-o", "{tmp}/r.txt"], "ending in .html"),
    (["--pdf", "/no/such/folder/r.pdf"], "does not exist"),
    (["--tornado-output", "no_such_output"], "unknown name 'no_such_output'"),
    (["--tornado-policy", "no_such_policy"], "unknown policy 'no_such_policy'"),
    (["--hinges", "magic"], "--hinges expects"),
    (["-p", "status_quo,nope"], "nope"),
])
def test_report_bad_input_exits_2_with_a_message(tmp_path: Path, args: list[str],
                                                 message: str) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "r.html")]
    r = run_cli("report", *args, "-n", "8", "--horizon", "4", "--quiet")
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "r.html").exists()


def test_run_report_bad_path_fails_before_simulating(tmp_path: Path) -> None:
    r = run_cli("run", "-n", "8", "--report", str(tmp_path / "missing" / "r.html"))
    assert r.code == 2
    assert "--report" in r.stderr
    assert "does not exist" in r.stderr


def test_serve_port_in_use_exits_2() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli("serve", "--port", str(port), timeout=60)
    assert r.code == 2
    assert f"--port {port}: the port is already in use" in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-scenario", "--port", "1"], "no such file or built-in scenario"),
    (["--port", "70000"], "between 1 and 65535"),
    (["--address", "203.0.113.7", "--port", "5999"], "cannot listen there"),
])
def test_serve_bad_input_exits_2(args: list[str], message: str) -> None:
    r = run_cli("serve", *args, timeout=60)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in r.stderr


def test_serve_warns_before_binding_another_address() -> None:
    r = run_cli("serve", "--address", "203.0.113.7", "--port", "5999", timeout=60)
    assert "warning: serving on 203.0.113.7" in r.stderr


def test_help_does_not_import_report_or_dashboard_libraries() -> None:
    import subprocess
    import sys

    code = ("import sys; from detente.cli import app\n"
            "try:\n    app(['report', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('MODULES=' + ','.join(m for m in ('numpy', 'plotly', 'panel', 'jinja2', "
            "'bokeh', 'playwright') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "Write an HTML report" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "MODULES="
