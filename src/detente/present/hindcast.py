"""How a hindcast reads: scores per lead and variable beside the baselines, and hindsight.

:func:`hindcast_table` lays out a fitted :class:`~detente.analysis.hindcast.Hindcast` for
the terminal (rich), :func:`hindcast_markdown` as Markdown for documents
(``docs/validation.md`` carries its output verbatim). Both show, per lead and variable
(and per source when a variable has several): the number of points and their effective
number, the coverage of each central band with its binomial interval, the CRPS of the
model and of the persistence and trend baselines with the model's skill against each; for
a 0/1 variable the Brier and log scores, the baselines' Brier scores and skill, and the
reliability table; and, per origin, the days of hindsight its calibration carries and how
its state was set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from detente.analysis.scores import level_tag
from detente.present.style import fmt_compact

if TYPE_CHECKING:
    from rich.console import RenderableType

    from detente.analysis.hindcast import Hindcast

__all__ = ["hindcast_markdown", "hindcast_rows", "hindcast_table", "origins_rows"]

#: Blocks of a PIT histogram, emptiest first.
_SPARK = " ▁▂▃▄▅▆▇█"
#: Columns of the continuous scores.
_CONTINUOUS = ("lead", "variable", "n", "n eff")
_SCORES = ("CRPS", "persistence", "skill", "trend", "skill", "PIT")
#: How to read the numbers, under every table.
READING = (
    "coverage: share of points inside the central band, with its 95 % interval (in "
    "percent) for the effective number of points; calibrated: about 50/80/95 %. CRPS in "
    "the variable's unit, lower is better; a baseline's CRPS is its absolute error; skill = 1 - "
    "CRPS(model) / CRPS(baseline): above 0 the model beats the baseline. Points from "
    "nearby origins overlap and are not independent: 'n eff' is what they are worth, at "
    "most. PIT: the histogram of where each observation falls in its ensemble (10 bins "
    "from 0 to 1): flat when calibrated, piled at 0 when the record runs below the "
    "forecasts, at 1 when above, at both ends when the bands are too narrow.")


def _pct(x: float) -> str:
    return "–" if x != x else f"{x:.0%}"


def _coverage(c: Mapping[str, float]) -> str:
    return f"{_pct(c['share'])} [{_pct(c['low'])}–{_pct(c['high'])}]"


def _bounds(c: Mapping[str, float]) -> str:
    """``10–90``: an interval of shares in percent, without the signs (narrow cells)."""
    return "–" if c["low"] != c["low"] else f"{c['low']:.0%}–{c['high']:.0%}".replace("%", "")


def _skill(x: float) -> str:
    return "–" if x != x else f"{x:+.2f}"


def _spark(hist: Sequence[float]) -> str:
    top = max(max(hist, default=0.0), 1.0)
    return "".join(_SPARK[round(h / top * (len(_SPARK) - 1))] for h in hist)


def _counts(hist: Sequence[float]) -> str:
    return " ".join(f"{int(h)}" for h in hist)


def _label(var: str, source: str) -> str:
    return f"{var} ({source})" if source else var


def _entries(hc: Hindcast) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(lead, variable, source label, summary) rows: each variable, then its sources."""
    out: list[tuple[int, str, str, dict[str, Any]]] = []
    for lead, per in hc.scores_.items():
        for var, s in per.items():
            sources = s["sources"]
            if len(sources) == 1:
                out.append((lead, var, next(iter(sources)), s))
                continue
            out.append((lead, var, "all sources", s))
            out += [(lead, var, src or "unnamed", sub) for src, sub in sources.items()]
    return out


def hindcast_rows(hc: Hindcast, *, spark: bool = True
                  ) -> tuple[list[str], list[list[str]], list[str], list[list[str]]]:
    """Cells of the score tables: continuous header and rows, then binary header and rows.

    The PIT histogram is drawn in blocks (``spark``) or written as counts per bin.
    """
    tags = [level_tag(lv) for lv in hc.levels]
    cont_head = [*_CONTINUOUS, *(f"{tag} %" for tag in tags), *_SCORES]
    bin_head = ["lead", "variable", "n", "Brier", "log", "persistence", "skill", "trend",
                "skill", "reliability (forecast → observed, n)"]
    cont, binary = [], []
    for lead, var, src, s in _entries(hc):
        base = s["baselines"]
        if s["kind"] == "binary":
            rel = "; ".join(f"{r['p_mean']:.2f}→{r['observed_freq']:.2f} ({r['n']})"
                            for r in s["reliability"] if r["n"])
            binary.append([f"{lead}", _label(var, src), str(s["n"]), f"{s['brier']:.3f}",
                           f"{s['log']:.3f}", f"{base['persistence']['brier']:.3f}",
                           _skill(base["persistence"]["skill"]),
                           f"{base['trend']['brier']:.3f}", _skill(base["trend"]["skill"]),
                           rel or "–"])
            continue
        cov = s["coverage"]
        cont.append([f"{lead}", _label(var, src), str(s["n"]), f"{s['n_eff']:.1f}",
                     *(_coverage(cov[tag]) for tag in tags), fmt_compact(s["crps"]),
                     fmt_compact(base["persistence"]["crps"]),
                     _skill(base["persistence"]["skill"]), fmt_compact(base["trend"]["crps"]),
                     _skill(base["trend"]["skill"]),
                     _spark(s["pit_hist"]) if spark else _counts(s["pit_hist"])])
    return cont_head, cont, bin_head, binary


def origins_rows(hc: Hindcast) -> tuple[list[str], list[list[str]]]:
    """Cells of the per-origin table: hindsight, the observed state, what was widened."""
    head = ["origin", "calibration as of", "hindsight (days)", "state from the record",
            "widened priors"]
    # the war's recorded events, where the scenario has any: which each origin knew
    recorded = any(o.get("record_events") for o in hc.origins_)
    if recorded:
        head.append("events of the record known")
    rows = []
    for o in hc.origins_:
        observed = ", ".join(
            f"{n} = {fmt_compact(float(v['value']))}"
            + ("" if v["date"] == o["origin"] else f" ({v['date']})")
            for n, v in o["observed"].items()) or "none"
        row = [str(o["origin"]), str(o["as_of"]), str(max(o["hindsight_days"], 0)),
               observed, str(len(o["widened"]))]
        if recorded:
            row.append(", ".join(n for n, k in o.get("record_events", {}).items() if k)
                       or "none")
        rows.append(row)
    return head, rows


def _heading(hc: Hindcast) -> str:
    origins = [o["origin"] for o in hc.origins_]
    span = f"{origins[0]} to {origins[-1]}" if len(origins) > 1 else str(origins[0])
    leads = ", ".join(str(lead) for lead in hc.leads_)
    n = f"{len(origins)} origin{'s' if len(origins) != 1 else ''}"
    return (f"hindcast of {hc.scenario_} under policy '{hc.policy_}': {n} ({span}), leads "
            f"{leads} months, {hc.n_samples} samples per origin; record {hc.record_}")


def _hindsight(hc: Hindcast) -> str:
    days = [o["hindsight_days"] for o in hc.origins_ if o["hindsight_days"] > 0]
    if not days:
        return ("No hindsight: every origin is on or after the date the scenario's "
                "calibration describes.")
    as_of = hc.origins_[0]["as_of"]
    return (f"Hindsight: every parameter but the state keeps the scenario's calibration as "
            f"of {as_of}, {min(days)} to {max(days)} days after the origins it is run from: "
            "what happened after an origin may have shaped it, so these scores flatter the "
            "model. The state is taken from the record where it observes it; the rest of "
            f"the state's priors are widened (widen = {hc.widen:g} per year).")


def _excluded(hc: Hindcast) -> str:
    if not hc.excluded_:
        return "Every (origin, lead, series) point was scored."
    reasons: dict[str, int] = {}
    for e in hc.excluded_:
        reasons[e["reason"]] = reasons.get(e["reason"], 0) + 1
    listed = "; ".join(f"{n} {r}" for r, n in reasons.items())
    return f"Not scored: {listed}."


def _series_tables(hc: Hindcast) -> list[RenderableType]:
    """One table per series, leads as rows, narrow enough for 80 columns.

    Each cell holds its number over its qualifier: a coverage over its interval, a
    baseline's CRPS over the model's skill against it.
    """
    from rich import box

    tags = [level_tag(lv) for lv in hc.levels]
    by_series: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for lead, var, src, s in _entries(hc):
        by_series.setdefault(_label(var, src), []).append((lead, s))
    tables: list[RenderableType] = []
    for label, rows in by_series.items():
        binary = rows[0][1]["kind"] == "binary"
        t = Table(title=escape(label), title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
        scores = ("Brier", "log") if binary else (*(f"{tag} %" for tag in tags), "CRPS")
        last = "reliability\n(forecast → observed, n)" if binary else "PIT"
        for col in ("lead", "n" if binary else "n\n(eff)", *scores, "persist.\n(skill)",
                    "trend\n(skill)", last):
            t.add_column(col, justify="left" if col == last else "right",
                         no_wrap=col != last)
        score = "brier" if binary else "crps"
        for lead, s in rows:
            base = s["baselines"]
            if binary:
                cells = [f"{s['n']}", f"{s['brier']:.3f}", f"{s['log']:.3f}"]
                tail = "; ".join(f"{r['p_mean']:.2f}→{r['observed_freq']:.2f} ({r['n']})"
                                 for r in s["reliability"] if r["n"]) or "–"
            else:
                cov = s["coverage"]
                cells = [f"{s['n']}\n({s['n_eff']:.1f})",
                         *(f"{_pct(cov[tag]['share'])}\n{_bounds(cov[tag])}" for tag in tags),
                         fmt_compact(s["crps"])]
                tail = _spark(s["pit_hist"])
            t.add_row(f"{lead}", *cells,
                      *(f"{_number(base[b][score], binary)}\n{_skill(base[b]['skill'])}"
                        for b in ("persistence", "trend")), tail)
        tables.append(t)
    return tables


def _number(x: float, binary: bool) -> str:
    return f"{x:.3f}" if binary else fmt_compact(x)


def hindcast_table(hc: Hindcast) -> list[RenderableType]:
    """Build the terminal view of a fitted hindcast: heading, score tables, origins, notes.

    Scores come one table per series (its leads as rows: coverage, CRPS and PIT for a
    continuous variable, Brier, log and reliability for a 0/1 one, beside the baselines);
    then the origins and how to read it all.
    """
    from rich import box

    out: list[RenderableType] = [escape(_heading(hc)), *_series_tables(hc)]
    o_head, o_rows = origins_rows(hc)
    t = Table(title="origins", title_justify="left", box=box.SIMPLE_HEAD)
    for col in o_head:
        t.add_column(col, justify="left" if col in (o_head[0], o_head[3]) else "right")
    for row in o_rows:
        t.add_row(*(escape(c) for c in row))
    out += [t, escape(READING), escape(_hindsight(hc)), escape(_excluded(hc))]
    return out


def _markdown_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cells(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"

    right = ["---:" if h not in ("variable", "origin", "state from the record", "PIT",
                                 "events of the record known")
             and not h.startswith("reliability") else "---" for h in head]
    return [cells(head), "|" + "|".join(right) + "|", *(cells(r) for r in rows)]


def hindcast_markdown(hc: Hindcast) -> str:
    """Return the hindcast as Markdown: the heading, the score tables, origins and notes."""
    cont_head, cont, bin_head, binary = hindcast_rows(hc, spark=False)
    lines = [_heading(hc), ""]
    if cont:
        lines += [*_markdown_table(cont_head, cont), ""]
    if binary:
        lines += [*_markdown_table(bin_head, binary), ""]
    o_head, o_rows = origins_rows(hc)
    lines += [*_markdown_table(o_head, o_rows), "", READING, "", _hindsight(hc), "",
              _excluded(hc)]
    return "\n".join(lines) + "\n"
