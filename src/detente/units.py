"""The calendar and the unit algebra shared by every layer.

The model's time unit is the day; a month is a twelfth of a Julian year.

Units are read by a small grammar whose words a `pint <https://pint.readthedocs.io>`_
registry defines (:func:`registry`, from :data:`DEFINITIONS`). A unit is written
``[number] [multiplier] base [multiplier] [/ [number] [multiplier] base]``:

* *multiplier* words scale the value: ``thousand``/``k`` (1e3), ``million``/``M``/``m``/``mn``
  (1e6), ``billion``/``bn`` (1e9), ``trillion``/``trn`` (1e12); they may stand before or right
  after the base (``bn USD`` and ``USD bn`` are the same unit), at most one in each term;
* *time* words convert to days, the model's time unit: ``day``, ``week`` (7 d), ``month``
  (365.25/12 d), ``year``/``yr`` (365.25 d), ``hour`` (1/24 d), singular or plural;
* ``%`` (or ``percent``) is 0.01 ``fraction``; ``1``, ``fraction``, ``ratio``, ``index`` and
  ``switch`` are dimensionless and convert only to themselves;
* the things the model counts are units of their own: ``person`` (``persons``, ``people``),
  ``round``, ``drone``, ``missile``, ``interceptor``, ``km2``, ``USD``;
* any other word is a base compared literally, after lower-casing and dropping a plural ``s``
  (``tank`` and ``tanks`` are the same, ``tanks`` and ``rounds`` are not), and so is a base
  of several words (``% of pool``);
* ``per`` may stand for ``/`` (``persons per day``).

Two units convert when pint finds the same dimensions in both (``rounds/round`` is a pure
number); the factor is the product of the words' magnitudes from the registry.

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

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from detente.errors import UnitError

if TYPE_CHECKING:
    import pint
    from pint.util import UnitsContainer

__all__ = [
    "DAYS_PER_MONTH", "DAYS_PER_YEAR", "DEFINITIONS", "Unit", "conversion_factor", "convert",
    "parse_unit", "registry",
]

#: Days in a Julian year, used for unit conversion and for annual rates.
DAYS_PER_YEAR = 365.25
#: Days in a month (a twelfth of a year), used for unit conversion and month counting.
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0

#: The domain's unit words, in pint's definition syntax (``name = definition = alias ...``).
#: Magnitudes are written as the exact floats the model uses (``repr``), so that each word's
#: factor is that float and nothing pint computes from it.
DEFINITIONS = f"""\
@group time
    day = [time] = d
    hour = {1.0 / 24.0!r} * day = h
    week = 7 * day = wk
    month = {DAYS_PER_MONTH!r} * day = mo
    year = {DAYS_PER_YEAR!r} * day = yr = y
@end
@group shares
    fraction = [fraction]
    percent = 0.01 * fraction = pct
    ratio = [ratio]
    index = [index]
    switch = [switch]
@end
@group counts
    person = [person] = people
    round = [round]
    drone = [drone]
    missile = [missile]
    interceptor = [interceptor]
    km2 = [area]
    USD = [money_usd]
@end
@group multipliers
    thousand = 1e3 = k
    million = 1e6 = M = m = mn = mln
    billion = 1e9 = bn = bln
    trillion = 1e12 = trn = tn
@end
"""

_PERCENT = {"%", "percent", "pct"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TOKEN_RE = re.compile(r"%|[^\s%]+")


@functools.cache
def registry() -> pint.UnitRegistry[Any]:
    """Return the pint registry of the domain's unit words (:data:`DEFINITIONS`).

    Built once, on the first call: pint is imported then, not with this module. It is
    case-insensitive, with pint's plural ``s``, and holds no other units (no SI prefixes:
    ``m`` is a million, not a metre).

    Returns
    -------
    pint.UnitRegistry
        The registry; treat it as read-only.
    """
    import pint

    reg: pint.UnitRegistry[Any] = pint.UnitRegistry(
        None, on_redefinition="raise", case_sensitive=False)
    reg.load_definitions(DEFINITIONS.splitlines())
    return reg


@dataclass(frozen=True)
class _Word:
    """A registry word: its factor (in the registry's root units) and dimensions."""

    name: str
    factor: float
    dimensions: UnitsContainer
    multiplier: bool


@functools.lru_cache(maxsize=1024)
def _word(word: str) -> _Word | None:
    """Look ``word`` up in the registry (any case, singular or plural); None if unknown."""
    if not word.isidentifier():
        return None
    reg = registry()
    # lower-cased first: the registry ignores case, but its plural 's' must be lower-case
    names = {name for _prefix, name, _suffix in reg.parse_unit_name(word.lower())}
    if len(names) != 1:
        return None
    (name,) = names
    factor, _root = reg.get_root_units(name)
    return _Word(name, float(cast("float", factor)), reg.get_dimensionality(name),
                 name in reg.get_group("multipliers").members)


def _literal(words: list[str]) -> UnitsContainer:
    """Return the dimension of a base the registry does not define: its own words."""
    from pint.util import UnitsContainer

    text = " ".join(_normalise_word(w) for w in words)
    return UnitsContainer({f"[literal {text}]": 1})


def _normalise_word(word: str) -> str:
    w = word.lower()
    if len(w) > 2 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


@dataclass(frozen=True)
class Unit:
    """A parsed unit: ``scale`` times its dimensions' root units.

    Attributes
    ----------
    text : str
        The unit as written.
    scale : float
        Value of one of this unit in the registry's root units (time in days).
    numerator, denominator : pint.util.UnitsContainer
        Dimensions of the terms before and after ``/`` (the denominator's are empty when
        there is no ``/``).
    shown : tuple of str
        The numerator and denominator bases as written, for messages.
    """

    text: str
    scale: float
    numerator: UnitsContainer
    denominator: UnitsContainer
    shown: tuple[str, str | None]

    @property
    def dimension(self) -> UnitsContainer:
        """What the unit measures: pint's dimensions of numerator over denominator."""
        dims: UnitsContainer = self.numerator / self.denominator
        return dims


def _positive(text: str, token: str) -> float:
    value = float(token)
    if not (math.isfinite(value) and value > 0):
        raise UnitError(f"cannot read unit {text!r}: expected a positive number, "
                        f"found {token!r}")
    return value


def _parse_term(text: str, term: str, *, where: str) -> tuple[float, UnitsContainer, str]:
    """Parse one side of a unit; return (scale, dimensions, base as written).

    The scale multiplies, in the order written, the number, the multiplier and the base's
    own factor: the order the factors of the built-in scenarios were first computed in,
    kept so that they stay the same floats (pint's own conversion multiplies the root
    factors in another order and differs in the last bit for about a third of the pairs).
    """
    from pint.util import UnitsContainer

    tokens = _TOKEN_RE.findall(term)
    if not tokens:
        raise UnitError(f"cannot read unit {text!r}: nothing {where}")
    scale = 1.0
    base_words: list[str] = []
    seen_multiplier = False
    seen_number = False
    for tok in tokens:
        word = _word(tok) if len(tokens) > 1 else None
        if _NUMBER_RE.match(tok) and len(tokens) > 1:
            if seen_number or base_words:
                raise UnitError(f"cannot read unit {text!r}: a number may stand only first")
            scale *= _positive(text, tok)
            seen_number = True
        elif word is not None and word.multiplier:
            if seen_multiplier:
                raise UnitError(f"cannot read unit {text!r}: two multipliers "
                                "(thousand, million, bn, ...) in one term")
            scale *= word.factor
            seen_multiplier = True
        else:
            base_words.append(tok)
    if not base_words:
        raise UnitError(f"cannot read unit {text!r}: expected a base such as 'persons', "
                        f"'USD', 'rounds' or 'fraction' {where}")
    shown = " ".join(base_words)
    if len(base_words) == 1:
        (word_text,) = base_words
        if _NUMBER_RE.match(word_text):
            return scale * _positive(text, word_text), UnitsContainer({}), shown
        known = _word("percent" if word_text.lower() in _PERCENT else word_text)
        if known is not None and not known.multiplier:
            return scale * known.factor, known.dimensions, shown
    return scale, _literal(base_words), shown


@functools.lru_cache(maxsize=1024)
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
    if len(parts) == 1:
        from pint.util import UnitsContainer

        return Unit(text=text, scale=num_scale, numerator=num,
                    denominator=UnitsContainer({}), shown=(num_shown, None))
    den_scale, den, den_shown = _parse_term(text, parts[1], where="after '/'")
    return Unit(text=text, scale=num_scale / den_scale, numerator=num, denominator=den,
                shown=(num_shown, den_shown))


def _written(unit: Unit) -> str:
    return unit.shown[0] if unit.shown[1] is None else "/".join(map(str, unit.shown))


@functools.lru_cache(maxsize=4096)
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
            what = f"{_written(a)} vs {_written(b)}"
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
