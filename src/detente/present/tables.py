"""Terminal tables (rich) of runs, comparisons, claims, sensitivity, fits and run stores.

Each builder takes results or fitted estimators and returns what the terminal shows, in
order: rich tables, and lines of text written in rich's markup. The command line prints
them; tests render them on a fixed-width ``rich.console.Console``.

Runs and comparisons read as pivots (:class:`Pivot`): one table per topic, a row per
variable (its title, then its model name and the unit its numbers are in), a column per
policy; when the policies do not fit the terminal's width they are split over as many
tables as it takes, so no name or number is ever cut.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from detente.present.style import (
    VERDICT_STYLES,
    display_scale,
    fmt_compact,
    fmt_number,
    fmt_percent,
    unit_label,
)

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

    from detente.analysis import (
        Backtest,
        Calibrator,
        ClaimResult,
        LanchesterFit,
        LawComparison,
    )
    from detente.present.labels import Labels
    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = [
    "Pivot", "backtest_table", "base_rate_note", "calibration_table", "claims_table",
    "comparison_tables", "fmt_value", "law_comparison_table", "law_fit_table",
    "negotiation_tables",
    "outside_view_tables", "run_outcomes_table", "runs_table", "scenarios_table",
    "sensitivity_table", "shown_unit", "summary_tables",
]

#: Blocks of a PIT histogram, emptiest first.
_SPARK = " ▁▂▃▄▅▆▇█"


def _band(median: float, low: float, high: float) -> str:
    return f"{fmt_compact(median)} [{fmt_compact(low)}–{fmt_compact(high)}]"


# --------------------------------------------------------------------------- values
#: Counts that read best in thousands (people and munitions).
_THOUSANDS = frozenset({"persons", "rounds", "drones", "missiles", "interceptors", "bombs"})
#: Fractions and shares, shown in per cent: the unit then said.
_PERCENT = {"fraction": "%", "fraction/year": "% a year", "switch": "% of samples"}


def shown_unit(unit: str) -> str:
    """Return the unit a table's numbers of a variable in ``unit`` are written in.

    Fractions and shares read in per cent, counts of people and munitions in thousands,
    other units as :func:`~detente.present.style.unit_label` writes them.

    >>> shown_unit("fraction"), shown_unit("persons"), shown_unit("km2")
    ('%', 'thousand persons', 'km²')
    """
    if unit in _PERCENT:
        return _PERCENT[unit]
    if unit in _THOUSANDS:
        return f"thousand {unit}"
    return unit_label(unit)


def _scale(unit: str) -> float:
    if unit in _PERCENT:
        return 100.0
    if unit in _THOUSANDS:
        return 1e-3
    return display_scale(unit)


def fmt_value(x: float | None, unit: str, *, sign: bool = False) -> str:
    """Write a value of a variable in ``unit`` as a table shows it, in :func:`shown_unit`.

    Areas are whole square kilometres with thousands separators; everything else has three
    significant digits (thousands separated). ``sign``: a change, written with its sign.

    >>> fmt_value(109940.4, "km2"), fmt_value(2085.0, "km2", sign=True)
    ('109,940', '+2,085')
    >>> fmt_value(0.0753, "fraction/year"), fmt_value(6_510_000.0, "persons")
    ('7.53', '6,510')
    """
    if x is None or not math.isfinite(x):
        return "–" if x is None or x != x else fmt_number(x)
    v = x * _scale(unit)
    text = f"{v:,.0f}" if unit == "km2" else fmt_number(v, 3)
    text = "0" if text in ("-0", "0") else text
    if sign and not text.startswith("-") and text != "0":
        text = "+" + text
    return text.replace("-", "−")


def _range(low: float | None, high: float | None, unit: str) -> str:
    lo, hi = fmt_value(low, unit), fmt_value(high, unit)
    # a dash between two negative numbers reads as a subtraction
    return f"[{lo} to {hi}]" if "−" in lo + hi else f"[{lo}–{hi}]"


def _band_cell(row: Mapping[str, Any] | None, unit: str,
               change: Mapping[str, Any] | None = None) -> str:
    """Median (with its change since the start), then the band below it, dimmed."""
    if row is None or row["median"] is None or row["median"] != row["median"]:
        return "–"
    mid = fmt_value(row["median"], unit)
    if change is not None and change["median"] == change["median"]:
        mid += f" ({fmt_value(change['median'], unit, sign=True)})"
    return f"{mid}\n[dim]{escape(_range(row['low'], row['high'], unit))}[/]"


# --------------------------------------------------------------------------- pivots
def _split_owned(name: str) -> tuple[str | None, str]:
    """Return ``(owner, base)`` of a model name, as :func:`detente.model.split_owned` does.

    Kept here so that the command line's tables import no numerical library.
    """
    owner, dot, base = name.partition(".")
    return (owner, base) if dot else (None, name)


#: Topics of the key outputs (by base name); other variables go under their module's name.
_TOPICS: dict[str, str] = {
    "combat_power_ratio": "forces and munitions", "personnel": "forces and munitions",
    "shells": "forces and munitions", "drones": "forces and munitions",
    "territory": "territory", "territory_pct": "territory", "territory_change": "territory",
    "ground_gained_cum": "territory",
    "casualties": "losses", "casualties_cum": "losses", "killed_cum": "losses",
    "refugees_abroad": "people and reconstruction",
    "refugees_returned": "people and reconstruction",
    "reconstruction_cum": "people and reconstruction",
    "viability": "people and reconstruction",
    "inflation": "economy",
}
#: The narrowest and widest the label column of a pivot gets (it wraps in between).
_LABEL_WIDTH = (16, 30)


def _topic(name: str, labels: Labels | None) -> str:
    base = _split_owned(name)[1]
    if base in _TOPICS:
        return _TOPICS[base]
    module = labels.modules.get(name) if labels is not None else None
    return module or "other outputs"


def _by_topic(names: Iterable[str], labels: Labels | None) -> list[tuple[str, list[str]]]:
    """Group ``names`` by topic, topics in the order of their first member."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(_topic(name, labels), []).append(name)
    return list(groups.items())


def _width(markup: str) -> int:
    """Widest line of a cell written in rich markup, in terminal cells."""
    return max((Text(line).cell_len for line in Text.from_markup(markup).plain.split("\n")),
               default=0)


@dataclass(frozen=True)
class Pivot:
    """A table with a row per variable and a column per policy, fitted to the console.

    Rendered, it is one rich table when every column fits the console's width, else as
    many as it takes, each with the same rows and the next columns: a name or a number is
    never cut, and only the labels wrap, between words (the label column is as wide as
    its longest word, a model name, where the console allows).

    Attributes
    ----------
    title : str
        Heading (rich markup); a split table's parts say which columns they hold.
    columns : sequence of str
        Column headings (the policies), in order.
    rows : sequence of (str, sequence of str)
        Each row's label and its cells, one per column (rich markup; a cell may hold
        several lines).
    head : str
        Heading of the label column.
    """

    title: str
    columns: Sequence[str]
    rows: Sequence[tuple[str, Sequence[str]]]
    head: str = ""

    def groups(self, width: int) -> tuple[int, list[list[int]]]:
        """Return the label column's width and the columns of each table, to fit ``width``."""
        col = [max([len(c), *(_width(r[1][j]) for r in self.rows)])
               for j, c in enumerate(self.columns)]
        need = max([_width(self.head), *(_width(label) for label, _ in self.rows), 1])
        if 1 + need + 3 + sum(w + 3 for w in col) <= width:
            return need, [list(range(len(col)))]  # one table, the labels unwrapped
        # a table of n columns takes the sum of their widths plus 3 per column and 1
        room = width - 1 - 3 - max(col, default=0) - 3
        narrow = max(min(need, _LABEL_WIDTH[1], room), min(need, _LABEL_WIDTH[0]))
        # wide enough for the longest word (a model name), even when that costs a table:
        # a name folded over two lines reads as two names
        word = max((len(w) for label, _ in self.rows
                    for w in Text.from_markup(label).plain.split()), default=1)
        wide = max(narrow, min(need, word, room))
        return wide, _split(col, wide, width)

    def tables(self, width: int) -> list[Table]:
        """Return the rich tables that show this pivot on a console ``width`` cells wide."""
        if not self.rows:
            return []
        label, groups = self.groups(width)
        out = []
        for group in groups:
            part = (f" (columns {group[0] + 1}–{group[-1] + 1} of {len(self.columns)})"
                    if len(groups) > 1 else "")
            lines = any("\n" in c for row in self.rows for c in (row[0], *row[1]))
            t = Table(title=f"{self.title}{part}", title_justify="left", show_lines=lines)
            t.add_column(self.head, width=label, overflow="fold")
            for j in group:
                t.add_column(escape(self.columns[j]), justify="right", no_wrap=True,
                             min_width=len(self.columns[j]))
            for head, cells in self.rows:
                t.add_row(head, *(cells[j] for j in group))
            out.append(t)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render as :meth:`tables` at the console's width."""
        yield from self.tables(options.max_width)


def _split(col: Sequence[int], label: int, width: int) -> list[list[int]]:
    """Share columns of widths ``col`` over as few tables as fit ``width``, evenly."""
    groups: list[list[int]] = [[]]
    used = 1 + label + 3
    for j, w in enumerate(col):
        if groups[-1] and used + w + 3 > width:
            groups.append([])
            used = 1 + label + 3
        groups[-1].append(j)
        used += w + 3
    n = len(col)
    size = -(-n // len(groups))
    even = [list(range(i, min(i + size, n))) for i in range(0, n, size)]
    if len(even) == len(groups) and all(
            1 + label + sum(col[j] + 3 for j in g) <= width for g in even):
        return even
    return groups


def _row_label(title: str, name: str, unit: str) -> str:
    """Write a row's label: the variable's title, then its model name and unit, dimmed."""
    said = f"{name} · {unit}" if unit else name
    return f"{escape(title)}\n[dim]{escape(said)}[/]"


# --------------------------------------------------------------------------- ensembles
def summary_tables(res: Results, months: Sequence[float], *,
                   labels: Labels | None = None,
                   names: Sequence[str] | None = None) -> list[RenderableType]:
    """Build a heading and, at each month, one pivot per topic: policies as columns.

    Each cell is the median and, below it, the 10–90 % band; an area shows beside its
    median the median change since the start. Rows are the variables ``names`` (default:
    the key outputs, :data:`~detente.results.KEY_OUTPUTS`, of every side that has them),
    each titled as the scenario names it ("Blue — front-line personnel") above its model
    name and unit; a variable that keeps one value throughout (its mechanism off for that
    side) is left out.

    Parameters
    ----------
    res : Results
        The ensemble.
    months : sequence of float
        Months since the start; those the run does not reach are left out.
    labels : Labels, optional
        The scenario's labels (default: those of the scenario that produced ``res``).
    names : sequence of str, optional
        Model names of the variables to show (each recorded in ``res``).
    """
    from detente.present.charts import key_variables
    from detente.present.labels import Labels
    from detente.present.summary import bands_at, changes_at, drawable
    from detente.results.schema import model_names

    labels = labels if labels is not None else Labels.of_results(res)
    if names is None:
        names = [n for n in key_variables(labels, model_names(res.ds)) if drawable(res.ds, n)]
    rows = {(r["policy"], r["month"], r["variable"]): r for r in bands_at(res, months, names)}
    units = {r["variable"]: labels.unit(r["variable"]) or r["units"] for r in rows.values()}
    areas = [n for n in names if units.get(n) == "km2"]
    changes = {(r["policy"], r["month"], r["variable"]): r
               for r in changes_at(res, months, areas)}
    shown = [m for m in months if any(k[1] == m for k in rows)]
    a = res.ds.attrs
    out: list[RenderableType] = [
        f"[bold]{escape(str(a['scenario_title']))}[/] — {a['n_samples']} samples, seed "
        f"{a['seed']}; median [10th–90th percentile] under each policy"
        + ("; areas: (change since the start)" if areas else "")]
    for m in shown:
        for topic, members in _by_topic(names, labels):
            body = [(_row_label(labels.title(n), n, shown_unit(units[n])),
                     [_band_cell(rows.get((pol, m, n)), units[n], changes.get((pol, m, n)))
                      for pol in res.policies]) for n in members]
            out.append(Pivot(f"[bold]{escape(topic)}[/] at {m:g} months", res.policies,
                             body, head="variable"))
    return out


#: How the comparison's own outcomes are said where its short description misleads: what a
#: negative value means, and that a total sums every side.
def _clarified(name: str, desc: str, labels: Labels | None) -> str:
    base = _split_owned(name)[1]
    if base == "refugees_returned":
        owner = _split_owned(name)[0]
        who = labels.name(owner) if labels is not None and owner is not None else owner
        return (f"{who} — refugees' net return since the start (negative: outflow)" if who
                else "Refugees' net return since the start (negative: outflow)")
    if base == "casualties":
        n = len(labels.sides) if labels is not None else 0
        every = "both sides" if n == 2 else "every side"
        return f"Military casualties since the start, {every} combined"
    return desc[:1].upper() + desc[1:]


def comparison_tables(data: Mapping[str, Any], outcomes: Iterable[tuple[str, str, str]] = (),
                      *, labels: Labels | None = None,
                      bands: Iterable[Mapping[str, Any]] = (),
                      changes: Iterable[Mapping[str, Any]] = (),
                      only: Collection[str] | None = None) -> list[RenderableType]:
    """Policies side by side, stacked by topic; differences from the baseline; deal terms.

    A heading comes first, then pivots (:class:`Pivot`, a column per policy, fitted to the
    console's width): the chances of settlement and escalation, the outcomes by topic, the
    differences from the baseline, and the terms of the deals signed.

    Parameters
    ----------
    data : mapping
        What :func:`detente.analysis.compare` returns.
    outcomes : iterable of (name, units, description)
        How to label outcomes the scenario's labels do not know
        (:data:`detente.analysis.compare.OUTCOMES`).
    labels : Labels, optional
        The scenario's labels: outcomes that are model variables are named as it names
        them (and its own description otherwise).
    bands : iterable of mapping
        More outcomes, as :func:`detente.present.summary.bands_at` gives them at the
        outcome month (the key outputs for every side): shown after the comparison's own,
        in the unit :func:`shown_unit` gives.
    changes : iterable of mapping
        Changes since the start, as :func:`detente.present.summary.changes_at` gives them
        at the outcome month: an area's median change is shown beside its median.
    only : collection of str, optional
        The outcomes to show (model names, or the comparison's own names such as
        ``casualties``), in the outcomes' tables and the differences (default: all).
    """
    meta = data["meta"]
    pols = data["policies"]
    names = list(pols)
    m_last = f"{meta['outcome_month']:g}"
    tables: list[RenderableType] = [
        f"[bold]{escape(str(meta['scenario']))}[/]: policies compared ({meta['n_samples']} "
        f"samples, seed {meta['seed']}); outcomes: median [10th–90th] at {m_last} months"]
    said = {name: (units, desc) for name, units, desc in outcomes}
    said.update({name: (o.get("units", ""), o.get("description", name))
                 for name, o in (meta.get("outcomes") or {}).items() if name not in said})

    def unit_of(name: str) -> str:
        if labels is not None and name in labels.variables:
            return labels.unit(name)
        return said.get(name, ("", ""))[0]

    def label(name: str) -> str:
        unit = shown_unit(unit_of(name))
        if labels is not None and name in labels.variables:
            return _row_label(labels.title(name), name, unit)
        if name not in said:
            return _row_label(name, name, unit)
        return _row_label(_clarified(name, said[name][1], labels), name, unit)

    chances: list[tuple[str, list[str]]] = []
    if any(p["p_settlement"] is not None for p in pols.values()):
        for m in meta["months"]:
            key = f"{m:g}"
            chances.append((f"P(settlement) by {key} months",
                            [fmt_percent(pols[n]["p_settlement"][key])
                             if pols[n]["p_settlement"] else "–" for n in names]))
        chances.append(("median months to settlement",
                        [fmt_compact(pols[n]["median_months_to_settlement"])
                         if pols[n]["median_months_to_settlement"] is not None else "–"
                         for n in names]))
    if any(pols[n].get("p_escalation") is not None for n in names):
        chances.append((f"P(escalation) by {m_last} months",
                        [fmt_percent(pols[n].get("p_escalation")) for n in names]))
    if chances:
        tables.append(Pivot("[bold]settlement and escalation[/]", names, chances))

    moved = {(r["policy"], r["variable"]): r for r in changes}
    cells: dict[str, list[str]] = {}
    for name in dict.fromkeys(k for n in names for k in pols[n]["outcomes"]):
        unit = unit_of(name)
        cells[name] = [_band_cell(pols[n]["outcomes"].get(name), unit, moved.get((n, name))
                                  if unit == "km2" else None) for n in names]
    extra: dict[str, dict[str, Mapping[str, Any]]] = {}
    for r in bands:
        if r["variable"] not in cells:
            extra.setdefault(r["variable"], {})[r["policy"]] = r
    for name, by_policy in extra.items():
        units = str(next(iter(by_policy.values()))["units"])
        said.setdefault(name, (units, name))
        unit = unit_of(name) or units
        cells[name] = [_band_cell(by_policy.get(n), unit, moved.get((n, name))
                                  if unit == "km2" else None) for n in names]
    if only is not None:
        cells = {n: c for n, c in cells.items() if n in only}
    for topic, members in _by_topic(cells, labels):
        tables.append(Pivot(f"[bold]{escape(topic)}[/] at {m_last} months", names,
                            [(label(n), cells[n]) for n in members], head="outcome"))

    base = meta["baseline"]
    others = [n for n in names if n != base]
    chance_names = {"p_settlement": f"P(settlement) by {m_last} months",
                    "p_escalation": f"P(escalation) by {m_last} months"}
    if base and others:
        diffs = []
        for key in pols[others[0]]["vs_baseline"]:
            if only is not None and not key.startswith("p_") and key not in only:
                continue
            row = []
            unit = "" if key.startswith("p_") else unit_of(key)
            for n in others:
                e = pols[n]["vs_baseline"][key]
                if e["value"] is None:
                    row.append("–")
                elif key.startswith("p_"):
                    se = e["se"] if e["se"] is not None else float("nan")
                    row.append(f"{fmt_number(100 * e['value'], 3)} pp\n"
                               f"[dim]± {fmt_number(100 * se, 2)}[/]")
                else:
                    se = e["se"] if e["se"] is not None else float("nan")
                    row.append(f"{fmt_value(e['value'], unit, sign=True)}\n"
                               f"[dim]± {fmt_value(se, unit)}[/]")
            diffs.append((chance_names.get(key) or label(key), row))
        tables.append(Pivot(f"[bold]difference from {escape(str(base))}[/] (mean ± Monte Carlo "
                            "standard error, paired by sample)", others, diffs))

    if any(p.get("terms") for p in pols.values()):
        dims = next(iter(p["terms"] for p in pols.values() if p.get("terms")))
        terms = []
        for dim in dims:
            row = []
            for n in names:
                shares = (pols[n].get("terms") or {}).get(dim) or {}
                valid = {k: v for k, v in shares.items() if v is not None}
                if not valid:
                    row.append("–")
                    continue
                top = max(valid, key=lambda k: valid[k])
                row.append(f"{escape(str(top))}\n[dim]{100 * valid[top]:.0f} %[/]")
            terms.append((escape(str(dim)), row))
        tables.append(Pivot("[bold]terms of settlements signed[/] (most common level, share "
                            "of deals)", names, terms, head="dimension"))
    if data.get("outside_view"):
        tables.extend(outside_view_tables(data["outside_view"]))
    if data.get("negotiation"):
        tables += negotiation_tables(data["negotiation"])
    return tables


def negotiation_tables(beside: Mapping[str, Any]) -> list[RenderableType]:
    """Lay out the actors' forecasts beside the settlement's Nash terms, fitted to the width.

    A column per issue, a row per model and per policy
    (:func:`detente.present.negotiation.terms_beside_rows`); issues that do not fit go to a
    further table with the same rows.
    """
    from detente.present.negotiation import terms_beside_rows

    head, rows = terms_beside_rows(beside)
    title = ("[bold]the actors' view beside the settlement's terms[/] (most common level: "
             f"forecasts over {beside['meta']['n_samples']} samples of the actors, Nash "
             "terms over the deals signed)")
    return [Pivot(title, [escape(h) for h in head[1:]],
                  [(escape(r[0]), [escape(c) for c in r[1:]]) for r in rows],
                  head="forecast")]


def _rate(p: float | None, interval: Sequence[float | None]) -> str:
    if p is None:
        return "–"
    lo, hi = interval
    if lo is None or hi is None:
        return fmt_percent(p)
    return f"{100 * p:.0f} % [{100 * lo:.0f}–{100 * hi:.0f}]"


def outside_view_tables(view: Mapping[str, Any]) -> list[RenderableType]:
    """Lay out the base rates of war termination beside each policy's odds of a settlement.

    Parameters
    ----------
    view : mapping
        :func:`detente.analysis.outside_view.beside.beside`'s table (``compare``'s
        ``outside_view``), or ``{"unavailable": why}``.
    """
    if "unavailable" in view:
        return [f"[dim]outside view not shown: {escape(str(view['unavailable']))}[/]"]
    keys = list(view["months"])
    level = f"{100 * view['level']:.0f} %"
    t = Table(title=f"the outside view: {view['n_wars']} {escape(view['reference'])} that had "
                    f"lasted {view['lasted_days']:g} days, as this war had at the start; "
                    f"base rates [{level} interval], the model's P(settlement) per policy "
                    "(model minus base rate; in or out of its interval)",
              title_justify="left")
    t.add_column("")
    for key in keys:
        t.add_column(f"by {key} months", justify="right", no_wrap=True)
    t.add_row("base rate: the war ends",
              *[_rate(view["months"][k]["p_end"], view["months"][k]["interval"]) for k in keys])
    t.add_row("base rate: settlement or ceasefire",
              *[_rate(view["months"][k]["p_settlement"],
                      view["months"][k]["settlement_interval"]) for k in keys])
    for pol, row in view["policies"].items():
        cells = []
        for k in keys:
            c = row[k]
            if c["p_model"] is None or c["gap_end"] is None:
                cells.append(fmt_percent(c["p_model"]))
                continue
            where = "in" if c["within"] else "out"
            cells.append(f"{fmt_percent(c['p_model'])} ({100 * c['gap_end']:+.0f} pp, {where})")
        t.add_row(f"model: {escape(pol)}", *cells)
    wars = ("; ".join(view["wars"]) if view["wars"] else
            f"{view['n_wars']}, listed by `detente base-rates --lasted {view['lasted_days']:g}d`")
    return [t, f"[dim]comparable wars: {escape(wars)}. Source: {escape(view['source'])}. "
               "A base rate counts every way a war ended; the model's settlement is a deal "
               "in force (docs/outside-view.md).[/]"]


def _shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word before ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"


#: Characters of a claim's text shown in the claims table (it wraps within its column).
CLAIM_TEXT_LIMIT = 90


def claims_table(claims: Sequence[ClaimResult], *, title: str) -> list[RenderableType]:
    """Each claim's text and id, verdict, probability, interval and hinges; missing extras.

    The text is shortened with an ellipsis to :data:`CLAIM_TEXT_LIMIT` characters, the id
    (what ``--ids`` takes) below it.
    """
    t = Table(title=title, title_justify="left", show_lines=True)
    t.add_column("claim", ratio=3, overflow="fold")
    t.add_column("verdict", no_wrap=True)
    t.add_column("P", justify="right", no_wrap=True)
    t.add_column("90 % interval", justify="right", no_wrap=True)
    t.add_column("hinges on", ratio=2, overflow="fold")
    for c in claims:
        style = VERDICT_STYLES[c.verdict]
        p = "–" if c.probability is None else f"{c.probability:.2f}"
        ci = "–" if c.interval is None else f"[{c.interval[0]:.2f}, {c.interval[1]:.2f}]"
        hinge = ", ".join(c.hinges_on) if c.hinges_on else ""
        if c.prim:
            hinge = (hinge + "\n" if hinge else "") + c.prim
        if c.reason:
            hinge = c.reason
        elif c.effect and "base_rate" in c.effect:
            hinge = base_rate_note(c.effect)
        # what the design could not resolve belongs beside the hinges it qualifies
        warned = [n for n in c.notes if n.startswith("Sobol (")]
        if warned:
            hinge = (hinge + "\n" if hinge else "") + "\n".join(warned)
        said = (f"{escape(_shorten(c.text, CLAIM_TEXT_LIMIT))}\n[dim]{escape(c.id)}[/]"
                if c.text.strip() else escape(c.id))
        t.add_row(said, f"[{style}]{c.verdict}[/]", p, escape(ci), escape(hinge))
    notes = sorted({n for c in claims for n in c.notes if "not installed" in n})
    return [t, *(f"[dim]{escape(n)}[/]" for n in notes)]


def base_rate_note(effect: Mapping[str, Any]) -> str:
    """Put the model's share beside the base rate, for a claim that compares them."""
    lo, hi = effect["interval"]
    return (f"model {effect['model']:.2f} vs base rate {effect['base_rate']:.2f} "
            f"[{lo:.2f}–{hi:.2f}] of {effect['n_wars']} wars that had lasted "
            f"{effect['lasted_days']:g} days (gap {effect['gap']:+.2f})")


# --------------------------------------------------------------------------- analyses
def sensitivity_table(indices: pd.DataFrame, *, title: str, top: int) -> list[RenderableType]:
    """Show the ``top`` rows of sensitivity indices, and how many were left out."""
    t = Table(title=title, title_justify="left")
    t.add_column("parameter")
    for col in indices.columns:
        t.add_column(str(col), justify="right")
    for name, row in indices.head(top).iterrows():
        t.add_row(str(name), *(f"{float(v):.3g}" for v in row.values))
    out: list[RenderableType] = [t]
    if len(indices) > top:
        out.append(f"[dim]{len(indices) - top} more parameters (--top to show them, --json "
                   "for all)[/]")
    return out


def law_fit_table(fit: LanchesterFit) -> list[RenderableType]:
    """Show a fitted attrition law: coefficients with intervals, then the goodness of fit."""
    # detente.analysis needs numpy; this module stays free of it for the command line
    from detente.analysis import LAWS

    law = LAWS[str(fit.law)]
    t = Table(title=f"{law.name} law ({law.equations}) fitted by {fit.method} to "
                    f"{fit.data_.name}", title_justify="left")
    t.add_column("coefficient")
    t.add_column("estimate", justify="right")
    t.add_column(f"{fit.level:.0%} interval", justify="right")
    for k, v in fit.params_.items():
        lo, hi = fit.interval_[k]
        t.add_row(k, f"{v:.4g}", f"[{lo:.4g}, {hi:.4g}]" if lo == lo else "–")
    return [t, f"R² {fit.r2_:.3f}   RMSE {fit.rmse_:.4g}   AIC {fit.aic_:.1f}   "
               f"({fit.n_obs_} observations; {len(fit.bootstrap_)} bootstrap replicates)"]


def law_comparison_table(cmp: LawComparison, *, source: str, n_rows: int) -> Table:
    """Every attrition law fitted to one series, ranked by AIC."""
    t = Table(title=f"laws fitted by {cmp.method} to {source} ({n_rows} rows); best: "
                    f"[bold]{cmp.best_}[/]", title_justify="left")
    for col in ("law", "params", "R²", "RMSE", "AIC", "ΔAIC", "weight"):
        t.add_column(col, justify="left" if col in ("law", "params") else "right")
    for row in cmp.table_.itertuples(index=False):
        f = cmp.fits_[str(row.law)]
        params = ", ".join(f"{k}={v:.3g}" for k, v in f.params_.items())
        t.add_row(str(row.law), params, f"{row.r2:.3f}", fmt_compact(float(row.rmse)),
                  f"{row.aic:.1f}", f"{row.delta_aic:.1f}", f"{row.weight:.2f}")
    return t


def calibration_table(cal: Calibrator, names: Sequence[str]) -> list[RenderableType]:
    """Return the posterior beside the prior, the generations, and the fit gained."""
    d = cal.diagnostics_
    how = ("ABC-SMC" if cal.method_ == "smc" else "ABC rejection"
           + (" + regression adjustment" if cal.adjusted_ else ""))
    since = f" from {d['origin']}" if d["origin"] else ""
    params = Table(title=f"calibrated {', '.join(names)}{since} by {how}: "
                         f"{d['particles']} particles", title_justify="left")
    for col in ("parameter", "prior median [5–95 %]", "posterior median [5–95 %]",
                "sd posterior / prior"):
        params.add_column(col, justify="left" if col == "parameter" else "right")
    for row in cal.posterior_.to_dict(orient="records"):
        ratio = row["accepted_sd"] / row["prior_sd"] if row["prior_sd"] > 0 else math.nan
        params.add_row(
            str(row["param"]),
            f"{row['prior_q50']:.4g} [{row['prior_q05']:.4g}, {row['prior_q95']:.4g}]",
            f"{row['accepted_q50']:.4g} [{row['accepted_q05']:.4g}, "
            f"{row['accepted_q95']:.4g}]",
            "–" if ratio != ratio else f"{ratio:.2f}")
    gens = Table(title="generations", title_justify="left")
    for col in ("generation", "threshold", "acceptance", "simulations",
                "effective sample size"):
        gens.add_column(col, justify="right")
    for g in cal.generations_:
        gens.add_row(str(g.index + 1), f"{g.threshold:.3g}", f"{g.accept_rate:.1%}",
                     f"{g.n_sim:,}", f"{g.ess:.0f} of {d['particles']}")
    f = cal.fit_
    line = (f"{d['simulations']:,} simulations in {d['engine_calls']} engine runs "
            f"(prior ensemble: {d['prior_samples']:,}); distance (RMS error in prior sds): "
            f"median {f['distance_prior_median']:.3g} (prior) -> "
            f"{f['distance_accepted_median']:.3g} (posterior); "
            f"{round(100 * d['band'])} % band coverage of the observations "
            f"{f['coverage_prior']:.0%} -> {f['coverage_accepted']:.0%}")
    return [params, gens, line]


def _share(x: float) -> str:
    return "–" if x != x else f"{x:.0%}"


def _skill(x: float) -> str:
    return "–" if x != x else f"{x:+.2f}"


def _fixed3(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def _baseline_cell(score: str, summary: Mapping[str, Any], name: str) -> str:
    """Write a baseline's score, the model's skill against it, and its points if fewer."""
    b = summary["baselines"][name]
    if not b["n"]:
        return "–"
    fewer = f" [dim]on {b['n']}[/]" if b["n"] < summary["n"] else ""
    return f"{score} ({_skill(b['skill'])}){fewer}"


def _backtest_rows(bt: Backtest, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(variable, source label, summary) of one kind: every source together, then each."""
    rows = []
    for var, entry in bt.scores_.items():
        if entry["kind"] != kind:
            continue
        sources = entry["sources"]
        rows.append((var, "all" if len(sources) > 1 else (next(iter(sources)) or "–"), entry))
        if len(sources) > 1:
            rows += [(var, src or "(unnamed)", s) for src, s in sources.items()]
    return rows


def backtest_table(bt: Backtest, *, n_samples: int) -> list[RenderableType]:
    """Scores of a backtest beside the baselines, and how to read them.

    A table of the continuous variables (coverage of each band with its interval, CRPS and
    the baselines' CRPS with the model's skill against them, the PIT histogram), one of the
    0/1 variables (Brier and log scores, the baselines' Brier with skill), a reliability
    table per 0/1 variable, and notes: what was left out, and how to read the scores. A
    variable with several sources has a row for all of them together, then one per source.
    """
    from detente.analysis.backtest import BASELINES

    tags = [f"{100 * lv:.10g}" for lv in bt.levels]
    out: list[RenderableType] = [
        f"[bold]backtest of {bt.results_.ds.attrs['scenario']}[/] under policy "
        f"'{bt.policy_}' ({n_samples} samples), from {bt.results_.ds.attrs['start']}"]
    cont = _backtest_rows(bt, "continuous")
    if cont:
        t = Table(title="continuous variables: coverage \\[interval], CRPS, baselines",
                  title_justify="left")
        t.add_column("variable")
        t.add_column("source")
        t.add_column("n (eff.)", justify="right")
        for tag in tags:
            t.add_column(f"{tag} %", justify="right")
        t.add_column("CRPS", justify="right")
        for name in BASELINES:
            t.add_column(f"{name} CRPS (skill)", justify="right")
        t.add_column("PIT histogram")
        for var, src, s in cont:
            hist = [float(h) for h in s["pit_hist"]]
            top = max([*hist, 1.0])
            spark = "".join(_SPARK[round(h / top * (len(_SPARK) - 1))] for h in hist)
            cov = [f"{_share(c['share'])} [{_share(c['low'])}–{_share(c['high'])}]"
                   for c in (s["coverage"][tag] for tag in tags)]
            base = [_baseline_cell(fmt_compact(s["baselines"][b]["crps"]), s, b)
                    for b in BASELINES]
            t.add_row(escape(var), escape(src), f"{s['n']} ({s['n_eff']:.3g})", *cov,
                      fmt_compact(s["crps"]), *base, spark)
        out.append(t)
    binary = _backtest_rows(bt, "binary")
    if binary:
        t = Table(title="0/1 variables: Brier and log scores, baselines",
                  title_justify="left")
        for col in ("variable", "source", "n", "Brier", "log",
                    *(f"{b} Brier (skill)" for b in BASELINES)):
            t.add_column(col, justify="left" if col in ("variable", "source") else "right")
        for var, src, s in binary:
            t.add_row(escape(var), escape(src), str(s["n"]), _fixed3(s["brier"]),
                      _fixed3(s["log"]),
                      *(_baseline_cell(_fixed3(s["baselines"][b]["brier"]), s, b)
                        for b in BASELINES))
        out.append(t)
        for var, entry in bt.scores_.items():
            if entry["kind"] != "binary":
                continue
            r = Table("forecast bin", "mean forecast", "observed share", "n",
                      title=f"reliability of {escape(var)}", title_justify="left")
            for row in entry["reliability"]:
                if row["n"]:
                    r.add_row(f"{row['low']:.1f}–{row['high']:.1f}", f"{row['p_mean']:.2f}",
                              f"{row['observed_freq']:.2f}", str(row["n"]))
            out.append(r)
    rows = cont + binary
    if any(s["baselines"][b]["n"] < s["n"] for _, _, s in rows for b in BASELINES):
        out.append("a baseline needs its series' value on or before the start: \"–\" where "
                   "none was given; \"on k\": scored, and the model's skill measured, on the "
                   "k points that have one.")
    ex = bt.excluded_
    if ex.start_anchor or ex.before_start:
        out.append(f"not scored: {ex.start_anchor} observation(s) on the start (inside every "
                   f"band by construction) and {ex.before_start} before it; they only give "
                   "the baselines' origin value and trend.")
    out.append(
        f"coverage: share of observations inside the central band (calibrated: about "
        f"{'/'.join(tags)} %), with its {bt.confidence:.0%} interval for the effective number "
        "of points (n (eff.): consecutive points of a series are correlated); CRPS in the "
        "variable's unit, lower is better; skill = 1 − model / baseline (above 0: the model "
        "beats the baseline); PIT flat when calibrated. Brier and log: lower is better.")
    return out


# --------------------------------------------------------------------------- files, stores
def scenarios_table(scenarios: Iterable[tuple[str, Scenario]]) -> Table:
    """Name, title, steps and policies of each ``(name, scenario)``."""
    t = Table("name", "title", "steps", "policies")
    for name, sc in scenarios:
        t.add_row(name, sc.title, f"{sc.time.horizon_steps} × {sc.time.step_days:g} d",
                  ", ".join(sc.policies))
    return t


def runs_table(rows: Iterable[Mapping[str, Any]], *, store: str) -> Table:
    """List the catalogue of a run store, one row per run."""
    t = Table("id", "scenario", "hash", "seed", "samples", "blocks", "status", "created",
              "version", title=f"runs in {store}", title_justify="left")
    for r in rows:
        t.add_row(r["id"], r["scenario"], r["scenario_hash"], r["seed"], str(r["n_samples"]),
                  f"{r['blocks_done']}/{r['n_blocks']}", r["status"], str(r["created"]),
                  r["detente_version"])
    return t


def run_outcomes_table(rows: Iterable[Mapping[str, Any]], *, run_id: str,
                       n_samples: int) -> Table:
    """Show a stored run's outcomes at the horizon: median and 10–90 % band per policy.

    A row's ``units`` (when given) says the unit the numbers are shown in
    (:func:`shown_unit`: per cent for fractions, thousands for people and munitions).
    """
    t = Table("policy", "variable", "unit", "at the horizon: median [10–90 %]",
              title=f"run {run_id}: {n_samples} samples", title_justify="left")
    for r in rows:
        unit = str(r.get("units") or "")
        band = (_band(r["median"], r["low"], r["high"]) if not unit else
                f"{fmt_value(r['median'], unit)} {_range(r['low'], r['high'], unit)}")
        t.add_row(escape(str(r["policy"])), escape(str(r["variable"])),
                  escape(shown_unit(unit)), band)
    return t
