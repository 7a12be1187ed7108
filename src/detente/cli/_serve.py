"""``detente serve``: checks, a warning, then the dashboard's server.

The port and address are checked before the ensemble's parameters are drawn, so a port in
use fails at once with exit code 2; the URL is printed only once the server holds the port
(one taken while the parameters were drawn and the default ensemble run fails the same
way, with nothing announced).
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from detente.cli._app import err, out
from detente.cli._options import DefaultSeedOpt, ScenarioArg, check_at_least, split
from detente.errors import InputError

#: Addresses that keep the dashboard on this machine.
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


def serve(
    scenario: ScenarioArg,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 5006,
    address: Annotated[str | None, typer.Option(
        "--address", help="Address to listen on (default 127.0.0.1, this machine only; "
                          "another address exposes the dashboard, with a warning).")
    ] = None,
    samples: Annotated[int | None, typer.Option(
        "--samples", "-n", help="Monte Carlo samples per update [default: 333, a third of "
                                "the other commands' 1,000; the Monte Carlo error is shown "
                                "beside each number]")] = None,
    seed: DefaultSeedOpt = None,
    policies: Annotated[str | None, typer.Option(
        "--policies", "-p", help="Comma-separated policies shown at first (default: the "
                                 "scenario's first two).")] = None,
    horizon: Annotated[int | None, typer.Option(
        "--horizon", help="Steps simulated per update (default: the scenario's, as every "
                          "command runs).")] = None,
    allow_origin: Annotated[list[str] | None, typer.Option(
        "--allow-origin", help="HOST[:PORT] whose pages may open the dashboard's websocket "
                               "(repeatable; default: the address it listens on, and this "
                               "machine's names for 0.0.0.0). Others are refused.")] = None,
    show: Annotated[bool, typer.Option(
        "--show/--no-show", help="Open a browser tab.")] = False,
) -> None:
    """Serve the interactive dashboard: levers, policies, charts and claim verdicts."""
    from detente.analysis.defaults import DASHBOARD_SAMPLES, DEFAULT_SEED
    from detente.dashboard import DashboardModel, allowed_origins
    from detente.dashboard import serve as serve_dashboard

    samples = DASHBOARD_SAMPLES if samples is None else samples
    seed = DEFAULT_SEED if seed is None else seed
    addr = address or "127.0.0.1"
    if address is not None and address not in LOCAL_ADDRESSES:
        err.print(f"[bold yellow]warning:[/] serving on {address}: anyone who can reach "
                  "this machine on that address can use the dashboard (it has no "
                  "authentication). Use the default 127.0.0.1 to keep it local.")
    check_port(addr, port)
    allow = list(allow_origin or ())
    allowed_origins(addr, port, allow)  # a malformed origin fails before the draws
    check_at_least(samples, "--samples", 1)
    if horizon is not None:
        check_at_least(horizon, "--horizon", 1)
    model = DashboardModel(scenario, n_samples=samples, seed=seed, policies=split(policies),
                           horizon=horizon)
    shown = "localhost" if addr in LOCAL_ADDRESSES else addr
    out.print(model.settings, highlight=False)

    def announce(origins: list[str]) -> None:
        out.print(f"dashboard of {model.scenario.name} at http://{shown}:{port} "
                  "(Ctrl+C to stop)")
        if address is not None and address not in LOCAL_ADDRESSES:
            err.print(f"pages from {', '.join(origins)} may connect; --allow-origin "
                      "HOST[:PORT] names the address analysts type in their browser")

    serve_dashboard(model, port=port, address=addr, show=show, allow_origin=allow,
                    on_ready=announce)
