"""What the ``serve`` command does, behind a thin wrapper: checks, a warning, the server.

The port and address are checked before the ensemble's parameters are drawn, so a port in
use fails at once with exit code 2.
"""

from __future__ import annotations

import errno
import socket

from rich.console import Console

from detente.errors import InputError

__all__ = ["LOCAL_ADDRESSES", "check_port", "run_serve"]

LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")


def check_port(address: str, port: int) -> None:
    """Raise :class:`InputError` unless ``address:port`` can be bound now."""
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, found {port}")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((address, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"--port {port}: the port is already in use on {address}; "
                                 "stop the other server or choose another port") from None
            if exc.errno == errno.EACCES:
                raise InputError(f"--port {port}: permission denied on {address} (ports "
                                 "below 1024 need privileges); choose a port above "
                                 "1024") from None
            raise InputError(f"--address {address}: cannot listen there "
                             f"({exc.strerror})") from None


def run_serve(out: Console, err: Console, *, scenario: str, port: int, address: str | None,
              samples: int, seed: int, policies: list[str] | None, horizon: int | None,
              show: bool) -> None:
    """Start the dashboard on ``address:port`` (127.0.0.1 unless asked otherwise)."""
    from detente.dashboard import DEFAULT_HORIZON, DashboardModel, serve

    addr = address or "127.0.0.1"
    if address is not None and address not in LOCAL_ADDRESSES:
        err.print(f"[bold yellow]warning:[/] serving on {address}: anyone who can reach "
                  "this machine on that address can use the dashboard (it has no "
                  "authentication). Use the default 127.0.0.1 to keep it local.")
    check_port(addr, port)
    model = DashboardModel(scenario, n_samples=samples, seed=seed, policies=policies,
                           horizon=horizon if horizon is not None else DEFAULT_HORIZON)
    shown = "localhost" if addr in LOCAL_ADDRESSES else addr
    out.print(f"dashboard of {model.scenario.name} at http://{shown}:{port} "
              "(Ctrl+C to stop)")
    serve(model, port=port, address=addr, show=show)
