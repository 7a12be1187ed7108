"""Terminal tables (rich) of runs, comparisons, claims, sensitivity, fits and run stores.

Each builder takes results or fitted estimators and returns what the terminal shows, in
order: rich tables, and lines of text written in rich's markup. The command line prints
them; tests render them on a fixed-width ``rich.console.Console``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from detente.present.style import (
    VERDICT_STYLES,
    display_scale,
    fmt_compact,
    fmt_percent,
    unit_label,
)

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import RenderableType

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
    "backtest_table", "base_rate_note", "calibration_table", "claims_table", "comparison_tables",
    "law_comparison_table", "law_fit_table", "outside_view_tables", "run_outcomes_table",
    "runs_table",
    "scenarios_table", "sensitivity_table", "summary_tables",
]

#: Blocks of a PIT histogram, emptiest first.
_SPARK = " ▁▂▃▄▅▆▇█"


def _band(median: float, low: float, high: float) -> str:
    return f"{fmt_compact(median)} [{fmt_compact(low)}–{fmt_compact(high)}]"


# --------------------------------------------------------------------------- ensembles
def summary_tables(res: Results, months: Sequence[float], *,
                   labels: Labels | None = None) -> list[RenderableType]:
    """Build a heading and one table per policy: median and 10–90 % band at ``months``.

    Rows are the key outputs (:data:`~detente.results.KEY_OUTPUTS`) for every side that has
    them, each labelled as the scenario names it ("Blue — front-line personnel"); a variable
    that keeps one value throughout (its mechanism off for that side) is left out.

    Parameters
    ----------
    res : Results
        The ensemble.
    months : sequence of float
        Months since the start; those the run does not reach are left out.
    labels : Labels, optional
        The scenario's labels (default: those of the scenario that produced ``res``).
    """
    from detente.present.charts import key_variables
    from detente.present.labels import Labels
    from detente.present.summary import bands_at, drawable
    from detente.results.schema import model_names

    labels = labels if labels is not None else Labels.of_results(res)
    names = [n for n in key_variables(labels, model_names(res.ds)) if drawable(res.ds, n)]
    rows = {(r["policy"], r["month"], r["variable"]): r for r in bands_at(res, months, names)}
    shown = [m for m in months if any(k[1] == m for k in rows)]
    a = res.ds.attrs
    out: list[RenderableType] = [
        f"[bold]{a['scenario_title']}[/] — {a['n_samples']} samples, seed {a['seed']}; "
        "median [10th–90th percentile]"]
    for pol in res.policies:
        body = []
        for name in names:
            unit = labels.unit(name)
            scale = display_scale(unit)
            cells = []
            for m in shown:
                r = rows[pol, m, name]
                cells.append((fmt_compact(scale * r["median"]),
                              f"[{fmt_compact(scale * r['low'])}–"
                              f"{fmt_compact(scale * r['high'])}]"))
            body.append((f"{escape(labels.title(name))}\n[dim]{escape(unit_label(unit))}[/]",
                         cells))
        t = Table(title=f"policy: [bold]{pol}[/]", title_justify="left", show_lines=True)
        t.add_column("variable (units)", ratio=1)
        for j, m in enumerate(shown):
            # the numbers keep their width; the labels wrap when the terminal is narrow
            width = max([len(f"{m:g} months"), *(len(c[j][k]) for _, c in body for k in (0, 1))])
            t.add_column(f"{m:g} months", justify="right", no_wrap=True, min_width=width)
        for head, cells in body:
            t.add_row(head, *(f"{mid}\n[dim]{escape(band)}[/]" for mid, band in cells))
        out.append(t)
    return out


def comparison_tables(data: Mapping[str, Any], outcomes: Iterable[tuple[str, str, str]] = (),
                      *, labels: Labels | None = None,
                      bands: Iterable[Mapping[str, Any]] = ()) -> list[RenderableType]:
    """Policies side by side, differences from the baseline, and the terms of the deals.

    A heading comes first, then the tables.

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
        scaled as their unit is shown.
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

    def label(name: str) -> str:
        if labels is not None and name in labels.variables:
            return f"{labels.title(name)} ({unit_label(labels.unit(name))})"
        if name not in said:
            return name
        units, desc = said[name]
        desc = desc[:1].upper() + desc[1:]
        return f"{desc} ({unit_label(units)})" if units else desc

    t = Table()
    t.add_column("")
    for name in names:
        t.add_column(name, justify="right", no_wrap=True)
    if any(p["p_settlement"] is not None for p in pols.values()):
        for m in meta["months"]:
            key = f"{m:g}"
            t.add_row(f"P(settlement) by {key} months",
                      *[fmt_percent(pols[n]["p_settlement"][key]) if pols[n]["p_settlement"]
                        else "–" for n in names])
        t.add_row("median months to settlement",
                  *[fmt_compact(pols[n]["median_months_to_settlement"])
                    if pols[n]["median_months_to_settlement"] is not None else "–"
                    for n in names])
    if any(pols[n].get("p_escalation") is not None for n in names):
        t.add_row(f"P(escalation) by {m_last} months",
                  *[fmt_percent(pols[n].get("p_escalation")) for n in names])
    shown = list(dict.fromkeys(k for n in names for k in pols[n]["outcomes"]))
    for name in shown:
        cells = []
        for n in names:
            q = pols[n]["outcomes"].get(name)
            cells.append("–" if q is None or q["median"] is None else
                         _band(q["median"], q["low"], q["high"]))
        t.add_row(escape(label(name)), *cells)
    extra: dict[str, dict[str, Mapping[str, Any]]] = {}
    for r in bands:
        if r["variable"] not in shown:
            extra.setdefault(r["variable"], {})[r["policy"]] = r
    for name, by_policy in extra.items():
        scale = display_scale(str(next(iter(by_policy.values()))["units"]))
        cells = ["–" if n not in by_policy or by_policy[n]["median"] != by_policy[n]["median"]
                 else _band(scale * by_policy[n]["median"], scale * by_policy[n]["low"],
                            scale * by_policy[n]["high"]) for n in names]
        units = str(next(iter(by_policy.values()))["units"])
        said.setdefault(name, (units, name))
        t.add_row(escape(label(name)), *cells)
    tables.append(t)

    base = meta["baseline"]
    others = [n for n in names if n != base]
    chances = {"p_settlement": f"P(settlement) by {m_last} months",
               "p_escalation": f"P(escalation) by {m_last} months"}
    if base and others:
        d = Table(title=f"difference from {base} (mean ± Monte Carlo standard error, paired "
                  "by sample)", title_justify="left")
        d.add_column("")
        for n in others:
            d.add_column(n, justify="right")
        for key in pols[others[0]]["vs_baseline"]:
            cells = []
            for n in others:
                e = pols[n]["vs_baseline"][key]
                scale = 100.0 if key.startswith("p_") else 1.0
                unit = " pp" if key.startswith("p_") else ""
                if e["value"] is None:
                    cells.append("–")
                else:
                    se = e["se"] if e["se"] is not None else float("nan")
                    cells.append(f"{fmt_compact(scale * e['value'])} ± "
                                 f"{fmt_compact(scale * se)}{unit}")
            d.add_row(chances.get(key) or escape(label(key)), *cells)
        tables.append(d)

    if any(p.get("terms") for p in pols.values()):
        tt = Table(title="terms of settlements signed (most common level, share of deals)",
                   title_justify="left")
        tt.add_column("dimension")
        for n in names:
            tt.add_column(n, justify="right")
        dims = next(iter(p["terms"] for p in pols.values() if p.get("terms")))
        for dim in dims:
            cells = []
            for n in names:
                shares = (pols[n].get("terms") or {}).get(dim) or {}
                valid = {k: v for k, v in shares.items() if v is not None}
                if not valid:
                    cells.append("–")
                    continue
                top = max(valid, key=lambda k: valid[k])
                cells.append(f"{top} {100 * valid[top]:.0f} %")
            tt.add_row(dim, *cells)
        tables.append(tt)
    if data.get("outside_view"):
        tables.extend(outside_view_tables(data["outside_view"]))
    if data.get("negotiation"):
        from detente.present.negotiation import terms_beside_tables

        tables += terms_beside_tables(data["negotiation"])
    return tables


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


def claims_table(claims: Sequence[ClaimResult], *, title: str) -> list[RenderableType]:
    """Verdict, probability, interval and hinges of each claim; notes on missing extras."""
    t = Table(title=title, title_justify="left", show_lines=True)
    t.add_column("claim")
    t.add_column("verdict")
    t.add_column("P", justify="right")
    t.add_column("90 % interval", justify="right")
    t.add_column("hinges on")
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
        t.add_row(c.id, f"[{style}]{c.verdict}[/]", p, ci, hinge)
    notes = sorted({n for c in claims for n in c.notes if "not installed" in n})
    return [t, *(f"[dim]{n}[/]" for n in notes)]


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
    """Show a stored run's outcomes at the horizon: median and 10–90 % band per policy."""
    t = Table("policy", "variable", "at the horizon: median [10–90 %]",
              title=f"run {run_id}: {n_samples} samples", title_justify="left")
    for r in rows:
        t.add_row(r["policy"], r["variable"], _band(r["median"], r["low"], r["high"]))
    return t
