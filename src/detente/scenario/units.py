"""Units of scenario parameters and their conversion to the units the model uses.

A unit is written ``[number] [multiplier] base [multiplier] [/ [number] [multiplier] base]``:

* *multiplier* words scale the value: ``thousand``/``k`` (1e3), ``million``/``M``/``m``/``mn``
  (1e6), ``billion``/``bn`` (1e9), ``trillion``/``trn`` (1e12); they may stand before or right
  after the base (``bn USD`` and ``USD bn`` are the same unit);
* *time* words convert to days, the model's time unit: ``day``, ``week`` (7 d), ``month``
  (365.25/12 d), ``year``/``yr`` (365.25 d), ``hour`` (1/24 d), singular or plural;
* ``%`` (or ``percent``) is 0.01 ``fraction``; ``1``, ``fraction``, ``ratio``, ``index`` and
  ``switch`` are dimensionless and convert only to themselves;
* any other word is a base compared literally, after lower-casing and dropping a plural ``s``
  (``person`` and ``persons`` are the same, ``rounds`` and ``persons`` are not);
* ``per`` may stand for ``/`` (``persons per day``).

Examples
--------
>>> conversion_factor("rounds/year", "rounds/day")  # doctest: +ELLIPSIS
0.0027378...
>>> conversion_factor("%/year", "fraction/day")  # doctest: +ELLIPSIS
2.7378...e-05
>>> conversion_factor("USD bn", "million USD")
1000.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from detente.errors import UnitError

__all__ = ["MULTIPLIERS", "TIME_UNITS", "Unit", "conversion_factor", "convert", "parse_unit"]

#: Multiplier words and their factors.
MULTIPLIERS: dict[str, float] = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "M": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9,
    "trillion": 1e12, "trn": 1e12, "tn": 1e12,
}

#: Time words and their length in days.
TIME_UNITS: dict[str, float] = {
    "hour": 1.0 / 24.0, "hours": 1.0 / 24.0, "h": 1.0 / 24.0,
    "day": 1.0, "days": 1.0, "d": 1.0,
    "week": 7.0, "weeks": 7.0, "wk": 7.0, "wks": 7.0,
    "month": 365.25 / 12.0, "months": 365.25 / 12.0, "mo": 365.25 / 12.0,
    "year": 365.25, "years": 365.25, "yr": 365.25, "yrs": 365.25, "y": 365.25,
}

_PERCENT = {"%", "percent", "pct"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TOKEN_RE = re.compile(r"%|[^\s%]+")


@dataclass(frozen=True)
class Unit:
    """A parsed unit: ``scale`` times ``numerator`` per ``denominator``.

    Attributes
    ----------
    text : str
        The unit as written.
    scale : float
        Value of one of this unit in ``numerator/denominator`` (time in days).
    numerator : str
        Normalised base of the numerator (``"1"`` when dimensionless, ``"day"`` for time).
    denominator : str or None
        Normalised base of the denominator, or None.
    shown : tuple of str
        The numerator and denominator bases as written, for messages.
    """

    text: str
    scale: float
    numerator: str
    denominator: str | None
    shown: tuple[str, str | None]

    @property
    def dimension(self) -> tuple[str, str | None]:
        """What the unit measures: (numerator base, denominator base)."""
        return self.numerator, self.denominator


def _multiplier(word: str) -> float | None:
    return MULTIPLIERS.get(word, MULTIPLIERS.get(word.lower()))


def _normalise_word(word: str) -> str:
    w = word.lower()
    if len(w) > 2 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def _parse_term(text: str, term: str, *, where: str) -> tuple[float, str, str]:
    """Parse one side of a unit; return (scale, normalised base, base as written)."""
    tokens = _TOKEN_RE.findall(term)
    if not tokens:
        raise UnitError(f"cannot read unit {text!r}: nothing {where}")
    scale = 1.0
    base_words: list[str] = []
    seen_multiplier = False
    seen_number = False
    for tok in tokens:
        if _NUMBER_RE.match(tok) and (len(tokens) > 1):
            if seen_number or base_words:
                raise UnitError(f"cannot read unit {text!r}: a number may stand only first")
            value = float(tok)
            if not (math.isfinite(value) and value > 0):
                raise UnitError(f"cannot read unit {text!r}: expected a positive number, "
                                f"found {tok!r}")
            scale *= value
            seen_number = True
        elif _multiplier(tok) is not None and len(tokens) > 1:
            if seen_multiplier:
                raise UnitError(f"cannot read unit {text!r}: two multipliers "
                                "(thousand, million, bn, ...) in one term")
            scale *= _multiplier(tok) or 1.0
            seen_multiplier = True
        else:
            base_words.append(tok)
    if not base_words:
        raise UnitError(f"cannot read unit {text!r}: expected a base such as 'persons', "
                        f"'USD', 'rounds' or 'fraction' {where}")
    shown = " ".join(base_words)
    if len(base_words) == 1:
        word = base_words[0]
        lower = word.lower()
        if lower in _PERCENT:
            return scale * 0.01, "fraction", shown
        if word in TIME_UNITS or lower in TIME_UNITS:
            return scale * TIME_UNITS[word if word in TIME_UNITS else lower], "day", shown
        if _NUMBER_RE.match(word):
            value = float(word)
            if not (math.isfinite(value) and value > 0):
                raise UnitError(f"cannot read unit {text!r}: expected a positive number, "
                                f"found {word!r}")
            return scale * value, "1", shown
    return scale, " ".join(_normalise_word(w) for w in base_words), shown


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> Unit:
    """Parse a unit string.

    Parameters
    ----------
    text : str
        A unit such as ``"persons/day"``, ``"USD bn/year"``, ``"%"`` or ``"1/week"``.

    Returns
    -------
    Unit
        The parsed unit.

    Raises
    ------
    UnitError
        If the string does not follow the grammar in the module docstring.
    """
    if not isinstance(text, str):
        raise UnitError(f"expected a unit as text, found {text!r}")
    body = re.sub(r"\s+per\s+", "/", f" {text.strip()} ", flags=re.IGNORECASE).strip()
    if not body:
        raise UnitError("expected a unit such as 'persons/day' or 'fraction', found ''")
    parts = body.split("/")
    if len(parts) > 2:
        raise UnitError(f"cannot read unit {text!r}: expected at most one '/', "
                        f"found {len(parts) - 1}")
    num_scale, num, num_shown = _parse_term(text, parts[0], where="before '/'")
    den: str | None = None
    den_shown: str | None = None
    den_scale = 1.0
    if len(parts) == 2:
        den_scale, den, den_shown = _parse_term(text, parts[1], where="after '/'")
    return Unit(text=text, scale=num_scale / den_scale, numerator=num, denominator=den,
                shown=(num_shown, den_shown))


@lru_cache(maxsize=4096)
def conversion_factor(found: str, canonical: str) -> float:
    """Factor that converts a value in unit ``found`` to unit ``canonical``.

    Parameters
    ----------
    found : str
        The unit a scenario file uses.
    canonical : str
        The unit the model code expects (a :class:`~detente.model.base.ParamSpec` unit).

    Returns
    -------
    float
        ``x`` in ``found`` is ``x * factor`` in ``canonical``.

    Raises
    ------
    UnitError
        If either unit cannot be read or the two measure different quantities.

    Examples
    --------
    >>> conversion_factor("thousand persons", "persons")
    1000.0
    >>> conversion_factor("1/week", "1/day")  # doctest: +ELLIPSIS
    0.142857...
    """
    a = parse_unit(found)
    b = parse_unit(canonical)
    if a.dimension != b.dimension:
        if a.numerator != b.numerator:
            what = f"{a.shown[0]} vs {b.shown[0]}"
        else:
            what = " vs ".join(u.shown[0] if u.shown[1] is None else "/".join(map(str, u.shown))
                               for u in (a, b))
        raise UnitError(f"cannot convert {found!r} to {canonical!r}: "
                        f"the quantities differ ({what})")
    return a.scale / b.scale


def convert(value: float, found: str, canonical: str) -> float:
    """Convert ``value`` from unit ``found`` to unit ``canonical``.

    Parameters
    ----------
    value : float
        The number in ``found`` units.
    found, canonical : str
        Units, see :func:`conversion_factor`.

    Returns
    -------
    float
        The number in ``canonical`` units.
    """
    return value * conversion_factor(found, canonical)
