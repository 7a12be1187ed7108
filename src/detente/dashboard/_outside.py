"""The dashboard's outside-view pane: base rates of war termination beside the policies.

The base rates depend only on the scenario (how long its war had lasted at the start), so
:func:`scenario_outside_view` fits them once per scenario (the model keeps them); each
state adds only the policies' odds of a settlement, a mean over its samples, and its pane
is drawn once for every session (:attr:`DashboardState.views`).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from detente.errors import InputError, MissingDependencyError

if TYPE_CHECKING:
    from detente.analysis.outside_view import BaseRates
    from detente.results import Results
    from detente.scenario.schema import Scenario

__all__ = ["outside_view_html", "scenario_outside_view"]


def scenario_outside_view(scenario: Scenario) -> BaseRates | str | None:
    """Fit the base rates for the scenario's war at its start, or say why there are none.

    Returns
    -------
    BaseRates, str or None
        Fitted base rates; a message when lifelines is missing or no past war lasted as
        long; None when the scenario does not say when its war began.
    """
    from detente.analysis.outside_view.beside import scenario_base_rates

    try:
        return scenario_base_rates(scenario)
    except (MissingDependencyError, InputError) as exc:
        return str(exc)


def _pct(p: float | None) -> str:
    return "–" if p is None else f"{100 * p:.0f} %"


def outside_view_html(base: BaseRates | str | None, results: Results) -> str:
    """Draw the pane: base rates by 12 and 24 months beside each policy's P(settlement)."""
    if base is None:
        return ("<p class='dt-muted'>This scenario does not say when its war began "
                "(<code>time.war_began</code>), so there is no outside view.</p>")
    if isinstance(base, str):
        return f"<p class='dt-muted'>{html.escape(base)}</p>"
    from detente.analysis.outside_view.beside import beside, settlement_odds

    months = [m for m in (12.0, 24.0, 36.0) if results.step_at_month(m) is not None]
    if not months:
        return "<p class='dt-muted'>The run is shorter than a year: no outside view.</p>"
    view = beside(base, settlement_odds(results, months), months=months)
    keys = list(view["months"])
    head = "".join(f"<th>by {k} months</th>" for k in keys)

    def rate(p: float | None, iv: list[float | None]) -> str:
        if p is None or iv[0] is None or iv[1] is None:
            return _pct(p)
        return f"{_pct(p)} [{100 * iv[0]:.0f}–{100 * iv[1]:.0f}]"

    rows = [
        "<tr><td>base rate: the war ends</td>" + "".join(
            f"<td>{rate(view['months'][k]['p_end'], view['months'][k]['interval'])}</td>"
            for k in keys) + "</tr>",
        "<tr><td>base rate: settlement or ceasefire</td>" + "".join(
            "<td>" + rate(view["months"][k]["p_settlement"],
                          view["months"][k]["settlement_interval"]) + "</td>"
            for k in keys) + "</tr>"]
    for pol, row in view["policies"].items():
        cells = []
        for k in keys:
            c = row[k]
            gap = "" if c["gap_end"] is None else f" ({100 * c['gap_end']:+.0f} pp)"
            cells.append(f"<td data-testid='outside-{html.escape(pol)}-{k}'>"
                         f"{_pct(c['p_model'])}{gap}</td>")
        rows.append(f"<tr><td>model: {html.escape(pol)}</td>{''.join(cells)}</tr>")
    note = (f"Of {view['n_wars']} {html.escape(view['reference'])} that had lasted "
            f"{view['lasted_days']:g} days (as this war had at the start), the share that "
            f"ended, with its {100 * view['level']:.0f} % interval; the model's P(settlement) "
            f"and its gap to the base rate. {html.escape(view['source'])}. Not the same "
            "question: a base rate counts every way a war ended.")
    return ("<table class='dt-table' data-testid='outside-view'><thead><tr><th></th>"
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p class='dt-muted'>{note}</p>")
