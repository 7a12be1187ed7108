"""The calendar and the unit algebra (pint registry, the files' grammar, conversion factors)."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.errors import UnitError
from detente.units import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    conversion_factor,
    parse_unit,
    registry,
)


def test_calendar_constants_keep_their_values() -> None:
    assert DAYS_PER_YEAR.hex() == (365.25).hex()
    assert DAYS_PER_MONTH.hex() == (365.25 / 12.0).hex()


def test_importing_the_units_does_not_import_pint() -> None:
    code = "import sys, detente.units, detente.model; print('pint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("word", "name"), [
    ("persons", "person"), ("People", "person"), ("usd", "USD"), ("wks", "week"),
    ("Years", "year"), ("m", "million"), ("M", "million"), ("bn", "billion"),
    ("pct", "percent"), ("km2", "km2"), ("interceptors", "interceptor"),
])
def test_the_registry_defines_the_domain_words(word: str, name: str) -> None:
    assert {n for _, n, _ in registry().parse_unit_name(word)} == {name}


def test_the_registry_has_no_other_units() -> None:
    assert registry().parse_unit_name("metre") == ()
    assert registry().parse_unit_name("kg") == ()


@pytest.mark.parametrize(("found", "canonical", "factor"), [
    ("people/day", "persons/day", 1.0),
    ("tanks", "tank", 1.0),
    ("thousand tanks/week", "tanks/day", 1e3 / 7),
    ("rounds/round", "1", 1.0),
    ("day/week", "1", 1 / 7),
    ("% of pool/month", "% of pool/day", 1 / DAYS_PER_MONTH),
    ("1 per hour", "1/day", 24.0),
    ("50 %", "fraction", 0.5),
])
def test_conversions_beyond_the_built_in_units(found: str, canonical: str,
                                               factor: float) -> None:
    assert conversion_factor(found, canonical) == pytest.approx(factor, rel=1e-15)


@pytest.mark.parametrize(("found", "canonical", "what"), [
    ("tanks", "rounds", "tanks vs rounds"),
    ("thousand", "1", "thousand vs 1"),  # a multiplier alone is a word of its own
    ("% of pool", "%", "% of pool vs %"),
    ("person days", "persons", "person days vs persons"),
    ("fraction/day", "1/day", "fraction vs 1"),
    ("rounds/day", "rounds/drone", "rounds/day vs rounds/drone"),
])
def test_incompatible_units_name_both(found: str, canonical: str, what: str) -> None:
    with pytest.raises(UnitError) as info:
        conversion_factor(found, canonical)
    assert str(info.value) == (f"cannot convert {found!r} to {canonical!r}: "
                               f"the quantities differ ({what})")


def test_a_unit_records_what_was_written() -> None:
    unit = parse_unit("USD bn per year")
    assert unit.shown == ("USD", "year")
    assert unit.scale == pytest.approx(1e9 / DAYS_PER_YEAR, rel=1e-15)
    assert unit.dimension == parse_unit("USD/day").dimension


# ------------------------------------------------------------------ generated units
MULTIPLIERS = {"": 1.0, "thousand": 1e3, "k": 1e3, "million": 1e6, "M": 1e6, "mn": 1e6,
               "bn": 1e9, "billion": 1e9, "trn": 1e12}
TIMES = {"day": 1.0, "days": 1.0, "d": 1.0, "week": 7.0, "wk": 7.0, "month": DAYS_PER_MONTH,
         "months": DAYS_PER_MONTH, "year": DAYS_PER_YEAR, "yr": DAYS_PER_YEAR,
         "hour": 1 / 24, "hours": 1 / 24}
COUNTS = {"person": ["persons", "person", "Persons", "people"],
          "round": ["rounds", "round", "ROUNDS"], "drone": ["drones", "drone"],
          "usd": ["USD", "usd"], "km2": ["km2"], "tank": ["tanks", "tank", "Tanks"],
          "fraction": ["fraction", "%", "percent"], "ratio": ["ratio"], "index": ["index"],
          "switch": ["switch"]}


@st.composite
def amount(draw: st.DrawFn, kind: str) -> str:
    """A written amount of ``kind``: a multiplier before or after the base, or a number."""
    word = draw(st.sampled_from(COUNTS[kind]))
    mult = draw(st.sampled_from(sorted(MULTIPLIERS)))
    number = draw(st.sampled_from(["", "2 ", "0.5 ", "1e3 "]))
    if not mult:
        return f"{number}{word}"
    return draw(st.sampled_from([f"{number}{mult} {word}", f"{number}{word} {mult}"]))


@st.composite
def time(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "2 ", "7 "])) + draw(st.sampled_from(sorted(TIMES)))


@st.composite
def convertible(draw: st.DrawFn, n: int = 2) -> list[str]:
    """``n`` units of the same quantity, written differently."""
    kind = draw(st.sampled_from(sorted(COUNTS)))
    rate = draw(st.booleans())
    units = []
    for _ in range(n):
        text = draw(amount(kind))
        if rate:
            text += draw(st.sampled_from(["/", " per "])) + draw(time())
        units.append(text)
    return units


@given(convertible())
def test_factors_back_and_forth_multiply_to_one(pair: list[str]) -> None:
    a, b = pair
    forth, back = conversion_factor(a, b), conversion_factor(b, a)
    assert math.isfinite(forth)
    assert forth > 0
    assert abs(forth * back - 1.0) <= math.ulp(1.0)


@given(convertible(3))
def test_a_chain_of_conversions_is_the_direct_one(units: list[str]) -> None:
    a, b, c = units
    assert conversion_factor(a, b) * conversion_factor(b, c) == pytest.approx(
        conversion_factor(a, c), rel=1e-14)


@given(st.sampled_from(sorted(COUNTS)), st.sampled_from(sorted(COUNTS)), st.data())
def test_different_quantities_do_not_convert(kind: str, other: str,
                                             data: st.DataObject) -> None:
    if kind == other:
        return
    a, b = data.draw(amount(kind)), data.draw(amount(other))
    with pytest.raises(UnitError) as info:
        conversion_factor(a, b)
    written = (parse_unit(a).shown[0], parse_unit(b).shown[0])
    assert str(info.value) == (f"cannot convert {a!r} to {b!r}: the quantities differ "
                               f"({written[0]} vs {written[1]})")


@given(st.sampled_from(sorted(COUNTS)), time(), time())
def test_a_rate_is_not_an_amount(kind: str, t1: str, t2: str) -> None:
    base = COUNTS[kind][0]
    with pytest.raises(UnitError, match="the quantities differ"):
        conversion_factor(f"{base}/{t1}", base)
    assert conversion_factor(f"{base}/{t1}", f"{base}/{t2}") > 0
