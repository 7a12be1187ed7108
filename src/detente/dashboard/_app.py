"""The dashboard's Panel layout: levers and policies on the left, numbers and charts right.

Every change of a lever or of the policies asks :meth:`DashboardModel.update` for the
ensemble of those inputs; sessions share it (and what was drawn from it: the tables and
figures, kept in :attr:`DashboardState.views`), so a page that shows inputs another session
already ran costs no simulation. An out-of-range value shows a message and leaves the last
good results on screen. Panel serves its JavaScript (Bokeh, Plotly) itself, so the page
needs no network beyond the dashboard's own address.
"""

from __future__ import annotations

import errno
import html
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from detente._optional import import_optional
from detente.dashboard._model import DashboardModel, DashboardState, LeverError
from detente.dashboard._outside import outside_view_html
from detente.errors import InputError
from detente.present.figures import overlay_fan_figure, settlement_figure
from detente.present.style import (
    VERDICT_COLOURS,
    display_scale,
    fmt_date,
    fmt_number,
    fmt_percent,
    policy_colour,
    unit_label,
)
from detente.present.summary import drawable

__all__ = ["ANY_ADDRESSES", "LOCAL_ADDRESSES", "DashboardApp", "allowed_origins", "create_app",
           "lever_class", "serve"]

_CSS = """
.dt-table { border-collapse: collapse; font-size: 14px; width: 100%; }
.dt-table th, .dt-table td { padding: 5px 10px; border-bottom: 1px solid #d0d7de;
  text-align: right; white-space: nowrap; }
.dt-table th:first-child, .dt-table td:first-child { text-align: left; }
.dt-table th { background: #f6f8fa; }
.dt-verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff;
  font-weight: bold; font-size: 12px; }
.dt-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 6px; }
.dt-muted { color: #57606a; font-size: 12px; }
"""


def lever_class(param: str) -> str:
    """CSS class of a lever's control: ``lever-blue-reinforcement`` for ``blue.reinforcement``.

    A dot would split a class selector in two, so the owner's dot becomes a hyphen.
    """
    return f"lever-{param.replace('.', '-')}"


def _label_kw(cls: Any, text: str) -> dict[str, str]:
    """``label=`` on Panel >= 1.8 (``name=`` is deprecated there), ``name=`` before."""
    return {"label": text} if "label" in cls.param else {"name": text}


def _pct(x: float | None) -> str:
    return fmt_percent(x, 1)


class DashboardApp:
    """One browser session's dashboard: widgets, panes and the update logic.

    Parameters
    ----------
    model : DashboardModel
        The scenario's levers and ensemble settings (shared between sessions).
    """

    def __init__(self, model: DashboardModel) -> None:
        pn = import_optional("panel", extra="dashboard", purpose="The dashboard")
        self.pn = pn
        self.model = model
        self.colours = {p: policy_colour(i) for i, p in enumerate(model.all_policies)}
        self.inputs = {
            lv.param: pn.widgets.FloatInput(
                **_label_kw(pn.widgets.FloatInput, f"{lv.label} ({lv.unit})"),
                value=model.defaults[lv.param],
                step=lv.step, width=300, description=lv.help,
                css_classes=[lever_class(lv.param)])
            for lv in model.levers
        }
        self.policies = pn.widgets.CheckBoxGroup(
            **_label_kw(pn.widgets.CheckBoxGroup, "Policies"), options=model.all_policies,
            value=list(model.default_policies), inline=False, css_classes=["policies"])
        labels = {self._label(v): v for v in model.fan_variables}
        self.variable = pn.widgets.Select(**_label_kw(pn.widgets.Select, "Trajectory shown"),
                                          options=labels,
                                          value=model.fan_variables[0], width=300)
        self.reset = pn.widgets.Button(**_label_kw(pn.widgets.Button, "Reset levers"),
                                       width=140)
        self.message = pn.pane.Alert("", alert_type="danger", visible=False,
                                     css_classes=["lever-message"], width=300)
        self.status = pn.pane.HTML("", css_classes=["status"], stylesheets=[_CSS])
        self.numbers = pn.pane.HTML("", css_classes=["numbers"], sizing_mode="stretch_width",
                                    stylesheets=[_CSS])
        cfg = {"displaylogo": False, "responsive": True}
        # the figures are shared between sessions: a linked pane would write the browser's
        # zoom into them
        self.fan = pn.pane.Plotly(None, config=cfg, sizing_mode="stretch_width", height=400,
                                  css_classes=["fan-chart"], link_figure=False)
        self.settlement = pn.pane.Plotly(None, config=cfg, sizing_mode="stretch_width",
                                         height=380, css_classes=["settlement-chart"],
                                         link_figure=False)
        self.claims = pn.pane.HTML("", css_classes=["claims"], sizing_mode="stretch_width",
                                   stylesheets=[_CSS])
        self.outside = pn.pane.HTML("", css_classes=["outside-view"],
                                    sizing_mode="stretch_width", stylesheets=[_CSS])
        self.state: DashboardState | None = None
        #: Number of successful updates (the e2e tests wait on it).
        self.version = 0
        for w in self.inputs.values():
            w.param.watch(self._on_change, "value")
        self.policies.param.watch(self._on_change, "value")
        self.variable.param.watch(self._on_variable, "value")
        self.reset.on_click(self._on_reset)
        self.refresh()
        if self.state is not None:
            # a variable that keeps one value (its mechanism off for that side) shows nothing
            ds = self.state.results.ds
            shown = self._view(self.state, "menu", lambda _st: {
                k: v for k, v in labels.items() if drawable(ds, v)})
            if shown and shown != labels:
                self.variable.options = shown
                if self.variable.value not in shown.values():
                    self.variable.value = next(iter(shown.values()))

    # ------------------------------------------------------------------ layout
    def _unit(self, var: str) -> str:
        return unit_label(self.model.labels.unit(var))

    def _label(self, var: str) -> str:
        return f"{self.model.labels.title(var)} ({self._unit(var)})"

    def layout(self) -> Any:
        """Lay out the page: controls on the left, results on the right."""
        pn = self.pn
        m = self.model
        sc = m.scenario
        sides = ", ".join(m.labels.name(x) for x in m.labels.sides)
        intro = pn.pane.HTML(
            f"<h2 style='margin:0'>{html.escape(sc.title)}</h2>"
            f"<div style='color:#57606a' data-testid='intro'>{html.escape(sides)}: "
            f"{m.n_samples} samples per policy, seed {m.seed}, {m.horizon} steps of "
            f"{sc.time.step_days:g} days from {fmt_date(sc.time.start)}. Each lever fixes "
            "its parameter in every sample; the other uncertain parameters keep their "
            "distributions, and every update reuses the same draws.</div>",
            sizing_mode="stretch_width", stylesheets=[_CSS])
        levers: list[Any] = [*self.inputs.values(), self.reset]
        if not self.inputs:
            levers = [pn.pane.HTML(
                "<span class='dt-muted' data-testid='no-levers'>This scenario marks no "
                "levers; a <code>levers:</code> section in its file adds them.</span>",
                stylesheets=[_CSS])]
        controls = pn.Column(
            pn.pane.HTML("<b>Levers</b>"), *levers, self.message,
            pn.pane.HTML("<b>Policies</b>"), self.policies, self.variable, width=330)
        results = pn.Column(
            intro, self.status, self.numbers, self.fan, self.settlement,
            pn.pane.HTML("<h3 style='margin:8px 0 0'>Claims</h3>"), self.claims,
            pn.pane.HTML("<h3 style='margin:8px 0 0'>Outside view</h3>"), self.outside,
            sizing_mode="stretch_width")
        return pn.Row(controls, results, sizing_mode="stretch_width",
                      stylesheets=[_CSS])

    # ------------------------------------------------------------------ events
    def _values(self) -> dict[str, Any]:
        return {k: w.value for k, w in self.inputs.items()}

    def _on_change(self, _event: Any) -> None:
        self.refresh()

    def _on_variable(self, _event: Any) -> None:
        if self.state is not None:
            self.fan.object = self._fan_figure(self.state)

    def _on_reset(self, _event: Any) -> None:
        for k, w in self.inputs.items():
            w.value = self.model.defaults[k]

    def refresh(self) -> None:
        """Re-run the model with the widgets' values, or show why not."""
        try:
            state = self.model.update(self._values(), list(self.policies.value))
        except LeverError as exc:
            self.message.object = "<br>".join(html.escape(p) for p in exc.problems)
            self.message.visible = True
            return
        self.message.visible = False
        self.message.object = ""
        self.state = state
        self.status.object = (f"<span class='dt-muted' data-testid='status' "
                              f"data-version='{self.version + 1}'>updated in "
                              f"{state.seconds:.2f} s ({self.model.n_samples} samples × "
                              f"{len(state.policies)} policies)</span>")
        self.numbers.object = self._view(state, "numbers", self._numbers_html)
        self.fan.object = self._fan_figure(state)
        self.settlement.object = self._view(state, "settlement", self._settlement_figure)
        self.version += 1
        self.claims.object = self._view(state, "claims", self._claims_html)
        self.outside.object = self._view(
            state, "outside_view", lambda st: outside_view_html(self.model.outside_view,
                                                                st.results))

    @staticmethod
    def _view(state: DashboardState, key: str, draw: Any) -> Any:
        """Return ``draw(state)``, drawn once per state for every session."""
        if key not in state.views:
            state.views[key] = draw(state)
        return state.views[key]

    # ------------------------------------------------------------------ content
    def _numbers_html(self, state: DashboardState) -> str:
        end = fmt_date(str(state.results.ds["time"].values[-1])[:10])
        labels = self.model.labels
        cols: list[tuple[str, str, Any]] = [
            ("p_settlement", f"P(settlement by {end})", _pct),
            ("p_escalation", f"P(escalation by {end})", _pct)]
        for name in self.model.headline_variables:
            if drawable(state.results.ds, name):
                scale = display_scale(labels.unit(name))
                cols.append((name, f"{labels.title(name)} ({self._unit(name)}, median)",
                             lambda x, k=scale: fmt_number(None if x is None else k * x)))
        cols = [c for c in cols if any(c[0] in r for r in state.headline)]
        head = "".join(f"<th>{html.escape(t)}</th>" for _k, t, _f in cols)
        body = []
        for row in state.headline:
            pol = row["policy"]
            cells = "".join(
                f"<td data-testid='{html.escape(k)}-{html.escape(pol)}'>"
                f"{html.escape(f(row.get(k)))}</td>" for k, _t, f in cols)
            body.append(f"<tr><td><span class='dt-swatch' style='background:"
                        f"{self.colours[pol]}'></span>{html.escape(pol)}</td>{cells}</tr>")
        return (f"<table class='dt-table' data-testid='numbers'><thead><tr><th>policy</th>"
                f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")

    def _fan_figure(self, state: DashboardState) -> Any:
        var = self.variable.value
        return self._view(state, f"fan:{var}", lambda st: self._draw_fan(st, var))

    def _draw_fan(self, state: DashboardState, var: str) -> Any:
        dates = [str(d)[:10] for d in state.results.ds["time"].values]
        fig = overlay_fan_figure(
            state.quantiles[var], dates=dates, policies=state.policies,
            colours=[self.colours[p] for p in state.policies],
            label=self.model.labels.title(var), unit=self._unit(var),
            scale=display_scale(self.model.labels.unit(var)), height=400)
        fig.update_layout(autosize=True, width=None)
        return fig

    def _settlement_figure(self, state: DashboardState) -> Any:
        fig = settlement_figure(state.results, colours=self.colours, height=380)
        if fig is not None:
            fig.update_layout(autosize=True, width=None)
        return fig

    def _claims_html(self, state: DashboardState) -> str:
        if state.claims_error:
            return f"<p class='dt-muted'>{html.escape(state.claims_error)}</p>"
        if not state.claims:
            return "<p class='dt-muted'>This scenario states no claims.</p>"
        rows = []
        skipped = []
        for c in state.claims:
            if c.verdict == "untestable":
                skipped.append(c.id)
                continue
            p = "–" if c.probability is None else f"{c.probability:.2f}"
            ci = ("–" if c.interval is None else
                  f"[{c.interval[0]:.2f}, {c.interval[1]:.2f}]")
            rows.append(
                f"<tr data-claim='{html.escape(c.id)}'><td title='{html.escape(c.text)}'>"
                f"{html.escape(c.id)}</td><td><span class='dt-verdict' style='background:"
                f"{VERDICT_COLOURS[c.verdict]}'>{c.verdict}</span></td>"
                f"<td>{p}</td><td>{ci}</td></tr>")
        note = ""
        if skipped:
            note = (f"<p class='dt-muted'>Not testable with these policies and horizon "
                    f"(choose more policies, or run the report): "
                    f"{html.escape(', '.join(skipped))}.</p>")
        return ("<table class='dt-table' data-testid='claims'><thead><tr><th>claim</th>"
                "<th>verdict</th><th>P</th><th>90 % interval</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>" + note)


def create_app(model: DashboardModel) -> Any:
    """Build a new session's page (Panel layout) for ``model``."""
    pn = import_optional("panel", extra="dashboard", purpose="The dashboard")
    pn.extension("plotly", sizing_mode="stretch_width", notifications=False)
    return DashboardApp(model).layout()


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


def serve(model: DashboardModel, *, port: int, address: str = "127.0.0.1",
          show: bool = False, allow_origin: Sequence[str] = (),
          on_ready: Callable[[list[str]], None] | None = None) -> None:
    """Serve the dashboard on ``address:port`` until interrupted.

    The port is bound before anything is announced: ``on_ready`` gets the allowed origins
    once the server listens, and a port taken meanwhile is an :class:`InputError`.
    Sessions share the model's ensembles (:attr:`DashboardModel.cache`), so a page costs a
    session's widgets, not a simulation.
    """
    pn = import_optional("panel", extra="dashboard", purpose="The dashboard")
    origins = allowed_origins(address, port, allow_origin)
    try:
        server = pn.serve({"/": lambda: create_app(model)}, port=port, address=address,
                          show=False, start=False, websocket_origin=origins,
                          title="detente dashboard", threaded=False)
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
