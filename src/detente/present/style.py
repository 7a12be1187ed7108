"""The house style: colours, unit labels, number and date formats, chart specifications.

One place for how detente shows things, so the terminal, the HTML report and the
dashboard agree. Colours are colour-blind-safe (Okabe and Ito 2008) for policies; sides
take their colours by their place in the scenario's cast (the first blue, the second red),
so a side keeps its colour in every chart; verdicts carry a word as well as a colour.
Nothing here names a side or a variable, and nothing imports a third-party library.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

__all__ = [
    "BANDS", "BAND_ALPHA", "FONT", "LOWERS_COLOUR", "NEUTRAL_COLOUR", "POLICY_COLOURS",
    "RAISES_COLOUR", "SIDE_COLOURS", "VERDICT_COLOURS", "VERDICT_STYLES", "ChartSpec",
    "Series", "display_scale", "fmt_compact", "fmt_date", "fmt_number", "fmt_percent",
    "policy_colour", "pretty", "rgba", "side_colour", "unit_label",
]

#: Policy colours, in run order (Okabe-Ito without yellow, which is unreadable on white).
POLICY_COLOURS: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000", "#56B4E9",
    "#7F7F7F", "#8C564B",
)
#: Colours of the sides and supporters, by their place in the cast (sides first).
SIDE_COLOURS: tuple[str, ...] = (
    "#1F5FA8", "#B22222", "#2F6F73", "#8C564B", "#6A3D9A", "#B8860B",
)
NEUTRAL_COLOUR = "#2F6F73"
#: Bars of a tornado: a parameter that raises the output, and one that lowers it.
RAISES_COLOUR = "#B22222"
LOWERS_COLOUR = "#1F5FA8"
VERDICT_COLOURS: dict[str, str] = {
    "supported": "#1A7F37", "contested": "#9A6700", "refuted": "#C62828",
    "untestable": "#6B7280",
}
#: Verdicts in the terminal (rich style names); the word is always printed beside it.
VERDICT_STYLES: dict[str, str] = {
    "supported": "green", "refuted": "red", "contested": "yellow", "untestable": "dim",
}
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Central bands of the fan charts (outermost first) and the median.
BANDS: tuple[float, ...] = (0.95, 0.8, 0.5)
BAND_ALPHA: dict[float, float] = {0.95: 0.13, 0.8: 0.22, 0.5: 0.36}


def policy_colour(index: int) -> str:
    """Colour of the ``index``-th policy."""
    return POLICY_COLOURS[index % len(POLICY_COLOURS)]


def side_colour(index: int) -> str:
    """Colour of the ``index``-th side or supporter of a cast (sides first)."""
    return SIDE_COLOURS[index % len(SIDE_COLOURS)]


def rgba(hex_colour: str, alpha: float) -> str:
    """CSS ``rgba()`` of a ``#RRGGBB`` colour."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


_UNIT_LABELS: dict[str, str] = {
    "km2": "km²", "persons": "persons", "rounds": "rounds", "USD bn": "USD bn",
    "index": "index", "ratio": "ratio", "fraction": "share", "%": "%",
    "fraction/year": "% a year", "switch": "share of samples", "month": "months",
    "level": "level",
}
#: Units shown scaled: a yearly rate as a fraction is drawn in per cent a year.
_UNIT_SCALES: dict[str, float] = {"fraction/year": 100.0}


def unit_label(unit: str) -> str:
    """Write a unit as a reader expects it on an axis (``km2`` becomes ``km²``).

    A value in a unit :func:`display_scale` scales is shown times that scale.
    """
    return _UNIT_LABELS.get(unit, unit)


def display_scale(unit: str) -> float:
    """Return the multiplier that puts a value in ``unit`` in :func:`unit_label`'s unit."""
    return _UNIT_SCALES.get(unit, 1.0)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def fmt_date(date: dt.date | str) -> str:
    """Write a date as a reader says it: ``2024-01-01`` becomes ``1 January 2024``.

    The month's name is English whatever the locale, as every other word on screen.
    """
    d = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)[:10])
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


# --------------------------------------------------------------------------- numbers
def fmt_compact(x: float) -> str:
    """Format a number compactly for terminal tables (3 significant digits, k/M/bn).

    Numbers of a trillion and more keep the ``bn`` suffix with an exponent
    (``1.01e+03 bn``).
    """
    if x != x:  # NaN
        return "–"
    a = abs(x)
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= size:
            return f"{x / size:.3g}{suffix}"
    if a >= 100 or a == 0:
        return f"{x:.0f}"
    return f"{x:.3g}"


def fmt_number(x: float | None, digits: int = 3) -> str:
    """Format a number for a table: thousands separators, ``digits`` significant digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    a = abs(x)
    if a == 0:
        return "0"
    if a >= 10 ** digits:
        return f"{x:,.0f}"
    if a >= 1e-3:
        text = f"{x:.{digits}g}"
        return text if "e" not in text else f"{x:,.0f}"
    return f"{x:.{digits}g}"


def fmt_percent(x: float | None, decimals: int = 0) -> str:
    """Format a share as a percentage (``0.123`` → ``12 %``); ``–`` when unknown."""
    return "–" if x is None else f"{100 * x:.{decimals}f} %"


@dataclass(frozen=True)
class Series:
    """One model variable drawn in a chart.

    Attributes
    ----------
    variable : str
        Model variable name (``<owner>.<base>`` for what a side or supporter owns).
    label : str
        Legend label (e.g. a side's display name).
    colour : str
        Line and band colour.
    scale : float
        Multiplier applied for display (e.g. 100 for a fraction shown in %).
    """

    variable: str
    label: str
    colour: str = NEUTRAL_COLOUR
    scale: float = 1.0


@dataclass(frozen=True)
class ChartSpec:
    """A fan chart of one or more variables (sharing a unit), one panel per policy.

    Attributes
    ----------
    key : str
        Anchor and identifier.
    title : str
        Heading.
    series : tuple of Series
        Variables drawn (bands and median each).
    unit : str or None
        Axis unit (default: the first variable's unit, as :func:`unit_label` writes it).
    caption : str
        What the chart shows, in one sentence.
    reference : float or None
        A horizontal reference line (e.g. parity at 1).
    y_range : (float, float) or None
        Fixed axis range.
    """

    key: str
    title: str
    series: tuple[Series, ...]
    unit: str | None = None
    caption: str = ""
    reference: float | None = None
    y_range: tuple[float, float] | None = None


def pretty(name: str) -> str:
    """``partial_return`` → ``partial return`` (labels of levels and dimensions)."""
    return name.replace("_", " ")
