"""The dashboard's server: one Bokeh document per browser session, the charts' pages.

The server is Bokeh's (Tornado): its page and websocket carry each session's document
(:class:`~detente.dashboard._app.DashboardApp`), and two more addresses send what every
session shares: the chart pages (:data:`~detente.dashboard._views.CHART_PATH`) and
plotly.js, from the installed Plotly, so the page needs no network beyond the dashboard's
own address. Websockets are accepted only from :func:`allowed_origins`.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from detente._optional import import_optional
from detente.dashboard._app import DashboardApp
from detente.dashboard._model import DashboardModel
from detente.dashboard._views import CHART_PATH, Views, plotly_path
from detente.errors import InputError

__all__ = ["ANY_ADDRESSES", "LOCAL_ADDRESSES", "allowed_origins", "serve"]

#: How long a browser may keep a chart page or plotly.js: the same address always draws
#: the same chart (the same draws and seed), and plotly.js's address names its version.
_KEEP = "public, max-age=86400, immutable"


#: Addresses that keep the dashboard on this machine.
LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")
#: Addresses that listen on every interface (no browser sends them as an Origin).
ANY_ADDRESSES = ("0.0.0.0", "::", "")


def allowed_origins(address: str, port: int, allow: Sequence[str] = ()) -> list[str]:
    """Return the ``host:port`` origins whose pages may open the dashboard's websocket.

    Parameters
    ----------
    address : str
        Where the server listens.
    port : int
        Its port: an origin given without one gets it.
    allow : sequence of str
        Origins to allow (``host``, ``host:port`` or ``http://host:port``); empty: the bound
        address, and for a local or wildcard address this machine's own names.

    Returns
    -------
    list of str
        What Bokeh's ``allow_websocket_origin`` takes; a websocket from any other origin
        is refused (HTTP 403).
    """
    if allow:
        hosts = list(allow)
    elif address in LOCAL_ADDRESSES:
        hosts = ["127.0.0.1", "localhost"]
    elif address in ANY_ADDRESSES:
        hosts = list(dict.fromkeys(["127.0.0.1", "localhost", socket.gethostname(),
                                    socket.getfqdn()]))
    else:
        hosts = [address]
    out = []
    for host in hosts:
        netloc = urlsplit(host).netloc if "//" in host else host
        if not netloc:
            raise InputError(f"--allow-origin: expected HOST, HOST:PORT or "
                             f"http://HOST:PORT, found {host!r}")
        has_port = netloc.rsplit(":", 1)[-1].isdigit() and not netloc.endswith("]")
        out.append(netloc if has_port else f"{netloc}:{port}")
    return list(dict.fromkeys(out))


def _bind_error(address: str, port: int, exc: OSError) -> InputError:
    if exc.errno == errno.EADDRINUSE:
        why = "the port is already in use; stop the other server or choose another port"
    elif exc.errno == errno.EACCES:
        why = "permission denied (ports below 1024 need privileges); choose a port above 1024"
    else:
        why = exc.strerror or str(exc)
    return InputError(f"cannot listen on {address}:{port}: {why}")


def _routes(views: Views) -> list[tuple[str, Any, dict[str, Any]]]:
    """Return the Tornado routes of the chart pages and of plotly.js."""
    web = import_optional("tornado.web", extra="dashboard", purpose="The dashboard")
    offline = import_optional("plotly.offline", extra="dashboard", purpose="The dashboard")

    class ChartPage(web.RequestHandler):  # type: ignore[misc,name-defined]
        """A chart's page, drawn once per ensemble and chart."""

        def get(self) -> None:
            arg = self.get_query_argument
            page = views.page(arg("kind", ""), arg("var", ""),
                              self.get_query_arguments("policy"),
                              self.get_query_arguments("lever"))
            if page is None:
                raise web.HTTPError(404)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", _KEEP)
            # only the dashboard's own pages may frame it
            self.set_header("Content-Security-Policy", "frame-ancestors 'self'")
            self.finish(page)

    script = offline.get_plotlyjs().encode("utf-8")

    class PlotlyScript(web.RequestHandler):  # type: ignore[misc,name-defined]
        """plotly.js of the installed Plotly."""

        def get(self) -> None:
            self.set_header("Content-Type", "application/javascript; charset=utf-8")
            self.set_header("Cache-Control", _KEEP)
            self.finish(script)

    return [(CHART_PATH, ChartPage, {}), (plotly_path(), PlotlyScript, {})]


def serve(model: DashboardModel, *, port: int, address: str = "127.0.0.1",
          show: bool = False, allow_origin: Sequence[str] = (),
          on_ready: Callable[[list[str]], None] | None = None) -> None:
    """Serve the dashboard on ``address:port`` until interrupted.

    The default inputs' ensemble, claims and charts are made before the port is bound, so
    the first page costs no more than the next. ``on_ready`` gets the allowed origins
    once the server listens, and a port taken meanwhile is an :class:`InputError`.
    Sessions share the model's ensembles (:attr:`DashboardModel.cache`) and what is drawn
    from them, so a page costs a session's widgets, not a simulation.
    """
    server_mod = import_optional("bokeh.server.server", extra="dashboard",
                                 purpose="The dashboard")
    origins = allowed_origins(address, port, allow_origin)
    views = Views(model)
    first = DashboardApp(model, views)  # the default inputs: ensemble, claims, tables
    if first.state is not None:  # and their charts' pages
        state = first.state
        levers = [repr(state.values[lv.param]) for lv in model.levers]
        views.page("fan", first.variable.value, state.policies, levers)
        views.page("settlement", "", state.policies, levers)

    validation = import_optional("bokeh.core.property.validation", extra="dashboard",
                                 purpose="The dashboard")

    def session(doc: Any) -> None:
        # every value a new page is built with is the dashboard's own (checked levers,
        # HTML it drew), so Bokeh's per-property checks are skipped while it is built: a
        # sixth of a page's cost, on the loop every session waits on. What a browser
        # sends later is checked as ever.
        with validation.validate(False):
            DashboardApp(model, views).attach(doc)

    try:
        server = server_mod.Server({"/": session}, port=port, address=address,
                                   allow_websocket_origin=origins,
                                   extra_patterns=_routes(views))
    except OSError as exc:
        raise _bind_error(address, port, exc) from None
    if on_ready is not None:
        on_ready(origins)
    server.start()
    if show:
        server.show("/")
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
