"""``detente serve``: the checks and the warning that come before the server starts."""

from __future__ import annotations

import socket

import pytest

from cli_runner import run_cli


def test_serve_port_in_use_exits_2() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli("serve", "lanchester-bench", "--port", str(port), timeout=60)
    assert r.code == 2
    assert f"--port {port}: the port is already in use" in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-scenario", "--port", "1"], "no such file or built-in scenario"),
    (["lanchester-bench", "--port", "70000"], "between 1 and 65535"),
    (["lanchester-bench", "--address", "203.0.113.7", "--port", "5999"], "cannot listen there"),
])
def test_serve_bad_input_exits_2(args: list[str], message: str) -> None:
    r = run_cli("serve", *args, timeout=60)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in r.stderr


def test_serve_warns_before_binding_another_address() -> None:
    r = run_cli("serve", "lanchester-bench", "--address", "203.0.113.7", "--port", "5999",
                timeout=60)
    assert "warning: serving on 203.0.113.7" in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["-n", "0"], "--samples must be at least 1, found 0"),
    (["--horizon", "0"], "--horizon must be at least 1, found 0"),
])
def test_serve_checks_its_own_options(args: list[str], message: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run_cli("serve", "lanchester-bench", *args, "--port", str(port), timeout=60)
    assert r.code == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
