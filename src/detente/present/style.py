"""The house style: colours, variable titles, unit labels and number formats.

One place for how detente shows things, so the terminal, the HTML report and the
dashboard agree. Colours are colour-blind-safe (Okabe and Ito 2008) for policies;
Ukraine is blue and Russia red wherever both appear; verdicts carry a word as well as a
colour. Nothing here imports a third-party library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "BANDS", "BAND_ALPHA", "DISPLAY_SCALES", "DISPLAY_UNITS", "FONT", "KEY_CHARTS",
    "NEUTRAL_COLOUR", "POLICY_COLOURS", "RU_COLOUR", "UA_COLOUR", "VARIABLE_TITLES",
    "VERDICT_COLOURS", "VERDICT_STYLES", "ChartSpec", "Series", "display_unit",
    "fmt_compact", "fmt_number", "fmt_percent", "policy_colour", "pretty", "rgba",
    "unit_label", "variable_title",
]

#: Policy colours, in run order (Okabe-Ito without yellow, which is unreadable on white).
POLICY_COLOURS: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000", "#56B4E9",
    "#7F7F7F", "#8C564B",
)
UA_COLOUR = "#1F5FA8"
RU_COLOUR = "#B22222"
NEUTRAL_COLOUR = "#2F6F73"
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


def rgba(hex_colour: str, alpha: float) -> str:
    """CSS ``rgba()`` of a ``#RRGGBB`` colour."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


_UNIT_LABELS: dict[str, str] = {
    "km2": "km²", "persons": "persons", "rounds": "rounds", "USD bn": "USD bn",
    "index": "index, 0–1", "ratio": "ratio", "fraction": "share", "%": "%",
    "fraction/year": "% a year", "switch": "share of samples", "month": "months",
    "level": "level",
}


def unit_label(unit: str) -> str:
    """Write a unit as a reader expects it on an axis (``km2`` becomes ``km²``)."""
    return _UNIT_LABELS.get(unit, unit)


#: Variables shown in another unit than the model's: the unit shown, and the multiplier.
DISPLAY_UNITS: dict[str, str] = {
    "ru_inflation": "% a year", "combat_power_ratio": "ratio, Ukraine ÷ Russia",
}
DISPLAY_SCALES: dict[str, float] = {"ru_inflation": 100.0}


def display_unit(variable: str, unit: str) -> str:
    """Return the unit a chart of ``variable`` (model unit ``unit``) shows on its axis."""
    return DISPLAY_UNITS.get(variable, unit_label(unit))


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
        Model variable name.
    label : str
        Legend label (e.g. ``"Ukraine"``).
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
    """A fan chart of one or two variables (sharing a unit), one panel per policy.

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


#: The report's fan charts, in order (those whose variables were not recorded are skipped).
KEY_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("combat_power_ratio", "Combat-power ratio",
              (Series("combat_power_ratio", "Ukraine ÷ Russia"),),
              unit=DISPLAY_UNITS["combat_power_ratio"], reference=1.0,
              caption="Ukraine's combat power (effectiveness × personnel × supply) over "
                      "Russia's; below 1 Russia holds the edge."),
    ChartSpec("personnel", "Front-line personnel",
              (Series("ua_personnel", "Ukraine", UA_COLOUR),
               Series("ru_personnel", "Russia", RU_COLOUR)),
              caption="Soldiers at the front on each side."),
    ChartSpec("ua_shells", "Ukraine's artillery-shell stock",
              (Series("ua_shells", "Ukraine", UA_COLOUR),),
              caption="Shells Ukraine holds (production, aid and imports less use)."),
    ChartSpec("ru_shells", "Russia's artillery-shell stock",
              (Series("ru_shells", "Russia", RU_COLOUR),),
              caption="Shells Russia holds (production and partner supplies less use)."),
    ChartSpec("territory", "Territory held by Russia",
              (Series("territory_ru_km2", "held by Russia", RU_COLOUR),),
              caption="Area of Ukraine under Russian control."),
    ChartSpec("casualties", "Military casualties since December 2023",
              (Series("ua_casualties_cum", "Ukraine", UA_COLOUR),
               Series("ru_casualties_cum", "Russia", RU_COLOUR)),
              caption="Killed and wounded since the start of the run, cumulative."),
    ChartSpec("refugees", "Ukrainian refugees abroad",
              (Series("refugees_abroad", "refugees abroad", UA_COLOUR),),
              caption="Ukrainians living abroad as refugees."),
    ChartSpec("reconstruction", "Reconstruction invested",
              (Series("reconstruction_cum", "reconstruction", NEUTRAL_COLOUR),),
              caption="Reconstruction investment in Ukraine since the start, cumulative."),
    ChartSpec("viability", "Ukraine's viability",
              (Series("viability", "viability", UA_COLOUR),),
              y_range=(0.0, 1.0),
              caption="0: a failed state; 1: a fortress state (economy, security, "
                      "population and reconstruction combined)."),
    ChartSpec("ru_inflation", "Russia's inflation",
              (Series("ru_inflation", "inflation", RU_COLOUR,
                      scale=DISPLAY_SCALES["ru_inflation"]),),
              unit=DISPLAY_UNITS["ru_inflation"],
              caption="Annual consumer-price inflation in Russia."),
)


#: Readable titles of model variables (the fan charts' menu and headings).
VARIABLE_TITLES: dict[str, str] = {
    "territory_ru_km2": "Territory held by Russia",
    "territory_ru_pct": "Share of Ukraine held by Russia",
    "combat_power_ratio": "Combat-power ratio",
    "ua_personnel": "Ukraine's front-line personnel",
    "ru_personnel": "Russia's front-line personnel",
    "ua_shells": "Ukraine's shell stock",
    "ru_shells": "Russia's shell stock",
    "ua_casualties_cum": "Ukraine's casualties (cumulative)",
    "ru_casualties_cum": "Russia's casualties (cumulative)",
    "refugees_abroad": "Ukrainian refugees abroad",
    "reconstruction_cum": "Reconstruction invested (cumulative)",
    "viability": "Ukraine's viability",
    "ru_inflation": "Russia's inflation",
}


def variable_title(variable: str) -> str:
    """Return a model variable's readable title (its name, spaced, when it has none)."""
    return VARIABLE_TITLES.get(variable, variable.replace("_", " "))


def pretty(name: str) -> str:
    """``partial_return`` → ``partial return`` (labels of levels and dimensions)."""
    return name.replace("_", " ")
