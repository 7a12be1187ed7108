"""How a negotiation forecast is shown: tables, terms beside the Nash terms, positions.

Terminal tables, the forecasts' levels beside the settlement's Nash terms, and the positions
over the rounds (Plotly, the ``[report]`` extra, imported when drawn).

Everything here reads what :meth:`NegotiationForecast.to_dict
<detente.analysis.negotiation.NegotiationForecast.to_dict>` and :func:`detente.analysis.
compare.negotiation_beside` return, so the command line, its JSON and the report agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from detente.analysis.negotiation import NegotiationForecast

__all__ = ["MODEL_TITLES", "modal_level", "negotiation_tables", "positions_figure",
           "terms_beside_rows"]

#: Column titles of the models, in the order shown.
MODEL_TITLES: dict[str, str] = {
    "baseline_mean": "weighted mean", "baseline_median": "weighted median",
    "expected_utility": "expected utility", "exchange": "exchange",
}


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _band(q: Mapping[str, float | None]) -> str:
    return f"{_num(q['median'])} [{_num(q['low'])}–{_num(q['high'])}]"


def modal_level(shares: Mapping[str, float | None]) -> str:
    """``"level 62 %"``: the most common level and its share (``–`` without any)."""
    valid = {k: v for k, v in shares.items() if v is not None}
    if not valid:
        return "–"
    top = max(valid, key=lambda k: valid[k])
    return f"{top} {100 * valid[top]:.0f} %"


def negotiation_tables(data: Mapping[str, Any], *, terms: Mapping[str, Any] | None = None,
                       top: int = 12) -> list[RenderableType]:
    """Lay out the forecast per issue and model with bands, who moves, the exchanges made.

    Parameters
    ----------
    data : mapping
        :meth:`NegotiationForecast.to_dict`.
    terms : mapping, optional
        :func:`~detente.analysis.negotiation.predicted_terms`: each model's levels, shown
        under its positions.
    top : int
        Exchanges listed (the most frequent).
    """
    meta = data["meta"]
    bands = meta["bands"]
    out: list[RenderableType] = [
        f"[bold]{escape(str(meta['scenario']))}[/]: negotiation forecasts "
        f"({meta['n_samples']} samples, seed {meta['seed']}, {meta['rounds']} rounds, "
        f"exchange rule {meta['rule']}, expected-utility formulation "
        f"{meta.get('formulation', 'equations')}); positions on each issue's scale (0: its first "
        f"level, 1: its last), median [{bands[0]:g}–{bands[2]:g} quantiles] after the last "
        "round"]
    t = Table(title="forecast per issue", title_justify="left")
    t.add_column("issue")
    for model in data["models"]:
        t.add_column(MODEL_TITLES.get(model, model), justify="right")
    for issue in meta["issues"]:
        t.add_row(issue, *[_band(v["issues"][issue]) for v in data["models"].values()])
        if terms is not None:
            t.add_row("", *[f"[dim]{escape(modal_level(terms[m][issue]))}[/]"
                            for m in data["models"]], end_section=True)
    out.append(t)
    names = meta["actors"]
    for model, title in (("expected_utility", "expected-utility model"),
                         ("exchange", "exchange model")):
        moves = data["movement"][model]
        mv = Table(title=f"who moves: median move of each actor's position, {title}",
                   title_justify="left")
        mv.add_column("actor")
        for issue in meta["issues"]:
            mv.add_column(issue, justify="right")
        for actor, by_issue in moves.items():
            mv.add_row(escape(names.get(actor, actor)),
                       *[f"{v:+.2f}" if v is not None else "–" for v in by_issue.values()])
        out.append(mv)
    ex = data["exchanges"][:top]
    if not ex:
        out.append("The exchange model made no exchange in any sample.")
        return out
    et = Table(title=f"exchanges made (most frequent {len(ex)} of {len(data['exchanges'])}; "
               "median shift and gain where made)", title_justify="left")
    for col, right in (("actor i gives way on", False), ("actor j gives way on", False),
                       ("samples", True), ("first round", True), ("shifts i / j", True),
                       ("gain each", True)):
        et.add_column(col, justify="right" if right else "left")
    for e in ex:
        et.add_row(f"{escape(names.get(e['actor_i'], e['actor_i']))}: {e['issue_i']}",
                   f"{escape(names.get(e['actor_j'], e['actor_j']))}: {e['issue_j']}",
                   f"{100 * e['share']:.0f} %", f"{e['first_round']:g}",
                   f"{e['shift_i']:.2f} / {e['shift_j']:.2f}", f"{e['gain_i']:.3f}")
    out.append(et)
    return out


def terms_beside_rows(beside: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the forecasts' levels beside the settlement's Nash terms.

    One column per issue; one row per model (its most common level, with the share of
    samples), then one per policy (the most common level of its deals, with the share of
    deals). Narrow enough for a page and a terminal, whatever the number of policies.
    """
    issues = list(beside["issues"])
    head = ["", *issues]
    rows = [[MODEL_TITLES.get(m, m), *(modal_level(v["terms"][i]) for i in issues)]
            for m, v in beside["models"].items()]
    rows += [[f"Nash terms: {p}", *(modal_level((terms or {}).get(i) or {}) for i in issues)]
             for p, terms in beside["nash"].items()]
    return head, rows


def positions_figure(forecast: NegotiationForecast, *, model: str = "expected_utility",
                     issues: Sequence[str] | None = None) -> Any:
    """Each actor's median position over the rounds, one panel per issue (Plotly).

    The dashed line is the model's forecast (median over samples); the shading its
    10th-90th percentile band.
    """
    from detente._optional import import_optional
    from detente.present.style import policy_colour, rgba

    go = import_optional("plotly.graph_objects", extra="report", purpose="The figure")
    subplots = import_optional("plotly.subplots", extra="report", purpose="The figure")
    ds = forecast.forecast_
    shown = list(issues) if issues is not None else [str(i) for i in ds["issue"].values]
    cols = min(3, len(shown))
    rows = -(-len(shown) // cols)
    fig = subplots.make_subplots(rows=rows, cols=cols, subplot_titles=shown,
                                 shared_yaxes=True)
    rounds = [int(r) for r in ds["round"].values]
    pos = ds[f"{model}_position"].median("sample")
    fc = ds[f"{model}_forecast"].quantile([0.1, 0.5, 0.9], dim="sample")
    names = dict(zip([str(a) for a in ds["actor"].values],
                     [str(n) for n in ds["actor_name"].values], strict=True))
    for k, issue in enumerate(shown):
        r, c = k // cols + 1, k % cols + 1
        band = fc.sel(issue=issue).values
        fig.add_trace(go.Scatter(x=rounds + rounds[::-1], y=[*band[2], *band[0][::-1]],
                                 fill="toself", line={"width": 0}, hoverinfo="skip",
                                 fillcolor=rgba("#555555", 0.15), showlegend=False),
                      row=r, col=c)
        fig.add_trace(go.Scatter(x=rounds, y=band[1], name="forecast", legendgroup="fc",
                                 line={"color": "#222222", "dash": "dash", "width": 3},
                                 showlegend=k == 0), row=r, col=c)
        for a, (actor, label) in enumerate(names.items()):
            fig.add_trace(go.Scatter(x=rounds, y=pos.sel(actor=actor, issue=issue).values,
                                     name=label, legendgroup=actor, showlegend=k == 0,
                                     line={"color": policy_colour(a)}), row=r, col=c)
    fig.update_yaxes(range=[-0.02, 1.02])
    fig.update_xaxes(title_text="round", row=rows)
    fig.update_layout(height=280 * rows + 80, margin={"t": 60, "l": 40, "r": 20, "b": 40},
                      title=f"Positions over rounds: {model.replace('_', '-')} model "
                            "(median over samples)")
    return fig
