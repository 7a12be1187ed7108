"""How the outside view reads: base rates with their wars, and forecast skill on questions.

:func:`base_rates_tables` lays out a fitted
:class:`~detente.analysis.outside_view.BaseRates` (the probability of ending within each
horizon with its interval, the outcome split, the comparable wars);
:func:`skill_tables` a fitted :class:`~detente.analysis.outside_view.ForecastSkill` (the
model's, the crowd's and the base rate's probability on each question, and the Brier and
log scores with the skill against each reference); :func:`reliability_figure` draws the
reliability (calibration) diagram of the scored questions for the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from detente.analysis.outside_view.wars import OUTCOME_LABELS, OUTCOMES

if TYPE_CHECKING:
    from rich.console import RenderableType

    from detente.analysis.outside_view import BaseRates
    from detente.analysis.outside_view.skill import ForecastSkill

__all__ = ["base_rates_tables", "reliability_figure", "skill_tables"]


def _pct(p: float, lo: float | None = None, hi: float | None = None) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{100 * p:.0f} %"
    return f"{100 * p:.0f} % [{100 * lo:.0f}–{100 * hi:.0f}]"


def base_rates_tables(br: BaseRates) -> list[RenderableType]:
    """Lay out the base rates for wars that had lasted ``d``: by horizon, outcome and war."""
    level = f"{100 * br.level:.0f} %"
    rates = br.rates_
    head = (f"[bold]Base rates[/]: of the {br.n_at_risk_} {escape(br.reference_)} that had "
            f"lasted {br.lasted_days_:g} days or more ({escape(br.source_)}), the share "
            f"ending within each horizon after that day, with its {level} interval")
    t = Table()
    t.add_column("")
    for m in rates.index:
        t.add_column(f"within {m} months", justify="right", no_wrap=True)
    t.add_row("[bold]the war ends[/] (Kaplan-Meier)",
              *[_pct(r["p_end"], r["low"], r["high"]) for _, r in rates.iterrows()])
    t.add_row("wars seen to end", *[str(int(r["n_ended"])) for _, r in rates.iterrows()])
    for o in OUTCOMES:
        t.add_row(f"  in {OUTCOME_LABELS[o]} (Aalen-Johansen)",
                  *[f"{_pct(r[f'p_{o}'], r[f'low_{o}'], r[f'high_{o}'])} ({int(r[f'n_{o}'])})"
                    for _, r in rates.iterrows()])
    w = Table(title="the comparable wars", title_justify="left")
    for col, justify in (("war", "left"), ("began", "left"), ("lasted (days)", "right"),
                         ("how it ended", "left"), ("ended within", "right")):
        w.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in br.wars_.itertuples():
        within = "–" if math.isnan(row.ends_within) else f"{row.ends_within:g} months"
        how = (f"{OUTCOME_LABELS[row.outcome]} ({row.detail})" if row.ended
               else f"censored: {row.detail}")
        w.add_row(escape(str(row.name)), row.start.isoformat(), f"{row.duration_days:g}",
                  escape(how), within)
    notes = []
    if br.n_unknown_:
        notes.append(f"[dim]{br.n_unknown_} war(s) of the class were still running when the "
                     f"data end, before {br.lasted_days_:g} days: left out (too short to "
                     "tell).[/]")
    notes.append("[dim]A war still running when the data end counts as at risk until then "
                 "(censored). The outcome shares add up to the share ending. Not the same "
                 "question as a model's settlement: see docs/outside-view.md.[/]")
    return [head, t, w, *notes]


def skill_tables(fs: ForecastSkill) -> list[RenderableType]:
    """Each question's three forecasts and the scores of the model against the others."""
    head = (f"[bold]{escape(fs.scenario_)}[/] scored on {fs.n_mapped_} of {fs.n_questions_} "
            f"resolved questions that map to its outputs ({escape(fs.questions_name_)}), "
            f"{fs.n_samples} samples per origin, policy {escape(fs.policy_)}")
    t = Table()
    for col, justify in (("question", "left"), ("origin", "left"), ("model", "right"),
                         ("crowd", "right"), ("base rate", "right"), ("resolved", "right")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in fs.table_.itertuples():
        t.add_row(escape(r.question_id), r.origin.isoformat(), _pct(r.p_model),
                  _pct(r.p_crowd), _pct(r.p_base), "yes" if r.resolution else "no")
    s = Table(title="scores (lower is better) and skill (1 - model / reference: above 0 "
                    "the model beats it)", title_justify="left")
    for col in ("forecast", "n", "Brier", "log", "Brier skill of the model", "log skill"):
        s.add_column(col, justify="right" if col != "forecast" else "left")
    sc = fs.scores_
    for name in ("model", "crowd", "base_rate"):
        e = sc[name]
        skill = sc["skill"].get(name, {})
        s.add_row(name.replace("_", " "), str(e["n"]), _fixed(e["brier"]), _fixed(e["log"]),
                  _fixed(skill.get("brier")) if name != "model" else "",
                  _fixed(skill.get("log")) if name != "model" else "")
    lines = [f"[dim]{escape(n)}[/]" for n in fs.notes_]
    unmapped = list(fs.unmapped_)
    if unmapped:
        lines.append(f"[dim]not mapped to model outputs ({len(unmapped)}): "
                     + escape("; ".join(f"{q['id']} ({q['reason']})" for q in unmapped))
                     + "[/]")
    return [head, t, s, *lines]


def _fixed(x: float | None) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.3f}"


def reliability_figure(rows: Sequence[dict[str, Any]]) -> Any:
    """Draw the reliability (calibration) diagram of probability forecasts, one trace each.

    Parameters
    ----------
    rows : sequence of dict
        ``{"forecast": name, "p": ..., "y": 0 or 1}`` per scored question and forecast.

    Returns
    -------
    plotly.graph_objects.Figure
        The mean forecast against the observed frequency in five equal bins per forecast
        (marker size: the number of questions), beside the diagonal of a reliable one.
    """
    import numpy as np
    import plotly.graph_objects as go

    from detente.analysis.scores import reliability

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="reliable",
                             line={"dash": "dot", "color": "#888"}))
    for name in dict.fromkeys(r["forecast"] for r in rows):
        sel = [r for r in rows if r["forecast"] == name and r["p"] is not None
               and math.isfinite(r["p"])]
        if not sel:
            continue
        table = reliability(np.array([r["p"] for r in sel]), np.array([r["y"] for r in sel]),
                            bins=5)
        table = table[table["n"] > 0]
        fig.add_trace(go.Scatter(
            x=table["p_mean"], y=table["observed_freq"], mode="markers+lines",
            name=name.replace("_", " "),
            marker={"size": [8 + 3 * int(n) for n in table["n"]]},
            hovertemplate="forecast %{x:.2f}<br>observed %{y:.2f}<extra>" + name + "</extra>"))
    fig.update_layout(xaxis_title="forecast probability (bin mean)",
                      yaxis_title="observed frequency", xaxis_range=[0, 1],
                      yaxis_range=[-0.02, 1.02], height=380,
                      margin={"l": 50, "r": 20, "t": 20, "b": 50})
    return fig
