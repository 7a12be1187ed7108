"""Terminal tables of sensitivity indices that show their error and their verdict.

Each index is shown with the half-width of its bootstrap interval and the range of ranks
it could hold given the intervals of all the others, so a ranking whose intervals overlap
reads as such; an index outside [0, 1] beyond its error is marked, not shown as a finding;
a verdict line says whether the result has converged (:class:`~detente.analysis.
sensitivity.Convergence`) and, for a grown design, why growing stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table

from detente.present.style import fmt_number

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import RenderableType

    from detente.analysis.sensitivity import Convergence

__all__ = ["convergence_line", "growth_line", "indices_table", "rank_text"]

#: Columns shown per method: (index, its half-width or None, heading).
_COLUMNS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "sobol": (("ST", "ST_conf", "ST (total)"), ("S1", "S1_conf", "S1 (first order)")),
    "morris": (("mu_star", "mu_star_conf", "μ* (mean |effect|)"), ("mu", None, "μ (mean)"),
               ("sigma", None, "σ (spread)")),
}


def rank_text(best: float, worst: float) -> str:
    """Rank range as shown: ``"2"`` when resolved, ``"2–9"`` when the intervals allow more."""
    b, w = int(best), int(worst)
    return str(b) if b == w else f"{b}–{w}"


def _pm(value: float, half: float | None) -> str:
    if half is None:
        return fmt_number(value)
    return f"{fmt_number(value)} ± {fmt_number(abs(half), 2)}"


def indices_table(indices: pd.DataFrame, *, method: str, title: str, top: int,
                  ) -> list[RenderableType]:
    """Show the ``top`` parameters: each index ± its half-width, and its possible ranks.

    Parameters
    ----------
    indices : pandas.DataFrame
        As :attr:`Sobol.indices_ <detente.analysis.Sobol.indices_>` or
        :attr:`Morris.indices_ <detente.analysis.Morris.indices_>`.
    method : {"sobol", "morris"}
        Which estimator the indices come from.
    title : str
        The table's title.
    top : int
        Rows shown (the others are counted below the table).
    """
    from detente.analysis.sensitivity import rank_ranges

    cols = _COLUMNS[method]
    key, conf, _ = cols[0]
    df = indices.sort_values(key, ascending=False)
    best, worst = rank_ranges(df[key].to_numpy(), df[conf].to_numpy() if conf else 0 * df[key])
    t = Table(title=title, title_justify="left")
    t.add_column("parameter")
    t.add_column("rank", justify="right")
    for _, _, heading in cols:
        t.add_column(heading, justify="right")
    bounded = method == "sobol"
    if bounded:
        t.add_column("note")
    for i, (name, row) in enumerate(df.head(top).iterrows()):
        cells = [str(name), rank_text(best[i], worst[i])]
        note: list[str] = []
        for col, ccol, _ in cols:
            half = float(row[ccol]) if ccol else None
            text = _pm(float(row[col]), half)
            if bounded and half is not None and _outside(float(row[col]), half):
                text = f"[red]{text}[/]"
                note.append(f"{col} outside [0, 1]")
            cells.append(text)
        if bounded:
            cells.append("[red]" + "; ".join(note) + ": not a finding[/]" if note else "")
        t.add_row(*cells)
    out: list[RenderableType] = [t]
    if len(df) > top:
        out.append(f"[dim]{len(df) - top} more parameters (--top to show them, --json "
                   "for all)[/]")
    return out


def _outside(value: float, half: float) -> bool:
    return value - abs(half) > 1.0 or value + abs(half) < 0.0


def convergence_line(conv: Convergence, *, label: str = "verdict") -> str:
    """Return the verdict as one line of rich markup (green: converged, yellow: not)."""
    style = "green" if conv.converged else "yellow"
    return f"[bold {style}]{label}[/]: {conv.summary()}"


def growth_line(growth: pd.DataFrame, stopped: str | None, *, target: float | None,
                cap: int) -> str | None:
    """Say how a Sobol design grew towards ``--target-ci`` and why it stopped (None: it did not).

    Parameters
    ----------
    growth : pandas.DataFrame
        :attr:`Sobol.growth_ <detente.analysis.Sobol.growth_>`.
    stopped : {"target", "cap", "constant"} or None
        :attr:`Sobol.stopped_ <detente.analysis.Sobol.stopped_>`.
    target : float or None
        The half-width aimed at.
    cap : int
        The largest base allowed.
    """
    if target is None or stopped is None:
        return None
    rows: list[dict[str, Any]] = growth.to_dict("records")
    first, last = rows[0], rows[-1]
    steps: Sequence[str] = [f"N = {r['n_base']}: ±{r['widest']:.3g}" for r in rows]
    path = " → ".join(steps)
    if stopped == "target":
        why = f"the target ±{target:.3g} is met"
    elif stopped == "cap":
        why = (f"[yellow]stopped at the cap N = {cap} (--max-base) with ±"
               f"{last['widest']:.3g}, above the target ±{target:.3g}[/]")
    else:
        why = "the output does not vary"
    grown = ("" if len(rows) == 1 else
             f"grown from N = {first['n_base']} to N = {last['n_base']} "
             f"({last['runs']:,} runs, the earlier ones reused); ")
    return f"[bold]design[/]: {grown}widest interval among the top ranks {path}; {why}"
