"""The fan charts of a scenario's key outputs, each for every side that has it.

:func:`key_charts` turns :data:`detente.results.KEY_OUTPUTS` (base names such as
``personnel``) into chart specifications for one scenario: one series per side (its display
name, its colour by its place in the cast), titles and captions from the variables'
descriptions, the axis unit from their unit, dates from the scenario's start. Nothing here
names a side.
"""

from __future__ import annotations

from collections.abc import Collection

from detente.model.base import owned
from detente.present.labels import Labels
from detente.present.style import ChartSpec, Series, display_scale, unit_label
from detente.results.schema import KEY_OUTPUTS

__all__ = ["key_chart_variables", "key_charts", "key_variables"]

#: Key outputs left out of the charts: the territory share repeats the territory chart.
_NOT_CHARTED = frozenset({"territory_pct"})
#: Key outputs drawn one chart per side: stocks whose sides differ by orders of magnitude.
_EACH_SIDE = frozenset({"shells", "inflation"})
#: Ratios of a side's over its enemy's: the first side's says it all (the other's is its
#: inverse), with parity at 1.
_OVER_ENEMY = frozenset({"combat_power_ratio"})


def key_variables(labels: Labels, available: Collection[str] | None = None) -> list[str]:
    """Return the key outputs for every side that has them, in table order.

    Parameters
    ----------
    labels : Labels
        The scenario's labels (its sides and variables).
    available : collection of str, optional
        Model names to choose from (default: every variable the labels know).

    Returns
    -------
    list of str
        For each base name of :data:`~detente.results.KEY_OUTPUTS`, each side's variable
        (``blue.personnel``, ``red.personnel``), or the variable itself when nobody owns it.
    """
    have = set(labels.variables if available is None else available)
    out: list[str] = []
    for base in KEY_OUTPUTS:
        if base in have:
            out.append(base)
        out += [owned(x, base) for x in labels.sides if owned(x, base) in have]
    return out


def key_charts(labels: Labels, available: Collection[str] | None = None) -> list[ChartSpec]:
    """Return the fan charts of the key outputs for the scenario ``labels`` describes.

    Parameters
    ----------
    labels : Labels
        The scenario's labels.
    available : collection of str, optional
        Model names that can be drawn (default: every variable the labels know); a side
        whose variable is not among them has no series, and a chart without any is left out.

    Returns
    -------
    list of ChartSpec
        In the order of :data:`~detente.results.KEY_OUTPUTS`: one chart per key output with
        a series per side (or one chart per side where the sides' scales differ), keyed by
        the base name (``personnel``) or ``<base>-<side>`` (``shells-blue``).
    """
    have = set(labels.variables if available is None else available)
    charts: list[ChartSpec] = []
    for base in KEY_OUTPUTS:
        if base in _NOT_CHARTED:
            continue
        names = [owned(x, base) for x in labels.sides if owned(x, base) in have]
        if base in have:
            names = [base, *names]
        if not names:
            continue
        unit = labels.unit(names[0])
        scale = display_scale(unit)
        if base in _OVER_ENEMY:
            charts.append(_ratio_chart(labels, base, names[0], scale))
        elif base in _EACH_SIDE:
            charts += [ChartSpec(key=base if n == base else f"{base}-{labels.owner_of(n)}",
                                 title=labels.heading(n), series=(_series(labels, n, scale),),
                                 unit=unit_label(unit), caption=_sentence(labels.description(n)))
                       for n in names]
        elif len(names) == 1:  # one side's alone: headed by its own description
            charts.append(ChartSpec(
                key=base, title=labels.heading(names[0]),
                series=(_series(labels, names[0], scale),), unit=unit_label(unit),
                caption=_sentence(labels.description(names[0]))))
        else:
            charts.append(ChartSpec(
                key=base, title=labels.common(names),
                series=tuple(_series(labels, n, scale) for n in names), unit=unit_label(unit),
                caption=_sentence(labels.common(names, short=False))))
    return charts


def key_chart_variables(labels: Labels, available: Collection[str] | None = None
                        ) -> list[str]:
    """Return every variable the key charts draw (what a report must record of them)."""
    return list(dict.fromkeys(s.variable for c in key_charts(labels, available)
                              for s in c.series))


def _series(labels: Labels, name: str, scale: float) -> Series:
    owner = labels.owner_of(name)
    if owner is None:
        return Series(name, labels.heading(name), scale=scale)
    return Series(name, labels.name(owner), labels.colour(owner), scale)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith(".") else text + "."


def _ratio_chart(labels: Labels, base: str, name: str, scale: float) -> ChartSpec:
    """Chart a side's ratio over its enemy, parity marked; of two sides, who is over whom."""
    owner = labels.owner_of(name)
    unit = unit_label(labels.unit(name))
    caption = _sentence(labels.description(name))
    label = labels.heading(name)
    if owner is not None and len(labels.sides) == 2:
        enemy = next(x for x in labels.sides if x != owner)
        mine, theirs = labels.name(owner), labels.name(enemy)
        unit = f"{unit}, {mine} ÷ {theirs}"
        label = f"{mine} ÷ {theirs}"
        caption += f" Below 1, {theirs} holds the edge."
    # a ratio of both sides: drawn in the neutral colour, not in either side's
    return ChartSpec(key=base, title=labels.heading(name),
                     series=(Series(name, label, scale=scale),), unit=unit,
                     caption=caption, reference=1.0)
