"""Scenario discovery as EMA users read it: the peeling trade-off, the box, its stability.

* :func:`tradeoff_table` — the peeling trajectory condensed to a few boxes per number of
  restricted dimensions, the chosen box marked;
* :func:`box_table` — the chosen box's restrictions with units, quasi-p-values and how
  often resampled reruns restrict the same parameter;
* :func:`tradeoff_figure` — coverage against density of every box on the trajectory,
  coloured by the number of restricted dimensions (EMA's ``show_tradeoff``), with the
  threshold and the chosen box marked (Matplotlib, imported only when drawing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from detente.present.style import fmt_number, fmt_percent

if TYPE_CHECKING:
    from rich.console import RenderableType

    from detente.analysis.discovery import Prim

__all__ = ["box_table", "tradeoff_figure", "tradeoff_table"]


def _qp(value: float) -> str:
    if value != value:  # NaN: that side is not restricted
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def tradeoff_table(prim: Prim, *, title: str, per_dims: int = 5) -> list[RenderableType]:
    """Show the trade-off: a few boxes per number of restrictions, the chosen one marked.

    For each number of restrictions the table shows up to ``per_dims`` boxes of the
    trajectory, from the largest coverage to the densest, always including the first that
    reaches the threshold and the chosen one.

    Parameters
    ----------
    prim : Prim
        A fitted :class:`~detente.analysis.discovery.Prim`.
    title : str
        The table's title.
    per_dims : int
        Most rows per number of restricted dimensions.
    """
    import numpy as np

    traj = prim.trajectory_
    if traj.empty:
        return []
    t = Table(title=title, title_justify="left")
    for col, justify in (("restricted", "right"), ("box", "right"), ("coverage", "right"),
                         ("density", "right"), ("mass", "right"), ("", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for dims, rows in traj.groupby("res_dim", sort=True):
        rows = rows.sort_values("coverage", ascending=False)
        picks = {int(rows.index[k]) for k in
                 np.unique(np.linspace(0, len(rows) - 1, per_dims).round().astype(int))}
        picks.add(int(rows["density"].idxmax()))
        eligible = rows.index[rows["eligible"]]
        if len(eligible):
            picks.add(int(eligible[0]))
        if prim.chosen_ is not None and int(prim.chosen_) in rows.index:
            picks.add(int(prim.chosen_))
        for i in rows.index:
            if int(i) not in picks:
                continue
            r = traj.loc[i]
            mark = ""
            if prim.chosen_ is not None and int(i) == prim.chosen_:
                mark = "[bold green]← chosen[/]"
            elif bool(r["eligible"]):
                mark = "reaches the threshold"
            t.add_row(str(int(dims)), str(int(i)), fmt_percent(float(r["coverage"])),
                      fmt_percent(float(r["density"])), fmt_percent(float(r["mass"])), mark)
    return [t, f"[dim]{len(traj)} boxes on the trajectory; coverage = share of the cases "
               "inside the box, density = share of the box that are cases, mass = share "
               "of all samples inside[/]"]


def box_table(prim: Prim, *, title: str) -> list[RenderableType]:
    """Show the chosen box's restrictions, their quasi-p-values and their stability.

    Parameters
    ----------
    prim : Prim
        A fitted :class:`~detente.analysis.discovery.Prim` that found a box.
    title : str
        The table's title.
    """
    from detente.analysis.discovery import QP_SIGNIFICANT

    box = prim.box_
    t = Table(title=title, title_justify="left")
    t.add_column("parameter")
    t.add_column("restriction")
    t.add_column("quasi-p", justify="right")
    resampled = "reproduced" in box.columns
    if resampled:
        t.add_column("in resamples", justify="right")
    weak: list[str] = []
    for name, row in box.iterrows():
        unit = f" {row['unit']}" if row["unit"] else ""
        lo, hi = fmt_number(float(row["low"])), fmt_number(float(row["high"]))
        if row["low_restricted"] and row["high_restricted"]:
            text = f"{lo} – {hi}{unit}"
        elif row["low_restricted"]:
            text = f"> {lo}{unit}"
        else:
            text = f"< {hi}{unit}"
        qps = [float(row[c]) for c in ("qp_low", "qp_high") if float(row[c]) == float(row[c])]
        q = max(qps) if qps else float("nan")
        qtext = _qp(q)
        if q == q and q > QP_SIGNIFICANT:
            qtext = f"[yellow]{qtext}[/]"
            weak.append(str(name))
        cells = [str(name), text, qtext]
        if resampled:
            cells.append(fmt_percent(float(row["reproduced"])))
        t.add_row(*cells)
    out: list[RenderableType] = [t]
    if weak:
        out.append(f"[yellow]not significant (quasi-p > {QP_SIGNIFICANT:g}): "
                   f"{', '.join(weak)}[/] — the box is about as dense without "
                   f"{'this restriction' if len(weak) == 1 else 'these restrictions'}")
    return out


def tradeoff_figure(prim: Prim, *, title: str) -> Any:
    """Coverage against density of every box on the trajectory (a Matplotlib figure).

    Parameters
    ----------
    prim : Prim
        A fitted :class:`~detente.analysis.discovery.Prim` whose trajectory is not empty.
    title : str
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        EMA's ``PrimBox.show_tradeoff`` figure, with the density threshold, the boxes
        allowed by ``max_dims`` ringed and the chosen box marked.
    """
    import matplotlib

    matplotlib.use("Agg")
    fig = prim.prim_box_.show_tradeoff()
    ax = fig.axes[0]
    traj = prim.trajectory_
    ax.axhline(prim.threshold, color="#888", linewidth=0.8, linestyle="--")
    ax.annotate(f"threshold {prim.threshold:.0%}", (0.02, prim.threshold),
                textcoords="offset points", xytext=(0, 3), fontsize=8, color="#555")
    if prim.max_dims is not None:
        ok = traj[traj["res_dim"] <= prim.max_dims]
        ax.scatter(ok["coverage"], ok["density"], s=60, facecolors="none",
                   edgecolors="#333", linewidths=0.6,
                   label=f"≤ {prim.max_dims} restricted")
    if prim.chosen_ is not None:
        r = traj.loc[prim.chosen_]
        ax.scatter([r["coverage"]], [r["density"]], marker="*", s=220, color="#d62728",
                   zorder=5, label=f"chosen (box {prim.chosen_})")
    ax.set_title(title, fontsize=9)
    if prim.max_dims is not None or prim.chosen_ is not None:
        ax.legend(loc="lower left", fontsize=8)
    return fig
