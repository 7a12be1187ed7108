"""Assemble the HTML report of an ensemble: figures, claims, tornado and assumptions.

The assumptions open with what the scenario may know (a forecast as of a date, or a
reconstruction) and, in a box of their own, every source or value it uses from later with
the reason (``Scenario.hindsight``), which the header also points to.

The report is one self-contained file: Plotly's JavaScript is embedded once in the page's
head, every figure is inline, styles are inline, and nothing is fetched from a network.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from detente._optional import import_optional
from detente._typing import SeedLike
from detente._version import __version__
from detente.analysis import Morris, as_scenario
from detente.analysis.claims import SOBOL_N, Claims, jeffreys_interval
from detente.analysis.compare import compare_summary, deal_issues, outcomes_of
from detente.errors import InputError, MissingDependencyError
from detente.model.bargaining import issues_of
from detente.model.base import owned
from detente.present import figures as figs
from detente.present import rows as table_rows
from detente.present.charts import key_chart_variables, key_charts, key_variables
from detente.present.figures import tornado_figure
from detente.present.labels import Labels
from detente.present.narrative import narrative
from detente.present.record import claim_variables, in_model_order
from detente.present.style import (
    VERDICT_COLOURS,
    display_scale,
    fmt_date,
    fmt_number,
    fmt_percent,
    unit_label,
)
from detente.present.summary import bands_at, drawable
from detente.results.schema import model_names

if TYPE_CHECKING:
    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = [
    "build_report", "check_writable_file", "claims_read", "default_tornado_output",
    "report_record", "report_variables", "write_report",
]

#: Variables the report's settlement and escalation charts read (the terms' come from the
#: deal dimensions).
_OTHER_VARIABLES: tuple[str, ...] = ("months_to_settlement", "settled", "escalated")
#: The tornado's output when none is chosen: the first side's ratio over its enemy, which
#: every war of attrition has.
_TORNADO_BASE = "combat_power_ratio"
Progress = Callable[[str, int, int], None]
HingeKind = Literal["sobol", "prim"]


def report_variables(scenario: Scenario) -> list[str]:
    """Every variable the report's charts and tables read, for ``scenario``'s cast.

    The key outputs for every side (fan charts and the summary), the settlement odds, the
    terms of the deals and the escalation risk; those the scenario's modules do not
    compute are left out.
    """
    labels = Labels.of(scenario)
    wanted = [*key_chart_variables(labels), *key_variables(labels), *_OTHER_VARIABLES,
              *(f"deal_{d.name}" for d in issues_of(scenario.cast))]
    return in_model_order(scenario, wanted)


def default_tornado_output(scenario: Scenario) -> str | None:
    """Return the sensitivity tornado's output when none is chosen (None: there is none).

    The first side's combat-power ratio over its enemy where the model computes it, else
    the first variable the modules record.
    """
    names = [v.name for m in scenario.enabled_modules for v in m.variables]
    first = owned(scenario.cast.sides[0], _TORNADO_BASE)
    if first in names:
        return first
    recorded = [v.name for m in scenario.enabled_modules for v in m.variables if v.record]
    return recorded[0] if recorded else None


def report_record(scenario: Scenario, *, defaults: bool = False) -> list[str]:
    """Variables to record in a run that a report will be built from.

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    defaults : bool
        Also keep the variables the modules record by default (what ``detente run``
        records), so tables and saved results stay as they were.

    Returns
    -------
    list of str
        The charts' variables and those the scenario's claims read, in model order.
    """
    wanted = set(report_variables(scenario)) | set(claim_variables(scenario))
    if defaults:
        wanted |= {v.name for m in scenario.enabled_modules for v in m.variables
                   if v.record}
    return in_model_order(scenario, wanted)


#: What the claims read, by the name the report has always exported (one walker of the
#: claims' expressions serves the report and the dashboard alike).
claims_read = claim_variables


def check_writable_file(path: Path, option: str) -> None:
    """Raise :class:`InputError` unless a file can be written at ``path``.

    Checked before any long computation, so a bad ``-o``/``--pdf`` fails at once.
    """
    if path.exists() and path.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name such as "
                         f"{path / 'report.html'}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"{option} {path}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"{option} {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{option} {path}: cannot write there (permission denied)")


def write_report(html: str, path: str | Path) -> Path:
    """Write ``html`` to ``path`` atomically (a partial file never replaces a good one)."""
    path = Path(path)
    check_writable_file(path, "output")
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc
    return path


@dataclass
class _Section:
    """A figure (as an HTML fragment) with its heading and caption."""

    key: str
    title: str
    html: str
    caption: str = ""


@dataclass
class _Context:
    """Everything the template renders."""

    meta: dict[str, Any]
    contents: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    narrative: list[tuple[str, Any]] = field(default_factory=list)
    overlays: list[_Section] = field(default_factory=list)
    metrics: list[_Section] = field(default_factory=list)
    fans: list[_Section] = field(default_factory=list)
    settlement: _Section | None = None
    terms: _Section | None = None
    escalation: _Section | None = None
    negotiation: dict[str, Any] | None = None
    claims_chart: _Section | None = None
    claims: list[Any] = field(default_factory=list)
    claims_note: str = ""
    #: per claim id: its paired differences and ranking in words, and whether it is a
    #: model assumption; and the list of assumptions (id, text, why)
    claims_detail: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims_assumed: list[tuple[str, str, str]] = field(default_factory=list)
    tornado: _Section | None = None
    tornado_note: str = ""
    headline: dict[str, Any] | None = None
    knowledge: str = ""
    hindsight: list[dict[str, str]] = field(default_factory=list)
    reconstruction: bool = False
    assumptions: list[dict[str, str]] = field(default_factory=list)
    policies: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    outside_view: dict[str, Any] | None = None


def _fig_html(fig: Any, div_id: str) -> str:
    html: str = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                            config={"displaylogo": False, "responsive": True,
                                    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                    "toImageButtonOptions": {"filename": div_id}})
    return html


def _share(p: float | None, n: int) -> tuple[str, str]:
    """Write a share of ``n`` samples and its 90 % Jeffreys interval, as the summary does."""
    if p is None:
        return "–", ""
    lo, hi = jeffreys_interval(round(p * n), n)
    d = 1 if hi < 0.01 else 0  # a rare event's bound is not 0 %
    return fmt_percent(p), f"[{100 * lo:.{d}f}–{fmt_percent(hi, d)}]"


def _topic(name: str) -> str | None:
    """Return the summary's topic of an outcome (:data:`detente.present.narrative.TOPICS`)."""
    base = name.rsplit(".", 1)[-1]
    if base == "territory":
        return "territory"
    if base in ("casualties", "casualties_cum"):
        return "casualties"
    return None


def _headline(res: Results, labels: Labels) -> dict[str, Any] | None:
    """Build the summary table: settlement and escalation odds, then outcomes, per policy.

    Each row has a ``key`` (what its cells' ``data-ref`` name), a ``topic`` (the
    narrative's, or None), its ``text`` and ``unit``, the ``cells`` (a ``(main, band)``
    pair of strings per policy) and the unrounded ``values`` the narrative compares.
    Reads :func:`~detente.analysis.compare.compare`'s dictionary: ``policies`` (each
    ``p_settlement``, ``median_months_to_settlement``, ``p_escalation``, ``outcomes``) and
    ``meta["outcomes"]``.
    """
    months = [m for m in (12.0, 24.0, 36.0) if res.step_at_month(m) is not None]
    if not months:
        months = [round(float(res.ds["month"].values[-1]), 1)]
    data = compare_summary(res, months=months, baseline="__none__", negotiation=False)
    pols = data["policies"]
    n = int(res.ds.sizes["sample"])
    rows: list[dict[str, Any]] = []
    if any(p["p_settlement"] is not None for p in pols.values()):
        for m in months:
            key = f"{m:g}"
            values = [p["p_settlement"][key] if p["p_settlement"] else None
                      for p in pols.values()]
            rows.append({"key": f"settlement-{key}", "kind": "probability",
                         "topic": "settlement" if m == months[-1] else None,
                         "text": f"P(settlement signed by {key} months)", "unit": "",
                         "values": values, "cells": [_share(v, n) for v in values]})
        rows.append({"key": "months-to-settlement", "kind": "number", "topic": None,
                     "text": "median months to settlement", "unit": "", "values": [],
                     "cells": [(fmt_number(p["median_months_to_settlement"])
                                if p["median_months_to_settlement"] is not None
                                else f"> {months[-1]:g}", "") for p in pols.values()]})
    if any(p["p_escalation"] is not None for p in pols.values()):
        values = [p["p_escalation"] for p in pols.values()]
        rows.append({"key": "escalation", "kind": "probability", "topic": "escalation",
                     "text": f"P(escalation to a wider war by {months[-1]:g} months)",
                     "unit": "", "values": values, "cells": [_share(v, n) for v in values]})
    # the comparison's outcomes, then the key outputs of every side that has them
    said = {name: (str(o.get("units", "")), str(o.get("description", name)))
            for name, o in (data["meta"].get("outcomes") or {}).items()}
    compared = list(dict.fromkeys(k for p in pols.values() for k in p["outcomes"]))
    names = [n for n in key_variables(labels, model_names(res.ds))
             if drawable(res.ds, n) and n not in compared]
    bands = {(r["policy"], r["variable"]): r for r in bands_at(res, months[-1:], names)}
    for name in [*compared, *names]:
        if name in labels.variables:
            unit, text = labels.unit(name), labels.title(name)
        else:
            unit, text = said.get(name, ("", name))
            text = text[:1].upper() + text[1:]
        scale = display_scale(unit)
        cells, values = [], []
        for pol in pols:
            q = (pols[pol]["outcomes"].get(name) if name in compared
                 else bands[pol, name])
            empty = q is None or q["median"] is None or q["median"] != q["median"]
            values.append(None if empty else scale * q["median"])
            cells.append(("–", "") if empty else
                          (fmt_number(scale * q["median"]),
                           f"[{fmt_number(scale * q['low'])}–{fmt_number(scale * q['high'])}]"))
        rows.append({"key": name, "kind": "number", "topic": _topic(name), "text": text,
                     "unit": unit_label(unit), "values": values, "cells": cells})
    for row in rows:
        row["label"] = f"{row['text']} ({row['unit']})" if row["unit"] else row["text"]
    return {"policies": list(pols), "rows": rows, "month": f"{months[-1]:g}"}


def _deal_counts(res: Results) -> str:
    import numpy as np

    var = f"deal_{deal_issues(res)[0].name}"  # every deal sets every issue
    if var not in res.ds:
        return ""
    lev = np.asarray(res.ds[var].isel(time=-1).values)
    n = (lev >= 0).sum(axis=1)
    with_deals = [f"{p} {int(k):,}" for p, k in zip(res.policies, n, strict=True) if k]
    without = [p for p, k in zip(res.policies, n, strict=True) if not k]
    text = "Samples with a deal: " + ", ".join(with_deals) + "."
    if without:
        text += f" No deal was signed under {', '.join(without)}."
    return text


def _negotiation(res: Results, sc: Scenario) -> dict[str, Any]:
    """Set the actors' forecasts beside the Nash terms; draw their positions over rounds."""
    from detente.analysis.compare import NEGOTIATION_SAMPLES, negotiation_beside
    from detente.analysis.negotiation import NegotiationForecast
    from detente.present.negotiation import MODEL_TITLES, positions_figure, terms_beside_rows

    nash = {p: e.get("terms") for p, e in
            compare_summary(res, months=[_last_month(res)], baseline="__none__",
                    negotiation=False)["policies"].items()}
    n = min(int(res.ds.sizes["sample"]), NEGOTIATION_SAMPLES)
    nf = NegotiationForecast(n_samples=n, seed=0).fit(sc)
    head, rows = terms_beside_rows(negotiation_beside(sc, nash, forecast=nf))
    fig = positions_figure(nf)
    models = ", ".join(MODEL_TITLES.values())
    return {
        "head": head, "rows": rows,
        "figure": _Section(
            "negotiation-rounds", "Positions over the rounds",
            _fig_html(fig, "fig-negotiation"),
            "Each actor's median position on each issue after each round of the "
            "expected-utility model (0: the issue's first level, 1: its last), over "
            f"{n:,} samples of the actors' uncertain inputs; dashed, the model's forecast "
            "(the median voter position) with its 10th-90th percentile band."),
        "caption": (
            f"The actors' view ({models}; docs/negotiation.md) beside the settlement "
            "model's: each forecast's most common level of each issue over "
            f"{n:,} samples of the actors' inputs, and each policy's most common level "
            "among the deals signed by the end of the run (its Nash terms)."),
        "actors": [{"name": a.name, "party": sc.name_of(a.party), "role": a.role}
                   for a in sc.actors.values()],
    }


def _last_month(res: Results) -> float:
    return float(res.ds["month"].values[-1])


def _run_claims(sc: Scenario, res: Results, *, hinges: Sequence[HingeKind], sobol_n: int,
                seed: SeedLike, processes: int, progress: Progress | None,
                ) -> tuple[Claims | None, str]:
    if not sc.claims:
        return None, (f"The scenario '{sc.name}' states no claims, so there are no verdicts "
                      "to show. Add a 'claims' section to test an argument's statements.")
    # the base-rate claims too, as `detente claims` judges them by default
    ev = Claims(hinges=tuple(hinges), sobol_n=sobol_n, processes=processes,
                outside_view="on")
    ev.fit(sc, res, seed=seed, horizon=int(res.ds.sizes["time"]) - 1, progress=progress)
    note = ""
    if not hinges:
        note = "What each verdict hinges on was not computed for this report (--hinges none)."
    return ev, note


def _claims_detail(fitted: Claims) -> tuple[dict[str, dict[str, Any]],
                                              list[tuple[str, str, str]]]:
    """Each claim's paired differences and ranking in words; the claims that are assumptions.

    A contrast between policies is shown as the per-sample difference (its median and the
    range of the central 90 % of samples), never as two probabilities side by side.
    """
    from detente.analysis.claims import difference_text

    detail: dict[str, dict[str, Any]] = {}
    assumed: list[tuple[str, str, str]] = []
    for c in fitted.claims_:
        ranking = ""
        if c.ranking:
            ranking = ", ".join(f"{o} {100 * p:.0f} %" for o, p in list(c.ranking.items())[:6])
        detail[c.id] = {"differences": [difference_text(d) for d in c.differences],
                        "ranking": ranking, "assumption": c.assumption or "",
                        "modal": c.modal or ""}
        if c.assumption:
            assumed.append((c.id, c.text, c.assumption))
    return detail, assumed


def _run_tornado(sc: Scenario, res: Results, *, output: str, policy: str | None,
                 trajectories: int, seed: SeedLike,
                 progress: Progress | None) -> tuple[_Section | None, str]:
    pol = policy or res.policies[0]
    if pol not in sc.policies:
        raise InputError(f"tornado_policy: unknown policy '{pol}'; the scenario has "
                         f"{', '.join(sc.policies)}")
    try:
        est = Morris(n_trajectories=trajectories, seed=seed)
        cb = (lambda d, t: progress("tornado", d, t)) if progress else None
        est.fit(sc, output, policy=pol, horizon=int(res.ds.sizes["time"]) - 1, at="end",
                progress=cb)
    except MissingDependencyError as exc:
        return None, f"The sensitivity tornado needs SALib: {exc}"
    labels = Labels.of(sc)
    unit = "output units"
    if output in labels.variables:
        unit = unit_label(labels.unit(output))
    elif output in sc.table:
        unit = sc.table[output].unit
    fig = tornado_figure(est.indices_, output=output, unit=unit)
    d = len(est.names_)
    end = str(res.ds["time"].values[-1])[:10]
    conv = est.convergence_
    head = ", ".join(conv.top)
    verdict = (f"The top {len(conv.top)} ({head}) are resolved: their intervals do not "
               "overlap." if conv.converged else
               f"Read the order as provisional: {'; '.join(conv.problems)}. More "
               "trajectories (--tornado-trajectories) narrow the intervals.")
    caption = (f"Morris elementary effects of {output} on {fmt_date(end)} under {pol}: "
               f"{trajectories} trajectories over {d} uncertain parameters ({est.y_.size} "
               "model runs). A bar is the mean change in the output when the parameter "
               "moves from its 12.5th to its 87.5th percentile, the others held: to the "
               "right the output rises, to the left it falls; its whisker is the "
               f"{est.conf_level:.0%} bootstrap interval on the mean absolute effect, and "
               "each label gives the ranks the parameter could hold given every interval. "
               "The 15 parameters with the largest mean absolute effect are shown. "
               f"{verdict}")
    what = labels.title(output) if output in labels.variables else output
    return _Section("tornado", f"What moves {what}", _fig_html(fig, "fig-tornado"),
                    caption), ""


def _outside_view(sc: Scenario, results: Results, *, skill: Literal["auto", "none"],
                  seed: SeedLike) -> dict[str, Any] | None:
    """Build the outside view's section: base rates beside the policies, forecast skill.

    None when the scenario does not say when its war began. With ``skill="auto"`` the
    model is scored on the shipped questions when its bundled record covers them (a small
    ensemble from each question's opening), for the reliability diagram.
    """
    from detente.analysis.outside_view.beside import beside, scenario_base_rates, settlement_odds

    if sc.time.war_began is None:
        return None
    view: dict[str, Any] = {"beside": None, "note": "", "skill": None, "reliability": None}
    try:
        base = scenario_base_rates(sc)
    except (MissingDependencyError, InputError) as exc:
        view["note"] = f"The outside view is not shown: {exc}"
        return view
    assert base is not None  # the scenario says when its war began
    months = [m for m in (12.0, 24.0, 36.0) if results.step_at_month(m) is not None]
    odds = settlement_odds(results, months)
    view["beside"] = beside(base, odds or {}, months=(12, 24, 36))
    if skill == "auto":
        view.update(_forecast_skill(sc, seed))
    return view


def _forecast_skill(sc: Scenario, seed: SeedLike) -> dict[str, Any]:
    """Scores of the model, the crowd and the base rate on the shipped questions."""
    from detente.analysis.outside_view.skill import ForecastSkill
    from detente.present.outside_view import reliability_figure

    try:
        fs = ForecastSkill(n_samples=REPORT_SKILL_SAMPLES, seed=seed).fit(sc)
    except InputError:
        return {}  # no record, or no question its record covers: nothing to score
    rows = [{"forecast": name.replace("_", " "), "n": fs.scores_[name]["n"],
             "brier": f"{fs.scores_[name]['brier']:.3f}", "log": f"{fs.scores_[name]['log']:.3f}",
             "skill_brier": "" if name == "model" else
             f"{fs.scores_['skill'][name]['brier']:.2f}",
             "skill_log": "" if name == "model" else f"{fs.scores_['skill'][name]['log']:.2f}"}
            for name in ("model", "crowd", "base_rate")]
    fig = reliability_figure(fs.reliability_)
    caption = (f"Reliability of the forecasts of the {fs.n_mapped_} resolved questions (of "
               f"{fs.n_questions_}) that map to the model's outputs, from "
               f"{fs.questions_name_}: the mean forecast against the share that resolved Yes, "
               "in five bins per forecast (marker size: questions in the bin); a reliable "
               "forecast lies on the diagonal. " + " ".join(fs.notes_))
    return {"skill": rows, "skill_policy": fs.policy_,
            "reliability": _Section("reliability", "Forecast skill on resolved questions",
                                    _fig_html(fig, "fig-reliability"), caption)}


def _overlays(res: Results, labels: Labels) -> list[_Section]:
    """Every policy on one axis, median and 50 % band, for each headline outcome.

    The outcomes are the comparison's (:func:`~detente.analysis.compare.outcomes_of`:
    territory, casualties of all sides, reconstruction, viability) that the run records
    and that vary; the settlement and escalation odds are overlaid in their own sections.
    """
    import numpy as np

    from detente.model.base import owned as owned_name
    from detente.present.style import policy_colour
    from detente.results.schema import has, select

    dates = [str(d)[:10] for d in res.ds["time"].values]
    colours = [policy_colour(i) for i in range(len(res.policies))]
    out = []
    for name, (unit, desc) in outcomes_of(res).items():
        if name == "casualties":  # every side's, summed, as the comparison does
            parts = [owned_name(x, "casualties_cum") for x in labels.sides]
            if not all(has(res.ds, p) for p in parts):
                continue
            values = sum(np.asarray(select(res.ds, p).values, dtype=np.float64)
                         for p in parts)
            title = desc[:1].upper() + desc[1:]
        elif name in labels.variables and has(res.ds, name) and drawable(res.ds, name):
            values = np.asarray(select(res.ds, name).values, dtype=np.float64)
            title = labels.heading(name)
        else:
            continue
        q = figs.fan_quantiles(np.asarray(values, dtype=np.float64))
        del values
        if not np.isfinite(q).any() or np.nanmin(q) == np.nanmax(q):
            continue
        fig = figs.overlay_fan_figure(q, dates=dates, policies=res.policies,
                                      colours=colours, label=title, unit=unit_label(unit),
                                      scale=display_scale(unit), bands=(0.5,))
        key = f"overlay-{name.replace('.', '-')}"
        out.append(_Section(key, title, _fig_html(fig, f"fig-{key}"),
                            "Every policy on one axis: the median over samples (line) and "
                            "the central 50 % (shading). Every policy sees the same "
                            "samples, so a gap between two lines is the policies' effect, "
                            "not noise."))
    return out


def _leaves(test: Any) -> list[Any]:
    kids = getattr(test, "of", None)
    if kids is None:
        return [test]
    return [leaf for t in kids for leaf in _leaves(t)]


def _metric_panel(leaf: Any, res: Results, default_policy: str) -> dict[str, Any] | None:
    """One part of a claim's test with a numeric threshold: its metric per sample.

    A comparison with a threshold reads the metric; a difference reads the policy's
    metric less the other's (threshold ``by``); a change reads the metric's ratio to its
    value at the reference time (threshold ``factor``), where that value is positive in
    every sample. None for a part without a numeric threshold (an event, a comparison
    with another policy).
    """
    import numpy as np

    from detente.analysis.sensitivity import sensitivity_output

    kind = getattr(leaf, "kind", None)
    if kind not in ("compare", "difference", "change"):
        return None
    if kind == "compare" and leaf.threshold is None:
        return None
    pol = getattr(leaf, "policy", None) or default_policy

    def read(policy: str, at: Any = None) -> Any:
        if at is not None:
            fn = sensitivity_output(leaf.metric, policy=policy, at=at)
        elif leaf.at is not None:
            fn = sensitivity_output(leaf.metric, policy=policy, at=leaf.at)
        else:
            fn = sensitivity_output(leaf.metric, policy=policy, over=leaf.over,
                                    reduce=leaf.reduce)
        return np.asarray(fn(res), dtype=np.float64)

    when = f"at {leaf.at}" if leaf.at is not None else (
        f"{leaf.reduce} over {leaf.over[0]}..{leaf.over[1]}")
    try:
        if kind == "compare":
            values, threshold = read(pol), float(leaf.threshold)
            title = f"[{pol}] {leaf.metric} {when} {leaf.op} {threshold:g}"
            axis = leaf.metric
        elif kind == "difference":
            values = read(leaf.policy) - read(leaf.versus)
            threshold = float(leaf.by)
            title = (f"{leaf.metric} {when}: {leaf.policy} minus {leaf.versus} {leaf.op} "
                     f"{threshold:g}")
            axis = f"{leaf.policy} minus {leaf.versus}"
        else:
            then = read(pol, at=leaf.than)
            if not bool(np.all(then[np.isfinite(then)] > 0)):
                return None
            values, threshold = read(pol) / then, float(leaf.factor)
            title = f"[{pol}] {leaf.metric} {when} ÷ the same at {leaf.than} {leaf.op} " \
                    f"{threshold:g}"
            axis = f"ratio to {leaf.than}"
    except InputError:
        return None  # the results cannot answer it (the claims table says why)
    if getattr(leaf, "given", None):
        try:
            mask = np.asarray(sensitivity_output(leaf.given, policy=pol, at="start")(res),
                              dtype=np.float64) > 0.5
        except InputError:
            return None
        values = np.where(mask, values, np.nan)
        title += f" given {leaf.given}"
    finite = np.isfinite(values)
    if not finite.any():
        return None
    with np.errstate(invalid="ignore"):
        side = _OPS[leaf.op](values[finite], threshold)
    return {"values": values, "threshold": threshold, "op": leaf.op, "title": title,
            "share": float(np.mean(side)), "axis": axis}


def _metric_sections(fitted: Claims, sc: Scenario) -> list[_Section]:
    """Draw a chart per testable claim with a numeric threshold: its metric against it."""
    res = fitted.results_
    default_policy = next(iter(sc.policies))
    out = []
    for c in fitted.claims_:
        claim = sc.claims.get(c.id)
        if claim is None or claim.test is None or c.verdict == "untestable":
            continue
        pol = claim.policies[0] if claim.policies else default_policy
        panels = [p for leaf in _leaves(claim.test)
                  if (p := _metric_panel(leaf, res, pol)) is not None]
        fig = figs.threshold_figure(panels, colour=VERDICT_COLOURS[c.verdict])
        if fig is None:
            continue
        shown = table_rows.claim_rows([c])[0].probability  # as the claims table says it
        caption = (f"“{c.text}” — {c.verdict}, P = {shown}. The "
                   "distribution of the tested metric over the samples (grey), the "
                   "threshold (dashed) and the claim's side of it (shaded), with the share "
                   "of samples on that side.")
        if len(panels) > 1:
            caption += (" The claim joins its parts ("
                        f"{'all must hold' if claim.test.kind == 'all' else 'any may hold'}"
                        "), so its P is not any one panel's share.")
        elif getattr(claim.test, "given", None):
            caption += " Only the samples its 'given' condition selects are counted."
        out.append(_Section(f"metric-{c.id}", c.id, _fig_html(fig, f"fig-metric-{c.id}"),
                            caption))
    return out


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


#: Samples per origin of the forecast-skill scoring in a report.
REPORT_SKILL_SAMPLES = 200


def _contents(ctx: _Context) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """List the table of contents: (anchor, title, [(anchor, title) of its parts])."""
    toc: list[tuple[str, str, list[tuple[str, str]]]] = [
        ("summary", "Summary", [("narrative", "In words")] * bool(ctx.narrative)
         + [("summary-table", "The numbers")] * bool(ctx.headline))]
    if ctx.overlays:
        toc.append(("policies-compared", "Policies compared",
                    [(s.key, s.title) for s in ctx.overlays]))
    toc.append(("trajectories", "Trajectories", [(s.key, s.title) for s in ctx.fans]))
    if ctx.settlement or ctx.terms:
        toc.append(("settlement", "Settlement",
                    [(s.key, s.title) for s in (ctx.settlement, ctx.terms) if s]))
    if ctx.escalation:
        toc.append(("escalation", "Escalation", []))
    if ctx.negotiation:
        toc.append(("negotiation", "Negotiation", []))
    toc.append(("claims", "Claims", []))
    if ctx.metrics:
        toc.append(("claims-metrics", "Claims' metrics against their thresholds",
                    [(s.key, s.title) for s in ctx.metrics]))
    if ctx.outside_view:
        toc.append(("outside-view", "Outside view", []))
    toc += [("sensitivity", "Sensitivity", []),
            ("assumptions", "Assumptions", [("policies-table", "Policies"),
                                            ("parameters", "Parameters")])]
    return toc


def _settings(sc: Scenario, res: Results, *, claims: bool | Claims,
              hinges: Sequence[HingeKind], sobol_n: int, seed: SeedLike) -> dict[str, str]:
    """Describe the settings the report's numbers come from, as its header prints them."""
    n = int(res.ds.sizes["sample"])
    steps = int(res.ds.sizes["time"]) - 1
    months = float(res.ds["month"].values[-1])
    horizon = f"{months:.0f} months ({steps} steps)"
    if not isinstance(claims, bool):  # fitted already: its own design
        hinges, sobol_n = tuple(claims.hinges), claims.sobol_n
    if claims is False:
        design = "claims not evaluated"
    elif "sobol" not in hinges or not sc.uncertain:
        design = "no Sobol design (hinges: " + (", ".join(hinges) or "none") + ")"
    else:
        d = len(sc.uncertain)
        design = (f"Sobol base N = {sobol_n} over {d} uncertain parameters: "
                  f"{sobol_n * (d + 2):,} runs per policy")
    text = (f"{n:,} samples per policy, seed {res.ds.attrs.get('seed', seed)}, horizon "
            f"{horizon}, levers drawn from their distributions; claims' design: {design}.")
    return {"horizon": horizon, "design": design, "settings": text}


def build_report(
    results: Results,
    scenario: Scenario | str | None = None,
    *,
    claims: bool | Claims = True,
    hinges: Sequence[HingeKind] = ("sobol", "prim"),
    sobol_n: int = SOBOL_N,
    tornado_output: str | None = "default",
    tornado_policy: str | None = None,
    tornado_trajectories: int = 10,
    seed: SeedLike = 0,
    processes: int = 1,
    progress: Progress | None = None,
    skill: Literal["auto", "none"] = "auto",
) -> str:
    """Build the self-contained HTML report of an ensemble.

    Parameters
    ----------
    results : Results
        The ensemble, run with (at least) :func:`report_record`'s variables.
    scenario : Scenario or str, optional
        The scenario that produced ``results`` (default: the built-in scenario the results
        name).
    claims : bool or Claims
        Evaluate the scenario's claims on ``results`` (True), skip them (False), or show
        an already fitted :class:`~detente.analysis.claims.Claims`.
    hinges : sequence of {"sobol", "prim"}
        What each claim's verdict hinges on (empty: not computed).
    sobol_n : int
        Base sample size of the claims' Sobol design (a power of two; default
        :data:`~detente.analysis.claims.SOBOL_N`, as ``detente claims``).
    tornado_output : str or None
        Output expression of the sensitivity tornado, read at the horizon (``"default"``:
        :func:`default_tornado_output`; None: no tornado).
    tornado_policy : str, optional
        Policy the tornado reads (default: the first run).
    tornado_trajectories : int
        Morris trajectories of the tornado; it runs ``r (D + 1)`` model runs.
    seed : int, SeedSequence or None
        Seed of the claims' design and bootstrap and of the tornado's trajectories.
    processes : int
        Worker processes for the claims' ensemble.
    progress : callable, optional
        ``progress(stage, done, total)``.
    skill : {"auto", "none"}
        With ``"auto"``, score the model on the shipped resolved questions when its
        bundled record covers them, for the outside view's reliability diagram (a small
        ensemble restarted at each question's opening); ``"none"``: not.

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> import detente as dt
    >>> from detente.report import build_report, report_record, write_report
    >>> sc = dt.load("lanchester-bench")                              # doctest: +SKIP
    >>> res = dt.simulate(sc, n_samples=500, record=report_record(sc))  # doctest: +SKIP
    >>> write_report(build_report(res, sc), "report.html")            # doctest: +SKIP
    """
    jinja2 = import_optional("jinja2", extra="report", purpose="The HTML report")
    offline = import_optional("plotly.offline", extra="report", purpose="The HTML report")

    sc = as_scenario(scenario if scenario is not None else str(results.ds.attrs["scenario"]))
    ds = results.ds
    attrs = ds.attrs
    dates = [str(d)[:10] for d in ds["time"].values]
    meta = {
        "title": sc.title, "scenario": sc.name, "description": sc.description,
        "hash": attrs.get("scenario_hash", ""), "seed": attrs.get("seed", ""),
        "n_samples": int(ds.sizes["sample"]), "policies": results.policies,
        "start": dates[0], "end": dates[-1], "n_steps": len(dates) - 1,
        "step_days": attrs.get("step_days", sc.time.step_days),
        "version": __version__, "run_version": attrs.get("detente_version", __version__),
        "run_created": attrs.get("created", ""),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "plotly_version": getattr(import_optional("plotly", extra="report"), "__version__", ""),
        "sides": ", ".join(sc.name_of(x) for x in sc.cast.sides),
        "supporters": "; ".join(f"{sc.name_of(s)} (supports {sc.name_of(sc.cast.side_of(s))})"
                                for s in sc.cast.supporters),
    }
    labels = Labels.of(sc)
    meta.update(_settings(sc, results, claims=claims, hinges=hinges, sobol_n=sobol_n,
                          seed=seed))
    ctx = _Context(meta=meta)
    try:
        ctx.headline = _headline(results, labels)
    except InputError:
        ctx.headline = None
    ctx.overlays = _overlays(results, labels)
    recorded = model_names(ds)
    shown = [n for n in recorded if drawable(ds, n)]
    for spec in key_charts(labels, shown):
        fig = figs.fan_figure(results, spec)
        if fig is not None:
            caption = spec.caption
            if fig.layout.meta and fig.layout.meta.get("y_axes") == "own":
                caption += (" Each panel has its own y axis: on one shared range some "
                            "panels would read flat (compare the policies on one axis "
                            "under Policies compared).")
            ctx.fans.append(_Section(spec.key, spec.title,
                                     _fig_html(fig, f"fig-{spec.key}"), caption))
            del fig
    charted = key_chart_variables(labels)
    missing = labels.named(n for n in charted if n not in recorded)
    flat = labels.named(n for n in charted if n in recorded and n not in shown)
    fig = figs.settlement_figure(results)
    if fig is not None:
        ctx.settlement = _Section(
            "settlement", "Settlement odds over time", _fig_html(fig, "fig-settlement"),
            "Left: share of samples in which a first settlement has been signed by each "
            "date (cumulative incidence). Right: share with a settlement in force (a deal "
            "can break down and be renegotiated).")
    fig = figs.terms_figure(results)
    if fig is not None:
        ctx.terms = _Section(
            "terms", "Terms of the settlements", _fig_html(fig, "fig-terms"),
            f"Terms of the latest deal signed by {fmt_date(dates[-1])}, as a share of the "
            f"samples with a deal under each policy. {_deal_counts(results)}")
    fig = figs.escalation_figure(results)
    if fig is not None:
        ctx.escalation = _Section(
            "escalation", "Escalation risk", _fig_html(fig, "fig-escalation"),
            "Probability that the war has escalated into a wider war, per policy: over "
            "time (left) and by the end of the run with a 90 % Jeffreys interval (right).")
    if sc.actors:
        ctx.negotiation = _negotiation(results, sc)
    # ---------------------------------------------------------------- claims
    fitted: Claims | None = None
    if claims is True:
        fitted, ctx.claims_note = _run_claims(
            sc, results, hinges=hinges, sobol_n=sobol_n, seed=seed, processes=processes,
            progress=progress)
    elif claims is False:
        ctx.claims_note = "Claims were not evaluated for this report."
    else:
        fitted = claims
    if fitted is not None:
        ctx.metrics = _metric_sections(fitted, sc)
    ctx.narrative = narrative(ctx.headline, fitted.claims_ if fitted is not None else None,
                              hinges=bool(fitted.hinges if fitted is not None else hinges))
    if fitted is not None:
        ctx.claims = table_rows.claim_rows(fitted.claims_)
        ctx.claims_detail, ctx.claims_assumed = _claims_detail(fitted)
        fig = figs.claims_figure(fitted.claims_)
        if fig is not None:
            ctx.claims_chart = _Section(
                "claims-chart", "Claims at a glance", _fig_html(fig, "fig-claims"),
                "Probability that each testable claim holds, with its 90 % interval. "
                "Shaded: refuted (≤ 20 %) and supported (≥ 80 %) zones at the default "
                "thresholds; a claim's own thresholds are in the table.")
    # ---------------------------------------------------------------- tornado
    if tornado_output == "default":
        tornado_output = default_tornado_output(sc)
    if tornado_output:
        ctx.tornado, ctx.tornado_note = _run_tornado(
            sc, results, output=tornado_output, policy=tornado_policy,
            trajectories=tornado_trajectories, seed=seed, progress=progress)
    else:
        ctx.tornado_note = "No sensitivity tornado was asked for (--tornado-output none)."
    # ---------------------------------------------------------------- outside view
    ctx.outside_view = _outside_view(sc, results, skill=skill, seed=seed)
    # ---------------------------------------------------------------- tables
    ctx.knowledge = table_rows.knowledge_text(sc)
    ctx.hindsight = table_rows.hindsight_rows(sc)
    ctx.reconstruction = sc.knowledge is not None and sc.knowledge.kind == "reconstruction"
    ctx.assumptions = table_rows.assumption_rows(sc)
    ctx.policies = table_rows.policy_rows(sc, results.policies)
    ctx.events = table_rows.event_rows(sc)
    ctx.contents = _contents(ctx)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("detente.report", "templates"), autoescape=True,
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    template = env.get_template("report.html.j2")
    from markupsafe import Markup

    # Plotly's bundle, once, in the page head; "</script" inside it would end the tag
    plotly_js = Markup(offline.get_plotlyjs().replace("</script", "<\\/script"))
    html: str = template.render(ctx=ctx, meta=meta, plotly_js=plotly_js,
                                verdict_colours=VERDICT_COLOURS, missing=missing, flat=flat)
    return html
