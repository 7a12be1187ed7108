"""Unit parsing and conversion: the grammar of units in scenario files."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.errors import InputError, UnitError
from detente.units import conversion_factor, convert, parse_unit

Y, M = 365.25, 365.25 / 12


@pytest.mark.parametrize(("found", "canonical", "factor"), [
    ("persons", "persons", 1.0),
    ("person", "persons", 1.0),
    ("Persons", "persons", 1.0),
    ("thousand persons", "persons", 1e3),
    ("k persons", "persons", 1e3),
    ("million persons", "persons", 1e6),
    ("M persons", "persons", 1e6),
    ("m persons", "persons", 1e6),
    ("USD bn", "USD", 1e9),
    ("bn USD", "USD bn", 1.0),
    ("USD bn", "million USD", 1e3),
    ("trillion USD", "USD bn", 1e3),
    ("USD trn", "USD bn", 1e3),
    ("rounds/year", "rounds/day", 1 / Y),
    ("rounds/month", "rounds/day", 1 / M),
    ("rounds/week", "rounds/day", 1 / 7),
    ("rounds/days", "rounds/day", 1.0),
    ("million rounds/yr", "rounds/day", 1e6 / Y),
    ("thousand rounds per month", "rounds/day", 1e3 / M),
    ("1/week", "1/day", 1 / 7),
    ("1/year", "1/day", 1 / Y),
    ("fraction/week", "fraction/day", 1 / 7),
    ("%", "fraction", 0.01),
    ("percent", "fraction", 0.01),
    ("fraction", "%", 100.0),
    ("%/year", "fraction/day", 0.01 / Y),
    ("%/month", "fraction/day", 0.01 / M),
    ("USD bn/year", "USD bn/day", 1 / Y),
    ("million USD/month", "USD bn/day", 1e-3 / M),
    ("rounds/2 weeks", "rounds/day", 1 / 14),
    ("months", "days", M),
    ("years", "days", Y),
    ("week", "day", 7.0),
    ("km2", "km2", 1.0),
    ("thousand km2", "km2", 1e3),
    ("ratio", "ratio", 1.0),
    ("index", "index", 1.0),
    ("switch", "switch", 1.0),
    ("1", "1", 1.0),
    ("USD/round", "USD/rounds", 1.0),
    ("USD bn/thousand rounds", "USD/round", 1e6),
])
def test_conversion_factor(found: str, canonical: str, factor: float) -> None:
    assert conversion_factor(found, canonical) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize(("found", "canonical", "fragments"), [
    ("rounds/year", "persons/day", ("cannot convert 'rounds/year' to 'persons/day'",
                                    "the quantities differ (rounds vs persons)")),
    ("persons/day", "persons", ("the quantities differ", "persons/day vs persons")),
    ("fraction", "ratio", ("fraction vs ratio",)),
    ("1", "fraction", ("1 vs fraction",)),
    ("index", "switch", ("index vs switch",)),
    ("%", "index", ("% vs index",)),
    ("USD", "EUR", ("usd vs eur",)),
    ("days", "persons", ("days vs persons",)),
    ("rounds/round", "rounds/day", ("round vs",)),
])
def test_incompatible_units(found: str, canonical: str, fragments: tuple[str, ...]) -> None:
    with pytest.raises(UnitError) as info:
        conversion_factor(found, canonical)
    msg = str(info.value)
    assert isinstance(info.value, InputError)
    for f in fragments:
        assert f.lower() in msg.lower(), msg


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "expected a unit"),
    ("   ", "expected a unit"),
    ("a/b/c", "at most one '/'"),
    ("USD bn bn", "two multipliers"),
    ("persons/", "nothing after '/'"),
    ("/day", "nothing before '/'"),
    ("0 persons", "positive number"),
    ("persons 3", "a number may stand only first"),
])
def test_malformed_units(text: str, fragment: str) -> None:
    with pytest.raises(UnitError, match=None) as info:
        parse_unit(text)
    assert fragment in str(info.value)


def test_convert() -> None:
    assert convert(365.25, "rounds/year", "rounds/day") == pytest.approx(1.0)
    assert convert(50, "%", "fraction") == pytest.approx(0.5)


MULTS = ["", "thousand ", "million ", "bn ", "k "]
BASES = ["persons", "rounds", "USD", "km2", "drones"]
TIMES = ["", "/day", "/week", "/month", "/year", "/2 weeks"]
DIMLESS = ["1", "fraction", "%"]


@st.composite
def unit_pair(draw: st.DrawFn) -> tuple[str, str]:
    base = draw(st.sampled_from(BASES + DIMLESS))
    per = draw(st.sampled_from(["", "/"])) and draw(st.sampled_from(TIMES[1:]))
    per2 = per and draw(st.sampled_from(TIMES[1:]))
    if base in DIMLESS:
        other = draw(st.sampled_from(["fraction", "%"])) if base != "1" else "1"
        return base + per, other + per2
    return (draw(st.sampled_from(MULTS)) + base + per,
            draw(st.sampled_from(MULTS)) + base.lower() + per2)


@given(unit_pair())
def test_round_trip(pair: tuple[str, str]) -> None:
    a, b = pair
    forth, back = conversion_factor(a, b), conversion_factor(b, a)
    assert math.isfinite(forth)
    assert forth > 0
    assert forth * back == pytest.approx(1.0, rel=1e-12)


@given(unit_pair(), unit_pair())
def test_compatibility_is_symmetric(p: tuple[str, str], q: tuple[str, str]) -> None:
    a, b = p[0], q[1]
    try:
        conversion_factor(a, b)
        ok = True
    except UnitError:
        ok = False
    try:
        conversion_factor(b, a)
        ok_back = True
    except UnitError:
        ok_back = False
    assert ok == ok_back
