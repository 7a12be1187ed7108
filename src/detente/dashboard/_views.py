"""What the dashboard draws from an update: the tables, the figures and the chart pages.

Every session of a dashboard shows the same few states (:class:`DashboardState`, shared
through the model's cache), so each drawing is made once per state and kept in its
``views`` for the next session. The charts are whole Plotly pages the server sends at
:data:`CHART_PATH`: a session's document holds only a frame pointing at one, and the
address names the inputs (the lever values, the policies, the chart), so any server
process can draw it again from the same draws.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from detente._optional import import_optional
from detente.analysis.defaults import DEFAULT_SAMPLES
from detente.dashboard._model import DashboardModel, DashboardState, LeverError, mc_error
from detente.dashboard._outside import outside_view_html
from detente.present.figures import overlay_fan_figure, settlement_curves, settlement_figure
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

__all__ = ["CHART_HEIGHTS", "CHART_PATH", "CSS", "Views", "plotly_path"]

#: Where the server sends a chart's page (its query names the inputs and the chart).
CHART_PATH = "/chart"
#: Pixel height of each chart.
CHART_HEIGHTS = {"fan": 400, "settlement": 380}

#: The house style of the dashboard's tables, badges, messages and frames (the last rule
#: lets a block's content, a frame above all, take the block's width: Bokeh sizes it to fit).
CSS = """
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
.dt-alert { color: #842029; background: #f8d7da; border: 1px solid #f5c2c7;
  border-radius: 4px; padding: 8px 12px; font-size: 13px; }
.dt-frame { width: 100%; border: 0; display: block; }
:host > .bk-clearfix { display: block !important; width: 100%; }
"""

_CONFIG = {"displaylogo": False, "responsive": True}
_PAGE_STYLE = "<style>html, body { margin: 0; height: 100%; overflow: hidden; }</style>"

T = TypeVar("T")


def plotly_path() -> str:
    """Return where the server sends plotly.js (versioned, so a browser may keep it)."""
    offline = import_optional("plotly.offline", extra="dashboard", purpose="The dashboard")
    return f"/plotly-{offline.get_plotlyjs_version()}.min.js"


def _pct(x: float | None) -> str:
    return fmt_percent(x, 1)


def _pm(text: str, error: str) -> str:
    """Write a number with its Monte Carlo standard error beside it, dimmed (HTML)."""
    if error in ("", "–"):
        return html.escape(text)
    return f"{html.escape(text)} <span class='dt-muted'>± {html.escape(error)}</span>"


def _points(x: float | None) -> str:
    """Write a standard error of a share in percentage points."""
    return "–" if x is None or x != x else f"{100 * x:.1f} pp"


class Views:
    """The tables, figures and chart pages of one dashboard, each drawn once per state.

    Parameters
    ----------
    model : DashboardModel
        The dashboard (shared by every session and by the chart pages).
    """

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.colours = {p: policy_colour(i) for i, p in enumerate(model.all_policies)}

    @staticmethod
    def _memo(state: DashboardState, key: str, draw: Callable[[DashboardState], T]) -> T:
        """``draw(state)``, drawn once per state for every session (it never changes)."""
        if key not in state.views:
            state.views[key] = draw(state)
        out: T = state.views[key]
        return out

    # ------------------------------------------------------------------ words
    def unit(self, var: str) -> str:
        """Return the unit of ``var`` as the page writes it."""
        return unit_label(self.model.labels.unit(var))

    def label(self, var: str) -> str:
        """How the menu names ``var``: its title and unit."""
        return f"{self.model.labels.title(var)} ({self.unit(var)})"

    def intro(self) -> str:
        """Return the page's heading: the scenario, its sides, how the ensemble is run."""
        m = self.model
        sc = m.scenario
        sides = ", ".join(m.labels.name(x) for x in m.labels.sides)
        return (f"<h2 style='margin:0'>{html.escape(sc.title)}</h2>"
                f"<div style='color:#57606a' data-testid='intro'>{html.escape(sides)}: "
                f"<span data-testid='settings'>{html.escape(m.settings)}</span> "
                f"({m.horizon} steps of {sc.time.step_days:g} days from "
                f"{fmt_date(sc.time.start)}). At its starting value a lever keeps its "
                "parameter's distribution, as every command runs it; moved, it sets the "
                "parameter in every sample. Every update reuses the same draws; each number "
                "shows its Monte Carlo standard error (±), from "
                f"{m.n_samples:,} samples against the commands' {DEFAULT_SAMPLES:,}.</div>")

    def menu(self, state: DashboardState) -> dict[str, str]:
        """Return the fan chart's menu, ``label -> variable``: what ``state`` can draw.

        A variable that keeps one value (its mechanism off for that side) shows nothing,
        so it is left out.
        """
        ds = state.results.ds
        return self._memo(state, "menu", lambda _st: {
            self.label(v): v for v in self.model.fan_variables if drawable(ds, v)})

    def status(self, state: DashboardState, version: int) -> str:
        """Return the status line: how long the update took (``version``: its number)."""
        return (f"<div class='dt-muted' data-testid='status' data-version='{version}' "
                f"style='margin-top:6px'>updated in {state.seconds:.2f} s "
                f"({self.model.n_samples:,} samples × {len(state.policies)} policies; "
                f"{self._levers_said(state)})</div>")

    def _levers_said(self, state: DashboardState) -> str:
        """Say which levers keep their distributions in ``state`` and which are set."""
        m = self.model
        if not m.levers:
            return "no levers"
        drawn = set(m.drawn(state.values))
        if len(drawn) == len(m.levers):
            return "every lever drawn from its distribution"
        fixed = [lv.label for lv in m.levers if lv.param not in drawn]
        return f"set: {', '.join(fixed)}; the other levers drawn"

    # ------------------------------------------------------------------ tables
    def numbers(self, state: DashboardState) -> str:
        """Return the headline numbers of each policy, as an HTML table."""
        return self._memo(state, "numbers", self._numbers)

    def _numbers(self, state: DashboardState) -> str:
        end = fmt_date(str(state.results.ds["time"].values[-1])[:10])
        labels = self.model.labels
        cols: list[tuple[str, str, Any, Any]] = [
            ("p_settlement", f"P(settlement by {end})", _pct, _points),
            ("p_escalation", f"P(escalation by {end})", _pct, _points)]
        for name in self.model.headline_variables:
            if drawable(state.results.ds, name):
                scale = display_scale(labels.unit(name))

                def number(x: float | None, k: float = scale) -> str:
                    return fmt_number(None if x is None else k * x)

                cols.append((name, f"{labels.title(name)} ({self.unit(name)}, median)",
                             number, number))
        cols = [c for c in cols if any(c[0] in r for r in state.headline)]
        head = "".join(f"<th>{html.escape(t)}</th>" for _k, t, _f, _e in cols)
        body = []
        for row in state.headline:
            pol = row["policy"]
            cells = "".join(
                f"<td data-testid='{html.escape(k)}-{html.escape(pol)}'>"
                f"{_pm(f(row.get(k)), e(row.get(f'{k}_se')))}</td>" for k, _t, f, e in cols)
            body.append(f"<tr><td><span class='dt-swatch' style='background:"
                        f"{self.colours[pol]}'></span>{html.escape(pol)}</td>{cells}</tr>")
        return (f"<table class='dt-table' data-testid='numbers'><thead><tr><th>policy</th>"
                f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"<p class='dt-muted'>{self.model.n_samples:,} samples per policy; ± one "
                "Monte Carlo standard error (of a share: Agresti–Coull; of a median: from "
                "its order statistics).</p>")

    def outside(self, state: DashboardState) -> str:
        """Return the outside view beside ``state``'s odds (drawn once per state)."""
        return self._memo(state, "outside", lambda st: outside_view_html(
            self.model.outside_view, st.results))

    def claims(self, state: DashboardState) -> str:
        """Return the claims' verdicts on ``state`` (judging them if nobody has yet)."""
        self.model.judge(state)
        return self._memo(state, "claims", self._claims)

    def _claims(self, state: DashboardState) -> str:
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
            se = ("" if c.probability is None else
                  f"{mc_error(c.probability, c.n_samples):.2f}")
            ci = ("–" if c.interval is None else
                  f"[{c.interval[0]:.2f}, {c.interval[1]:.2f}]")
            rows.append(
                f"<tr data-claim='{html.escape(c.id)}'><td title='{html.escape(c.text)}'>"
                f"{html.escape(c.id)}</td><td><span class='dt-verdict' style='background:"
                f"{VERDICT_COLOURS[c.verdict]}'>{c.verdict}</span></td>"
                f"<td>{_pm(p, se)}</td><td>{ci}</td><td>{c.n_samples:,}</td></tr>")
        note = ""
        if skipped:
            note = (f"<p class='dt-muted'>Not testable with these policies and horizon "
                    f"(choose more policies, or run the report): "
                    f"{html.escape(', '.join(skipped))}.</p>")
        return ("<table class='dt-table' data-testid='claims'><thead><tr><th>claim</th>"
                "<th>verdict</th><th>P ± Monte Carlo error</th><th>90 % interval</th>"
                "<th>samples</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>" + note)

    # ------------------------------------------------------------------ figures
    def fan_figure(self, state: DashboardState, var: str) -> Any:
        """Draw the fan chart of ``var``, the policies overlaid (a Plotly figure).

        Figures are not kept (their pages are, a fraction of their size).
        """
        dates = [str(d)[:10] for d in state.results.ds["time"].values]
        fig = overlay_fan_figure(
            state.quantiles[var], dates=dates, policies=state.policies,
            colours=[self.colours[p] for p in state.policies],
            label=self.model.labels.title(var), unit=self.unit(var),
            scale=display_scale(self.model.labels.unit(var)), height=CHART_HEIGHTS["fan"])
        fig.update_layout(autosize=True, width=None)
        n = self.model.n_samples
        # a median's standard error is 1.2533 sd / sqrt(n) and a 10-90 % band 2.563 sd wide
        # (a normal spread): the error as a share of the band's width
        self._caption(fig, f"{n:,} samples per policy: a median within ± "
                           f"{100 * 1.2533 / 2.563 / math.sqrt(n):.1f} % of its 10–90 % "
                           "band's width (one Monte Carlo standard error)")
        return fig

    @staticmethod
    def _caption(fig: Any, text: str) -> None:
        """Write ``text`` above a figure's plot, right-aligned and small."""
        fig.add_annotation(text=html.escape(text), xref="paper", yref="paper", x=1, y=1.0,
                           xanchor="right", yanchor="bottom", showarrow=False,
                           font={"size": 11, "color": "#57606a"})

    def settlement_figure(self, state: DashboardState) -> Any:
        """Draw the policies' settlement curves (a Plotly figure), or return None."""
        fig = settlement_figure(state.results, colours=self.colours,
                                height=CHART_HEIGHTS["settlement"])
        if fig is not None:
            fig.update_layout(autosize=True, width=None)
            n = self.model.n_samples
            self._caption(fig, f"{n:,} samples per policy: each share within ± "
                               f"{100 * mc_error(0.5, n):.1f} pp (one Monte Carlo standard "
                               "error at most)")
        return fig

    def figure(self, state: DashboardState, kind: str, var: str = "") -> Any:
        """Draw the figure ``kind`` (``fan`` of ``var``, or ``settlement``) of ``state``."""
        return (self.fan_figure(state, var) if kind == "fan"
                else self.settlement_figure(state))

    # ------------------------------------------------------------------ chart pages
    def chart_src(self, state: DashboardState, kind: str, var: str = "") -> str:
        """Return a chart page's address: its inputs in the query, in the levers' order.

        ``repr`` writes each float so that it reads back exactly, so the address finds
        the same cached state.
        """
        query: list[tuple[str, str]] = [("kind", kind)]
        if kind == "fan":
            query.append(("var", var))
        query += [("policy", p) for p in state.policies]
        query += [("lever", repr(state.values[lv.param])) for lv in self.model.levers]
        return f"{CHART_PATH}?{urlencode(query)}"

    def frame(self, state: DashboardState, kind: str, var: str = "") -> str:
        """Return the HTML frame a session shows for a chart (empty: none to draw)."""
        if kind == "settlement" and not self._memo(
                state, "settles", lambda st: settlement_curves(st.results) is not None):
            return ""  # no settlement to draw (the page is drawn when the frame asks)
        src = html.escape(self.chart_src(state, kind, var))
        height = CHART_HEIGHTS[kind]
        title = "fan chart" if kind == "fan" else "settlement chart"
        return (f"<iframe class='dt-frame' src='{src}' title='{title}' height='{height}' "
                f"scrolling='no'></iframe>")

    def page(self, kind: str, var: str, policies: Sequence[str],
             levers: Sequence[str]) -> bytes | None:
        """Return the chart page a frame's address asks for, or None if it names none.

        Parameters
        ----------
        kind : str
            ``fan`` or ``settlement``.
        var : str
            The fan chart's variable.
        policies : sequence of str
            The policies run.
        levers : sequence of str
            The lever values in the levers' order (display units).
        """
        m = self.model
        if kind not in CHART_HEIGHTS or (kind == "fan" and var not in m.fan_variables):
            return None
        if len(levers) != len(m.levers):
            return None
        try:
            values = {lv.param: float(x) for lv, x in zip(m.levers, levers, strict=True)}
            state = m.update(values, policies, claims=False)
        except (ValueError, LeverError):
            return None
        if list(policies) != state.policies:
            return None  # not in the scenario's order: no frame asks for it
        return self._page(state, kind, var)

    def _page(self, state: DashboardState, kind: str, var: str) -> bytes | None:
        """Return the page of a chart of ``state``, drawn once (None: nothing to draw)."""
        return self._memo(state, f"page:{kind}:{var}",
                          lambda st: self._draw_page(st, kind, var))

    def _draw_page(self, state: DashboardState, kind: str, var: str) -> bytes | None:
        fig = self.figure(state, kind, var)
        if fig is None:
            return None
        text: str = fig.to_html(full_html=True, include_plotlyjs=plotly_path(),
                                config=_CONFIG, default_width="100%",
                                default_height=f"{CHART_HEIGHTS[kind]}px")
        return text.replace("<head>", f"<head>{_PAGE_STYLE}", 1).encode("utf-8")
