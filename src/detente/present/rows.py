"""Rows of the report's tables: assumptions, hindsight, policies, events and claims.

Everything here is plain data (lists of dicts of strings), rendered by the Jinja template
with autoescaping, so a scenario's text can never inject markup into the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.present.style import fmt_number
from detente.scenario.facts import FactTable, bundled_facts

if TYPE_CHECKING:
    from detente.scenario.schema import Change, Parameter, Reference, Scenario

__all__ = [
    "ClaimRow", "assumption_rows", "claim_rows", "describe_source", "describe_value",
    "event_rows", "hindsight_rows", "knowledge_text", "policy_rows",
]


def _ref_dates(ref: Reference) -> str:
    """`` (published 1966; refers to 1953-07)``, `` (derived)`` or nothing."""
    if ref.derived:
        return " (derived from what the notes cite)"
    dates = [f"{what} {when}" for what, when in (("published", ref.published),
                                                 ("refers to", ref.refers_to)) if when]
    return f" ({'; '.join(dates)})" if dates else ""


def describe_source(scenario: Scenario, source: str, *,
                    facts: FactTable | None = None) -> tuple[str, str]:
    """Spell out a parameter's source as ``(kind, text)``: the fact or reference it names.

    A fact shows its value, the date it refers to and the date it was published; a
    reference its citation and dates.
    """
    src = source.strip()
    if src == "assumption":
        return "assumption", "assumption (modelling judgement)"
    m = re.match(r"^fact:(\S+)$", src)
    if m:
        row = (facts if facts is not None else bundled_facts()).get(m.group(1))
        if row is None:
            return "fact", src
        value = f"{row.value} {row.unit}".strip()
        when = f", as of {row.as_of}" if row.as_of else ""
        when += f", published {row.published}" if row.published else ", published: unknown"
        return "fact", f"fact {m.group(1)} ({value}{when}): {row.source}"
    m = re.match(r"^ref:(\S+)$", src)
    if m:
        ref = scenario.sources.get(m.group(1))
        if ref is None:
            return "ref", f"{m.group(1)}: (not listed)"
        return "ref", f"{m.group(1)}: {ref.citation}{_ref_dates(ref)}"
    return "citation", src


def knowledge_text(scenario: Scenario) -> str:
    """Say in a sentence what the scenario may know, and what that means for its numbers."""
    k = scenario.knowledge
    n = len(scenario.hindsight)
    listed = (f", except the {n} uses listed under 'Hindsight and later sources'" if n
              else "")
    if k is None:
        return ("Not declared: the scenario does not say whether it is a forecast or a "
                "historical reconstruction (no 'knowledge'), so look-ahead was not checked.")
    if k.kind == "forecast":
        return (f"Forecast as of {scenario.as_of}: every source a parameter cites was "
                f"public by then{listed}.")
    return (f"Historical reconstruction as of {scenario.as_of}: every value refers to a "
            f"date up to then{listed}, but sources may have been published later, so "
            "hindsight is possible.")


def hindsight_rows(scenario: Scenario) -> list[dict[str, str]]:
    """Each entry of ``knowledge.later``: what it lets through, for which parameters, why."""
    return [{"entry": h.entry, "sources": "; ".join(h.sources),
             "parameters": ", ".join(h.parameters), "reason": h.reason, "text": h.text}
            for h in scenario.hindsight]


def describe_value(par: Parameter) -> str:
    """``500,000`` or ``PERT(low 350,000, mode 500,000, high 650,000)``."""
    if par.dist is None:
        return fmt_number(par.value, 4)
    d = par.dist.model_dump(by_alias=True)
    kind = d.pop("dist")
    name = {"pert": "PERT", "uniform": "uniform", "triangular": "triangular",
            "truncnormal": "truncated normal", "lognormal": "log-normal"}.get(kind, kind)
    if kind == "pert" and d.get("lamb") == 4.0:
        d.pop("lamb")
    inner = ", ".join(f"{k} {fmt_number(float(v), 4)}" for k, v in d.items()
                      if v is not None and not (isinstance(v, float) and math.isinf(v)))
    return f"{name}({inner})"


def _module_of(scenario: Scenario) -> dict[str, str]:
    owner: dict[str, str] = {}
    for mod in scenario.enabled_modules:
        for spec in mod.params:
            owner.setdefault(spec.name, mod.name)
    return owner


def assumption_rows(scenario: Scenario) -> list[dict[str, str]]:
    """Every parameter, defaults included: name, module, value, central value, unit, source."""
    owner = _module_of(scenario)
    rows = []
    for name, entry in scenario.table.items():
        par = entry.parameter
        if par is None:  # not in the file: the module's documented default
            value = fmt_number(entry.distribution.central(), 4)
            rows.append({
                "name": name, "module": entry.module or owner.get(name, "scenario"),
                "value": value, "central": value, "uncertain": "", "unit": entry.unit,
                "source_kind": "default", "source": "default (the mechanism's neutral value)",
                "note": entry.spec.description if entry.spec is not None else "",
            })
            continue
        kind, source = describe_source(scenario, par.source)
        if par.as_of is not None:
            source += f" (the value refers to {par.as_of})"
        value = describe_value(par)
        draws = scenario.draws
        if draws is not None and name in draws.columns:
            # drawn jointly from the posterior table: say so beside the stated distribution
            col = draws.column(name)
            value = (f"joint posterior draws ({draws.n_rows} rows of {Path(draws.file).name}; "
                     f"range {fmt_number(float(col.min()), 4)}–{fmt_number(float(col.max()), 4)});"
                     f" stated: {value}")
        rows.append({
            "name": name, "module": owner.get(name, "scenario"),
            "value": value, "central": fmt_number(par.central(), 4),
            "uncertain": "yes" if par.is_uncertain else "", "unit": par.unit,
            "source_kind": kind, "source": source, "note": par.note,
        })
    return rows


def _change_text(ch: Change) -> str:
    if isinstance(ch.scale, str):  # a factor drawn in each sample from a parameter
        what = f"× {ch.scale}"
    elif ch.scale is not None:
        what = f"× {fmt_number(ch.scale, 4)}"
    else:
        what = f"= {fmt_number(ch.value, 4)}{' ' + ch.unit if ch.unit else ''}"
    when = ""
    if ch.from_:
        when += f" from {ch.from_}"
    if ch.until:
        when += f" until {ch.until}"
    return f"{ch.param} {what}{when}"


def policy_rows(scenario: Scenario, run: Sequence[str]) -> list[dict[str, str]]:
    """Each policy: name, description, parameter changes, whether this run includes it."""
    return [{"name": name, "description": pol.description,
             "changes": "; ".join(_change_text(c) for c in pol.changes) or "none",
             "run": "yes" if name in run else "no"}
            for name, pol in scenario.policies.items()]


def event_rows(scenario: Scenario) -> list[dict[str, str]]:
    """Each scenario event: name, date, probability parameter, changes, description."""
    rows = []
    for name, ev in scenario.events.items():
        prob = "certain"
        if ev.probability:
            par = scenario.parameters.get(ev.probability)
            prob = (f"{ev.probability} ({describe_value(par)})" if par is not None
                    else ev.probability)
        eff = f" (effective {ev.effective})" if ev.effective else ""
        rows.append({"name": name, "date": f"{ev.date}{eff}", "probability": prob,
                     "changes": "; ".join(_change_text(c) for c in ev.changes) or "none",
                     "description": ev.description})
    return rows


@dataclass(frozen=True)
class ClaimRow:
    """One row of the claims table, as text."""

    id: str
    text: str
    source: str
    policies: str
    test: str
    verdict: str
    probability: str
    interval: str
    thresholds: str
    hinges: list[str]
    notes: list[str]


def claim_rows(claims: Iterable[Any]) -> list[ClaimRow]:
    """Rows of the claims table from :class:`~detente.analysis.claims.ClaimResult` objects."""
    rows = []
    for c in claims:
        hinges: list[str] = []
        if c.sobol:
            hinges.append(", ".join(f"{s['parameter']} (ST {float(s['ST']):.2f})"
                                    for s in c.sobol))
        elif c.hinges_on:
            hinges.append(", ".join(c.hinges_on))
        if c.prim:
            hinges.append(c.prim)
        notes = [c.reason] if c.reason else []
        notes += [n for n in c.notes if n]
        if c.differences:
            # a contrast is the per-sample difference (common random numbers): its median
            # and the range of the central samples, never two probabilities side by side
            from detente.analysis.claims import difference_text

            notes += [f"difference, {difference_text(d)}" for d in c.differences]
        elif c.effect and "mean" in c.effect:  # a base rate's effect is in its test's words
            lo, hi = c.effect["interval"]
            notes.append(f"mean difference {fmt_number(c.effect['mean'])} "
                         f"[{fmt_number(lo)}, {fmt_number(hi)}]")
        th = c.thresholds or {}
        rows.append(ClaimRow(
            id=c.id, text=c.text, source=c.source, policies=", ".join(c.policies),
            test=c.test, verdict=c.verdict,
            probability="–" if c.probability is None else f"{c.probability:.2f}",
            interval="–" if c.interval is None else
            f"[{c.interval[0]:.2f}, {c.interval[1]:.2f}]",
            thresholds=("" if not th else
                         f"≥ {th['supported']:.2f} / ≤ {th['refuted']:.2f}"
                         if th["supported"] >= th["refuted"] else
                         f"≤ {th['supported']:.2f} / ≥ {th['refuted']:.2f}"),
            hinges=hinges, notes=notes))
    return rows
