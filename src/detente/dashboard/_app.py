"""One browser session's page: levers and policies on the left, numbers and charts right.

A session is a Bokeh document of a few plain models: a number input per lever, the
policies' check boxes, the chart menu, a reset button and HTML blocks. Everything it shows
is drawn once per ensemble for every session (:class:`~detente.dashboard._views.Views`), the
charts as pages the server sends to a frame, so opening a page costs its widgets only.
Every change of a lever or of the policies asks :meth:`DashboardModel.update` for the
ensemble of those inputs; the numbers and charts follow at once and the claims' verdicts
a moment later. An out-of-range value shows a message and leaves the last good results
on screen.
"""

from __future__ import annotations

import html
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from detente._optional import import_optional
from detente.dashboard._model import DashboardModel, DashboardState, LeverError
from detente.dashboard._views import CHART_HEIGHTS, CSS, Views

__all__ = ["DashboardApp", "create_app", "lever_class"]

#: The claims' heading, in their block (a model fewer for every page to build and send).
_CLAIMS = "<h3 style='margin:8px 0 0'>Claims</h3>"
#: The outside view's heading, in its block.
_OUTSIDE = "<h3 style='margin:8px 0 0'>Outside view</h3>"
#: What the claims' block says while their verdicts are being judged.
_JUDGING = "<p class='dt-muted'>Judging the claims on this ensemble…</p>"
_POOLS: dict[str, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _pool(name: str) -> ThreadPoolExecutor:
    """Return the thread ``name`` (``ensembles``, ``claims``) that every served page shares.

    It works off the server's loop, which keeps answering the other sessions meanwhile.
    """
    with _POOLS_LOCK:
        if name not in _POOLS:
            _POOLS[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        return _POOLS[name]


def lever_class(param: str) -> str:
    """CSS class of a lever's control: ``lever-blue-reinforcement`` for ``blue.reinforcement``.

    A dot would split a class selector in two, so the owner's dot becomes a hyphen.
    """
    return f"lever-{param.replace('.', '-')}"


class DashboardApp:
    """One browser session's dashboard: widgets, HTML blocks and the update logic.

    Parameters
    ----------
    model : DashboardModel
        The scenario's levers and ensemble settings (shared between sessions).
    views : Views, optional
        What is drawn from the ensembles, shared between sessions (default: this
        session's own).
    """

    def __init__(self, model: DashboardModel, views: Views | None = None) -> None:
        bk = import_optional("bokeh.models", extra="dashboard", purpose="The dashboard")
        self.model = model
        self.views = views if views is not None else Views(model)
        # one style sheet for the page's blocks, sent once, not once per block
        self._css = bk.InlineStyleSheet(css=CSS)
        #: The Bokeh document once the page is served (:meth:`attach`).
        self.doc: Any = None
        self.inputs = {
            lv.param: bk.Spinner(
                title=f"{lv.label} ({lv.unit})", value=model.defaults[lv.param],
                step=lv.step, mode="float", width=300, description=lv.help or None,
                css_classes=[lever_class(lv.param)])
            for lv in model.levers
        }
        chosen = set(model.default_policies)
        self.policies = bk.CheckboxGroup(
            labels=list(model.all_policies),
            active=[i for i, p in enumerate(model.all_policies) if p in chosen],
            inline=False, css_classes=["policies"])
        self.variable = bk.Select(
            title="Trajectory shown", value=model.fan_variables[0], width=300,
            options=[(v, self.views.label(v)) for v in model.fan_variables])
        self.reset = bk.Button(label="Reset levers", width=140)
        self.message = bk.Div(text="", visible=False, css_classes=["lever-message"],
                              width=300, stylesheets=[self._css])
        self.status = bk.Div(text="", css_classes=["status"], sizing_mode="stretch_width",
                             stylesheets=[self._css])  # under the page's heading
        self.numbers = bk.Div(text="", css_classes=["numbers"], sizing_mode="stretch_width",
                              stylesheets=[self._css])
        self.fan = bk.Div(text="", css_classes=["fan-chart"], sizing_mode="stretch_width",
                          height=CHART_HEIGHTS["fan"], stylesheets=[self._css])
        self.settlement = bk.Div(text="", css_classes=["settlement-chart"],
                                 sizing_mode="stretch_width",
                                 height=CHART_HEIGHTS["settlement"], stylesheets=[self._css])
        self.claims = bk.Div(text="", css_classes=["claims"], sizing_mode="stretch_width",
                             stylesheets=[self._css])
        self.outside = bk.Div(text="", css_classes=["outside-view"],
                              sizing_mode="stretch_width", stylesheets=[self._css])
        self.state: DashboardState | None = None
        #: Number of successful updates (the e2e tests wait on it).
        self.version = 0
        self._resetting = False
        self._asked = 0  # updates asked for: only the latest one is shown
        for w in self.inputs.values():
            w.on_change("value", self._on_change)
        self.policies.on_change("active", self._on_change)
        self.variable.on_change("value", self._on_variable)
        self.reset.on_click(self._on_reset)
        self.refresh()
        if self.state is not None:
            shown = self.views.menu(self.state)
            if shown and list(shown.values()) != model.fan_variables:
                self.variable.options = [(v, k) for k, v in shown.items()]
                if self.variable.value not in shown.values():
                    self.variable.value = next(iter(shown.values()))

    # ------------------------------------------------------------------ layout
    def layout(self) -> Any:
        """Lay out the page: controls on the left, results on the right."""
        bk = import_optional("bokeh.models", extra="dashboard", purpose="The dashboard")
        levers: list[Any] = [*self.inputs.values(), self.reset]
        if not self.inputs:
            levers = [bk.Div(
                text="<span class='dt-muted' data-testid='no-levers'>This scenario marks "
                     "no levers; a <code>levers:</code> section in its file adds them."
                     "</span>", stylesheets=[self._css])]
        controls = bk.Column(children=[
            bk.Div(text="<b>Levers</b>"), *levers, self.message,
            bk.Div(text="<b>Policies</b>"), self.policies, self.variable], width=330)
        results = bk.Column(children=[
            self.status, self.numbers, self.fan, self.settlement, self.claims,
            self.outside],
            sizing_mode="stretch_width")
        return bk.Row(children=[controls, results], sizing_mode="stretch_width")

    def attach(self, doc: Any) -> None:
        """Show the page in the Bokeh document ``doc`` (a served session)."""
        doc.title = f"{self.model.scenario.title} — detente"
        doc.add_root(self.layout())
        self.doc = doc

    # ------------------------------------------------------------------ events
    def _values(self) -> dict[str, Any]:
        return {k: w.value for k, w in self.inputs.items()}

    def _chosen(self) -> list[str]:
        pols = self.model.all_policies
        return [pols[i] for i in self.policies.active if 0 <= i < len(pols)]

    def _on_change(self, _attr: str, _old: Any, _new: Any) -> None:
        if not self._resetting:
            self.refresh()

    def _on_variable(self, _attr: str, _old: Any, _new: Any) -> None:
        if self.state is not None:
            self.fan.text = self.views.frame(self.state, "fan", self.variable.value)

    def _on_reset(self, _event: Any = None) -> None:
        self._resetting = True  # one update for all the levers, not one each
        try:
            for k, w in self.inputs.items():
                w.value = self.model.defaults[k]
        finally:
            self._resetting = False
        self.refresh()

    def refresh(self) -> None:
        """Re-run the model with the widgets' values, or show why not.

        In a served page, inputs that no session has run yet are run in a thread, and the
        claims are judged in another, each shown when ready: the server's loop keeps
        answering the other sessions, and the numbers and the charts' pages reach the
        browser without waiting for the verdicts. Without a page (tests, scripts) all of
        it is done at once.
        """
        values, chosen = self._values(), self._chosen()
        self._asked += 1
        try:
            state = self.model.cached(values, chosen)
        except LeverError as exc:
            self._show_problems(exc)
            return
        if state is None and self.doc is not None:
            asked, doc = self._asked, self.doc

            def ran(done: Future[DashboardState]) -> None:
                # the only way into a document from another thread
                doc.add_next_tick_callback(lambda: self._show(done.result(), asked))

            _pool("ensembles").submit(self.model.update, values, chosen,
                                      claims=False).add_done_callback(ran)
            return
        self._show(state or self.model.update(values, chosen, claims=False), self._asked)

    def _show_problems(self, exc: LeverError) -> None:
        self.message.text = ("<div class='dt-alert'>"
                             + "<br>".join(html.escape(p) for p in exc.problems) + "</div>")
        self.message.visible = True

    def _show(self, state: DashboardState, asked: int) -> None:
        if asked != self._asked:
            return  # the widgets changed meanwhile: their own update follows
        self.message.visible = False
        self.message.text = ""
        self.state = state
        self.status.text = self.views.intro() + self.views.status(state, self.version + 1)
        self.numbers.text = self.views.numbers(state)
        self.fan.text = self.views.frame(state, "fan", self.variable.value)
        self.settlement.text = self.views.frame(state, "settlement")
        # the base rates are fitted once per scenario; only the model's odds are the state's
        self.outside.text = _OUTSIDE + self.views.outside(state)
        self.version += 1
        if state.judged or self.doc is None:
            self._show_claims(state)
        else:
            self.claims.text = _CLAIMS + _JUDGING
            doc = self.doc

            def judged(_done: Future[DashboardState]) -> None:
                doc.add_next_tick_callback(lambda: self._show_claims(state))

            _pool("claims").submit(self.model.judge, state).add_done_callback(judged)

    def _show_claims(self, state: DashboardState) -> None:
        text = self.views.claims(state)
        if self.state is state:  # a later update may have replaced it meanwhile
            self.claims.text = _CLAIMS + text

    # ------------------------------------------------------------------ shown
    @property
    def fan_figure(self) -> Any:
        """The fan chart shown, drawn anew (a Plotly figure), or None before any update."""
        if self.state is None:
            return None
        return self.views.fan_figure(self.state, self.variable.value)

    @property
    def settlement_figure(self) -> Any:
        """The settlement chart shown, drawn anew (a Plotly figure), or None."""
        if self.state is None:
            return None
        return self.views.settlement_figure(self.state)


def create_app(model: DashboardModel, views: Views | None = None) -> Any:
    """Build a new session's page (a Bokeh layout) for ``model``."""
    return DashboardApp(model, views).layout()
